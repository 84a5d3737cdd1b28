"""Command line: a thin layer over the library (sources → parser → engine → fixes → reporters).

One module per command (as Vale's ``cmd/vale``); this one only builds the group and adds them.
A new command is a module with a ``click.command`` and one ``add_command`` line below.

Exit codes, as ruff: 0 no findings at or above the fail-on level, 1 findings, 2 usage or input
error. Bad input never shows a traceback: one line ``hcpcs-lint: error: path:line: message``.
"""

from __future__ import annotations

from typing import Any

import click

from hcpcs_lint import __version__
from hcpcs_lint.cli import cache, check, parse, repl, report, rule
from hcpcs_lint.cli import diff as diff_cli
from hcpcs_lint.cli import history as history_cli
from hcpcs_lint.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from hcpcs_lint.model import InputError

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "main"]


class _Group(click.Group):
    """Turns InputError into one line and exit 2, wherever it is raised."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"hcpcs-lint: error: {e.render()}", err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("hcpcs-lint: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(EXIT_OK)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hcpcs-lint")
def main() -> None:
    """Lint HCPCS Level II descriptors: find product codes that bundle CPT-covered services,
    contrast them with clean peers of the same class, and propose revised text."""


main.add_command(parse.parse)
main.add_command(check.check)
main.add_command(rule.rule_cmd)
main.add_command(repl.repl)
main.add_command(diff_cli.diff_cmd)
main.add_command(history_cli.history_cmd)
main.add_command(report.report_cmd)
main.add_command(cache.cache_cmd)
