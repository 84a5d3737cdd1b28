"""Charts: stacked bars of counts per release (and per class), as self-contained SVG, PNG, or terminal text.

The one chart module: ``history --svg`` and the report (SVG inline in HTML, PNG in Word) call it
with plain data, ``labels`` (one per bar) and ``series`` (name, one count per label), never with
model objects. matplotlib draws both formats from one figure; why it, and not pygal or hand-written
SVG, is in docs/charts.md. Text stays text in the SVG (``svg.fonttype = none``: selectable, found by
search, read by screen readers) in a local sans-serif font; the file has no script, no link and no
font to fetch. matplotlib is imported only when a chart is drawn (it costs ~0.7 s).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

Series = Sequence[tuple[str, Sequence[int]]]

# Okabe-Ito: told apart by readers with colour-vision deficiency, and in greyscale print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_RC: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "hcpcs-lint",  # stable element ids: the same data gives the same file
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 10,
}


def _figure(labels: Sequence[str], series: Series, title: str, ylabel: str, width: float) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = (len(series) + 1) // 2 if len(series) > 1 else 0
    fig = Figure(figsize=(width, 3.4 + 0.32 * rows), layout="constrained")
    ax = fig.subplots()
    bottom = [0] * len(labels)
    for i, (name, values) in enumerate(series):
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        label = textwrap.shorten(name, 60, placeholder="…")
        ax.bar(labels, values, bottom=bottom, label=label, color=PALETTE[i % len(PALETTE)], width=0.6)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for x, total in enumerate(bottom):
        ax.annotate(
            str(total), (x, total), ha="center", va="bottom", xytext=(0, 2), textcoords="offset points"
        )
    ax.set_ylim(0, max([*bottom, 1]) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, loc="left", fontweight="bold")
    if ylabel:
        ax.set_ylabel(ylabel)
    if rows:
        fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig


def svg(
    labels: Sequence[str], series: Series, *, title: str = "", ylabel: str = "", width: float = 8.0
) -> str:
    """A stacked bar chart as one self-contained SVG document (UTF-8 text)."""
    from matplotlib import rc_context

    with rc_context(_RC):
        fig = _figure(labels, series, title, ylabel, width)
        out = io.StringIO()
        fig.savefig(
            out, format="svg", metadata={"Title": title or None, "Date": None, "Creator": "hcpcs-lint"}
        )
    return out.getvalue()


def png(
    labels: Sequence[str],
    series: Series,
    *,
    title: str = "",
    ylabel: str = "",
    width: float = 8.0,
    dpi: int = 150,
) -> bytes:
    """The same chart as PNG bytes (for Word files and anything that cannot show SVG)."""
    from matplotlib import rc_context

    with rc_context(_RC):
        fig = _figure(labels, series, title, ylabel, width)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def text_bars(labels: Sequence[str], values: Sequence[int], *, width: int = 40) -> list[str]:
    """One line per label: the label, a bar of block characters scaled to the largest value, the value."""
    top = max([*values, 1])
    pad = max((len(label) for label in labels), default=0)
    lines = []
    for label, value in zip(labels, values, strict=True):
        eighths = round(value / top * width * 8)
        bar = "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
        lines.append(f"{label:<{pad}}  {bar} {value}")
    return lines
