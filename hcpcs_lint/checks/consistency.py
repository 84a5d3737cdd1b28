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
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from hcpcs_lint.checks.base import finding
from hcpcs_lint.checks.context import Context, Entry, Rule
from hcpcs_lint.model import Finding, Related

# A word pair; the second word is only looked at, so the next pair can start with it
# ("anti cd19 car" holds two).
_PAIR = re.compile(r"\b([a-z0-9+]+)(?=([- ])([a-z0-9+]+)\b)", re.I)


_SHOWN = 8  # related peers listed per finding (the count gives the total)


class _Tally:
    """One aspect's votes in one style class, counted once per run: per key (a word pair, or ""
    for the basis and the route) each form's count, its first voters in corpus order, and each
    member's own ballot, so a record's peers' votes are the class's votes less its own."""

    def __init__(self, members: list[Entry], ballot: Callable[[Entry], dict[str, str]]) -> None:
        self.counts: dict[str, dict[str, int]] = {}
        self.voters: dict[tuple[str, str], list[tuple[int, Entry]]] = {}
        self.own: dict[str, dict[str, str]] = {}
        for i, p in enumerate(members):
            mine = self.own[p.record.code] = ballot(p)
            for key, form in mine.items():
                forms = self.counts.setdefault(key, {})
                forms[form] = forms.get(form, 0) + 1
                first = self.voters.setdefault((key, form), [])
                if len(first) <= _SHOWN:  # one more than shown: the record itself may be among them
                    first.append((i, p))

        # Each form's first voter: a record that is one counts its peers' votes in its own order;
        # every other record of the class gets the same votes for the same own form (memoised).
        self.firsts = {(key, voters[0][1].record.code) for (key, _), voters in self.voters.items()}
        self.memo: dict[tuple[Any, ...], tuple[Counter[str], tuple[str, int] | None]] = {}

    def has_peers(self, code: str) -> bool:
        return len(self.own) - (code in self.own) > 0

    def verdict(self, key: str, code: str, rule: Rule) -> tuple[Counter[str], tuple[str, int] | None]:
        """The votes of the record ``code``'s peers on ``key`` (forms in the order of their first
        voter, as counting peer by peer inserts them: it breaks ties in ``most_common``) and the
        ``majority`` among them under ``rule``'s options."""
        theirs = self.own.get(code, {}).get(key)
        if (key, code) in self.firsts:
            votes = self._votes(key, code, theirs)
            return votes, majority(votes, rule)
        memo_key = (key, theirs, rule.options.get("min_peers"), rule.options.get("majority"))
        got = self.memo.get(memo_key)
        if got is None:
            votes = self._votes(key, code, theirs)
            got = self.memo[memo_key] = (votes, majority(votes, rule))
        return got

    def _votes(self, key: str, code: str, theirs: str | None) -> Counter[str]:
        left = [(f, n - (f == theirs)) for f, n in self.counts.get(key, {}).items()]
        ordered = sorted(((f, n) for f, n in left if n > 0), key=lambda fn: self._first(key, fn[0], code))
        return Counter(dict(ordered))

    def _first(self, key: str, form: str, code: str) -> int:
        return next(i for i, p in self.voters[(key, form)] if p.record.code != code)

    def shown(self, key: str, form: str, code: str) -> list[Entry]:
        """The first peers (in corpus order) that vote ``form``: what a finding lists."""
        return [p for _, p in self.voters.get((key, form), []) if p.record.code != code][:_SHOWN]


def _tally(ctx: Context, e: Entry, aspect: str, ballot: Callable[[Entry], dict[str, str]]) -> _Tally | None:
    """The class's tally for ``aspect`` (built on first use), or None when ``e`` has no peers."""
    c = e.style_class
    if c is None:
        return None
    tally: _Tally = ctx.corpus.index(
        ("style", aspect, c), lambda: _Tally(ctx.corpus.by_style_class.get(c, []), ballot)
    )
    return tally if tally.has_peers(e.record.code) else None


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
    return [Related(p.record.code, p.record.long, note) for p in peers[:_SHOWN]]


