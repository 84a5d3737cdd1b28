"""``hcpcs-lint parse``: descriptors as typed clauses, as a tree or one JSON object a line."""

from __future__ import annotations

import json
import sys

import click

from hcpcs_lint.cli.common import records
from hcpcs_lint.report.descriptor import descriptor_json
from hcpcs_lint.report.styles import RESIDUE_STYLE, ROLE_STYLE


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["tree", "json"]), default="tree", show_default=True)
def parse(paths: tuple[str, ...], fmt: str) -> None:
    """Parse descriptors into typed clauses (PATH is a CMS release, CSV/TSV, draft, or - for stdin)."""
    from hcpcs_lint.parser import parse as parse_text

    out = sys.stdout
    if fmt == "json":
        for path in paths:
            for rec in records(path):
                d = parse_text(rec.long, rec.level)
                out.write(json.dumps(descriptor_json(rec, d), ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree

    console = Console()
    for path in paths:
        for rec in records(path):
            d = parse_text(rec.long, rec.level)
            tree = Tree(Text.assemble((rec.code, "bold"), f"  {d.head}-headed  ", (str(rec.location), "dim")))
            for c in d.clauses:
                node = tree.add(Text.assemble((f"{c.role:<13}", ROLE_STYLE.get(c.role, "")), c.text))
                for it in c.items:
                    node.add(Text.assemble(("item ", "dim"), it.text))
            for s, e in d.unparsed:
                tree.add(Text.assemble(("unparsed     ", RESIDUE_STYLE), d.text[s:e]))
            console.print(tree)
