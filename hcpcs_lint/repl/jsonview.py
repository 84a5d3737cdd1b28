"""``:json``: one object per descriptor, the parsed descriptor in the shape ``parse --format json``
prints and the findings in the shape ``check --output-format json`` prints (byte for byte)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

from hcpcs_lint.checks.context import Entry
from hcpcs_lint.repl.analysis import Result
from hcpcs_lint.report.descriptor import descriptor_json
from hcpcs_lint.report.jsonfmt import finding_dict


def status_of(e: Entry) -> str:
    """ "bundles services" when the descriptor folds CPT services into the product, else "clean"."""
    return "bundles services" if e.bundled else "clean"


def result_json(res: Result, *, clauses_only: bool = False) -> dict[str, Any]:
    """One object per descriptor with every part the terminal view shows."""
    obj = descriptor_json(res.record, res.entry.desc)
    if clauses_only:
        return obj
    out = res.outcome
    obj["findings"] = [finding_dict(f) for f in res.findings]
    obj["fix"] = (
        None
        if out is None
        else {
            "descriptor": out.text,
            "changed": out.changed,
            "applied": [f.rule for f in out.applied],
            "refused": [{"rule": f.rule, "reason": why} for f, why in out.refused],
        }
    )
    obj["nearest"] = [
        {"code": e.record.code, "score": round(s, 1), "descriptor": e.record.long, "status": status_of(e)}
        for e, s in res.nearest
    ]
    obj["peer_group"] = res.group_label
    obj["peers"] = [
        {"code": p.record.code, "descriptor": p.record.long, "class": p.specific_class} for p in res.peers
    ]
    return obj


def emit_json(console: Console, obj: dict[str, Any]) -> None:
    """One line per object (no wrapping, no markup) so the stream can be piped or copied whole."""
    console.out(json.dumps(obj, ensure_ascii=False), highlight=False)
