"""The rules' hot paths kept equal to their plain definitions: the bracket scan that visits only
brackets, the service-overlap decision made once per service head, and determiners and manners
looked up by word count, word pairs, style tallies and class picks memoised."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from hcpcs_lint.catalog import Catalog
from hcpcs_lint.checks.consistency import _hyphen_forms, _Tally, majority
from hcpcs_lint.checks.existence import unbalanced_bracket
from hcpcs_lint.engine import Linter
from hcpcs_lint.model import Location, Record
from hcpcs_lint.services import _UNITS, _split_manner, _strip_lead
from tests.helpers import catalog


def _by_every_character(text: str) -> tuple[int, str] | None:
    """The scan as first written: every character visited."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "([":
            stack.append(i)
        elif ch in ")]":
            if not stack or "([".index(text[stack[-1]]) != ")]".index(ch):
                return i, f"unbalanced parenthesis: {ch!r} at column {i + 1} closes nothing"
            stack.pop()
    if stack:
        i = stack[0] if len(stack) > 1 else stack[-1]
        return i, f"unbalanced parenthesis: {text[i]!r} at column {i + 1} is never closed"
    return None


@pytest.mark.parametrize("seed", range(200))
def test_bracket_scan_matches_the_character_walk(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice("ab ([)]x,") for _ in range(rng.randint(0, 30)))
    assert unbalanced_bracket(text) == _by_every_character(text)


def test_a_service_head_seen_twice_is_reported_for_each_record_at_its_own_place() -> None:
    """HL102's decision is memoised per head and classes; each record still gets its finding,
    with its own span, as when each is linted alone."""
    text = "Chemotherapy administration, intravenous infusion technique; per visit"
    records = [
        Record(code="Q0001", long=text, location=Location("<t>", 1, 1)),
        Record(code="Q0002", long="  " + text, location=Location("<t>", 2, 1)),
        Record(code="Q0003", long=text, location=Location("<t>", 3, 1)),
    ]
    found = [f for f in Linter(catalog=catalog()).run(records).findings if f.rule == "HL102"]
    fresh = [f for r in records for f in Linter(catalog=catalog()).run([r]).findings if f.rule == "HL102"]
    assert [(f.record.code, f.span, f.message) for f in found] == [
        (f.record.code, f.span, f.message) for f in fresh
    ]
    assert [f.record.code for f in found] == ["Q0001", "Q0002", "Q0003"]
    assert found[0].span != found[1].span  # the same head, further in


def _strip_lead_by_scan(words: list[str], cat: Catalog) -> list[str]:
    """Leading determiners, numbers and measures dropped, every determiner tried in turn."""
    changed = True
    while changed and words:
        changed = False
        joined = " ".join(words)
        for d in cat.determiners:
            if joined == d or joined.startswith(d + " "):
                words = words[len(d.split()) :]
                changed = True
                break
        if words and re.fullmatch(r"[\d.,/]+", words[0]):
            words = words[1:]
            if words and words[0] in _UNITS:
                words = words[1:]
            changed = True
        if len(words) > 2 and words[0] in cat.measures and words[1] == "of":
            words = words[2:]
            changed = True
    return words


def _split_manner_by_scan(words: list[str], cat: Catalog) -> tuple[list[str], list[str]]:
    manner: list[str] = []
    obj: list[str] = []
    i = 0
    while i < len(words):
        for m in cat.manners:
            n = len(m.split())
            if " ".join(words[i : i + n]) == m:
                manner.append(m)
                i += n
                break
        else:
            (manner if words[i].startswith(("post-", "pre-")) else obj).append(words[i])
            i += 1
    return manner, obj


@pytest.mark.parametrize("seed", range(300))
def test_phrase_lookups_match_trying_every_phrase(seed: int) -> None:
    """Determiners and manners found by word count (one set look-up per count) are the ones
    trying every phrase longest first finds, also where one phrase begins another."""
    cat = catalog()
    if seed % 2:  # phrases that begin one another: the longest must win
        cat = replace(
            cat,
            determiners=("the other", "the", "all other"),
            manners=("intravenous push", "intravenous", "push"),
        )
    rng = random.Random(seed)
    vocab = [w for p in (*cat.determiners, *cat.manners) for w in p.split()]
    vocab += ["cell", "harvesting", "of", "the", "2", "1.5", "mg", "post-op", "infusion", *cat.measures]
    phrases = [p.split() for p in (*cat.determiners, *cat.manners)]
    words: list[str] = []
    for _ in range(rng.randint(0, 6)):
        words += rng.choice(phrases) if rng.random() < 0.5 else [rng.choice(vocab)]
    assert _split_manner(list(words), cat) == _split_manner_by_scan(list(words), cat)
    assert _strip_lead(list(words), cat) == _strip_lead_by_scan(list(words), cat)


def _pairs_by_search(text: str) -> dict[str, tuple[str, int, int]]:
    """Word pairs found as first written: search, restart at the second word."""
    pair = re.compile(r"\b([a-z0-9+]+)([- ])([a-z0-9+]+)\b", re.I)
    out: dict[str, tuple[str, int, int]] = {}
    pos = 0
    while (m := pair.search(text, pos)) is not None:
        out.setdefault((m[1] + m[3]).lower(), (m[0].lower(), m.start(), m.end()))
        pos = m.start(3)
    return out


@pytest.mark.parametrize("seed", range(50))
def test_word_pairs_by_lookahead_match_the_search_loop(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        text = "".join(rng.choice("ab+-  C1x,") for _ in range(rng.randint(0, 16)))
        assert _hyphen_forms(text) == _pairs_by_search(text), repr(text)
    real = "Anti-cd19 car positive viable t cells, car-positive, cd19-directed car+ t-cells"
    assert _hyphen_forms(real) == _pairs_by_search(real)


def test_tally_verdicts_match_counting_peer_by_peer() -> None:
    """Votes memoised per (key, own form) are what counting each record's peers one by one gives,
    also for the record that is a form's first voter (its peers' order differs)."""
    ballots = [
        {"carpositive": "car-positive", "tcells": "t cells"},
        {"carpositive": "car positive"},
        {"carpositive": "car-positive", "tcells": "t-cells"},
        {"carpositive": "car positive", "tcells": "t cells"},
        {"carpositive": "car-positive"},
        {"tcells": "t cells"},
    ]
    members = [
        SimpleNamespace(record=SimpleNamespace(code=f"Q{i:04d}"), ballot=b) for i, b in enumerate(ballots)
    ]
    tally = _Tally(members, lambda p: p.ballot)  # type: ignore[arg-type, attr-defined]
    rule = SimpleNamespace(options={"min_peers": 2})
    for me in members:
        for key in ("carpositive", "tcells", "absent"):
            counted: Counter[str] = Counter()
            for p in members:
                if p is not me and key in p.ballot:
                    counted[p.ballot[key]] += 1
            for _ in range(2):  # the second time from the memo
                votes, won = tally.verdict(key, me.record.code, rule)  # type: ignore[arg-type]
                assert list(votes.items()) == list(counted.items())
                assert won == majority(counted, rule)  # type: ignore[arg-type]


def test_class_picks_are_memoised_per_set_of_classes() -> None:
    cat = catalog()
    sets = [
        frozenset({"any-product", "cell-therapy", "autologous-cell-therapy", "leucel", "car-t"}),
        frozenset({"any-product", "gene-therapy"}),
        frozenset({"any-product"}),
        frozenset(),
    ]
    for classes in sets * 2:
        plain = [c for c in classes if c in cat.classes]
        groups = [c for c in plain if cat.classes[c].peer_group]
        styles = [c for c in plain if cat.classes[c].style_peers]
        assert cat.peer_group(classes) == (min(groups, key=cat.depth) if groups else None)
        assert cat.style_class(classes) == (max(styles, key=lambda c: (cat.depth(c), c)) if styles else None)
        assert cat.specific_class(classes) == (max(plain, key=lambda c: (cat.depth(c), c)) if plain else None)
        assert cat.specific_class(list(classes)) == cat.specific_class(
            classes
        )  # not a frozenset: not memoised


def test_is_product_with_memoised_parts_matches_the_plain_reading() -> None:
    """Dose units memoised per clause text and plain segments per catalog give what dosed()
    and reading every item give, on the bundled corpus's descriptors and a few made-up ones."""
    from hcpcs_lint.bundling import _split_plain, is_product
    from hcpcs_lint.engine import bundled_corpus_path
    from hcpcs_lint.parser import dosed, parse
    from hcpcs_lint.services import read_item
    from hcpcs_lint.sources import load

    cat = catalog()
    texts = [r.long for r in load(str(bundled_corpus_path()))] + [
        "Bone marrow or blood-derived stem cells, harvesting, transplantation, per donor",
        "Quality measure, documentation of reason, each",
        "Examplecel, 10 mg, per therapeutic dose",
        "Examplecel, 10 mg, per therapeutic dose",  # the second time from the memo
    ]
    for text in texts:
        desc = parse(text)
        classes = cat.classify(desc)

        def plain_head(desc: Any = desc) -> bool:
            for c in desc.clauses:
                if c.role in ("inclusion", "exclusion"):
                    return False
                if c.role == "qualifier" and not c.keyword:
                    items = _split_plain(c.text, c.start)
                    if items and all(read_item(i.text, cat).jurisdiction == "cpt" for i in items):
                        return True
            return False

        plain = (bool(classes - {"any-product"}) or dosed(desc.clauses)) and not plain_head()
        assert is_product(desc, classes, cat) == plain, text
