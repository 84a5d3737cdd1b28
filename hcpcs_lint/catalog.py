"""The catalog: actions, supply nouns, product classes and CPT families, from rules/catalog/*.toml.

Kept as data so a policy analyst can add an action word, a supply noun, a jurisdiction, a CPT
combination or a product class without touching Python; each entry may carry its own pass/fail
example, which the tests run. services.py reads items with it; misspelt action words
("leukophoresis") are matched fuzzily (rapidfuzz, imported only when needed).

Over 400 lines: the catalog's types, the validating loader of every rules/catalog table and the
class tree are one unit; each method reads the tables ``load_catalog`` checked, nothing else.
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

_SERVICE_KEYS = {
    "id", "label", "cpt", "category_iii", "cpt_since", "terms", "classes", "actions", "objects",
    "not_objects", "manners", "not_manners", "not_classes", "fail", "pass",
}  # fmt: skip
_CLASS_KEYS = {
    "id", "label", "parent", "peer_group", "style_peers", "stems", "not_words", "terms", "routes", "overrides",
    "requires_parent", "head_words",
}  # fmt: skip
_ACTION_KEYS = {"id", "jurisdiction", "words", "object", "fail", "pass"}
JURISDICTIONS = ("patient", "depends", "supplier", "pharmacy", "manufacturer")
_WORDS = re.compile(r"[a-z0-9+]+(?:[-'][a-z0-9+]+)*")


@dataclass(frozen=True)
class Service:
    """A CPT family for a combination: action, object, manner, product class (services.toml)."""

    id: str
    label: str
    cpt: tuple[str, ...]
    terms: tuple[str, ...] = ()  # whole-item wordings (a licensed CPT file's heads), matched fuzzily
    classes: tuple[str, ...] = ()
    category_iii: tuple[tuple[str, str], ...] = ()  # (code, until YYYY-MM-DD)
    cpt_since: str | None = None
    actions: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    not_objects: tuple[str, ...] = ()
    manners: tuple[str, ...] = ()
    not_manners: tuple[str, ...] = ()
    not_classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """An action word family and whose code set it belongs to (actions.toml)."""

    id: str
    jurisdiction: str  # one of JURISDICTIONS
    words: tuple[str, ...]
    object: str = ""


@dataclass(frozen=True)
class CatalogExample:
    """A descriptor an analyst wrote beside a catalog entry: it must be flagged (fail) or stay clean."""

    source: str
    descriptor: str
    expect: str  # "flag" | "clean"


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
    head_words: frozenset[str] = frozenset()
    # Classes this one rules out when the descriptor says so ("allogeneic" rules out the
    # autologous classes its -leucel or CAR-T name would otherwise imply).
    overrides: tuple[str, ...] = ()
    # Found only where the parent class is found too ("allogeneic" marks a cell therapy only in
    # a descriptor that names a cell therapy; a transplant global code says it too).
    requires_parent: bool = False


@dataclass
class Catalog:
    services: list[Service]
    classes: dict[str, ProductClass]
    supply_nouns: frozenset[str]
    hedges: tuple[str, ...]
    generic_tails: frozenset[str]
    cutoff: float = 88.0
    actions: dict[str, Action] = field(default_factory=dict)  # by word ("harvesting" -> collection)
    manners: tuple[str, ...] = ()
    service_tails: frozenset[str] = frozenset()
    measures: frozenset[str] = frozenset()
    determiners: tuple[str, ...] = ()
    examples: list[CatalogExample] = field(default_factory=list)
    reading_cache: dict[tuple[str, frozenset[str]], Any] = field(default_factory=dict, repr=False)
    segment_cache: dict[str, bool] = field(default_factory=dict, repr=False)  # bundling.services_on_head
    # The user's licensed CPT file (--cpt), as Level I families: its exact codes win.
    level1: LevelOne | None = None
    _class_cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _head_cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _word_cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _closed_cache: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, repr=False)
    _pick_cache: dict[tuple[str, frozenset[str]], str | None] = field(default_factory=dict, repr=False)

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
        """Classes of a product descriptor, with their ancestors; "any-product" always.

        Worked out per distinct product head (stems, head words) and per distinct set of classes
        found (parents required, ancestors, overrides): a release has far fewer of each than
        records. Only the terms are looked for in each descriptor's own text."""
        key = desc.text
        hit = self._class_cache.get(key)
        if hit is not None:
            return hit
        head: str | None = None
        route = False
        for c in desc.clauses:  # the first product clause, and whether any clause is a route
            if c.role == "product":
                if head is None:
                    head = c.text
            elif c.role == "route":
                route = True
        found = self._head_classes(head.lower() if head is not None else "")
        low = key.lower()
        if self._any_term.search(low) is not None:  # one scan; most descriptors name no term
            found = found.union([cid for term, cid in self._term_pairs if term in low])
        if route:
            found = found.union(self._route_classes)
        result = self._closed(found)
        if len(self._class_cache) < 100_000:
            self._class_cache[key] = result
        return result

    @cached_property
    def _term_pairs(self) -> list[tuple[str, str]]:
        return [(t, c.id) for c in self.classes.values() for t in c.terms]

    @cached_property
    def _any_term(self) -> re.Pattern[str]:
        """Matches where any class term occurs: the terms as a trie, so each position of the
        text is tried against a term's first letter once, not against every term."""
        terms = {t for t, _ in self._term_pairs}
        return re.compile(_any_of(terms) if terms else "(?!)")  # no terms: never

    @cached_property
    def _route_classes(self) -> list[str]:
        return [c.id for c in self.classes.values() if c.routes]

    def _head_classes(self, head: str) -> frozenset[str]:
        """Classes a product head names by a head word or an INN stem ("-leucel" in "ciloleucel"):
        the union of what each of its words names, and heads share most of their words."""
        hit = self._head_cache.get(head)
        if hit is not None:
            return hit
        found: frozenset[str] = frozenset()
        words = self._word_cache
        for w in _WORDS.findall(head):
            named = words.get(w)
            if named is None:
                named = self._word_classes(w)
                if len(words) < 100_000:
                    words[w] = named
            if named:  # most words name no class
                found = found | named
        if len(self._head_cache) < 100_000:
            self._head_cache[head] = found
        return found

    def _word_classes(self, word: str) -> frozenset[str]:
        """Classes one word of a head names: as a head word, or by a part (of a hyphenated word)
        longer than four letters that ends in a class's stem, unless the class rules the word out."""
        found = set(self._head_word_classes.get(word, ()))
        stems, lengths = self._stems
        for part in word.split("-"):
            if len(part) > 4:
                for n in lengths:
                    for c in stems.get(part[len(part) - n :], ()):  # not part[-n:]: n may be 0
                        if word not in c.not_words:
                            found.add(c.id)
        return frozenset(found)

    @cached_property
    def _head_word_classes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c in self.classes.values():
            for w in c.head_words:
                out.setdefault(w, []).append(c.id)
        return out

    @cached_property
    def _stems(self) -> tuple[dict[str, list[ProductClass]], tuple[int, ...]]:
        """Classes by stem, and the stem lengths: a word's endings are looked up, not tested
        against every class's stems."""
        out: dict[str, list[ProductClass]] = {}
        for c in self.classes.values():
            for stem in dict.fromkeys(c.stems):
                out.setdefault(stem, []).append(c)
        return out, tuple(sorted({len(stem) for stem in out}))

    def _closed(self, found: frozenset[str]) -> frozenset[str]:
        """Found classes with required parents checked, ancestors added and overrides applied."""
        hit = self._closed_cache.get(found)
        if hit is not None:
            return hit
        kept = {
            cid for cid in found if not self.classes[cid].requires_parent or self.classes[cid].parent in found
        }
        out = {"any-product"}
        for cid in kept:
            out.update(self.ancestors(cid))
        for cid in kept:
            for ruled_out in self.classes[cid].overrides:
                if ruled_out in kept:
                    continue  # the descriptor names both ("allogeneic or autologous"): keep both
                # The ruled-out class and every class under it (CAR-T under autologous) go.
                out = {c for c in out if ruled_out not in self.ancestors(c)}
        result = self._closed_cache[found] = frozenset(out)
        return result

    def peer_group(self, classes: Iterable[str]) -> str | None:
        """The broadest peer-group class among a product's classes (where peers are compared)."""
        return self._picked("peer", classes)

    def style_class(self, classes: Iterable[str]) -> str | None:
        """The most specific class whose products are expected to be written alike."""
        return self._picked("style", classes)

    def specific_class(self, classes: Iterable[str]) -> str | None:
        return self._picked("specific", classes)

    def _picked(self, which: str, classes: Iterable[str]) -> str | None:
        """``peer_group``, ``style_class`` or ``specific_class``, worked out once per distinct
        frozenset of classes (a release has a few dozen; every record asks for each)."""
        key = (which, classes) if isinstance(classes, frozenset) else None
        if key is not None and key in self._pick_cache:
            return self._pick_cache[key]
        known = [c for c in classes if c in self.classes]
        if which == "peer":
            groups = [c for c in known if self.classes[c].peer_group]
            out = min(groups, key=self.depth) if groups else None
        else:
            if which == "style":
                known = [c for c in known if self.classes[c].style_peers]
            out = max(known, key=lambda c: (self.depth(c), c)) if known else None
        if key is not None and len(self._pick_cache) < 100_000:
            self._pick_cache[key] = out
        return out

    # -- services named in a licensed CPT file (--cpt) ---------------------------------------------
    def match_terms(self, text: str) -> tuple[Service, ...]:
        """The exact codes of the user's CPT file (--cpt, Level I families) the item restates in
        other words ("gathering of the patient's lymphocytes by apheresis"); none without a file."""
        if self.level1 is None or (hit := self.level1.match(text)) is None:
            return ()
        return (Service(f"cpt-{hit.codes[0]}", f"CPT {', '.join(hit.codes)} (your CPT file)", hit.codes),)

    @cached_property
    def determiner_runs(self) -> tuple[tuple[int, frozenset[str]], ...]:
        """``determiners`` by their word count, most words first: see ``word_runs``."""
        return word_runs(self.determiners)

    @cached_property
    def manner_runs(self) -> tuple[tuple[int, frozenset[str]], ...]:
        """``manners`` by their word count, most words first: see ``word_runs``."""
        return word_runs(self.manners)

    # -- actions --------------------------------------------------------------------------------

    def action(self, word: str) -> Action | None:
        return self.actions.get(word)

    @cached_property
    def action_words(self) -> list[str]:
        """Action words long enough to be matched fuzzily ("leukophoresis" for "leukopheresis")."""
        return [w for w in self.actions if len(w) >= 8 and " " not in w]

    def fuzzy_action(self, word: str) -> Action | None:
        """An action for a misspelt word, or None; short words must match exactly."""
        if len(word) < 8 or word.endswith("ed"):
            return None  # a past participle describes use ("administered through"), not a service
        from rapidfuzz import fuzz, process

        best = process.extractOne(word, self.action_words, scorer=fuzz.ratio, score_cutoff=self.cutoff)
        return self.actions[best[0]] if best else None


