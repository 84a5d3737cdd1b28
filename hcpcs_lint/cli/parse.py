"""``hcpcs-lint parse``: descriptors as typed clauses, as a tree or one JSON object a line."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from hcpcs_lint.cli.common import records
from hcpcs_lint.model import Descriptor, Record


def descriptor_json(rec: Record, d: Descriptor) -> dict[str, Any]:
    def clauses(desc: Descriptor, shift: int = 0) -> list[dict[str, Any]]:
        out = []
        for c in desc.clauses:
            obj: dict[str, Any] = {"role": c.role, "text": c.text, "span": [c.start + shift, c.end + shift]}
            if c.role in ("inclusion", "exclusion"):
                obj["items"] = [{"text": i.text, "span": [i.start + shift, i.end + shift]} for i in c.items]
            out.append(obj)
        return out

    obj: dict[str, Any] = {
        "code": rec.code,
        "level": rec.level,
        "kind": rec.kind,
        "source": str(rec.location),
        "terminated": rec.terminated,
        "descriptor": rec.long,
        "head": d.head,
        "clauses": clauses(d),
        "unparsed": [list(u) for u in d.unparsed],
    }
    if d.stem is not None and d.specific is not None:
        obj["stem"] = {"text": d.stem.text, "span": [0, len(d.stem.text)], "clauses": clauses(d.stem)}
        obj["specific"] = {
            "text": d.specific.text,
            "span": [d.specific_offset, d.specific_offset + len(d.specific.text)],
            "clauses": clauses(d.specific, d.specific_offset),
        }
    return obj


STYLES = {
    "route": "magenta",
    "product": "bold cyan",
    "service": "bold yellow",
    "amount": "green",
    "basis": "blue",
    "inclusion": "bold red",
    "exclusion": "red",
    "qualifier": "white",
    "parenthetical": "dim",
}


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
                node = tree.add(Text.assemble((f"{c.role:<13}", STYLES.get(c.role, "")), c.text))
                for it in c.items:
                    node.add(Text.assemble(("item ", "dim"), it.text))
            for s, e in d.unparsed:
                tree.add(Text.assemble(("unparsed     ", "reverse red"), d.text[s:e]))
            console.print(tree)
