"""Reader for the CMS fixed-width ANWEB / CONTR_ANWEB release (.txt, 320-column records).

This is the hot path of a whole-release lint, so each line is tested with one anchored regex
and then cut with precomputed slices; no per-field regex. The layout is the CMS record layout
(see ../shared/data/README.md §4–§6): positions 1–5 code, 6–10 sequence, 11 record id (RIC),
12–91 one 80-character chunk of the long descriptor, 92–119 short descriptor, 269–293 dates
and action code. RIC 3/7 starts a procedure/modifier, RIC 4/8 continues its long descriptor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hcpcs_lint.model import InputError, Location, Record, RecordKind
from hcpcs_lint.sources.release import release_record

RECORD_WIDTH = 320
# Code (blanks allowed: modifiers are "   A1"), 5-digit sequence, RIC.
RECORD_RE = re.compile(r"[ A-Z0-9]{5}\d{5}[3478]")
_MIN_RECORD = 11  # code + sequence + RIC

_CODE = slice(0, 5)
_LONG = slice(11, 91)
_SHORT = slice(91, 119)
_ADDED = slice(268, 276)
_ACTION_EFFECTIVE = slice(276, 284)
_TERMINATED = slice(284, 292)
_ACTION = slice(292, 293)
_LONG_COLUMN = 12  # 1-based column where the long descriptor starts

_FIRST_KIND: dict[str, RecordKind] = {"3": "procedure", "7": "modifier"}
_CONTINUES = {"4": "3", "8": "7"}


def _date(where: str, lineno: int, field: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) != 8 or not value.isdigit():
        raise InputError(where, f"{field} {value!r} is not a YYYYMMDD date", lineno)
    return value


class _Pending:
    """The record being assembled: its first line's fields plus long-descriptor chunks."""

    __slots__ = (
        "action",
        "added",
        "chunks",
        "code",
        "effective",
        "kind",
        "line",
        "ric",
        "short",
        "terminated",
    )

    def __init__(self, where: str, lineno: int, line: str, code: str, ric: str) -> None:
        self.code = code
        self.ric = ric
        self.line = lineno
        self.kind = _FIRST_KIND[ric]
        self.chunks = [line[_LONG].rstrip()]
        self.short = line[_SHORT].strip()
        # An 8-digit field is a date as it stands (the line is padded to full width): only a
        # blank or odd one goes through _date, which strips, checks and names the problem.
        added, effective, terminated = line[_ADDED], line[_ACTION_EFFECTIVE], line[_TERMINATED]
        self.added = added if added.isdigit() else _date(where, lineno, "code added date", added)
        self.effective = (
            effective if effective.isdigit() else _date(where, lineno, "action effective date", effective)
        )
        self.terminated = (
            terminated if terminated.isdigit() else _date(where, lineno, "termination date", terminated)
        )
        self.action = line[_ACTION].strip() or None

    def record(self, path: str, member: str | None) -> Record:
        # Only trailing blanks are padding: a chunk that starts with a blank keeps it, which
        # reproduces the workbook's double space at that break (G0501, G9678 in 2020).
        chunks = self.chunks
        long = chunks[0].strip() if len(chunks) == 1 else " ".join([c for c in chunks if c]).strip()
        return release_record(self, long, Location(path, self.line, _LONG_COLUMN, None, member))


def _bad_line(where: str, lineno: int, line: str) -> InputError:
    if len(line) < _MIN_RECORD:
        return InputError(
            where,
            f"truncated record line: {len(line)} characters, a record needs at least {_MIN_RECORD} "
            "(code, sequence number, record id)",
            lineno,
        )
    if line[5:10].isdigit() and line[10] not in "3478":
        return InputError(where, f"record id {line[10]!r} in column 11 is not 3, 4, 7 or 8", lineno)
    return InputError(where, f"not a fixed-width HCPCS record: {line[:20]!r}...", lineno)


def read_anweb(path: str, text: str, *, member: str | None = None) -> Iterator[Record]:
    """Yield one Record per code, joining continuation lines (RIC 4/8) into the long descriptor.

    Lines before the first record (disclaimers, notes, blank lines) are skipped. Once records
    have started, a non-blank line that is not a record is an error rather than being dropped,
    because it means a damaged file and silently losing a code would hide it from every rule.
    """
    where = path if member is None else f"{path}!{member}"
    match = RECORD_RE.match
    pending: _Pending | None = None
    started = False
    lines = text.split("\n")
    last = len(lines)
    for lineno, line in enumerate(lines, 1):
        if line.endswith("\r"):
            line = line[:-1]
        if match(line) is None:
            if started and line.strip():
                raise _bad_line(where, lineno, line)
            continue
        started = True
        if lineno == last and len(line) < (RECORD_WIDTH if line[10] in "37" else _LONG.stop):
            # The file ends inside this record (no line break after it, and it is short): a
            # download or copy cut off; its descriptor would end mid-word ("...cases that a").
            raise InputError(
                where,
                f"the file ends inside a record: {len(line)} of "
                f"{RECORD_WIDTH if line[10] in '37' else _LONG.stop} characters and no line break "
                "(a truncated download or copy?)",
                lineno,
            )
        if len(line) < RECORD_WIDTH:
            line = line.ljust(RECORD_WIDTH)
        ric = line[10]
        code = line[_CODE].strip()
        if not code:
            raise InputError(where, "record has no code in columns 1-5", lineno)
        first = _CONTINUES.get(ric)
        if first is None:
            if pending is not None:
                yield pending.record(path, member)
            pending = _Pending(where, lineno, line, code, ric)
            continue
        if pending is None or pending.code != code:
            raise InputError(where, f"continuation line for {code} without its first line", lineno)
        if pending.ric != first:
            raise InputError(
                where,
                f"record id {ric} continues a {'procedure' if ric == '4' else 'modifier'}, "
                f"but {code} started as a {pending.kind}",
                lineno,
            )
        pending.chunks.append(line[_LONG].rstrip())
    if pending is not None:
        yield pending.record(path, member)
    elif not started:
        raise InputError(where, "no fixed-width HCPCS records found")
