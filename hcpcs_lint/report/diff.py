"""Descriptor revisions as a unified diff (for review and ``--diff``) and as a word diff (for the terminal).

``unified_diff`` is of descriptors, not of the file: a fixed-width CMS record holds other fields on the
same line, so each hunk shows the descriptor alone at the record's line, one hunk per record, with the
HCPCS code in the hunk header where ``diff -p`` would put a function name. ``--diff`` prints it for
files that are never rewritten (CMS releases, PDFs, standard input).

``file_patch`` is the diff of the file's own lines, for the drafts and tables ``--fix`` may rewrite,
so that ``git apply`` and ``patch -p1`` can apply it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence

from rich.text import Text

from hcpcs_lint.model import Record

# Words, runs of whitespace and single punctuation marks: joining the tokens gives the text back exactly.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

DELETED = "red strike"
INSERTED = "green"


def _range(start: int, length: int) -> str:
    """A hunk range as GNU diff writes it: ``12`` for one line, ``12,3`` for more, ``11,0`` for none."""
    if length == 1:
        return str(start)
    return f"{start if length else start - 1},{length}"


def _lines(text: str) -> list[str]:
    return [line + "\n" for line in text.splitlines()]


def unified_diff(path: str, revisions: Sequence[tuple[Record, str]]) -> str:
    """Old to new descriptor for each record whose text changed; ``""`` when nothing changed.

    Records without a known line are placed after the previous hunk so the diff stays well-formed
    (hunks in order, none overlapping, new-side line numbers shifted by earlier hunks).
    """
    changed = [(record, new) for record, new in revisions if new != record.long]
    changed.sort(key=lambda rn: (rn[0].location.line is None, rn[0].location.line or 0))
    out = [f"--- {path}\n", f"+++ {path}\n"]
    next_free = 1  # first old-side line after the previous hunk
    shift = 0  # new-side minus old-side line count so far
    for record, new in changed:
        old_lines, new_lines = _lines(record.long), _lines(new)
        line = record.location.line
        start = line if line is not None and line >= next_free else next_free
        body: list[str] = []
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                body.extend(" " + s for s in old_lines[i1:i2])
                continue
            body.extend("-" + s for s in old_lines[i1:i2])
            body.extend("+" + s for s in new_lines[j1:j2])
        where = f"{record.code} line {line}" if line is not None else record.code
        old_range = _range(start, len(old_lines))
        new_range = _range(start + shift, len(new_lines))
        out.append(f"@@ -{old_range} +{new_range} @@ {where}\n")
        out.extend(body)
        next_free = start + max(len(old_lines), 1)
        shift += len(new_lines) - len(old_lines)
    return "".join(out) if len(out) > 2 else ""


def file_patch(path: str, old: str, new: str) -> str:
    """A unified diff of a file's own lines, old to new, that ``git apply`` and ``patch -p1`` accept.

    Headers are ``a/PATH`` and ``b/PATH`` with PATH relative to the working folder where it lies
    inside it; a last line without a newline gets diff's ``\\ No newline at end of file`` marker.
    """
    if old == new:
        return ""
    name = _patch_name(path)
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _patch_name(path: str) -> str:
    relative = os.path.relpath(path)
    name = path if relative.startswith("..") else relative
    return name.replace(os.sep, "/").lstrip("/")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str, *, markers: bool = False) -> Text:
    """Old and new interleaved: deletions red struck through, insertions green.

    ``markers`` adds git's plain word-diff brackets (``[-gone-]{+added+}``) so the diff still reads
    where colour is off, as in CI logs and tests.
    """
    a, b = tokens(old), tokens(new)
    out = Text()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            gone = "".join(a[i1:i2])
            out.append(f"[-{gone}-]" if markers else gone, style=DELETED)
        if j2 > j1:
            added = "".join(b[j1:j2])
            out.append(f"{{+{added}+}}" if markers else added, style=INSERTED)
    return out
