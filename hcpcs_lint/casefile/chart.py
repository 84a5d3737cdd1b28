"""The case file's chart (SVG inline in HTML, PNG in Word), from the one chart module.

Its own module so the renderers import it without importing the package that imports them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hcpcs_lint.casefile.case import Case

CHART_TITLE = "Level II product codes bundling CPT-covered services"


def chart_svg(case: Case) -> str:
    """The chart as an ``<svg>`` element to inline in HTML: no XML prolog, DOCTYPE or RDF metadata,
    so the page holds nothing that names an outside address but the SVG namespaces."""
    import re

    from hcpcs_lint import charts

    labels, series = case.chart_series()
    text = charts.svg(labels, series, title=CHART_TITLE, ylabel="codes", width=9.0)
    text = text[text.index("<svg") :]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)


def chart_png(case: Case) -> bytes:
    from hcpcs_lint import charts

    labels, series = case.chart_series()
    return charts.png(labels, series, title=CHART_TITLE, ylabel="codes", width=9.0)
