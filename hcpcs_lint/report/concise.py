"""Concise format: one grep-able line per finding, like ruff's ``concise`` output."""

from __future__ import annotations

from hcpcs_lint.model import Finding
from hcpcs_lint.report.base import Report, display_path, position, sorted_findings, summary_lines


def where(finding: Finding) -> str:
    """``path:line:col`` with whatever is known (editors jump to it)."""
    pos = position(finding)
    parts = [display_path(finding.record.location)]
    if pos.line is not None:
        parts.append(str(pos.line))
        if pos.column is not None:
            parts.append(str(pos.column))
    return ":".join(parts)


def line(finding: Finding) -> str:
    # Descriptors and messages are one line here: a stray newline would break `grep` and editors.
    message = " ".join(finding.message.split())
    return f"{where(finding)}: {finding.rule} [{finding.severity}] {message} (code {finding.code})"


def render(report: Report) -> str:
    lines = [line(f) for f in sorted_findings(report.findings)]
    lines.extend(summary_lines(report))
    return "\n".join(lines) + "\n"
