"""Sources: every input the linter accepts, turned into ``model.Record``s by one call, ``load``.

The dispatcher reads the bytes once, decides the format from content (then the name), and hands
the bytes or decoded text to one reader. Readers for CSV/TSV tables, Markdown drafts and plain
lines are imported lazily so that loading a CMS release never pays for them (and vice versa).
Anything wrong with the input surfaces as ``model.InputError``, raised either by ``load`` itself
(unreadable file, binary data, empty input) or while iterating (a bad record).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO, TextIO, cast

from hcpcs_lint.limits import descriptor_problem
from hcpcs_lint.model import InputError, NoDescriptors, Record
from hcpcs_lint.sources.detect import HEAD_BYTES, detect_format, require_coded_lines
from hcpcs_lint.sources.release import Release, dated
from hcpcs_lint.sources.text import decode_text

__all__ = [
    "InputError", "NoDescriptors", "Release", "decode_text", "detect_format", "load",
    "read_bytes", "read_release",
]  # fmt: skip

STDIN = "-"
# Nothing but a UTF-8 BOM and ASCII blanks (what ``bytes.strip`` removes), found without copying
# the file as ``data.strip()`` would.
_BLANK = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\n\r\x0b\x0c]*\Z")

TextReader = Callable[[str, str], Iterator[Record]]
# format -> (module under hcpcs_lint.sources, function); each takes (path, decoded text).
_TEXT_READERS: dict[str, tuple[str, str]] = {
    "table": ("table", "read_table"),
    "draft": ("draft", "read_draft"),
    "lines": ("lines", "read_lines"),
}


def _text_reader(module: str, function: str) -> TextReader:
    """Import a text reader on first use: a CMS release never needs the CSV or Markdown readers."""
    return cast(TextReader, getattr(importlib.import_module(f"{__name__}.{module}"), function))


def _read_path(path: str) -> bytes:
    if os.path.isdir(path):
        raise InputError(path, "is a directory, not a file")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def read_bytes(path: str) -> bytes:
    """A file's bytes, or InputError saying why they cannot be read."""
    return _read_path(path)


def _read_stdin(stream: TextIO | BinaryIO | None) -> tuple[bytes, str | None]:
    """Bytes from stdin when the stream has them (so zips and workbooks can be piped), else its text."""
    stream = sys.stdin if stream is None else stream
    if stream is None:  # started with standard input closed (``<&-``)
        raise InputError(STDIN, "standard input is closed")
    source = getattr(stream, "buffer", stream)
    try:
        data = source.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(STDIN, f"cannot read standard input: {exc}") from None
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape"), data
    return bytes(data), None


# What each reader looks for, named in the "no HCPCS descriptors found" error.
LOOKED_FOR = {
    "table": "rows with a code and a descriptor under the header row",
    "draft": (
        "Markdown tables with a code and a descriptor column, `CODE: descriptor` lines, and quoted"
        ' descriptors after a code or placeholder (JXXXX "…", which currently reads: "…")'
    ),
    "lines": "one descriptor per line, optionally after its code (Q2041 text)",
    "pdf": (
        "quoted descriptors after a code or placeholder in the PDF's text"
        ' (JXXXX "…", to instead read: "…"), and `CODE: descriptor` lines'
    ),
    "anweb": "CMS fixed-width records",
    "workbook": "rows under a HCPC / LONG DESCRIPTION header",
    "zip": "an ANWEB release member",
}
FORMATS = ("anweb", "workbook", "zip", "pdf", "table", "draft", "lines")


