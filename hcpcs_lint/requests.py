"""What a CMS request changes: findings of a revision's current text resolved, kept or introduced.

A revision request proposes new text for an existing code. Linting only the proposal would hide what
the request achieves, and linting the current text as if it were new would blame the request for the
problem it fixes. So the current text is linted too, with the same peers, and each finding is set
against the other side by rule: on the proposal it is *kept* (the current text has it too) or
*introduced*; on the current text alone it is *resolved by this request*. A request to discontinue
a code resolves every finding of that code's text. Findings of records from a numbered request carry
``request``, ``request_kind`` and ``change`` in ``Finding.extra`` (the JSON reporters print them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from hcpcs_lint.engine import Linter, LintResult, make_entry
from hcpcs_lint.model import Finding, Location, Record

Change = Literal["kept", "introduced", "resolved"]


@dataclass
class Assessment:
    findings: list[Finding] = field(default_factory=list)  # to report (and to fail on)
    resolved: list[Finding] = field(default_factory=list)  # findings a request takes away


def assess(linter: Linter, result: LintResult) -> Assessment:
    """Split a run's findings into those the documents still have and those their requests resolve."""
    out = Assessment()
    for entry_result in result.results:
        record = entry_result.record
        found = entry_result.findings
        if record.request_kind == "discontinue":
            out.resolved += [_mark(f, record, "resolved") for f in found]
        elif record.request_kind == "revise" and record.current is not None and result.context is not None:
            before = linter.check_entry(make_entry(current_record(record), linter.cat), result.context)
            rules_before = {f.rule for f in before}
            rules_after = {f.rule for f in found}
            out.findings += [
                _mark(f, record, "kept" if f.rule in rules_before else "introduced") for f in found
            ]
            out.resolved += [_mark(f, f.record, "resolved") for f in before if f.rule not in rules_after]
        else:
            out.findings += [_mark(f, record, None) if record.request_kind else f for f in found]
    return out


def current_record(record: Record) -> Record:
    """The text a revision replaces, where the document quotes it (no offset: a fix never goes there)."""
    loc = record.current_location or record.location
    return replace(
        record,
        long=record.current or "",
        current=None,
        current_location=None,
        location=Location(loc.path, loc.line, None, None, loc.member, loc.page),
    )


def _mark(f: Finding, record: Record, change: Change | None) -> Finding:
    extra = {**f.extra, "request": record.request, "request_kind": record.request_kind, "change": change}
    message = f.message
    where = f"request {record.request}" if record.request else f"this {record.request_kind} request"
    if change == "kept":
        message += f" (kept by {where}: the current text has it too)"
    elif change == "introduced" and record.request_kind == "revise":
        message += f" (introduced by {where}: the current text does not have it)"
    return replace(f, message=message, extra=extra)
