"""The catalog: services in CPT's jurisdiction and product classes, loaded from rules/catalog/*.toml.

Kept as data so a policy analyst can add a synonym, a CPT code or a product class without
touching Python. Matching an inclusion item to a service is fuzzy (rapidfuzz), so misspellings
("leukopheresis") and rewordings still match; an item whose head noun names a thing
("administration set tubing", "collection container") never does.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hcpcs_lint.model import Descriptor, InputError

if TYPE_CHECKING:
    from hcpcs_lint.families import LevelOne

_SERVICE_KEYS = {"id", "label", "cpt", "category_iii", "cpt_since", "terms", "classes"}
_CLASS_KEYS = {
    "id", "label", "parent", "peer_group", "style_peers", "stems", "not_words", "terms", "routes", "overrides",
    "requires_parent",
}  # fmt: skip
_WORDS = re.compile(r"[a-z0-9+]+(?:[-'][a-z0-9+]+)*")


@dataclass(frozen=True)
class Service:
    id: str
    label: str
    cpt: tuple[str, ...]
    terms: tuple[str, ...]
    classes: tuple[str, ...]
    category_iii: tuple[tuple[str, str], ...] = ()  # (code, until YYYY-MM-DD)
    cpt_since: str | None = None


@dataclass(frozen=True)
class ProductClass:
    id: str
    label: str
    parent: str | None = None
    peer_group: bool = False
    style_peers: bool = False
    stems: tuple[str, ...] = ()
    not_words: frozenset[str] = frozenset()
    terms: tuple[str, ...] = ()
    routes: bool = False
    # Classes this one rules out when the descriptor says so ("allogeneic" rules out the
    # autologous classes its -leucel or CAR-T name would otherwise imply).
    overrides: tuple[str, ...] = ()
    # Found only where the parent class is found too ("allogeneic" marks a cell therapy only in
    # a descriptor that names a cell therapy; a transplant global code says it too).
    requires_parent: bool = False


@dataclass(frozen=True)
class Match:
    """An inclusion item matched to services."""

    item: str
    term: str
    score: float
    services: tuple[Service, ...]


@dataclass
class Catalog:
    services: list[Service]
    classes: dict[str, ProductClass]
    supply_nouns: frozenset[str]
    hedges: tuple[str, ...]
    generic_tails: frozenset[str]
    cutoff: float = 88.0
    # The user's licensed CPT file (--cpt), as Level I families: its exact codes win.
    level1: LevelOne | None = None
    _class_cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    # -- product classes -------------------------------------------------------------------------

    def ancestors(self, class_id: str) -> list[str]:
        out: list[str] = []
        cur: str | None = class_id
        while cur is not None and cur in self.classes and cur not in out:
            out.append(cur)
            cur = self.classes[cur].parent
        return out

    def depth(self, class_id: str) -> int:
        return len(self.ancestors(class_id))

    def classify(self, desc: Descriptor) -> frozenset[str]:
        """Classes of a product descriptor, with their ancestors; "any-product" always."""
        key = desc.text
        hit = self._class_cache.get(key)
        if hit is not None:
            return hit
        head = desc.first("product")
        name_words = _WORDS.findall(head.text.lower()) if head else []
        low = desc.text.lower()
        found: set[str] = set()
        for c in self.classes.values():
            if c.routes and desc.first("route") is not None:
                found.add(c.id)
                continue
            if any(t in low for t in c.terms):
                found.add(c.id)
                continue
            for w in name_words:
                if w in c.not_words:
                    continue
                parts = w.split("-")
                if any(p.endswith(c.stems) and len(p) > 4 for p in parts if p):
                    found.add(c.id)
                    break
        found = {
            cid for cid in found if not self.classes[cid].requires_parent or self.classes[cid].parent in found
        }
        out = {"any-product"}
        for cid in found:
            out.update(self.ancestors(cid))
        for cid in found:
            for ruled_out in self.classes[cid].overrides:
                if ruled_out in found:
                    continue  # the descriptor names both ("allogeneic or autologous"): keep both
                # The ruled-out class and every class under it (CAR-T under autologous) go.
                out = {c for c in out if ruled_out not in self.ancestors(c)}
        result = frozenset(out)
        if len(self._class_cache) < 100_000:
            self._class_cache[key] = result
        return result

    def peer_group(self, classes: Iterable[str]) -> str | None:
        """The broadest peer-group class among a product's classes (where peers are compared)."""
        groups = [c for c in classes if c in self.classes and self.classes[c].peer_group]
        return min(groups, key=self.depth) if groups else None

    def style_class(self, classes: Iterable[str]) -> str | None:
        """The most specific class whose products are expected to be written alike."""
        known = [c for c in classes if c in self.classes and self.classes[c].style_peers]
        return max(known, key=lambda c: (self.depth(c), c)) if known else None

    def specific_class(self, classes: Iterable[str]) -> str | None:
        known = [c for c in classes if c in self.classes]
        return max(known, key=lambda c: (self.depth(c), c)) if known else None

    # -- services -------------------------------------------------------------------------------

    @cached_property
    def _term_index(self) -> tuple[list[str], list[list[Service]]]:
        from rapidfuzz import utils  # imported on first match: a cached run never needs it

        terms: dict[str, list[Service]] = {}
        for s in self.services:
            for t in s.terms:
                terms.setdefault(utils.default_process(t), []).append(s)
        keys = list(terms)
        return keys, [terms[k] for k in keys]

    def core(self, item: str) -> tuple[str, str]:
        """An item's core words without hedges and generic tails, and its head noun."""
        words = _WORDS.findall(item.lower())
        changed = True
        while changed and words:
            changed = False
            joined = " ".join(words)
            for h in self.hedges:
                if joined.startswith(h + " "):
                    words = words[len(h.split()) :]
                    changed = True
                    break
        while len(words) > 1 and words[-1] in self.generic_tails:
            words = words[:-1]
        head = words[-1] if words else ""
        # "harvesting of t cells": the head noun stands before "of".
        if "of" in words:
            head = words[words.index("of") - 1] if words.index("of") > 0 else head
        return " ".join(words), head

    def _match_level1(self, text: str) -> Match | None:
        """The exact codes of the user's CPT file (--cpt) whose family ``text`` describes."""
        if self.level1 is None:
            return None
        hit = self.level1.match(text)
        if hit is None:
            return None
        codes = ", ".join(hit.codes)
        service = Service(
            f"cpt-{hit.codes[0]}", f"CPT {codes} (your CPT file)", hit.codes, (), ("any-product",)
        )
        return Match(text, hit.stem, hit.score, (service,))

    def match_item(self, item: str, classes: frozenset[str]) -> Match | None:
        """The services an inclusion item names, for a product of these classes, or None."""
        core, head = self.core(item)
        if not core or head in self.supply_nouns:
            return None
        if (mine := self._match_level1(item)) is not None:
            return mine
        from rapidfuzz import fuzz, process, utils

        keys, services = self._term_index
        best = process.extractOne(
            core, keys, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=self.cutoff
        )
        if best is None:
            return None
        term, score, _ = best
        # Every service that has a term scoring as well, restricted to the product's classes.
        hits: list[Service] = []
        for k, svcs in zip(keys, services, strict=True):
            if fuzz.ratio(core, k, processor=utils.default_process) >= score - 0.01:
                hits.extend(s for s in svcs if classes.intersection(s.classes))
        if not hits:
            return None

        # The most specific class wins: CAR-T administration (38228) over drug administration.
        def spec(s: Service) -> int:
            return max(self.depth(c) if c in self.classes else 0 for c in s.classes)

        top = max(spec(s) for s in hits)
        chosen = tuple(dict.fromkeys(s for s in hits if spec(s) == top))
        return Match(item, term, score, chosen)

    def match_service_head(self, text: str) -> Match | None:
        """A service-headed descriptor's head words matched against every service term."""
        if (mine := self._match_level1(text)) is not None:
            return mine
        from rapidfuzz import fuzz, process, utils

        core, _ = self.core(text)
        keys, services = self._term_index
        hits = process.extract(
            core,
            keys,
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            score_cutoff=95,
            limit=None,
        )
        if not hits:
            return None
        # The longest term that fits names the service most precisely ("chemotherapy administration").
        term, score, idx = max(hits, key=lambda h: (h[1], len(h[0].split()), len(h[0])))
        if len(term.split()) < 2 and core != term:
            return None  # one common word ("application") is not enough to call a whole service
        return Match(text, term, score, tuple(services[idx]))


