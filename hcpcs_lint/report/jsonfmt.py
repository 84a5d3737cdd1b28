"""JSON (one document with a summary) and JSON Lines (one object per finding, for streaming tools).

Keys come in a fixed order and findings are sorted, so two runs over the same input give byte-identical
output that diffs cleanly. ``code`` is the HCPCS code; ``rule`` is the lint rule (HL101).
"""

from __future__ import annotations

import json
from typing import Any

from hcpcs_lint.model import Finding
from hcpcs_lint.report.base import Report, counts, position, sorted_findings


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as plain JSON data; the same shape in both formats."""
    loc = finding.record.location
    pos = position(finding)
    fix = finding.fix
    return {
        "path": loc.path,
        "member": loc.member,
        "line": pos.line,
        "column": pos.column,
        "end_column": pos.end_column,
        "code": finding.code,
        "rule": finding.rule,
        "name": finding.name,
        "group": finding.group,
        "severity": finding.severity,
        "message": finding.message,
        "descriptor": finding.record.long,
        "span": [finding.span[0], finding.span[1]],
        "cpt": list(finding.cpt),
        "services": list(finding.services),
        "related": [{"code": r.code, "descriptor": r.descriptor, "note": r.note} for r in finding.related],
        "fix": None
        if fix is None
        else {"applicability": fix.applicability, "descriptor": fix.descriptor, "message": fix.message},
        "page": loc.page,
        "request": finding.record.request,
        "request_kind": finding.record.request_kind,
        "change": finding.extra.get("change"),
        "explain": list(finding.extra.get("explain") or ()),  # type: ignore[call-overload]
    }


def document(report: Report) -> dict[str, Any]:
    c = counts(report)
    return {
        "summary": {
            "records": report.records,
            "findings": c.findings,
            "errors": c.errors,
            "warnings": c.warnings,
            "info": c.info,
            "files": len(report.files),
            "fixable": c.fixable,
            "unsafe_fixable": c.unsafe_fixable,
            "fixed": report.fixed,
            "by_rule": c.by_rule,
        },
        "findings": [finding_dict(f) for f in sorted_findings(report.findings)],
        "resolved": [finding_dict(f) for f in sorted_findings(report.resolved)],
    }


def render(report: Report) -> str:
    # ensure_ascii=False: descriptors stay readable; the CLI owns the output encoding.
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"


def render_lines(report: Report) -> str:
    return "".join(
        json.dumps(finding_dict(f), ensure_ascii=False, separators=(",", ":")) + "\n"
        for f in sorted_findings(report.findings)
    )
