"""Reader for the CMS ANWEB workbooks (.xlsx, .xls, and .ods) through python-calamine.

Columns are found by their header names, not their positions, because workbooks met in the
wild are trimmed (the Jul 2025 copy keeps 4 of the 48 columns) or carry disclaimer rows above
the header (the 2020 .xls has 10). Every calamine failure becomes an InputError: a damaged
workbook is the user's input problem, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from hcpcs_lint.model import InputError, Location, Record, RecordKind
from hcpcs_lint.sources import codes
from hcpcs_lint.sources.bounded import check_xlsx_extent
from hcpcs_lint.sources.release import date_from_name, release_record

# Normalised header name -> field. Names are upper-cased with runs of blanks/underscores as one blank.
_HEADERS: dict[str, str] = {
    "HCPC": "code",
    "HCPCS": "code",
    "HCPCS CODE": "code",
    "RECID": "recid",
    "REC ID": "recid",
    "LONG DESCRIPTION": "long",
    "LONG DESC": "long",
    "SHORT DESCRIPTION": "short",
    "SHORT DESC": "short",
    "ADD DT": "added",
    "ACT EFF DT": "effective",
    "TERM DT": "terminated",
    "ACTION CD": "action",
}
_REQUIRED = ("code", "long")
_HEADER_NAMES = {"code": "HCPC", "added": "ADD DT", "effective": "ACT EFF DT", "terminated": "TERM DT"}
_HEADER_SEARCH_ROWS = 50
_FIRST_KIND: dict[str, RecordKind] = {"3": "procedure", "7": "modifier"}
_CONTINUES = {"4": "3", "8": "7"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_NORMALISE = re.compile(r"[\s_]+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _cell_text(value: Any) -> str:
    """A cell as text: numbers that are whole print without ``.0`` (RECID 3, not 3.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _code(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A numeric CPT code stored as a number lost its leading zeros (00100 -> 100).
        return _cell_text(value).zfill(5)
    return _cell_text(value).strip()


def _ymd(year: int, month: int, day: int) -> str:
    return dt.date(year, month, day).strftime("%Y%m%d")


def normalise_date(value: Any) -> str | None:
    """YYYYMMDD from whatever a workbook cell holds: text, a number, a date or a datetime.

    Raises ValueError for a value that is not a date; the caller adds row and column.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y%m%d")
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise ValueError(value)
        number = int(value)
        if 19000101 <= number <= 29991231:
            text = str(number)
            _ymd(int(text[:4]), int(text[4:6]), int(text[6:]))
            return text
        if 0 < number < 2958466:  # an Excel serial day number
            return (_EXCEL_EPOCH + dt.timedelta(days=number)).strftime("%Y%m%d")
        raise ValueError(value)
    text = str(value).strip()
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 8 and text.isdigit():
        _ymd(int(text[:4]), int(text[4:6]), int(text[6:]))
        return text
    if m := _ISO_DATE.fullmatch(text):
        return _ymd(int(m[1]), int(m[2]), int(m[3]))
    if m := _US_DATE.fullmatch(text):
        return _ymd(int(m[3]), int(m[1]), int(m[2]))
    raise ValueError(value)


@lru_cache(maxsize=4096, typed=True)
def _date_cell(value: Any) -> str | None:
    """``normalise_date`` once per distinct cell value: a release's 26,000 date cells hold a few
    hundred dates, and parsing one costs a few microseconds. ``typed``: 1 and 1.0 and True stay apart."""
    return normalise_date(value)


def _header_name(value: Any) -> str:
    return _NORMALISE.sub(" ", _cell_text(value).strip().upper())


def _find_header(where: str, rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]]:
    half: tuple[str, int] | None = None  # a code column without a descriptor column, or the reverse
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            field = _HEADERS.get(_header_name(value))
            if field is not None and field not in columns:
                columns[field] = col
        if all(f in columns for f in _REQUIRED):
            return index, columns
        # A third-party table ("HCPCS" | "HCPCS Code Descriptor"): the names every user table accepts.
        names = [_cell_text(v) for v in row]
        code = codes.find_column(names, codes.CODE_COLUMNS)
        long = codes.find_column(names, codes.DESCRIPTOR_COLUMNS)
        if code is not None and long is not None:
            short = codes.find_column(names, codes.SHORT_COLUMNS)
            return index, {"code": code, "long": long} | ({} if short is None else {"short": short})
        if half is None and (message := codes.half_table(names)):
            half = (message, index + 1)
    if half is not None:
        raise InputError(where, *half)
    raise InputError(
        where,
        f"no header row with HCPC and LONG DESCRIPTION columns in the first {_HEADER_SEARCH_ROWS} rows "
        "of the first sheet",
    )


def _open_rows(where: str, data: bytes) -> tuple[str, list[list[Any]]]:
    """The first sheet's name and all its rows, from A1 so that list index + 1 is the sheet row."""
    from python_calamine import CalamineWorkbook

    if data.startswith(b"PK"):
        check_xlsx_extent(where, data)  # before calamine allocates the grid
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            if not book.sheet_names:
                raise InputError(where, "workbook has no sheets")
            return str(book.sheet_names[0]), book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            book.close()
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except BaseException as exc:  # calamine raises its own errors and pyo3 PanicException (a BaseException)
        raise InputError(where, f"cannot read workbook: {_plain(exc)}") from None


def _plain(exc: BaseException) -> str:
    """The workbook library's complaint in the user's terms, not its type names."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "detect file format" in text:
        return "the content is not an .xlsx, .xlsm, .xls or .ods workbook"
    return text[:300]


class _Pending:
    __slots__ = (
        "action",
        "added",
        "code",
        "effective",
        "kind",
        "long",
        "recid",
        "row",
        "short",
        "terminated",
    )

    def __init__(self, code: str, recid: str, kind: RecordKind, row: int) -> None:
        self.code = code
        self.recid = recid
        self.kind = kind
        self.row = row
        self.long = ""
        self.short = ""
        self.added: str | None = None
        self.effective: str | None = None
        self.terminated: str | None = None
        self.action: str | None = None

    def extend(self, more: str) -> None:
        # A descriptor split over rows (G0503 in the 2020 .xls) breaks at a word boundary.
        if not more:
            return
        if self.long and not self.long.endswith(" ") and not more.startswith(" "):
            self.long += " "
        self.long += more

    def record(self, path: str, member: str | None, long_column: int, effective: str | None) -> Record:
        where = Location(path, line=self.row, column=long_column, member=member)
        return release_record(self, self.long.strip(), where, effective)


def read_workbook(path: str, data: bytes, *, member: str | None = None) -> Iterator[Record]:
    """Yield one Record per code from the first sheet of a CMS ANWEB workbook.

    Location.line is the sheet's own row number (what a spreadsheet shows), which equals
    "header as row 1" whenever the header is the first row, as in the current CMS workbooks.
    Column is the 1-based column of LONG DESCRIPTION. CMS names the sheet after the release
    ("HCPC2025_OCT_ANWEB"), so its date goes on every record (sources.release).
    """
    where = path if member is None else f"{path}!{member}"
    sheet, rows = _open_rows(where, data)
    effective = date_from_name(sheet)
    header, columns = _find_header(where, rows)
    width = max(columns.values()) + 1
    c_code, c_long = columns["code"], columns["long"]
    c_recid = columns.get("recid")
    c_short = columns.get("short")
    dates = [(f, columns[f]) for f in ("added", "effective", "terminated") if f in columns]
    c_action = columns.get("action")
    pending: _Pending | None = None
    for index in range(header + 1, len(rows)):
        row = rows[index]
        if len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        rownum = index + 1
        raw_code = row[c_code]
        code = _code(raw_code)
        long = _cell_text(row[c_long]).strip()
        if not code:
            if long:
                raise InputError(where, f"row has a long description but no {_HEADER_NAMES['code']}", rownum)
            continue
        recid = _cell_text(row[c_recid]).strip() if c_recid is not None else ""
        first_ric = _CONTINUES.get(recid)
        is_continuation = first_ric is not None or (
            c_recid is None and pending is not None and pending.code == code
        )
        if is_continuation:
            if pending is None or pending.code != code:
                raise InputError(
                    where, f"continuation row for {code} does not follow a row for {code}", rownum
                )
            pending.extend(long)
            continue
        if pending is not None:
            yield pending.record(path, member, c_long + 1, effective)
        if recid in _FIRST_KIND:
            kind = _FIRST_KIND[recid]
        elif recid:
            raise InputError(where, f"RECID {recid!r} for {code} is not 3, 4, 7 or 8", rownum)
        else:
            # No RECID column: CMS modifiers are the two-character codes ("   A1" in the HCPC column).
            kind = "modifier" if len(code) == 2 else "procedure"
        pending = _Pending(code, recid, kind, rownum)
        pending.long = long
        if c_short is not None:
            pending.short = _cell_text(row[c_short]).strip()
        for field, col in dates:
            try:
                value = _date_cell(row[col])
            except ValueError:
                raise InputError(
                    where, f"{_HEADER_NAMES[field]} {row[col]!r} for {code} is not a date", rownum
                ) from None
            setattr(pending, field, value)
        if c_action is not None:
            pending.action = _cell_text(row[c_action]).strip() or None
    if pending is not None:
        yield pending.record(path, member, c_long + 1, effective)
