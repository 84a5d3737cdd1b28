"""``hcpcs-lint parse``: descriptors as typed clauses, as a tree or one JSON object a line."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from hcpcs_lint.cli.common import records
from hcpcs_lint.model import Descriptor, Record
from hcpcs_lint.report.descriptor import descriptor_json
from hcpcs_lint.report.styles import RESIDUE_STYLE, ROLE_STYLE

if TYPE_CHECKING:
    from hcpcs_lint.families import Family


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["tree", "json"]), default="tree", show_default=True)
def parse(paths: tuple[str, ...], fmt: str) -> None:
    """Parse descriptors into typed clauses (PATH is a CMS release, CSV/TSV, draft, or - for stdin).

    Level I (CPT-style) codes that share a family stem (the text before the semicolon) are shown
    as one family; JSON gives each its ``family`` (stem and sibling codes)."""
    from hcpcs_lint.families import group_families
    from hcpcs_lint.parser import parse as parse_text

    out = sys.stdout
    if fmt == "json":
        for path in paths:
            recs = records(path)
            families = group_families(recs)
            for rec in recs:
                obj = descriptor_json(rec, parse_text(rec.long, rec.level))
                if rec.level == "I":
                    fam = families.get(rec.code)
                    obj["family"] = {"stem": fam.stem, "codes": list(fam.codes)} if fam else None
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        return
    from rich.console import Console

    console = Console()
    for path in paths:
        recs = records(path)
        families = group_families(recs)
        shown: set[str] = set()
        for rec in recs:
            fam = families.get(rec.code)
            if fam is None:
                console.print(_record_tree(rec, parse_text(rec.long, rec.level)))
            elif fam.stem not in shown:
                shown.add(fam.stem)
                console.print(_family_tree(fam, [r for r in recs if r.code in fam.codes]))


def _add_clauses(node: Any, d: Descriptor) -> None:
    from rich.text import Text

    for c in d.clauses:
        child = node.add(Text.assemble((f"{c.role:<13}", ROLE_STYLE.get(c.role, "")), c.text))
        for it in c.items:
            child.add(Text.assemble(("item ", "dim"), it.text))
    for s, e in d.unparsed:
        node.add(Text.assemble(("unparsed     ", RESIDUE_STYLE), d.text[s:e]))


def _record_tree(rec: Record, d: Descriptor) -> Any:
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text.assemble((rec.code, "bold"), f"  {d.head}-headed  ", (str(rec.location), "dim")))
    _add_clauses(tree, d)
    return tree


def _family_tree(fam: Family, members: list[Record]) -> Any:
    """One Level I family: the shared stem's clauses once, then each sibling's own part."""
    from rich.text import Text
    from rich.tree import Tree

    from hcpcs_lint.parser import parse as parse_text

    codes = ", ".join(fam.codes)
    tree = Tree(Text.assemble(("family", "bold magenta"), f"  {codes}  ", (fam.stem, "bold")))
    first = parse_text(members[0].long, "I")
    if first.stem is not None:
        _add_clauses(tree.add(Text("stem", style="dim")), first.stem)
    for rec in members:
        d = parse_text(rec.long, "I")
        own = d.specific.text if d.specific is not None else "(the family's head code)"
        node = tree.add(Text.assemble((rec.code, "bold"), "  ", own, "  ", (str(rec.location), "dim")))
        if d.specific is not None:
            _add_clauses(node, d.specific)
    return tree
