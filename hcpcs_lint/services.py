"""What an item of a descriptor is: an action on an object by a manner (a service), or a thing.

"including intravenous infusion and the cryoshipper container" names two items. Each is read by
its grammar, not looked up in a phrase list: the head noun (the last word before "of", "by",
"for", ...; or a leading gerund, "receiving the cells") decides whether the item is an *action*
(actions.toml: "infusion", "harvesting", "biopsy") or a *thing* (supply_nouns.toml: "set",
"needle", "tray"); the words in front of the head and the phrases after it give the action's
*object* ("tumor tissue", "of abdominal fat") and *manner* ("intravenous", "by liposuction").
Jurisdiction comes from the action's entry (clinician procedure on a patient = CPT; supplier,
pharmacy and manufacturer steps = Level II) and, for steps such as "preparation", from the
combinations the catalog knows (services.toml), which also give the CPT family to cite. An action
in CPT's jurisdiction with no known combination is still a service, reported with "CPT code not
identified".

bundling.py finds where a product descriptor bundles such services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from hcpcs_lint.catalog import Action, Catalog, Service, cpt_range

_TOKEN = re.compile(r"[a-z0-9+][a-z0-9+'/.-]*[a-z0-9+]|[a-z0-9+]")
# Words that end an item's head phrase: what follows is an object, a manner, a purpose or a time.
_CUT = frozenset(
    ["of", "by", "for", "with", "without", "to", "into", "after", "before", "prior", "following", "over", "at", "in", "on", "from", "via", "using", "during", "under", "per", "within", "through", "when", "if", "as", "that", "which", "performed", "reported", "provided", "done", "given", "furnished", "required", "billed", "coded"]
)  # fmt: skip
_UNITS = frozenset(
    "mm cm ml mg g kg cc sq in inch inches hour hours minute minutes unit units".split()  # noqa: SIM905
)  # fmt: skip
_NUMBER = re.compile(r"[\d.,/]+")
_SEPARATELY = re.compile(r"\b(?:reported|billed|coded|paid)\s+separately\b", re.I)


@dataclass(frozen=True)
class Reading:
    """How one item was understood, for the rule and for ``--explain``."""

    text: str
    start: int
    end: int
    what: str  # "action" | "thing" | "other"
    word: str = ""  # the head word as written ("harvesting", "set")
    action: str = ""  # action id from actions.toml ("collection")
    object: str = ""
    manner: str = ""
    jurisdiction: str = ""  # "cpt" | "level2" | ""
    why: str = ""
    services: tuple[Service, ...] = ()
    scope: str = ""  # every word that may name the object when matching families ("for infusion" too)

    @property
    def is_service(self) -> bool:
        return self.jurisdiction == "cpt"

    @property
    def cpt(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for s in self.services for c in s.cpt))

    def describe(self) -> str:
        """One line a policy analyst reads: what the item is and why."""
        if self.what == "thing":
            return f"{self.text!r}: thing (supply noun {self.word!r}); not a service"
        if self.what != "action":
            return (
                f"{self.text!r}: not an action ({self.why or 'head noun ' + repr(self.word)}); not a service"
            )
        parts = [f"action {self.action} ({self.word!r})"]
        if self.object:
            parts.append(f"object {self.object!r}")
        if self.manner:
            parts.append(f"route/manner {self.manner!r}")
        head = ", ".join(parts)
        if not self.is_service:
            return f"{self.text!r}: {head}; Level II's own step: {self.why}"
        if self.cpt:
            fams = "; ".join(f"CPT {cpt_range(list(s.cpt))} ({s.label})" for s in self.services if s.cpt)
            return f"{self.text!r}: {head}; CPT's jurisdiction: {fams}"
        return f"{self.text!r}: {head}; CPT's jurisdiction ({self.why}); CPT code not identified"


# -- reading one item --------------------------------------------------------------------------


def _strip_lead(words: list[str], cat: Catalog) -> list[str]:
    changed = True
    while changed and words:
        changed = False
        for n, phrases in cat.determiner_runs:  # the longest determiner the words start with
            if n <= len(words) and " ".join(words[:n]) in phrases:
                words = words[n:]
                changed = True
                break
        if words and _NUMBER.fullmatch(words[0]):
            words = words[1:]
            if words and words[0] in _UNITS:
                words = words[1:]
            changed = True
        if len(words) > 2 and words[0] in cat.measures and words[1] == "of":
            words = words[2:]
            changed = True
    return words


def _phrases(words: list[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The head phrase and the (cut word, words) phrases after it."""
    head: list[str] = []
    rest: list[tuple[str, list[str]]] = []
    for w in words:
        if w in _CUT and (head or rest):
            rest.append((w, []))
        elif rest:
            rest[-1][1].append(w)
        else:
            head.append(w)
    return head, rest


