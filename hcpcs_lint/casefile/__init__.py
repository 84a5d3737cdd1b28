"""The case file: a comment-ready report that revised descriptors are needed (HTML, Markdown, Word).

It is built from the findings JSON that ``check --output-format json`` prints, so it never says
something ``check`` does not; the command adds the facts a reader needs around them (the rules'
rationale and citations, the catalog's CPT families, product classes, the release's date, and the
history of earlier releases). ``case.build`` turns that document into a ``Case``; the renderers
(``html``, ``markdown``, ``word``) only lay a Case out. Like every reporter, this package imports
only the model and the chart module. Nothing heavy is imported here, so the CLI starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hcpcs_lint.casefile.chart import CHART_TITLE, chart_png, chart_svg

if TYPE_CHECKING:
    from hcpcs_lint.casefile.case import Case

# Output file extensions and the format each means.
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".docx": "docx"}
FORMATS = tuple(dict.fromkeys(EXTENSIONS.values()))  # html, md, docx

__all__ = ["CHART_TITLE", "EXTENSIONS", "FORMATS", "chart_png", "chart_svg", "render"]


def render(fmt: str, case: Case) -> bytes:
    """The report as bytes in ``fmt`` (one of :data:`FORMATS`); the command writes them atomically."""
    if fmt == "html":
        from hcpcs_lint.casefile import html

        return html.render(case).encode("utf-8")
    if fmt == "md":
        from hcpcs_lint.casefile import markdown

        return markdown.render(case).encode("utf-8")
    if fmt == "docx":
        from hcpcs_lint.casefile import word

        return word.render(case)
    raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
