"""Safe write-back for ``--fix``: splice new descriptor text into the user's file and nothing else.

Users' files carry CRLF line endings, cp1252 bytes, a UTF-8 BOM and their own quoting; a fix that
re-serialised the whole table would churn all of it. So edits are character splices into the decoded
text, the result is re-encoded the way it was read, and the file is replaced atomically so a crash or
a full disk never leaves half a file.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hcpcs_lint.atomic import describe, write_bytes
from hcpcs_lint.model import InputError, Record


def apply_edits(
    path: str, edits: Sequence[tuple[int, int, str]], *, encoding: str, expect: str | None = None
) -> None:
    """Replace ``text[start:end]`` by each edit's string, in one atomic write.

    ``encoding`` is the one the file was decoded with; ``expect`` is the text as read, and a file that
    no longer matches it (edited meanwhile) is refused rather than overwritten.
    """
    target = os.path.realpath(path)  # write through a symlink, not over it
    try:
        with open(target, "rb") as fh:
            data = fh.read()
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError as exc:
        raise InputError(path, f"cannot read for fixing: {exc.strerror or exc}") from None
    write_encoding, bom = _encoding_for(encoding, data)
    try:
        text = data[len(bom) :].decode(write_encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(path, f"cannot decode as {encoding} for fixing: {exc}") from None
    if expect is not None and text != expect:
        raise InputError(path, "file changed since it was read; not fixed (run again)")

    new_text = splice(path, text, edits)
    if new_text == text:
        return
    try:
        payload = bom + new_text.encode(write_encoding)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise InputError(
            path, f"the fix contains {bad!r}, which {encoding} cannot encode; not fixed"
        ) from None
    try:
        write_bytes(target, payload, perms=mode)
    except OSError as exc:
        raise InputError(path, f"cannot write the fix: {describe(exc)}; the file is left as it was") from None


def splice(path: str, text: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with the edits applied; edits out of range or overlapping are an InputError."""
    ordered = sorted(edits, key=lambda e: (e[0], e[1]))
    parts: list[str] = []
    cursor = 0
    for start, end, replacement in ordered:
        if not 0 <= start <= end <= len(text):
            raise InputError(path, f"edit {start}:{end} lies outside the file ({len(text)} characters)")
        if start < cursor:
            raise InputError(path, f"overlapping edits at character {start}; not fixed")
        parts.append(text[cursor:start])
        parts.append(replacement)
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def _encoding_for(encoding: str, data: bytes) -> tuple[str, bytes]:
    """The codec to re-encode with and the BOM bytes to keep, so the file's bytes round-trip.

    ``utf-8-sig`` decodes files with or without a BOM; re-encoding must add one only if it was there.
    ``utf-16``/``utf-32`` would write the platform's byte order; keep the one the BOM declares.
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding, b""
    if name == "utf-8-sig":
        return ("utf-8", codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else ("utf-8", b"")
    if name == "utf-16":
        for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
            if data.startswith(bom):
                return codec, bom
    if name == "utf-32":
        for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")):
            if data.startswith(bom):
                return codec, bom
    return encoding, b""


# ---------------------------------------------------------------- CSV fields


def csv_quote(value: str, delimiter: str) -> str:
    """``value`` as a CSV field: quoted (quotes doubled) only when it must be, so plain fields stay plain.

    Leading/trailing spaces also force quotes: the table reader skips initial spaces.
    """
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")) or value != value.strip(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_field_edit(
    text: str, offset: int, old: str, new: str, delimiter: str | None = None
) -> tuple[int, int, str]:
    """The edit that turns a CSV descriptor ``old`` at ``offset`` (a Location.offset) into ``new``.

    Inside a quoted field the text is replaced with its quotes doubled; an unquoted field is quoted
    only if ``new`` needs it. ``delimiter`` defaults to the character that ends the field.
    """
    end = offset + len(old)
    if offset > 0 and text[offset - 1] == '"' and text[end : end + 1] == '"':
        return offset, end, new.replace('"', '""')
    if delimiter is None:
        after = text[end : end + 1]
        before = text[offset - 1 : offset] if offset > 0 else ""
        delimiter = next((ch for ch in (after, before) if ch in ("\t", ",", ";", "|")), ",")
    return offset, end, csv_quote(new, delimiter)


# ---------------------------------------------------------------- the rewrite policy

REWRITABLE_FORMATS = ("table", "draft", "lines")  # formats a user writes; CMS releases are never rewritten
_NEVER = {"pdf": "is a PDF; it is never rewritten (edit the document it was made from)"}


@dataclass(frozen=True)
class WriteResult:
    """What ``write_revisions`` did to one file: edits written, descriptors left for a human, or why not."""

    written: int = 0
    skipped: int = 0  # descriptors whose text could not be found in the file as read
    refused: str | None = None  # the file was not touched, and why (for the user)


@dataclass(frozen=True)
class Plan:
    """The edits that would write ``revisions`` into one file: the same for ``--fix`` and ``--diff``."""

    text: str = ""
    encoding: str = "utf-8"
    edits: tuple[tuple[int, int, str], ...] = ()
    written: int = 0  # descriptors the edits revise
    skipped: int = 0
    refused: str | None = None

    @property
    def new_text(self) -> str:
        return splice("", self.text, self.edits)


def plan_revisions(path: str, revisions: Sequence[tuple[Record, str]]) -> Plan:
    """Decide whether ``path`` may be rewritten and where each revised descriptor goes in it.

    Standard input cannot be rewritten (InputError); a CMS release or a PDF is refused with the
    reason. A draft's descriptor is replaced inside its quotes only, word by word, even when the
    draft wraps it over lines or breaks a word with a hyphen (see ``splice``).
    """
    from hcpcs_lint.sources import decode_text, detect_format
    from hcpcs_lint.splice import line_offset, wrapped_edits

    if path == "-":
        raise InputError(path, "--fix cannot rewrite standard input; use --diff to see the revisions")
    data = Path(path).read_bytes()
    fmt = detect_format(path, data[:65536])
    if fmt not in REWRITABLE_FORMATS:
        return Plan(refused=f"{path} {_NEVER.get(fmt, f'is a CMS release ({fmt}); it is never rewritten')}")
    text, encoding = decode_text(path, data)
    edits: list[tuple[int, int, str]] = []
    skipped = written = 0
    starts: list[int] | None = None
    for rec, new in revisions:
        off = rec.location.offset
        if off is not None and text[off : off + len(rec.long)] == rec.long:
            edits.append(
                csv_field_edit(text, off, rec.long, new)
                if fmt == "table"
                else (off, off + len(rec.long), new)
            )
            written += 1
            continue
        loc = rec.location
        if fmt == "table" and loc.line and '"' in rec.long:
            # A quoted field with doubled quotes ("" for "): the reader could not point at the
            # descriptor verbatim, so it is found here as the file writes it, on its own row.
            if starts is None:
                starts = _line_starts(text)
            edit = _quoted_field_edit(text, starts, loc.line, rec.long, new)
            if edit is not None:
                edits.append(edit)
                written += 1
                continue
        start = (
            line_offset(text, loc.line, loc.column) if fmt == "draft" and loc.line and loc.column else None
        )
        wrapped = wrapped_edits(text, start, rec.long, new) if start is not None else None
        if wrapped is None:
            skipped += 1
            continue
        edits.extend(wrapped)
        written += 1
    return Plan(text, encoding, tuple(edits), written, skipped)


def _line_starts(text: str) -> list[int]:
    """Offset of each line's start (line 1 first), with line ends as the readers count them."""
    import re

    return [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]


def _quoted_field_edit(
    text: str, starts: list[int], line: int, old: str, new: str
) -> tuple[int, int, str] | None:
    """The edit of a quoted CSV field holding ``old`` with its quotes doubled, starting on ``line``."""
    if not 0 < line <= len(starts):
        return None
    quoted = '"' + old.replace('"', '""') + '"'
    at = text.find(quoted, starts[line - 1])
    if at < 0 or (line < len(starts) and at >= starts[line]):
        return None
    return at + 1, at + len(quoted) - 1, new.replace('"', '""')


def write_revisions(path: str, revisions: Sequence[tuple[Record, str]]) -> WriteResult:
    """Splice revised descriptors into a CSV/TSV or draft, atomically; which files may be rewritten
    is decided here, in the library, so every command that fixes follows the same policy."""
    plan = plan_revisions(path, revisions)
    if plan.refused:
        return WriteResult(refused=plan.refused)
    if plan.edits:
        apply_edits(path, list(plan.edits), encoding=plan.encoding, expect=plan.text)
    return WriteResult(written=plan.written, skipped=plan.skipped)
