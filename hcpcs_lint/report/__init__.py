"""Reporters: render a finished lint run in one output format.

A reporter never decides anything (which rules ran, what a finding says, whether a fix is safe):
it is handed a :class:`Report` and turns it into text. The helpers here are the few facts every
format needs in the same way (sort order, positions in the file, counts, the summary line) so the
seven formats cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable

from hcpcs_lint.report.base import (
    Counts,
    Position,
    Report,
    RuleInfo,
    counts,
    display_path,
    position,
    rule_info,
    sort_key,
    sorted_findings,
    summary_lines,
)

__all__ = [
    "FORMATS",
    "Counts",
    "Position",
    "Report",
    "RuleInfo",
    "counts",
    "display_path",
    "position",
    "render",
    "rule_info",
    "sort_key",
    "sorted_findings",
    "summary_lines",
]

FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "junit")


def render(
    fmt: str, report: Report, *, color: bool = False, width: int = 100, show_source: bool = True
) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`); the CLI writes the string where it wants."""
    # Imported on first use, only the format printed: a JSON run never loads rich ("full" does).
    import importlib

    if fmt == "full":
        from hcpcs_lint.report import full

        return full.render(report, color=color, width=width, show_source=show_source)
    plain = {
        "concise": ("concise", "render"),
        "json": ("jsonfmt", "render"),
        "json-lines": ("jsonfmt", "render_lines"),
        "sarif": ("sarif", "render"),
        "github": ("github", "render"),
        "junit": ("junit", "render"),
    }
    if fmt not in plain:
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    module, function = plain[fmt]
    renderer: Callable[[Report], str] = getattr(
        importlib.import_module(f"hcpcs_lint.report.{module}"), function
    )
    return renderer(report)
