"""One release reduced to what diffs and histories compare: per code its text, dates, clauses, findings.

A release is linted once by the same lint the ``check`` command runs, then reduced to a
``Snapshot`` of plain values and the parsed entries are dropped, so comparing two releases (or
six) holds at most one linted release in memory at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from hcpcs_lint.model import Finding
from hcpcs_lint.sources.release import iso

if TYPE_CHECKING:
    from hcpcs_lint.engine import Linter

# Marks that change how a descriptor reads but not what it says. Signs that carry meaning
# ("<=", "%", "+", "/", "&") and digits are not among them: "<= 190 mg/dl" vs "= 190" is a revision.
_SOFT = re.compile(r"[\s\-\u2010-\u2015,.;:'\"\u2018\u2019\u201c\u201d()\[\]{}!?_]+")


def jsonable(value: Any) -> Any:
    """Dicts, lists and scalars only (tuples become lists), as json.dumps and the report want them."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class Plain:
    """``to_json()`` for a dataclass of plain values: its fields by name, nested ones too."""

    __slots__ = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = jsonable(dataclasses.asdict(cast(Any, self)))
        return out


@dataclass(frozen=True, slots=True)
class ReleaseInfo(Plain):
    """A release file and the date it takes effect (YYYY-MM-DD; None when neither name nor file tells)."""

    path: str
    effective: str | None
    label: str


def release_info(path: str, effective: str | None) -> ReleaseInfo:
    """``effective`` is YYYYMMDD as sources.release finds it (option, sheet name, file name, latest date).

    A January 1st release is CMS's annual file and is called by its year ("2019"); the
    quarterly ones by month ("Oct 2025").
    """
    if not effective:
        return ReleaseInfo(path, None, Path(path).name)
    day = dt.date(int(effective[:4]), int(effective[4:6]), int(effective[6:8]))
    label = str(day.year) if (day.month, day.day) == (1, 1) else day.strftime("%b %Y")
    return ReleaseInfo(path, day.isoformat(), label)


def normalise(text: str) -> str:
    """Text without case, spacing or punctuation differences: equal here means "reworded" at most."""
    return _SOFT.sub("", text.casefold())


@dataclass(frozen=True, slots=True)
class FindingNote(Plain):
    """A finding as a release comparison keeps it (the record and spans are not needed)."""

    rule: str
    name: str
    severity: str
    message: str
    cpt: tuple[str, ...] = ()
    revision: str | None = None

    @classmethod
    def of(cls, f: Finding) -> FindingNote:
        return cls(f.rule, f.name, f.severity, f.message, f.cpt, f.fix.descriptor if f.fix else None)


@dataclass(frozen=True, slots=True)
class CodeState:
    """One code in one release."""

    code: str
    kind: str
    descriptor: str
    active: bool = True  # in force on its release's effective date
    added: str | None = None  # YYYY-MM-DD
    terminated: str | None = None  # YYYY-MM-DD
    clauses: tuple[tuple[str, str], ...] = ()  # (role, text) in order
    findings: tuple[FindingNote, ...] = ()
    product_class: str | None = None

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}


@dataclass
class Snapshot:
    """A linted release as plain values: ``codes`` by code, in file order."""

    release: ReleaseInfo
    codes: dict[str, CodeState] = field(default_factory=dict)
    has_dates: bool = True  # False for trimmed workbooks without ADD/TERM DT columns


def snapshot(path: str, linter: Linter, *, effective: str | None = None) -> Snapshot:
    """Read and lint one release, keep plain values, drop the parsed entries.

    ``effective`` (YYYYMMDD) overrides the date the file gives (``--effective``).
    """
    # As check reads and lints it: parsed through the cache (on both cores when large and new),
    # a whole release its own peers, as of its date.
    prepared = linter.prepare(path, effective=effective)
    info = release_info(path, prepared.effective)
    dated = any(r.added or r.terminated or r.action_effective for r in prepared.records())
    result = linter.run(prepared)
    del prepared
    by_code: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_code.setdefault(f.record.code, []).append(f)
    snap = Snapshot(info, has_dates=dated)
    for e in result.entries:
        rec = e.record
        found = by_code.get(rec.code, [])
        snap.codes[rec.code] = CodeState(
            code=rec.code,
            kind=rec.kind,
            descriptor=rec.long,
            active=rec.active,
            added=iso(rec.added),
            terminated=iso(rec.terminated),
            clauses=tuple((c.role, c.text) for c in e.desc.clauses),
            findings=tuple(FindingNote.of(f) for f in found),
            product_class=e.specific_class if found else None,
        )
    return snap
