"""``hcpcs-lint repl``: start the interactive session (the REPL itself is hcpcs_lint.repl)."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--reference", help="Release or corpus to compare with (default: the bundled corpus).")
def repl(reference: str | None) -> None:
    """Paste descriptors and see clauses, findings, peers and the proposed text at once."""
    from hcpcs_lint.repl import run

    sys.exit(run(reference))
