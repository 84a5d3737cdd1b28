"""Where a product descriptor bundles services, and how the clause can be taken out.

A product descriptor *bundles* services where an inclusion clause (and the plain list right after
it, as in "..., administration and dressings, per treatment"), or a segment ending in "included",
names an item that services.py reads as a service in CPT's jurisdiction. Negated clauses ("does
not include", "not including") never bundle; exclusions and "(... reported separately)" are not
inclusions at all. A product-headed descriptor is taken for a product only with evidence (a
product class, or a dose or unit only products have), so quality measures and visits whose head
the grammar calls a product are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hcpcs_lint.catalog import Catalog
from hcpcs_lint.model import Clause, Descriptor, Item
from hcpcs_lint.services import Reading, read_cached

_NEGATION = re.compile(r"\b(?:not|never|no|nor|without)\s*$", re.I)
_INCLUDED = re.compile(r"\b(?:is\s+|are\s+)?included\b", re.I)
_SPLIT_ITEMS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.I)


@dataclass(frozen=True)
class Bundle:
    """A clause of a product descriptor that names services, and how to take them out."""

    start: int  # span of the whole clause (keyword included)
    end: int
    keyword: str  # "including", "includes", "" for a trailing "... included"
    readings: tuple[Reading, ...]
    shape: str  # "inclusion" | "included"
    serial: bool = False

    @property
    def services(self) -> tuple[Reading, ...]:
        return tuple(r for r in self.readings if r.is_service)

    @property
    def kept(self) -> tuple[Reading, ...]:
        return tuple(r for r in self.readings if not r.is_service)


def is_product(desc: Descriptor, classes: frozenset[str], cat: Catalog) -> bool:
    """Evidence that a product-headed descriptor names a product, not a measure or a visit: a
    product class (INN stem, route prefix, product words such as "skin" or "graft" in the head), or
    a dose or billing unit only products have ("10 mg", "per therapeutic dose")."""
    return (bool(classes - {"any-product"}) or _dosed(desc.clauses)) and not services_on_head(desc, cat)


# Amounts and bases recur across a release ("per 1 mg", "each"): each clause text's answer
# (parser.dosed on that clause alone, which reads only the grammar's vocabulary) is kept.
_DOSED: dict[str, bool] = {}


def _dosed(clauses: tuple[Clause, ...]) -> bool:
    """``parser.dosed(clauses)``, with each amount or basis clause's answer memoised by its text."""
    from hcpcs_lint.parser import dosed

    for c in clauses:
        if c.role in ("amount", "basis"):
            hit = _DOSED.get(c.text)
            if hit is None:
                if len(_DOSED) > 50_000:
                    _DOSED.clear()
                hit = _DOSED[c.text] = dosed((c,))
            if hit:
                return True
    return False


def services_on_head(desc: Descriptor, cat: Catalog) -> bool:
    """ "Bone marrow or blood-derived stem cells, ..., harvesting, transplantation, ...": plain
    segments naming procedures before any inclusion make the product the object of a service."""
    for c in desc.clauses:
        if c.role in ("inclusion", "exclusion"):
            return False
        if c.role == "qualifier" and not c.keyword and _all_services(c.text, cat):
            return True
    return False


def _all_services(text: str, cat: Catalog) -> bool:
    """Every item of a plain segment is a service in CPT's jurisdiction (kept per catalog)."""
    hit = cat.segment_cache.get(text)
    if hit is None:
        items = _split_plain(text, 0)
        # Only the jurisdiction is read: at offset 0 the cached reading is used as it is.
        hit = bool(items) and all(
            read_cached(i.text, cat, frozenset(), 0).jurisdiction == "cpt" for i in items
        )
        if len(cat.segment_cache) > 50_000:
            cat.segment_cache.clear()
        cat.segment_cache[text] = hit
    return hit


def _negated(text: str, start: int) -> bool:
    return _NEGATION.search(text[max(0, start - 16) : start]) is not None


def _read_items(items: list[Item], cat: Catalog, classes: frozenset[str]) -> tuple[Reading, ...]:
    return tuple(read_cached(it.text, cat, classes, it.start) for it in items)


def _split_plain(text: str, offset: int) -> list[Item]:
    out: list[Item] = []
    pos = 0
    for m in [*_SPLIT_ITEMS.finditer(text), None]:
        s, e = (m.start(), m.end()) if m is not None else (len(text), len(text))
        piece = text[pos:s]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            out.append(Item(piece, offset + pos + lead, offset + pos + lead + len(piece)))
        pos = e
    return out


def bundles(desc: Descriptor, cat: Catalog, classes: frozenset[str]) -> list[Bundle]:
    """Clauses of a product-headed descriptor that name services CPT covers."""
    text = desc.text
    out: list[Bundle] = []
    clauses = list(desc.clauses)
    for k, c in enumerate(clauses):
        if c.role != "inclusion" or _negated(text, c.start):
            continue
        items = list(c.items)
        end = c.end
        purpose = _purpose(text, c, clauses[k + 1 :])
        if purpose is not None and items:  # "preparation for administration": the purpose is the item's
            items[-1] = Item(text[items[-1].start : purpose.end], items[-1].start, purpose.end)
            end = purpose.end
        nxt = _continuation(text, end, clauses[k + 1 :])
        readings = _read_items(items, cat, classes)
        if nxt is not None:
            more = _read_items(_split_plain(nxt.text, nxt.start), cat, classes)
            if more and all(r.what in ("action", "thing") for r in more):
                readings += more
                end = nxt.end
        if any(r.is_service for r in readings):
            serial = ", and " in text[c.start : end]
            out.append(Bundle(c.start, end, c.keyword, readings, "inclusion", serial))
    out.extend(_included(text, cat, classes, out))
    return sorted(out, key=lambda b: b.start)


def _purpose(text: str, c: Clause, following: list[Clause]) -> Clause | None:
    for n in following:
        if n.start >= c.end:
            ok = n.keyword.lower() == "for" and not text[c.end : n.start].strip()
            return n if ok else None
    return None


def _continuation(text: str, end: int, following: list[Clause]) -> Clause | None:
    """The plain list right after an inclusion ("..., administration and dressings, per treatment")."""
    for n in following:
        if n.start < end:
            continue  # nested
        if n.role == "qualifier" and not n.keyword and text[end : n.start].strip() == ",":
            return n
        return None
    return None


def _included(text: str, cat: Catalog, classes: frozenset[str], seen: list[Bundle]) -> list[Bundle]:
    """Segments that end in "included": "leukapheresis and dose preparation included"."""
    out: list[Bundle] = []
    for m in _INCLUDED.finditer(text):
        if _negated(text, m.start()) or any(b.start <= m.start() < b.end for b in seen):
            continue
        seg_start = max(text.rfind(ch, 0, m.start()) for ch in ",;([") + 1
        seg = text[seg_start : m.start()]
        lead = len(seg) - len(seg.lstrip())
        body = seg.strip()
        if body.lower().startswith("with "):
            lead += 5
            body = body[5:]
        items = _split_plain(body, seg_start + lead)
        readings = _read_items(items, cat, classes)
        if any(r.is_service for r in readings):
            out.append(Bundle(seg_start + (len(seg) - len(seg.lstrip())), m.end(), "", readings, "included"))
    return out