def word_runs(phrases: Iterable[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Phrases grouped by how many words they have, most words first. Trying the phrases longest
    first against the words at a position finds the one that covers the most of them; looking up
    the next n words among the n-word phrases finds the same one, in one set look-up per n."""
    runs: dict[int, set[str]] = {}
    for p in phrases:
        if n := len(p.split()):
            runs.setdefault(n, set()).add(p)
    return tuple((n, frozenset(runs[n])) for n in sorted(runs, reverse=True))


def _any_of(words: set[str]) -> str:
    """A regular expression that matches where any of ``words`` starts (a trie: "car-positive",
    "car positive" and "car+" share "car"). Only presence counts, so a word that another word
    begins with stands for both."""
    if "" in words:
        return ""
    rests: dict[str, set[str]] = {}
    for w in words:
        rests.setdefault(w[0], set()).add(w[1:])
    alternatives = []
    for first, rest in sorted(rests.items()):
        tail = _any_of(rest)
        alternatives.append(re.escape(first) + (f"(?:{tail})" if tail else ""))
    return "|".join(alternatives)


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


def cpt_range(codes: Sequence[str]) -> str:
    """'38225-38227' for consecutive numeric codes, else a comma list."""
    if not codes:
        return ""
    if all(c.isdigit() for c in codes) and len(codes) > 2:
        nums = [int(c) for c in codes]
        if nums == list(range(nums[0], nums[0] + len(nums))):
            return f"{codes[0]}-{codes[-1]}"
    return ", ".join(codes)


def _cpt_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Codes with numeric ranges expanded: "96360-96379" -> 96360 ... 96379."""
    out: list[str] = []
    for v in values:
        lo, sep, hi = str(v).partition("-")
        if sep and lo.isdigit() and hi.isdigit() and len(lo) == len(hi) and int(lo) <= int(hi):
            out.extend(str(n).zfill(len(lo)) for n in range(int(lo), int(hi) + 1))
        else:
            out.append(str(v))
    return tuple(out)


def _examples(path: Path, table: dict[str, Any]) -> list[CatalogExample]:
    where = f"{path.name}:{table.get('id', '')}"
    out = [CatalogExample(where, str(d), "flag") for d in table.get("fail", ())]
    out.extend(CatalogExample(where, str(d), "clean") for d in table.get("pass", ()))
    return out


def _service(path: Path, s: dict[str, Any]) -> Service:
    _check_keys(path, s, _SERVICE_KEYS, "[[service]]")
    low = lambda key: tuple(str(t).lower() for t in s.get(key, ()))  # noqa: E731
    return Service(
        id=s["id"],
        label=s.get("label", s["id"]),
        cpt=_cpt_codes(s.get("cpt", ())),
        terms=low("terms"),
        classes=tuple(s.get("classes", ())),
        category_iii=tuple((c["code"], c.get("until", "")) for c in s.get("category_iii", ())),
        cpt_since=s.get("cpt_since"),
        actions=tuple(s.get("actions", ())),
        objects=low("objects"),
        not_objects=low("not_objects"),
        manners=low("manners"),
        not_manners=low("not_manners"),
        not_classes=tuple(s.get("not_classes", ())),
    )


def _action(path: Path, a: dict[str, Any]) -> Action:
    _check_keys(path, a, _ACTION_KEYS, "[[action]]")
    jur = a.get("jurisdiction", "patient")
    if jur not in JURISDICTIONS:
        raise InputError(
            str(path), f"action {a['id']!r}: jurisdiction {jur!r} is not one of {', '.join(JURISDICTIONS)}"
        )
    return Action(a["id"], jur, tuple(str(w).lower() for w in a.get("words", ())), str(a.get("object", "")))


def load_catalog(extra_dirs: Sequence[str | Path] = ()) -> Catalog:
    """The bundled catalog plus a team's catalog extensions (same file names, entries appended)."""
    dirs = [_bundled_dir() / "catalog", *map(Path, extra_dirs)]
    services: list[Service] = []
    classes: dict[str, ProductClass] = {}
    nouns: set[str] = set()
    hedges: list[str] = []
    tails: set[str] = set()
    actions: dict[str, Action] = {}
    lists: dict[str, list[str]] = {"manners": [], "service_tails": [], "measures": [], "determiners": []}
    examples: list[CatalogExample] = []
    for d in dirs:
        if not d.is_dir():
            raise InputError(str(d), "catalog directory not found")
        for path in sorted(d.glob("*.toml")):
            data = _read(path)
            for s in data.get("service", []):
                services.append(_service(path, s))
                examples.extend(_examples(path, s))
            for a in data.get("action", []):
                act = _action(path, a)
                for w in act.words:
                    actions[w] = act  # a later file (a team's extension) may re-home a word
                examples.extend(_examples(path, a))
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
                    head_words=frozenset(w.lower() for w in c.get("head_words", ())),
                    overrides=tuple(c.get("overrides", ())),
                    requires_parent=bool(c.get("requires_parent", False)),
                )
            for ex in data.get("example", []):
                if (
                    not isinstance(ex, dict)
                    or "descriptor" not in ex
                    or ex.get("expect") not in ("flag", "clean")
                ):
                    raise InputError(
                        str(path), "each [[example]] needs a descriptor and expect = flag or clean"
                    )
                examples.append(CatalogExample(path.name, str(ex["descriptor"]), str(ex["expect"])))
            nouns.update(data.get("nouns", ()))
            hedges.extend(data.get("hedges", ()))
            tails.update(data.get("generic_tails", ()))
            for key, values in lists.items():
                values.extend(str(v).lower() for v in data.get(key, ()))
    for c in classes.values():
        if c.parent is not None and c.parent not in classes:
            raise InputError("catalog", f"class {c.id!r} has unknown parent {c.parent!r}")
        for o in c.overrides:
            if o not in classes:
                raise InputError("catalog", f"class {c.id!r} overrides unknown class {o!r}")
    known_actions = {a.id for a in actions.values()}
    for s in services:
        for cid in (*s.classes, *s.not_classes):
            if cid != "any-product" and cid not in classes:
                raise InputError("catalog", f"service {s.id!r} names unknown class {cid!r}")
        for aid in s.actions:
            if aid not in known_actions:
                raise InputError("catalog", f"service {s.id!r} names unknown action {aid!r}")
    return Catalog(
        services=services,
        classes=classes,
        supply_nouns=frozenset(nouns),
        hedges=tuple(sorted(set(hedges), key=len, reverse=True)),
        generic_tails=frozenset(tails),
        actions=actions,
        manners=tuple(sorted(set(lists["manners"]), key=len, reverse=True)),
        service_tails=frozenset(lists["service_tails"]),
        measures=frozenset(lists["measures"]),
        determiners=tuple(sorted(set(lists["determiners"]), key=len, reverse=True)),
        examples=examples,
    )
