"""The rules' hot paths kept equal to their plain definitions: the bracket scan that visits only
brackets, and the service-overlap decision made once per service head."""

from __future__ import annotations

import random

import pytest

from hcpcs_lint.checks.existence import unbalanced_bracket
from hcpcs_lint.engine import Linter
from hcpcs_lint.model import Location, Record
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