def load(
    path: str,
    *,
    stdin: TextIO | BinaryIO | None = None,
    effective: str | None = None,
    allow_empty: bool = False,
    as_format: str | None = None,
    data: bytes | None = None,
) -> Iterator[Record]:
    """Records from a file (or ``"-"`` for stdin) of any supported format, each with its release date.

    ``effective`` (YYYYMMDD) overrides the date read from the file (see sources.release).
    Raises model.InputError for any bad input: a missing or unreadable file, binary or
    undecodable data, an empty file, or (during iteration) a malformed record or a descriptor
    past a limit in ``hcpcs_lint.limits``. A file from which no descriptor could be read raises
    model.NoDescriptors once iteration ends, unless ``allow_empty``: nothing passes unread.
    ``as_format`` skips detection and uses that reader. ``data``: the file's bytes when the caller
    has already read them (the cache hashes them first, so what is parsed is what was hashed).
    """
    fmt, records = _open(path, stdin, allow_empty=allow_empty, as_format=as_format, given=data)
    return dated(records, path, fmt, effective)[0]


def read_release(
    path: str,
    *,
    stdin: TextIO | BinaryIO | None = None,
    effective: str | None = None,
    allow_empty: bool = False,
    data: bytes | None = None,
) -> Release:
    """The whole file with its format and date: ``release.effective``, ``release.records``
    (``data``: its bytes, when already read)."""
    fmt, records = _open(path, stdin, allow_empty=allow_empty, given=data)
    stream, basis = dated(records, path, fmt, effective)
    rows = tuple(stream)
    day = rows[0].effective if rows else effective
    return Release(path=path, format=fmt, effective=day, basis=basis[0] if basis else "", records=rows)


def _within_limits(records: Iterator[Record]) -> Iterator[Record]:
    """Refuse a descriptor past a limit (length, bracket depth) where it stands, before any rule
    parses it: ``path:line: descriptor is ... over the ... limit``."""
    for rec in records:
        if problem := descriptor_problem(rec.long):
            loc = rec.location
            where = loc.path if loc.member is None else f"{loc.path}!{loc.member}"
            raise InputError(where, f"{rec.code}: {problem}", loc.line)
        yield rec


def _open(
    path: str,
    stdin: TextIO | BinaryIO | None,
    *,
    allow_empty: bool = False,
    as_format: str | None = None,
    given: bytes | None = None,
) -> tuple[str, Iterator[Record]]:
    kind, records = _open_kind(path, stdin, as_format, given)
    records = _within_limits(records)
    return kind, records if allow_empty else _not_empty(path, kind, records)


def _not_empty(path: str, fmt: str, records: Iterator[Record]) -> Iterator[Record]:
    count = 0
    for record in records:
        count += 1
        yield record
    if not count:
        where = "standard input" if path == STDIN else path
        raise NoDescriptors(path, f"no HCPCS descriptors found in {where}: looked for {LOOKED_FOR[fmt]}")


def _open_kind(
    path: str, stdin: TextIO | BinaryIO | None, as_format: str | None = None, given: bytes | None = None
) -> tuple[str, Iterator[Record]]:
    text: str | None = None
    if given is not None:
        data = given
    elif path == STDIN:
        data, text = _read_stdin(stdin)
    else:
        data = _read_path(path)
    if _BLANK.match(data):
        raise InputError(path, "empty input" if path == STDIN else "empty file")
    fmt = as_format or detect_format(path, data[:HEAD_BYTES])
    if fmt == "pdf":
        from hcpcs_lint.sources.pdf import read_pdf

        return fmt, read_pdf(path, data)
    if fmt == "zip":
        from hcpcs_lint.sources.archive import read_archive

        return fmt, read_archive(path, data)
    if fmt == "workbook":
        from hcpcs_lint.sources.workbook import read_workbook

        return fmt, read_workbook(path, data)
    if text is None or "\x00" in text:
        text, _ = decode_text(path, data)
    if fmt == "anweb":
        from hcpcs_lint.sources.anweb import read_anweb

        return fmt, read_anweb(path, text)
    if fmt == "lines" and path != STDIN:
        require_coded_lines(path, text)
    module, function = _TEXT_READERS[fmt]
    return fmt, _text_reader(module, function)(path, text)
