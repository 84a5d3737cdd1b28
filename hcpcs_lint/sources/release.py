"""A release's own date: the day its records are "as of", so peers, diffs and history agree.

CMS names its files after the release (``HCPC2025_OCT_ANWEB.xlsx`` is the October 2025 quarterly,
``HCPC2019_CONTR_ANWEB.txt`` and ``2019-Alpha-Numeric-HCPCS-File.zip`` the 2019 annual, effective
January 1st) and its workbooks carry the same name on the sheet tab. So the date is found, in order:

1. ``--effective YYYY-MM-DD`` given by the user (always wins);
2. the workbook's sheet name (written by CMS, survives a renamed file);
3. the zip member's name, then the file's own name;
4. for a CMS release (fixed-width, workbook, zip) named neither way: the latest code-added or
   action-effective date in it (a quarterly release's new codes take effect on its date).

Drafts and tables have no date of their own unless the user gives one: "as of" is then now.
Every record gets the date in ``Record.effective`` (YYYYMMDD, like its other dates).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from hcpcs_lint.model import InputError, Location, Record, RecordKind
from hcpcs_lint.sources.codes import level_of

# Kinds of input that are a whole CMS release (see sources.detect): their peers are each other.
RELEASE_FORMATS = frozenset({"anweb", "workbook", "zip"})

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
# A year standing alone among digits ("HCPC2025_OCT", "2019-Alpha"), never part of a longer
# number such as the file stamp "01122026".
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_MONTH = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![A-Za-z])", re.I
)
_OPTION = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


def date_from_name(name: str | None) -> str | None:
    """YYYYMMDD for a release file or sheet name, or None when the name carries no year.

    A month name gives that quarter's first day (``HCPC2025_OCT_ANWEB`` -> 20251001); a year
    alone is an annual release, effective January 1st (``HCPC2020_ANWEB`` -> 20200101).
    """
    if not name:
        return None
    base = posixpath.basename(name.replace("\\", "/"))
    year = _YEAR.search(base)
    if year is None:
        return None
    month = _MONTH.search(base)
    number = _MONTHS[month.group(1).lower()] if month else 1
    return f"{year.group(1)}{number:02d}01"


def parse_effective(text: str, where: str = "--effective") -> str:
    """YYYYMMDD from the user's ``YYYY-MM-DD`` (or ``YYYYMMDD``); InputError when it is no date."""
    m = _OPTION.fullmatch(text.strip())
    try:
        if m is None:
            raise ValueError(text)
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise InputError(where, f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2019-01-01") from None
    return day.strftime("%Y%m%d")


def iso(day: str | None) -> str | None:
    """``20191001`` -> ``2019-10-01`` (how dates are shown to people and in JSON)."""
    return f"{day[:4]}-{day[4:6]}-{day[6:8]}" if day else None


def latest_date(records: Iterable[Record]) -> str | None:
    """The latest code-added or action-effective date among records: the fallback release date."""
    return max((d for r in records for d in (r.added, r.action_effective) if d), default=None)


def _from_names(first: Record, path: str) -> tuple[str | None, str]:
    if first.effective:
        return first.effective, "sheet name"
    for name in (first.location.member, path):
        day = date_from_name(name)
        if day:
            return day, "file name"
    return None, ""


def _stamp(records: Iterable[Record], day: str | None) -> Iterator[Record]:
    """Set the date on records fresh from a reader. Nobody holds them yet, so the field is set in
    place: ``dataclasses.replace`` costs about 20 µs a record, 0.13 s on a whole release."""
    for r in records:
        if r.effective != day:
            object.__setattr__(r, "effective", day)
        yield r


def dated(
    records: Iterator[Record], path: str, fmt: str, effective: str | None = None
) -> tuple[Iterator[Record], list[str]]:
    """Records with their release date set, and a one-item list that holds how it was found.

    Streams when the date comes from the option or a name; reads the whole release first only
    when it must fall back to the latest date in it. The basis list is filled once the first
    record has been read ("command line", "sheet name", "file name", "latest added or action
    date", or "" for an undated draft).
    """
    basis: list[str] = []

    def run() -> Iterator[Record]:
        first = next(records, None)
        if first is None:
            basis.append("")
            return
        day: str | None
        if effective:
            day, how = effective, "command line"
        elif fmt in RELEASE_FORMATS:
            day, how = _from_names(first, path)
        else:
            day, how = None, ""
        if day is None and fmt in RELEASE_FORMATS:
            rest = [first, *records]
            day = latest_date(rest)
            basis.append("latest added or action date" if day else "")
            yield from _stamp(rest, day)
            return
        basis.append(how)
        yield from _stamp([first], day)
        yield from _stamp(records, day)

    return run(), basis


def borrow_dates(records: Iterable[Record], known: Iterable[Record]) -> list[Record]:
    """Records of a release that carries no add or termination dates (a workbook trimmed to its
    descriptor columns, as the Jul 2025 copy) with those dates taken from another CMS source for
    the same code, so that a code terminated years ago is not taken for an active one.

    A date is borrowed only when the other source's code was added by this release's date: a
    code number reused later says nothing about this release.
    """
    rows = list(records)
    if any(r.added or r.terminated for r in rows):
        return rows
    dates = {k.code: (k.added, k.terminated) for k in known if k.added or k.terminated}
    out = []
    for r in rows:
        added, terminated = dates.get(r.code, (None, None))
        if (added or terminated) and (not added or not r.effective or added <= r.effective):
            r = replace(r, added=added, terminated=terminated)
        out.append(r)
    return out


@dataclass(frozen=True)
class Release:
    """One input file read whole, with its date: what diff, history and the report compare."""

    path: str
    format: str  # "anweb", "workbook", "zip", "table", "draft" or "lines" (see sources.detect)
    effective: str | None  # YYYYMMDD, or None for an undated draft
    basis: str  # how the date was found (see module docstring); "" when undated
    records: tuple[Record, ...]

    @property
    def is_release(self) -> bool:
        """A whole CMS release (not a draft or table): its own records are each other's peers."""
        return self.format in RELEASE_FORMATS

    @property
    def date(self) -> dt.date | None:
        e = self.effective
        return dt.date(int(e[:4]), int(e[4:6]), int(e[6:])) if e else None

    @property
    def as_of(self) -> str | None:
        """The effective date as ``YYYY-MM-DD``."""
        return iso(self.effective)


class ReleaseRow(Protocol):
    """What a CMS release row carries in both layouts (fixed-width text and workbook)."""

    @property
    def code(self) -> str: ...
    @property
    def short(self) -> str: ...
    @property
    def kind(self) -> RecordKind: ...
    @property
    def added(self) -> str | None: ...
    @property
    def effective(self) -> str | None: ...
    @property
    def terminated(self) -> str | None: ...
    @property
    def action(self) -> str | None: ...


def release_record(row: ReleaseRow, long: str, location: Location, effective: str | None = None) -> Record:
    """A CMS release row as a Record: one place that maps the release's fields onto the model."""
    code = row.code
    # Positional (code, long, location, level, short, kind, added, action_effective, terminated,
    # action_code, effective): keywords cost a measurable share of reading a whole release.
    return Record(
        code, long, location, level_of(code), row.short, row.kind, row.added, row.effective,
        row.terminated, row.action, effective,
    )  # fmt: skip
