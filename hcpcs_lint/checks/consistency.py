"""class-consistency: style that differs from the peers of the same product class.

Aspects (options.aspect): "hyphenation" ("car positive" vs "car-positive"), "basis" (the billing
unit) and "route" (a missing "Injection, " prefix). A real majority of the class's active products
in the corpus sets the preferred form: at least ``min_peers`` (3) peers take part and at least
``majority`` (2/3) of them agree. A 1-to-1 tie (Q2041 against Q2042 in 2019) is no majority, so
neither side is told to follow the other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from hcpcs_lint.checks.base import finding
from hcpcs_lint.checks.context import Context, Entry, Rule
from hcpcs_lint.model import Finding, Related

_PAIR = re.compile(r"\b([a-z0-9+]+)([- ])([a-z0-9+]+)\b", re.I)


def _class_peers(e: Entry, ctx: Context) -> list[Entry]:
    c = e.style_class
    if c is None:
        return []
    return [p for p in ctx.corpus.by_style_class.get(c, []) if p.record.code != e.record.code]


def majority(votes: Counter[str], rule: Rule) -> tuple[str, int] | None:
    """The form a real majority of the voting peers uses, with its count; None without one."""
    total = sum(votes.values())
    if total < int(rule.options.get("min_peers", 3)) or not votes:
        return None
    preferred, n = votes.most_common(1)[0]
    share = float(rule.options.get("majority", 2 / 3))
    # Compare as whole numbers where the share is the usual 2/3, so 2 of 3 counts exactly.
    enough = n * 3 >= total * 2 if abs(share - 2 / 3) < 0.01 else n >= share * total
    return (preferred, n) if enough else None


def _related(peers: list[Entry], note: str) -> list[Related]:
    return [Related(p.record.code, p.record.long, note) for p in peers[:8]]


def _hyphen_forms(text: str) -> dict[str, tuple[str, int, int]]:
    """Joined key → (form, start, end) for each hyphenated or spaced word pair."""
    out: dict[str, tuple[str, int, int]] = {}
    for m in _iter_pairs(text):
        key = (m.group(1) + m.group(3)).lower()
        out.setdefault(key, (m.group(0).lower(), m.start(), m.end()))
    return out


def _iter_pairs(text: str) -> Iterator[re.Match[str]]:
    pos = 0
    while True:
        m = _PAIR.search(text, pos)
        if m is None:
            return
        yield m
        pos = m.start(3)  # word pairs overlap: "anti cd19 car" holds two


def check_consistency(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    if e.desc.head != "product" or e.record.level != "II":
        return
    aspect = rule.options.get("aspect")
    peers = _class_peers(e, ctx)
    if not peers:
        return
    if aspect == "hyphenation":
        yield from _hyphenation(rule, e, peers)
    elif aspect == "basis":
        yield from _basis(rule, e, peers)
    elif aspect == "route":
        yield from _route(rule, e, peers)


def _hyphenation(rule: Rule, e: Entry, peers: list[Entry]) -> Iterator[Finding]:
    mine = _hyphen_forms(e.record.long)
    hyphenated = {k: v for k, v in mine.items() if "-" in v[0]}
    peer_forms = [(p, _hyphen_forms(p.record.long)) for p in peers]  # once, not once per word pair
    for key, (form, start, end) in mine.items():
        votes: Counter[str] = Counter()
        voters: dict[str, list[Entry]] = {}
        for p, forms in peer_forms:
            theirs = forms.get(key)
            if theirs is not None:
                votes[theirs[0]] += 1
                voters.setdefault(theirs[0], []).append(p)
        won = majority(votes, rule)
        if won is None:
            continue
        preferred, n = won
        if (
            preferred == form
            or n <= votes[form]
            or (" " in form and key not in hyphenated and "-" not in preferred)
        ):
            continue
        if "-" not in preferred and "-" not in form:
            continue
        text = e.record.long
        original = text[start:end]
        replacement = _match_case(preferred, original)
        yield finding(
            rule,
            e,
            (start, end),
            fix_text=text[:start] + replacement + text[end:],
            related=_related(voters[preferred], f"writes {preferred!r}"),
            found=original,
            preferred=preferred,
            count=n,
            peers=", ".join(p.record.code for p in voters[preferred][:8]),
        )


def _match_case(new: str, old: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _basis(rule: Rule, e: Entry, peers: list[Entry]) -> Iterator[Finding]:
    mine = e.desc.first("basis")
    if mine is None:
        return
    votes: Counter[str] = Counter()
    voters: dict[str, list[Entry]] = {}
    for p in peers:
        b = p.desc.first("basis")
        if b is not None:
            votes[b.text.lower()] += 1
            voters.setdefault(b.text.lower(), []).append(p)
    won = majority(votes, rule)
    if won is None:
        return  # no clear majority: units legitimately differ (vector genomes, ml, implants)
    preferred, n = won
    found = mine.text.lower()
    if found == preferred:
        return
    yield finding(
        rule,
        e,
        mine.span,
        related=_related(voters[preferred], f"billed {preferred!r}"),
        found=mine.text,
        preferred=preferred,
        count=n,
        peers=", ".join(p.record.code for p in voters[preferred][:8]),
    )


def _route(rule: Rule, e: Entry, peers: list[Entry]) -> Iterator[Finding]:
    if e.desc.first("route") is not None:
        return
    low = e.record.long.lower()
    if any(w in low for w in rule.options.get("skip_when", ())):
        return  # the descriptor names its own route ("for topical administration", "per implant")
    routes: Counter[str] = Counter()
    voters: dict[str, list[Entry]] = {}
    for p in peers:
        r = p.desc.first("route")
        key = r.text.lower() if r is not None else ""
        routes[key] += 1
        voters.setdefault(key, []).append(p)
    won = majority(routes, rule)
    if won is None or not won[0]:
        return
    preferred, n = won
    text = e.record.long
    route = preferred[:1].upper() + preferred[1:]
    head = e.desc.head_clause
    span = head.span if head is not None else (0, 0)
    fixed = f"{route}, {text[:1].lower()}{text[1:]}"
    yield finding(
        rule,
        e,
        span,
        fix_text=fixed,
        related=_related(voters[preferred], f"starts with {route!r}"),
        preferred=f"{route}, ",
        count=n,
        peers=", ".join(p.record.code for p in voters[preferred][:8]),
    )
