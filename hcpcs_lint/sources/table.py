"""CSV/TSV tables with a header row: a code column and a descriptor column.

The csv module parses the values; positions are computed here, because a ``--fix`` must splice
the new descriptor at the exact character offset and a finding must name the physical line even
after a quoted field has spanned several lines.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from hcpcs_lint.model import InputError, Location, Record, RecordKind
from hcpcs_lint.sources import codes

DELIMITERS = ("\t", ",", ";", "|")
_HEADER_SEARCH_LINES = 5  # a title row or two above the header is tolerated
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_EOL_RE = re.compile(r"(?:\r\n|\r|\n)\Z")
_BREAK_RE = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*")


def physical_lines(text: str) -> list[tuple[int, str]]:
    """``(offset, line with its terminator)`` for each line; only CR, LF and CRLF end a line.

    ``str.splitlines`` would also split at form feeds and U+2028, which editors do not count.
    """
    return [(m.start(), m.group()) for m in _LINE_RE.finditer(text)]


def _split_one(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    except csv.Error:
        return []


def _find_header(path: str, lines: list[tuple[int, str]]) -> tuple[int, str]:
    """Index of the header line and the delimiter that makes its code and descriptor columns readable."""
    candidates = [i for i, (_, line) in enumerate(lines) if line.strip()][:_HEADER_SEARCH_LINES]
    if not candidates:
        raise InputError(path, "empty table: expected a header row with " + codes.wanted_columns())
    for i in candidates:
        line = lines[i][1].lstrip("\ufeff")
        for delimiter in sorted(DELIMITERS, key=lambda d: -line.count(d)):
            fields = _split_one(line, delimiter)
            if (
                codes.find_column(fields, codes.CODE_COLUMNS) is not None
                and codes.find_column(fields, codes.DESCRIPTOR_COLUMNS) is not None
            ):
                return i, delimiter
    for i in candidates:
        line = lines[i][1].lstrip("\ufeff")
        for delimiter in sorted(DELIMITERS, key=lambda d: -line.count(d)):
            if half := codes.half_table(_split_one(line, delimiter)):
                raise InputError(path, half, i + 1)
    first = lines[candidates[0]][1].lstrip("\ufeff")
    best = max(DELIMITERS, key=first.count)
    found = ", ".join(repr(f.strip()) for f in _split_one(first, best) if f.strip()) or "none"
    raise InputError(
        path,
        f"no recognisable columns: found {found}; expected {codes.wanted_columns()}",
        candidates[0] + 1,
    )


def _field_spans(body: str, delimiter: str) -> list[tuple[int, int, bool]]:
    """``(start, end, quoted)`` of each field of one record, split as csv (skipinitialspace) splits it."""
    spans: list[tuple[int, int, bool]] = []
    i, n = 0, len(body)
    while True:
        while i < n and body[i] == " ":
            i += 1
        start, quoted = i, False
        if i < n and body[i] == '"':
            quoted = True
            i += 1
            while i < n:
                if body[i] == '"':
                    if i + 1 < n and body[i + 1] == '"':
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
        while i < n and body[i] != delimiter:
            i += 1
        spans.append((start, i, quoted))
        if i >= n:
            return spans
        i += 1


def _verbatim_start(body: str, span: tuple[int, int, bool], value: str) -> int | None:
    """Where ``value`` stands unchanged in ``body``, or None when quoting altered it (doubled quotes)."""
    start, end, quoted = span
    if not quoted:
        return start if body[start:end] == value else None
    inner = start + 1
    closing = body.find('"', inner, end)
    after = body[closing + 1 : end]
    if closing >= 0 and '"' not in value and body[inner:closing] + after == value and not after.strip():
        return inner  # spaces after the closing quote end up in the value; strip() drops them
    return None


def read_table(path: str, text: str) -> Iterator[Record]:
    """Yield one Record per data row; raise InputError for a table without code/descriptor columns."""
    lines = physical_lines(text)
    header_index, delimiter = _find_header(path, lines)
    header_line = lines[header_index][1]
    header = [h.lstrip("\ufeff") for h in _split_one(header_line, delimiter)]
    col_code = codes.find_column(header, codes.CODE_COLUMNS)
    col_desc = codes.find_column(header, codes.DESCRIPTOR_COLUMNS)
    assert col_code is not None and col_desc is not None  # _find_header checked both
    optional = {
        "short": codes.find_column(header, codes.SHORT_COLUMNS),
        "terminated": codes.find_column(header, codes.TERM_COLUMNS),
        "action_code": codes.find_column(header, codes.ACTION_COLUMNS),
        "added": codes.find_column(header, codes.ADDED_COLUMNS),
        "action_effective": codes.find_column(header, codes.ACTION_EFFECTIVE_COLUMNS),
        "recid": codes.find_column(header, codes.RECID_COLUMNS),
    }
    line_starts = [start for start, _ in lines]
    consumed = header_index  # index of the last physical line handed to the csv reader

    def feed() -> Iterator[str]:
        nonlocal consumed
        while consumed + 1 < len(lines):
            consumed += 1
            yield lines[consumed][1]

    reader = csv.reader(feed(), delimiter=delimiter, skipinitialspace=True)
    while True:
        first = consumed + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(path, f"malformed {_name(delimiter)} row: {exc}", first + 1) from None
        if consumed == len(lines) - 1:
            _check_closed(path, text, lines, first, delimiter)
        if not any(field.strip() for field in row):
            continue
        record = _row_record(
            path,
            text,
            lines,
            line_starts,
            first,
            consumed,
            row,
            header,
            delimiter,
            col_code,
            col_desc,
            optional,
        )
        if record is not None:
            yield record


def _check_closed(path: str, text: str, lines: list[tuple[int, str]], first: int, delimiter: str) -> None:
    """The last row must close its quotes: csv silently reads an unterminated quote to the end of the file."""
    body = text[lines[first][0] :]
    for start, end, quoted in _field_spans(body, delimiter):
        if quoted and not _closes(body, start, end):
            line = bisect_right([s for s, _ in lines], lines[first][0] + start)
            raise InputError(
                path,
                f"unterminated quote: the {_name(delimiter)} field opened here never closes"
                " (everything after it would be read as one descriptor)",
                line,
            )


def _closes(body: str, start: int, end: int) -> bool:
    """Whether the quoted field at ``body[start]`` has its closing quote before ``end``."""
    i = start + 1
    while i < end:
        if body[i] == '"':
            if i + 1 < end and body[i + 1] == '"':
                i += 2
                continue
            return True
        i += 1
    return False


def _name(delimiter: str) -> str:
    return {"\t": "TSV", ",": "CSV", ";": "semicolon-separated", "|": "pipe-separated"}[delimiter]


def _row_record(
    path: str,
    text: str,
    lines: list[tuple[int, str]],
    line_starts: list[int],
    first: int,
    last: int,
    row: list[str],
    header: Sequence[str],
    delimiter: str,
    col_code: int,
    col_desc: int,
    optional: dict[str, int | None],
) -> Record | None:
    """The row's Record, or None when its descriptor is empty (nothing to lint; committee tables do that)."""
    row_line = first + 1
    base = lines[first][0]
    raw = text[base : lines[last][0] + len(lines[last][1])]
    body = raw[: len(raw) - len(m.group())] if (m := _EOL_RE.search(raw)) else raw
    if len(row) > len(header) and any(
        f.strip() and not codes.HASH_MARKER_RE.search(f) for f in row[len(header) :]
    ):
        if last > first:
            raise InputError(
                path,
                f"unterminated quote: a quoted field opened on this line runs on to line {last + 1},"
                f" giving a row of {len(row)} fields where the header has {len(header)}",
                row_line,
            )
        raise InputError(
            path,
            f"row has {len(row)} fields but the header has {len(header)}:"
            f" quote fields that contain {delimiter!r}",
            row_line,
        )

    noqa: tuple[str, ...] = ()
    values = list(row)
    for i, value in enumerate(values):
        if marker := codes.HASH_MARKER_RE.search(value):
            noqa = codes.merge_noqa(noqa, codes.parse_selectors(marker["selectors"]))
            values[i] = value[: marker.start()]

    code_raw = values[col_code].strip() if col_code < len(values) else ""
    if col_desc >= len(values):
        raise InputError(path, f"row has {len(values)} fields and no descriptor field", row_line)
    if not code_raw:
        raise InputError(path, "row has a descriptor but no code", row_line)
    code = codes.normalize_code(code_raw)
    kind: RecordKind = "procedure"
    recid_col = optional["recid"]
    recid = values[recid_col].strip() if recid_col is not None and recid_col < len(values) else ""
    if codes.is_modifier(code) or recid in ("7", "8"):
        kind = "modifier"
    elif not codes.is_code(code):
        raise InputError(
            path, f"{code_raw!r} is not a HCPCS/CPT code (a letter or digit + 4 characters)", row_line
        )

    spans = _field_spans(body, delimiter)
    value = values[col_desc]
    long = value.strip()
    start = _verbatim_start(body, spans[col_desc], row[col_desc]) if col_desc < len(spans) else None
    lead = len(value) - len(value.lstrip())
    offset: int | None = None
    if start is not None:
        offset = base + start + lead
        where = offset
    else:
        span = spans[col_desc] if col_desc < len(spans) else (0, 0, False)
        where = base + span[0] + (1 if span[2] else 0) + lead
    if _BREAK_RE.search(long):
        # A descriptor wrapped inside its quoted field is linted as one line; it cannot be spliced back.
        long = _BREAK_RE.sub(" ", long)
        offset = None
    if not long:
        return None
    line_index = bisect_right(line_starts, where) - 1

    def opt(name: str) -> str:
        col = optional[name]
        return values[col].strip() if col is not None and col < len(values) else ""

    return Record(
        code=code,
        long=long,
        location=Location(
            path, line=line_index + 1, column=where - line_starts[line_index] + 1, offset=offset
        ),
        level=codes.level_of(code),
        short=opt("short"),
        kind=kind,
        added=codes.normalize_date(opt("added")),
        action_effective=codes.normalize_date(opt("action_effective")),
        terminated=codes.normalize_date(opt("terminated")),
        action_code=opt("action_code") or None,
        noqa=noqa,
    )
