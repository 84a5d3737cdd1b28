"""``hcpcs-lint history RELEASE...``: per release, the product codes a rule flags (by class); per code,
its descriptor's timeline and the release each clause first appeared in. The work is
``history.release_history``; the SVG chart is ``charts.svg``."""

from __future__ import annotations

import json
from typing import Any

import click

from hcpcs_lint.cli.common import output
from hcpcs_lint.cli.diff import colour, lint_options, linter_for
from hcpcs_lint.model import InputError


@click.command("history")
@click.argument("releases", nargs=-1, required=True)
@click.option(
    "--code", "codes", multiple=True, help="Timelines for these codes (repeat; shell patterns: Q205*)."
)
@click.option("--rule", default="HL101", show_default=True, help="The rule whose flagged codes are counted.")
@click.option(
    "--output-format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True
)
@click.option("--svg", "svg_file", type=click.Path(dir_okay=False), help="Also write the chart as SVG.")
@lint_options
def history_cmd(
    releases: tuple[str, ...],
    codes: tuple[str, ...],
    rule: str,
    fmt: str,
    svg_file: str | None,
    **shared: Any,
) -> None:
    """Per release (ordered by effective date), how many product codes bundle CPT services, and since when."""
    from hcpcs_lint import charts
    from hcpcs_lint.history import release_history
    from hcpcs_lint.history.render import history_terminal
    from hcpcs_lint.rulebook import find_rule

    linter = linter_for(releases, **shared)
    found = find_rule(linter.rules, rule)
    if found is None:
        raise InputError("--rule", f"no rule {rule!r}; see hcpcs-lint rule --all")
    h = release_history(list(releases), linter, rule=found.code, codes=codes)
    if svg_file:
        labels, series = h.chart_series()
        title = f"Product codes flagged by {found.code} ({found.name}), per release"
        with output(svg_file) as out:
            out.write(charts.svg(labels, series, title=title, ylabel="codes"))
    with output(shared["output_file"]) as out:
        if fmt == "json":
            out.write(json.dumps(h.to_json(), indent=2, ensure_ascii=False) + "\n")
        else:
            use, width = colour(shared["color"], shared["output_file"])
            out.write(history_terminal(h, color=use, width=width))