@lru_cache(maxsize=16384)
def _hyphen_forms(text: str) -> dict[str, tuple[str, int, int]]:
    """Joined key → (form, start, end) for each hyphenated or spaced word pair. Memoised per text
    (a tally's ballot and the record's own check both ask): callers only read the dict."""
    out: dict[str, tuple[str, int, int]] = {}
    for m in _PAIR.finditer(text):
        key = (m[1] + m[3]).lower()
        if key not in out:
            start, end = m.start(), m.end(3)
            out[key] = (text[start:end].lower(), start, end)
    return out


def _hyphen_ballot(p: Entry) -> dict[str, str]:
    return {key: form for key, (form, _, _) in _hyphen_forms(p.record.long).items()}


def _basis_ballot(p: Entry) -> dict[str, str]:
    b = p.desc.first("basis")
    return {} if b is None else {"": b.text.lower()}


def _route_ballot(p: Entry) -> dict[str, str]:
    r = p.desc.first("route")
    return {"": r.text.lower() if r is not None else ""}


_BALLOTS = {"hyphenation": _hyphen_ballot, "basis": _basis_ballot, "route": _route_ballot}


def check_consistency(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    if e.desc.head != "product" or e.record.level != "II":
        return
    aspect = str(rule.options.get("aspect"))
    if aspect not in _BALLOTS:
        return
    tally = _tally(ctx, e, aspect, _BALLOTS[aspect])
    if tally is None:
        return
    if aspect == "hyphenation":
        yield from _hyphenation(rule, e, tally)
    elif aspect == "basis":
        yield from _basis(rule, e, tally)
    else:
        yield from _route(rule, e, tally)


def _hyphenation(rule: Rule, e: Entry, tally: _Tally) -> Iterator[Finding]:
    mine = _hyphen_forms(e.record.long)
    hyphenated = {k: v for k, v in mine.items() if "-" in v[0]}
    code = e.record.code
    for key, (form, start, end) in mine.items():
        votes, won = tally.verdict(key, code, rule)
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
        shown = tally.shown(key, preferred, code)
        yield finding(
            rule,
            e,
            (start, end),
            fix_text=text[:start] + replacement + text[end:],
            related=_related(shown, f"writes {preferred!r}"),
            found=original,
            preferred=preferred,
            count=n,
            peers=", ".join(p.record.code for p in shown),
        )


def _match_case(new: str, old: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _basis(rule: Rule, e: Entry, tally: _Tally) -> Iterator[Finding]:
    mine = e.desc.first("basis")
    if mine is None:
        return
    won = tally.verdict("", e.record.code, rule)[1]
    if won is None:
        return  # no clear majority: units legitimately differ (vector genomes, ml, implants)
    preferred, n = won
    found = mine.text.lower()
    if found == preferred:
        return
    shown = tally.shown("", preferred, e.record.code)
    yield finding(
        rule,
        e,
        mine.span,
        related=_related(shown, f"billed {preferred!r}"),
        found=mine.text,
        preferred=preferred,
        count=n,
        peers=", ".join(p.record.code for p in shown),
    )


def _route(rule: Rule, e: Entry, tally: _Tally) -> Iterator[Finding]:
    if e.desc.first("route") is not None:
        return
    low = e.record.long.lower()
    if any(w in low for w in rule.options.get("skip_when", ())):
        return  # the descriptor names its own route ("for topical administration", "per implant")
    won = tally.verdict("", e.record.code, rule)[1]
    if won is None or not won[0]:
        return
    preferred, n = won
    text = e.record.long
    route = preferred[:1].upper() + preferred[1:]
    head = e.desc.head_clause
    span = head.span if head is not None else (0, 0)
    fixed = f"{route}, {text[:1].lower()}{text[1:]}"
    shown = tally.shown("", preferred, e.record.code)
    yield finding(
        rule,
        e,
        span,
        fix_text=fixed,
        related=_related(shown, f"starts with {route!r}"),
        preferred=f"{route}, ",
        count=n,
        peers=", ".join(p.record.code for p in shown),
    )