def _action_of(words: list[str], cat: Catalog) -> tuple[str, Action] | None:
    """The action a word (or the last two words) names, with the words it took."""
    if len(words) >= 2:
        two = " ".join(words[-2:])
        a = cat.action(two)
        if a is not None:
            return two, a
    if not words:
        return None
    w = words[-1]
    a = cat.action(w) or (cat.action(w.split("-")[-1]) if "-" in w else None) or cat.fuzzy_action(w)
    return (w, a) if a is not None else None


def _split_manner(words: list[str], cat: Catalog) -> tuple[list[str], list[str]]:
    """Words in front of a head noun: manner/route words and the object words."""
    manner: list[str] = []
    obj: list[str] = []
    i = 0
    while i < len(words):
        for n, phrases in cat.manner_runs:  # the longest manner at this word
            m = " ".join(words[i : i + n])
            if m in phrases:
                manner.append(m)
                i += n
                break
        else:
            w = words[i]
            if w.startswith(("post-", "pre-")):
                manner.append(w)
            else:
                obj.append(w)
            i += 1
    return manner, obj


def read_item(text: str, cat: Catalog, classes: frozenset[str] = frozenset(), start: int = 0) -> Reading:
    """What one item is: action (object, manner) or thing, whose jurisdiction, which CPT family."""
    return _read(text.lower(), cat, classes, text, start)


def _read(low: str, cat: Catalog, classes: frozenset[str], text: str, start: int) -> Reading:
    end = start + len(text)
    if _SEPARATELY.search(low):
        return Reading(text, start, end, "other", why="reported separately")
    alts = [p for p in low.split(" or ") if p.strip()]
    if len(alts) > 1 and "/or" not in low and all(len(p.split()) <= 3 for p in alts):
        # alternatives ("centrifugation or mixing"): a service if either one is
        parts = [_read(p, cat, classes, text, start) for p in alts]
        rank = {"cpt": 2, "level2": 1, "": 0}
        best = max(parts, key=lambda r: (rank[r.jurisdiction], r.what == "action"))
        return replace(best, text=text, start=start, end=end)
    words = _strip_lead(_TOKEN.findall(low), cat)
    head, rest = _phrases(words)
    if not head and rest and rest[0][0] == "of":  # "of the dose" after a stripped measure
        head, rest = rest[0][1], rest[1:]
    head = _strip_lead(head, cat)
    tail = False
    while len(head) > 1 and head[-1] in cat.service_tails:
        head, tail = head[:-1], True
    if not head:
        return Reading(text, start, end, "other", why="no head noun")
    gerund = None
    if len(head) > 1 and head[0].endswith("ing"):
        g = cat.action(head[0])
        if g is not None and cat.action(head[-1]) is None and head[-1] not in cat.supply_nouns:
            gerund = (head[0], g)
    if gerund is not None:
        word, act = gerund
        before, objw = [], _strip_lead([w for w in head[1:] if w not in ("them", "it")], cat)
    else:
        if head[-1] in cat.supply_nouns:
            return Reading(text, start, end, "thing", word=head[-1], jurisdiction="level2")
        found = _action_of(head, cat)
        if found is None:
            licensed = cat.match_terms(low)
            if licensed:  # the user's CPT file names this service in its own words
                why = "restates a service of the CPT file"
                return Reading(
                    text,
                    start,
                    end,
                    "action",
                    head[-1],
                    "cpt-file",
                    jurisdiction="cpt",
                    why=why,
                    services=licensed,
                )
            why = f"head noun {head[-1]!r} names no action"
            return Reading(text, start, end, "other", word=head[-1], why=why)
        word, act = found
        before, objw = head[: len(head) - len(word.split())], []
    manner, obj_front = _split_manner(before, cat)
    objw = obj_front + objw
    purpose: list[str] = []
    for cut, ws in rest:
        ws = _strip_lead(ws, cat)
        if cut == "for":
            purpose.extend(ws)
        elif cut == "of" and ws:
            objw.extend(ws)
        elif cut in ("by", "via", "using", "through") and ws:
            m2, o2 = _split_manner(ws, cat)
            manner.extend(m2 + o2)
        elif cut in ("into", "to", "from", "at", "in", "on") and ws and not objw:
            objw.extend(ws)
    obj = " ".join(objw) or act.object
    scope = " ".join([obj, act.object, *purpose])
    reading = Reading(text, start, end, "action", word, act.id, obj, " ".join(manner), scope=scope)
    return _judge(reading, act.jurisdiction, tail, cat, classes, scope)


