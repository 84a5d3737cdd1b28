"""``hcpcs-lint diff OLD NEW``: codes added, terminated, revised and reworded between two releases,
with the findings that appeared and those resolved. The work is ``history.diff_releases``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from hcpcs_lint import cache
from hcpcs_lint import config as cfg
from hcpcs_lint.cli.common import find_config, make_linter, output, selectors, terminal_width
from hcpcs_lint.model import InputError

FORMATS = ("terminal", "json", "markdown")


def lint_options(f: Any) -> Any:
    """The options diff and history share: how each release is linted (as ``check`` would)."""
    for opt in reversed(
        [
            click.option("--select", multiple=True, help="Rules to run: code, prefix, name or group."),
            click.option("--ignore", multiple=True, help="Rules to skip: code, prefix, name or group."),
            click.option("--reference", help="Release or corpus peers come from (as for check)."),
            click.option(
                "--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file."
            ),
            click.option("-o", "--output-file", help="Write to a file (atomic)."),
            click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
            click.option(
                "--color/--no-color", default=None, help="Colour the terminal output (default: a tty)."
            ),
        ]
    ):
        f = opt(f)
    return f


def linter_for(
    paths: Sequence[str],
    *,
    config_path: str | None,
    reference: str | None,
    select: Sequence[str],
    ignore: Sequence[str],
    no_cache: bool = False,
    **_: Any,
) -> Any:
    """The Linter ``check`` would build for these files and the ``lint_options``."""
    if no_cache:
        cache.disable()
        click.get_current_context().call_on_close(cache.enable)  # for this command only
    config = find_config(list(paths), config_path)
    overrides: dict[str, Any] = {}
    if select:
        overrides["select"] = selectors(select)
    if ignore:
        overrides["ignore"] = selectors(ignore)
    config = cfg.merge_cli(config, **overrides)
    linter = make_linter(config, reference)
    from hcpcs_lint.pool import ENV_JOBS

    if not os.environ.get(ENV_JOBS):
        # One process: releases share most of their descriptors, and the parser's in-process cache
        # parses each once; two processes per release measured 4.1 s CPU against 3.0 s for the
        # 2019 -> Oct 2025 diff (docs/history.md).
        linter.jobs = 1
    unknown = cfg.unknown_selectors(config, [(r.code, r.name, r.group) for r in linter.rules])
    if unknown:
        raise InputError(config.source or "command line", unknown[0])
    return linter


def colour(color: bool | None, output_file: str | None) -> tuple[bool, int]:
    use = color if color is not None else (output_file is None and sys.stdout.isatty())
    return use, (min(140, max(60, terminal_width())) if use else 100)


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--output-format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True)
@click.option("--code", "codes", multiple=True, help="Only these codes (repeat; shell patterns: Q205*).")
@click.option("--old-effective", help="OLD's effective date YYYY-MM-DD (default: from the file).")
@click.option("--new-effective", help="NEW's effective date YYYY-MM-DD (default: from the file).")
@lint_options
def diff_cmd(
    old: str,
    new: str,
    fmt: str,
    codes: tuple[str, ...],
    old_effective: str | None,
    new_effective: str | None,
    **shared: Any,
) -> None:
    """What changed from release OLD to release NEW (CMS .txt, .xlsx, .zip, or any input check reads)."""
    from hcpcs_lint.history import diff_snapshots, snapshot
    from hcpcs_lint.history.render import diff_markdown, diff_terminal
    from hcpcs_lint.sources.release import parse_effective

    dates = [
        parse_effective(d, flag) if d else None
        for d, flag in ((old_effective, "--old-effective"), (new_effective, "--new-effective"))
    ]
    linter = linter_for([old, new], **shared)
    before = snapshot(old, linter, effective=dates[0])
    d = diff_snapshots(before, snapshot(new, linter, effective=dates[1])).only(codes)
    with output(shared["output_file"]) as out:
        if fmt == "json":
            out.write(json.dumps(d.to_json(), indent=2, ensure_ascii=False) + "\n")
        elif fmt == "markdown":
            out.write(diff_markdown(d))
        else:
            use, width = colour(shared["color"], shared["output_file"])
            out.write(diff_terminal(d, color=use, width=width))
