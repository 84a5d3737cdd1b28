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
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO, TextIO, cast

from hcpcs_lint.limits import descriptor_problem
from hcpcs_lint.model import InputError, Record
from hcpcs_lint.sources.detect import HEAD_BYTES, detect_format, detect_kind
from hcpcs_lint.sources.release import Release, dated
from hcpcs_lint.sources.text import decode_text

__all__ = [
    "InputError",
    "Release",
    "decode_text",
    "detect_format",
    "detect_kind",
    "load",
    "read_bytes",
    "read_release",
]

STDIN = "-"

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
    source = getattr(stream, "buffer", stream)
    try:
        data = source.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(STDIN, f"cannot read standard input: {exc}") from None
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape"), data
    return bytes(data), None


def load(
    path: str,
    *,
    stdin: TextIO | BinaryIO | None = None,
    effective: str | None = None,
    data: bytes | None = None,
) -> Iterator[Record]:
    """Records from a file (or ``"-"`` for stdin) of any supported format, each with its release date.

    ``effective`` (YYYYMMDD) overrides the date read from the file (see sources.release).
    ``data``: the file's bytes when the caller has already read them (the cache hashes them
    first, so what is parsed is exactly what was hashed).
    Raises model.InputError for any bad input: a missing or unreadable file, binary or
    undecodable data, an empty file, or (during iteration) a malformed record or a descriptor
    past a limit in ``hcpcs_lint.limits``.
    """
    fmt, records = _open(path, stdin, data)
    return dated(records, path, fmt, effective)[0]


def read_release(
    path: str,
    *,
    stdin: TextIO | BinaryIO | None = None,
    effective: str | None = None,
    data: bytes | None = None,
) -> Release:
    """The whole file with its format and date: ``release.effective``, ``release.records``
    (``data``: its bytes, when already read)."""
    fmt, records = _open(path, stdin, data)
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
    path: str, stdin: TextIO | BinaryIO | None, given: bytes | None = None
) -> tuple[str, Iterator[Record]]:
    kind, records = _open_kind(path, stdin, given)
    return kind, _within_limits(records)


def _open_kind(
    path: str, stdin: TextIO | BinaryIO | None, given: bytes | None = None
) -> tuple[str, Iterator[Record]]:
    text: str | None = None
    if given is not None:
        data = given
    elif path == STDIN:
        data, text = _read_stdin(stdin)
    else:
        data = _read_path(path)
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise InputError(path, "empty input" if path == STDIN else "empty file")
    fmt = detect_format(path, data[:HEAD_BYTES])
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
    module, function = _TEXT_READERS[fmt]
    return fmt, _text_reader(module, function)(path, text)
