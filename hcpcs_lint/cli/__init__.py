"""Command line: a thin layer over the library (sources → parser → engine → fixes → reporters).

One module per command (as Vale's ``cmd/vale``); this one only builds the group and adds them.
A new command is a module with a ``click.command`` and one ``add_command`` line below.

Exit codes, as ruff: 0 no findings at or above the fail-on level, 1 findings, 2 usage or input
error. Bad input never shows a traceback: one line ``hcpcs-lint: error: path:line: message``.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from hcpcs_lint import __version__
from hcpcs_lint.atomic import describe
from hcpcs_lint.cli import cache, check, parse, repl, report, rule
from hcpcs_lint.cli import diff as diff_cli
from hcpcs_lint.cli import history as history_cli
from hcpcs_lint.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from hcpcs_lint.model import InputError

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "main", "run"]


class _Group(click.Group):
    """Turns InputError into one line and exit 2, wherever it is raised; click's own usage
    errors too (one line instead of its usage block), and a closed or full standard output."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        standalone_mode: bool = True,
        **kwargs: Any,
    ) -> Any:
        prog_name = prog_name or "hcpcs-lint"  # also under ``python -m hcpcs_lint``
        if not standalone_mode:
            return super().main(args, prog_name, standalone_mode=False, **kwargs)
        if sys.stdout is None:  # started with standard output closed (``>&-``)
            _fail("standard output is closed; redirect it to a file or /dev/null")
        try:
            code = super().main(args, prog_name, standalone_mode=False, **kwargs)
            sys.stdout.flush()
        except click.UsageError as e:
            where = f" (see {e.ctx.command_path} --help)" if e.ctx is not None else ""
            _fail(f"{_one_line(e.format_message())}{where}")
        except click.ClickException as e:
            _fail(_one_line(e.format_message()), e.exit_code)
        except click.Abort:
            click.echo("hcpcs-lint: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_OK)
        except OSError as e:  # writing the report to a full or broken standard output
            _quiet_stdout()
            _fail(f"cannot write standard output: {describe(e)}")
        sys.exit(code if isinstance(code, int) else EXIT_OK)

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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quiet_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"hcpcs-lint: error: {message}", err=True)
    sys.exit(code)


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


def run() -> None:
    """The program (console script and ``python -m hcpcs_lint``): ``main`` in a process of its own.

    The cycle collector is tuned as mypy tunes it: modules loaded so far are frozen out of its
    sight, and it runs after 200,000 allocations instead of 700. A cold check allocates millions
    of small objects that form no cycles, and collecting them cost 10-15 % of its time
    (docs/benchmarks.md); garbage that does form cycles is still collected, only less often.
    Not done in ``main``, which tests and other programs call in their own process.
    """
    gc.freeze()
    gc.set_threshold(200_000, 30, 30)
    try:
        main()
    finally:
        # The output is written and flushed: a Ctrl-C from here on (the interpreter shutting
        # down) ends the process quietly instead of printing a traceback from its shutdown.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
