"""The one JSON shape of a parsed descriptor: ``parse --format json``, the REPL's ``:json`` and
every other view that shows clauses print exactly this object (keys in this order)."""

from __future__ import annotations

from typing import Any

from hcpcs_lint.model import Descriptor, Record


def clauses_json(desc: Descriptor, shift: int = 0) -> list[dict[str, Any]]:
    """Clauses with their role, text, span, keyword and items; spans shifted by ``shift``."""
    return [
        {
            "role": c.role,
            "text": c.text,
            "span": [c.start + shift, c.end + shift],
            "keyword": c.keyword,
            "items": [{"text": it.text, "span": [it.start + shift, it.end + shift]} for it in c.items],
        }
        for c in desc.clauses
    ]


def unparsed_json(desc: Descriptor, shift: int = 0) -> list[dict[str, Any]]:
    return [{"text": desc.text[a:b], "span": [a + shift, b + shift]} for a, b in desc.unparsed]


def descriptor_json(rec: Record, desc: Descriptor) -> dict[str, Any]:
    """A record and its parse: where it comes from, its head, clauses and what the grammar left."""
    obj: dict[str, Any] = {
        "code": rec.code,
        "level": rec.level,
        "kind": rec.kind,
        "source": str(rec.location),
        "line": rec.location.line,
        "terminated": rec.terminated,
        "descriptor": desc.text,
        "head": desc.head,
        "clauses": clauses_json(desc),
        "unparsed": unparsed_json(desc),
    }
    if desc.stem is not None and desc.specific is not None:
        off = desc.specific_offset
        obj["stem"] = {
            "text": desc.stem.text,
            "span": [0, len(desc.stem.text)],
            "clauses": clauses_json(desc.stem),
        }
        obj["specific"] = {
            "text": desc.specific.text,
            "span": [off, off + len(desc.specific.text)],
            "clauses": clauses_json(desc.specific, off),
        }
    return obj
