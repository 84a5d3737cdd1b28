"""SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards.

Columns are counted in Unicode code points (``columnKind``), which is what Python string offsets are.
A fix is offered only where the descriptor stands verbatim in the file (``Location.offset`` known, not a
zip member): elsewhere there is no character range a consumer could splice. Display-only fixes are kept
out of ``fixes`` (a viewer may apply those mechanically) and travel in the result's properties instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from hcpcs_lint.model import Finding
from hcpcs_lint.report.base import Report, RuleInfo, position, rule_info, sorted_findings

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/hcpcs-lint/"
FINGERPRINT_KEY = "hcpcsLint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def level(severity: str) -> str:
    return LEVELS.get(severity, "warning")


def artifact_uri(path: str) -> str:
    """A relative URI reference: SARIF consumers resolve it against the checkout (``%SRCROOT%``)."""
    p = PurePath(path)
    if p.is_absolute():
        with contextlib.suppress(ValueError):  # another drive on Windows: keep it absolute
            p = PurePath(os.path.relpath(p))
    return quote(p.as_posix(), safe="/")


def fingerprint(finding: Finding) -> str:
    """Stable across line moves and whitespace or case edits, so code scanning keeps tracking a result."""
    normalised = " ".join(finding.record.long.casefold().split())
    key = "\x1f".join((finding.code, finding.rule, normalised))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def rule_descriptor(info: RuleInfo) -> dict[str, Any]:
    markdown = [f"## What it does\n\n{info.summary}"]
    text = [info.summary]
    if info.rationale:
        markdown.append(f"## Why it matters\n\n{info.rationale}")
        text.append(f"Why it matters: {info.rationale}")
    if info.fix_safety:
        markdown.append(f"## Fix safety\n\n{info.fix_safety}")
        text.append(f"Fix safety: {info.fix_safety}")
    descriptor: dict[str, Any] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.rationale or info.summary},
        "help": {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)},
        "defaultConfiguration": {"level": level(info.severity)},
        "properties": {"tags": [info.group]},
    }
    if info.help_uri:
        descriptor["helpUri"] = info.help_uri
    return descriptor


def result(finding: Finding, rule_index: int) -> dict[str, Any]:
    loc = finding.record.location
    pos = position(finding)
    region: dict[str, Any] = {"startLine": max(pos.line or 1, 1)}
    if pos.column is not None:
        region["startColumn"] = pos.column
    if pos.exact and pos.end_line is not None and pos.end_column is not None:
        if pos.end_line != pos.line:
            region["endLine"] = pos.end_line
        region["endColumn"] = pos.end_column
    artifact = {"uri": artifact_uri(loc.path), "uriBaseId": "%SRCROOT%"}
    properties: dict[str, Any] = {
        "hcpcsCode": finding.code,
        "cpt": list(finding.cpt),
        "related": [{"code": r.code, "descriptor": r.descriptor, "note": r.note} for r in finding.related],
    }
    if loc.member is not None:
        properties["member"] = loc.member
    if loc.page is not None:
        properties["page"] = loc.page  # a PDF: startLine counts the text lines of that page
    if finding.record.request is not None:
        properties["request"] = finding.record.request
    if finding.record.request_kind is not None:
        properties["requestKind"] = finding.record.request_kind
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": f"{finding.message} (code {finding.code})"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    fix = finding.fix
    if fix is not None:
        fix_data = {"applicability": fix.applicability, "descriptor": fix.descriptor, "message": fix.message}
        properties["fix"] = fix_data
        if fix.applicability != "display-only" and loc.offset is not None and loc.member is None:
            description = fix.message or "Replace the descriptor"
            out["fixes"] = [
                {
                    "description": {"text": f"{description} ({fix.applicability} fix)"},
                    "artifactChanges": [
                        {
                            "artifactLocation": dict(artifact),
                            "replacements": [
                                {
                                    "deletedRegion": {
                                        "charOffset": loc.offset,
                                        "charLength": len(finding.record.long),
                                    },
                                    "insertedContent": {"text": fix.descriptor},
                                }
                            ],
                        }
                    ],
                    "properties": {"applicability": fix.applicability},
                }
            ]
    out["properties"] = properties
    return out


def log(report: Report) -> dict[str, Any]:
    """The SARIF log as data (tests validate this against the OASIS schema)."""
    infos = [report.rules[code] for code in sorted(report.rules)]
    findings = sorted_findings(report.findings)
    # A finding from a rule the engine forgot to list still gets a rule entry: ruleIndex must resolve.
    known = {info.code for info in infos}
    for f in findings:
        if f.rule not in known:
            infos.append(rule_info(report, f))
            known.add(f.rule)
    index = {info.code: i for i, info in enumerate(infos)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hcpcs-lint",
                        "version": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(info) for info in infos],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [result(f, index[f.rule]) for f in findings],
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(log(report), indent=2, ensure_ascii=False) + "\n"
