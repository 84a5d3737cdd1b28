"""Apply fixes to a descriptor until nothing fixable is left (at most 10 passes, as sqlfluff).

A fix is refused when the revised text parses worse than the original (new residue) or when the
same rule still fires on it with the same proposal: a fix must make progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from hcpcs_lint.catalog import Catalog
from hcpcs_lint.checks.context import Context, Entry, Rule, make_entry
from hcpcs_lint.model import Finding, Record

MAX_PASSES = 10


class Checker(Protocol):
    """What fixing needs of the engine's Linter (a protocol, so fixes never import the engine)."""

    rules: list[Rule]

    @property
    def cat(self) -> Catalog: ...

    def check_entry(self, e: Entry, ctx: Context, rules: Sequence[Rule] | None = None) -> list[Finding]: ...


@dataclass
class FixOutcome:
    record: Record
    text: str
    applied: list[Finding] = field(default_factory=list)
    refused: list[tuple[Finding, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text != self.record.long


def applicable(f: Finding, *, unsafe: bool) -> bool:
    if f.fix is None:
        return False
    return f.fix.applicability == "safe" or (unsafe and f.fix.applicability == "unsafe")


def fix_record(linter: Checker, record: Record, ctx: Context, *, unsafe: bool = False) -> FixOutcome:
    """Revise one record's descriptor by its fixable findings, re-parsing after each fix."""
    out = FixOutcome(record, record.long)
    text = record.long
    refused_keys: set[tuple[str, str]] = set()
    for _ in range(MAX_PASSES):
        rec = replace(record, long=text)
        findings = linter.check_entry(make_entry(rec, linter.cat), ctx)
        todo = [
            f
            for f in findings
            if applicable(f, unsafe=unsafe)
            and (f.rule, f.fix.descriptor if f.fix else "") not in refused_keys
        ]
        if not todo:
            break
        f = todo[0]
        assert f.fix is not None
        new = f.fix.descriptor
        before = sum(1 for g in findings if g.rule == f.rule)
        reason = _refusal(linter, ctx, rec, f, new, before)
        if reason:
            out.refused.append((f, reason))
            refused_keys.add((f.rule, new))
            continue
        out.applied.append(f)
        text = new
    return replace(out, text=text)


def _refusal(linter: Checker, ctx: Context, rec: Record, f: Finding, new: str, before: int) -> str | None:
    """Why a fix must not be applied, or None. ``before`` is the rule's finding count on the old text."""
    if not new.strip():
        return "the revised text is empty"
    from hcpcs_lint.parser import parse

    if len(parse(new, rec.level).unparsed) > len(parse(rec.long, rec.level).unparsed):
        return "the revised text no longer parses cleanly"
    rule = [r for r in linter.rules if r.code == f.rule]
    after = linter.check_entry(make_entry(replace(rec, long=new), linter.cat), ctx, rule)
    if len(after) >= before:
        return f"{f.rule} still fails on the revised text"
    return None
