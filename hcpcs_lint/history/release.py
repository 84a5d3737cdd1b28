"""One release reduced to what diffs and histories compare: per code its text, dates, clauses, findings.

A release is linted once by the same lint the ``check`` command runs, then reduced to a
``Snapshot`` of plain values and the parsed entries are dropped, so comparing two releases (or
six) holds at most one linted release in memory at a time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hcpcs_lint.model import Finding, Record

if TYPE_CHECKING:
    from hcpcs_lint.engine import Linter

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_MONTH_WORD = re.compile(r"(?<![A-Z])(" + "|".join(_MONTHS) + r")[A-Z]*(?![A-Z])")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_PUNCT = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """A release file and the date it takes effect (YYYY-MM-DD; None when neither name nor file tells)."""

    path: str
    effective: str | None
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "effective": self.effective, "label": self.label}


def release_info(path: str, records: Iterable[Record] = (), effective: str | None = None) -> ReleaseInfo:
    """Effective date from ``effective``, else the file name (``HCPC2025_OCT_…`` is 2025-10-01,
    ``HCPC2019_CONTR_…`` is the annual 2019-01-01), else the latest action date in the records."""
    name = Path(path).name.upper()
    years = _YEAR.findall(name)
    month = _MONTH_WORD.search(name.replace("_", " ").replace("-", " "))
    if effective is None and years:
        effective = f"{years[0]}-{_MONTHS[month.group(1)] if month else 1:02d}-01"
    if effective is None:
        dates = [r.action_effective for r in records if r.action_effective]
        if dates:
            top = max(dates)
            effective = f"{top[:4]}-{top[4:6]}-{top[6:8]}"
    return ReleaseInfo(path, effective, _label(effective, bool(month)) if effective else Path(path).name)


def _label(effective: str, quarterly: bool) -> str:
    day = dt.date.fromisoformat(effective)
    if not quarterly and day.month == 1 and day.day == 1:
        return str(day.year)
    return day.strftime("%b %Y")


def iso(yyyymmdd: str | None) -> str | None:
    """``20181231`` as ``2018-12-31`` (records keep the CMS form)."""
    if not yyyymmdd:
        return None
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:8]}"


def normalise(text: str) -> str:
    """Text without case, spacing or punctuation differences: equal here means "reworded" at most."""
    return _PUNCT.sub(" ", text.casefold()).strip()


@dataclass(frozen=True, slots=True)
class FindingNote:
    """A finding as a release comparison keeps it (the record and spans are not needed)."""

    rule: str
    name: str
    severity: str
    message: str
    cpt: tuple[str, ...] = ()
    revision: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "cpt": list(self.cpt),
        }
        if self.revision is not None:
            out["revision"] = self.revision
        return out

    @classmethod
    def of(cls, f: Finding) -> FindingNote:
        return cls(f.rule, f.name, f.severity, f.message, f.cpt, f.fix.descriptor if f.fix else None)


@dataclass(frozen=True, slots=True)
class CodeState:
    """One code in one release."""

    code: str
    kind: str
    descriptor: str
    added: str | None = None  # YYYY-MM-DD
    terminated: str | None = None  # YYYY-MM-DD
    clauses: tuple[tuple[str, str], ...] = ()  # (kind, text) in order
    findings: tuple[FindingNote, ...] = ()
    product_class: str | None = None

    @property
    def active(self) -> bool:
        return self.terminated is None

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}


@dataclass
class Snapshot:
    """A linted release as plain values: ``codes`` by code, in file order."""

    release: ReleaseInfo
    codes: dict[str, CodeState] = field(default_factory=dict)
    has_dates: bool = True  # False for trimmed workbooks without ADD/TERM DT columns

    def active_at(self, code: str, when: str | None) -> bool:
        state = self.codes.get(code)
        if state is None:
            return False
        return state.terminated is None or (when is not None and state.terminated >= when)


def snapshot(path: str, linter: Linter, *, effective: str | None = None) -> Snapshot:
    """Read and lint one release, keep plain values, drop the parsed entries."""
    from hcpcs_lint.sources import load

    records = list(load(path))
    info = release_info(path, records, effective)
    result = linter.lint(records)
    by_code: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_code.setdefault(f.record.code, []).append(f)
    snap = Snapshot(info, has_dates=any(r.added or r.terminated or r.action_effective for r in records))
    for e in result.entries:
        rec = e.record
        found = by_code.get(rec.code, [])
        snap.codes[rec.code] = CodeState(
            code=rec.code,
            kind=rec.kind,
            descriptor=rec.long,
            added=iso(rec.added),
            terminated=iso(rec.terminated),
            clauses=tuple((c.kind, c.text) for c in e.desc.clauses),
            findings=tuple(FindingNote.of(f) for f in found),
            product_class=e.specific_class if found else None,
        )
    return snap