def _judge(r: Reading, jur: str, tail: bool, cat: Catalog, classes: frozenset[str], objects: str) -> Reading:
    services = match_services(r, cat, classes, objects)
    if jur == "patient":
        return _with(r, "cpt", "a clinician's procedure on a patient", services)
    if jur == "depends":
        if services:
            return _with(r, "cpt", "a known combination", services)
        if tail:
            return _with(r, "cpt", "written as a procedure", ())
        return _with(r, "level2", "a preparation or processing step with no known CPT combination", ())
    steps = {
        "supplier": "a supplier's step",
        "pharmacy": "a pharmacy step",
        "manufacturer": "the manufacturer's step",
    }
    return _with(r, "level2", steps.get(jur, jur), ())


def _with(r: Reading, jur: str, why: str, services: tuple[Service, ...]) -> Reading:
    return replace(r, jurisdiction=jur, why=why, services=services)


def _has(text: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {text} "
    return any(f" {p} " in padded for p in phrases)


def match_services(
    r: Reading, cat: Catalog, classes: frozenset[str], objects: str = "", *, strict: bool = False
) -> tuple[Service, ...]:
    """The catalog's CPT families for this action + object + manner + product class, most specific first.

    ``strict``: the item itself must show the combination (an object or route the entry names, or a
    route word for an entry that needs no object); a product class alone is not enough. Service
    heads are read strictly: "Administration of a ... risk assessment" is no drug administration."""
    full = " ".join(_TOKEN.findall(r.text.lower()))
    objects = " ".join(_TOKEN.findall((objects or r.object).lower()))
    if cat.level1 is not None and (mine := cat.match_terms(full)):
        return mine  # the user's own CPT file names the exact codes
    scored: list[tuple[tuple[int, int], Service]] = []
    for s in cat.services:
        if r.action not in s.actions:
            continue
        if (s.classes and not classes.intersection(s.classes)) or classes.intersection(s.not_classes):
            continue
        if _has(full, s.not_objects) or _has(full, s.not_manners) or _has(objects, s.not_objects):
            continue
        if s.manners and not _has(full, s.manners):
            continue
        explicit = bool(s.objects) and _has(objects, s.objects)
        if s.objects and not explicit and not (not objects.strip() and s.classes):
            continue
        if strict and not explicit and not (s.manners or (not s.objects and r.manner)):
            continue
        depth = max((cat.depth(c) for c in s.classes if c in cat.classes), default=0)
        scored.append(((depth + 2 * explicit + bool(s.manners), len(s.objects) > 0), s))
    if not scored and r.what == "action":
        return cat.match_terms(full)
    if not scored:
        return ()
    top = max(k for k, _ in scored)
    return tuple(s for k, s in scored if k == top)


def read_cached(text: str, cat: Catalog, classes: frozenset[str], start: int) -> Reading:
    """Items recur across a release ("dose preparation procedures"): read each once per catalog."""
    key = (text, classes)
    r = cat.reading_cache.get(key)
    if r is None:
        if len(cat.reading_cache) > 50_000:
            cat.reading_cache.clear()
        r = cat.reading_cache[key] = _read(text.lower(), cat, classes, text, 0)
    if r.start == start:
        return r
    return replace(r, start=start, end=start + len(r.text))