def _bundled_dir() -> Path:
    """rules/ beside the package in a checkout; hcpcs_lint/rules inside an installed wheel."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "rules"
    if (checkout / "catalog").is_dir():
        return checkout
    return Path(str(resources.files("hcpcs_lint") / "rules"))


def rules_dir() -> Path:
    return _bundled_dir()


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(str(path), f"invalid TOML: {e}", getattr(e, "lineno", None)) from None
    except OSError as e:
        raise InputError(str(path), f"cannot read: {e.strerror}") from None


def _check_keys(path: Path, table: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InputError(
            str(path), f"unknown key {unknown[0]!r} in {what}; allowed: {', '.join(sorted(allowed))}"
        )
    if "id" not in table:
        raise InputError(str(path), f"{what} without an 'id'")


def load_catalog(extra_dirs: Sequence[str | Path] = ()) -> Catalog:
    """The bundled catalog plus a team's catalog extensions (same file names, entries appended)."""
    dirs = [_bundled_dir() / "catalog", *map(Path, extra_dirs)]
    services: list[Service] = []
    classes: dict[str, ProductClass] = {}
    nouns: set[str] = set()
    hedges: list[str] = []
    tails: set[str] = set()
    for d in dirs:
        if not d.is_dir():
            raise InputError(str(d), "catalog directory not found")
        for path in sorted(d.glob("*.toml")):
            data = _read(path)
            for s in data.get("service", []):
                _check_keys(path, s, _SERVICE_KEYS, "[[service]]")
                services.append(
                    Service(
                        id=s["id"],
                        label=s.get("label", s["id"]),
                        cpt=tuple(s.get("cpt", ())),
                        terms=tuple(t.lower() for t in s.get("terms", ())),
                        classes=tuple(s.get("classes", ("any-product",))),
                        category_iii=tuple(
                            (c["code"], c.get("until", "")) for c in s.get("category_iii", ())
                        ),
                        cpt_since=s.get("cpt_since"),
                    )
                )
            for c in data.get("class", []):
                _check_keys(path, c, _CLASS_KEYS, "[[class]]")
                classes[c["id"]] = ProductClass(
                    id=c["id"],
                    label=c.get("label", c["id"]),
                    parent=c.get("parent"),
                    peer_group=bool(c.get("peer_group", False)),
                    style_peers=bool(c.get("style_peers", False)),
                    stems=tuple(c.get("stems", ())),
                    not_words=frozenset(c.get("not_words", ())),
                    terms=tuple(t.lower() for t in c.get("terms", ())),
                    routes=bool(c.get("routes", False)),
                    overrides=tuple(c.get("overrides", ())),
                    requires_parent=bool(c.get("requires_parent", False)),
                )
            nouns.update(data.get("nouns", ()))
            hedges.extend(data.get("hedges", ()))
            tails.update(data.get("generic_tails", ()))
    for c in classes.values():
        if c.parent is not None and c.parent not in classes:
            raise InputError("catalog", f"class {c.id!r} has unknown parent {c.parent!r}")
        for o in c.overrides:
            if o not in classes:
                raise InputError("catalog", f"class {c.id!r} overrides unknown class {o!r}")
    for s in services:
        for cid in s.classes:
            if cid != "any-product" and cid not in classes:
                raise InputError("catalog", f"service {s.id!r} names unknown class {cid!r}")
    return Catalog(
        services=services,
        classes=classes,
        supply_nouns=frozenset(nouns),
        hedges=tuple(sorted(set(hedges), key=len, reverse=True)),
        generic_tails=frozenset(tails),
    )
