"""Where a revised descriptor goes in the user's file: character edits inside the descriptor, nothing else.

A draft quotes its descriptors in prose, often wrapped over lines and, when pasted from a PDF, broken
mid-word with a hyphen. The reader folds such text onto one line, so the record's text is not the
file's text. To fix it anyway, the folded text is walked against the file (a folded space stands for
a run of blanks and line breaks; a broken word's hyphen and break stand for nothing), and only the
words that change are replaced, at their own place: the quotes, the sentence around them and the
line breaks of untouched words stay as they are, and curly quotes stay curly.
"""

from __future__ import annotations

import difflib
import re

Edit = tuple[int, int, str]

_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")


def folded_positions(text: str, start: int, folded: str) -> list[int] | None:
    """File offset of each character of ``folded`` read from ``text[start:]``, plus the end; None if it is not there."""
    positions: list[int] = []
    i, n = start, len(text)
    for ch in folded:
        while True:
            if i < n and text[i] == ch:
                positions.append(i)
                i += 1
                break
            if i < n and text[i].isspace():
                run = _space_run(text, i)
                if ch == " ":
                    positions.append(i)
                    i = run
                    break
                if "\n" in text[i:run] or "\r" in text[i:run]:
                    i = run  # a line break inside a word kept with its hyphen ("car-" / "positive")
                    continue
                return None
            if (
                i < n
                and text[i] == "-"
                and _space_run(text, i + 1) > i + 1
                and "\n" in text[i + 1 : _space_run(text, i + 1)]
            ):
                i = _space_run(text, i + 1)  # a hyphen break the reader joined ("leukaphe-" / "resis")
                continue
            return None
    positions.append(i)
    return positions


def _space_run(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def wrapped_edits(text: str, start: int, old: str, new: str) -> list[Edit] | None:
    """Edits that turn the folded descriptor ``old`` found at ``start`` into ``new``, word by word."""
    positions = folded_positions(text, start, old)
    if positions is None:
        return None
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    starts_a = _offsets(a)
    starts_b = _offsets(b)
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        begin = positions[starts_a[i1]]
        end = positions[starts_a[i2]] if i2 < len(a) else positions[-1]
        edits.append((begin, end, new[starts_b[j1] : starts_b[j2]]))
    return edits


def _offsets(tokens: list[str]) -> list[int]:
    out = [0]
    for token in tokens:
        out.append(out[-1] + len(token))
    return out


def line_offset(text: str, line: int, column: int) -> int | None:
    """Offset of 1-based ``line``:``column`` in ``text`` (line ends as the readers count them)."""
    offset = 0
    for _ in range(line - 1):
        nl = text.find("\n", offset)
        cr = text.find("\r", offset)
        ends = [e for e in (nl, cr) if e >= 0]
        if not ends:
            return None
        end = min(ends)
        offset = end + (2 if text.startswith("\r\n", end) else 1)
    return offset + column - 1
