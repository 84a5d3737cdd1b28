"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

Escaping follows the runner's workflow-command parser (actions/toolkit ``command.ts``): data escapes
``%``, CR and LF; property values also escape ``:`` and ``,``, which would otherwise end the value.
"""

from __future__ import annotations

from hcpcs_lint.model import Finding
from hcpcs_lint.report.base import Report, position, sorted_findings

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    pos = position(finding)
    # The annotation belongs to the file in the repository, so a zip member points at the zip.
    props: list[tuple[str, object]] = [("file", finding.record.location.path)]
    if pos.line is not None:
        props.append(("line", pos.line))
        if pos.column is not None:
            props.append(("col", pos.column))
            # GitHub takes a column range on one line only.
            if pos.end_column is not None and pos.end_line == pos.line:
                props.append(("endColumn", pos.end_column))
    props.append(("title", f"{finding.rule} {finding.name}"))
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    page = finding.record.location.page
    where = f"page {page}: " if page is not None else ""  # a PDF: the line counts that page's lines
    message = escape_data(f"{where}{finding.message} (code {finding.code})")
    return f"::{COMMANDS.get(finding.severity, 'warning')} {joined}::{message}"


def render(report: Report) -> str:
    return "".join(command(f) + "\n" for f in sorted_findings(report.findings))
