"""Repairs for text that was laid out for print: lines broken mid-word, two columns run together.

Text copied out of a PDF keeps the typesetter's line breaks (``leukaphe-`` / ``resis``) and, from a
two-column page read across, puts the left and right column on one line. Where both columns say the
same thing (the applicant's language and the recommendation quoting it) that line holds the same run
twice. These helpers undo both without moving any character, so offsets into the file stay exact.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD_RE = re.compile(r"[a-z]+(?:-[a-z0-9]+)*")
_BREAK_RE = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*")
# A hyphen at the end of a line between letters: "leukaphe-\nresis", "car-\npositive".
_HYPHEN_BREAK_RE = re.compile(r"([A-Za-z]+)-[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*(?=([a-z]+))")
_WHITESPACE_RUN_RE = re.compile(r"[ \t]+")
_MIN_REPEATED_RUN = 12  # shorter repeats ("per dose per dose") are left alone
# First parts that keep their hyphen when the document gives no evidence either way.
_HYPHEN_PREFIXES = frozenset({
    "anti", "non", "car", "self", "co", "pre", "post", "multi", "semi", "sub", "inter", "intra",
    "extra", "bi", "tri", "mono", "poly", "cd", "t", "b", "ex", "re", "all", "well",
})  # fmt: skip


class Vocabulary:
    """How often the document writes a word joined (``leukapheresis``) or hyphenated (``car-positive``)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._counts: Counter[str] | None = None

    def count(self, word: str) -> int:
        if self._counts is None:
            self._counts = Counter(_WORD_RE.findall(self._text.lower()))
        return self._counts[word.lower()]

    def keeps_hyphen(self, left: str, right: str) -> bool:
        """Whether ``left-`` + line break + ``right`` is a hyphenated word rather than a broken one."""
        hyphenated, joined = self.count(f"{left}-{right}"), self.count(left + right)
        if hyphenated != joined:
            return hyphenated > joined
        return left.lower() in _HYPHEN_PREFIXES or len(left) <= 2


def fold(raw: str, vocabulary: Vocabulary) -> str:
    """``raw`` on one line: hyphen breaks joined (or kept, for a hyphenated word), other breaks one space."""

    def hyphen(m: re.Match[str]) -> str:
        return m[1] + ("-" if vocabulary.keeps_hyphen(m[1], m[2]) else "")

    return _BREAK_RE.sub(" ", _HYPHEN_BREAK_RE.sub(hyphen, raw))


def blank_repeated_runs(text: str) -> str:
    """Blank the second copy on lines that hold the same run twice (``A<spaces>A``), keeping length.

    Only whole-line repeats of at least 12 characters count: the two columns printed the same text.
    """
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(_blank_second_run(body) + line[len(body) :])
    return "".join(out)


def _blank_second_run(body: str) -> str:
    stripped = body.strip()
    if len(stripped) < 2 * _MIN_REPEATED_RUN + 1:
        return body
    for m in _WHITESPACE_RUN_RE.finditer(body):
        left, right = body[: m.start()].strip(), body[m.end() :].strip()
        if len(left) > len(right):
            break
        if left == right:
            return body[: m.start()] + " " * (len(body) - m.start())
    return body


_GUTTER_RE = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
_MIN_GUTTER_LINES = 3
_MIN_COLUMN_WIDTH = 20  # characters; a code column ("Q2041") beside its descriptor is not a column


def column_views(text: str) -> tuple[str, str] | None:
    """Text laid out in two columns (a gutter of two or more blanks at one position), as two views.

    Text copied from a two-column page with its layout keeps each column's words at a fixed
    position, separated by a run of blanks. The first view blanks the right column, the second the
    left column and every line that is not split; both keep the file's length, so a record found in
    either view points at its real place in the file. None when the text has no such gutter.
    """
    lines = text.splitlines(keepends=True)
    starts: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        for m in _GUTTER_RE.finditer(body):
            starts.setdefault(m.end(), []).append(index)
    if not starts:
        return None
    column, split = max(starts.items(), key=lambda kv: (len(kv[1]), -kv[0]))
    if len(split) < _MIN_GUTTER_LINES or column < _MIN_COLUMN_WIDTH:
        return None
    first, last = split[0], split[-1]
    spanned = sum(1 for line in lines[first : last + 1] if line.strip())
    widths_left = sorted(len(lines[i][:column].strip()) for i in split)
    widths_right = sorted(len(lines[i][column:].strip()) for i in split)
    if (
        len(split) * 2 < spanned
        or widths_left[len(split) // 2] < _MIN_COLUMN_WIDTH
        or widths_right[len(split) // 2] < _MIN_COLUMN_WIDTH
    ):
        return None
    rows = set(split)
    left_view: list[str] = []
    right_view: list[str] = []
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        if index in rows:
            left_view.append(body[:column] + " " * (len(body) - column) + end)
            right_view.append(" " * column + body[column:] + end)
        else:
            left_view.append(line)
            right_view.append(" " * len(body) + end)
    return "".join(left_view), "".join(right_view)
