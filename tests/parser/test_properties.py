"""Property tests of the parser: on any text it returns spans that hold, or names the limit.

The invariants are those of ``fuzzing.span_problems``; ``make fuzz`` runs the same checks on
millions of generated descriptors.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcpcs_lint import parser
from hcpcs_lint.limits import MAX_DESCRIPTOR_CHARS, MAX_NESTING, LimitError
from hcpcs_lint.parser import parse
from tests.fuzzing import FRAGMENTS, SEPARATORS, parser_problems, span_problems

descriptor_like = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=30
).map(lambda pieces: "".join(a + b for a, b in pieces))
brackets = st.text(alphabet="()[]a ,;ó", max_size=120)
long_token = st.tuples(
    descriptor_like, st.sampled_from("a(,;)ó"), st.integers(1_000, 8_000), descriptor_like
).map(lambda t: t[0] + t[1] * t[2] + t[3])


@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    assert parser_problems(text) == []


@given(descriptor_like)
def test_descriptor_like_text(text: str) -> None:
    assert parser_problems(text) == []


@given(brackets)
def test_unbalanced_brackets(text: str) -> None:
    assert parser_problems(text) == []


@given(
    st.text(
        alphabet=st.characters(max_codepoint=0x20) | st.sampled_from("a,;()\u2003\u2028\x85"), max_size=80
    )
)
def test_control_characters_and_odd_whitespace(text: str) -> None:
    assert parser_problems(text) == []


@settings(max_examples=100)
@given(long_token)
def test_very_long_tokens(text: str) -> None:
    assert parser_problems(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "a[a",  # residue overlapped the clause
        "a;ó",  # a non-ASCII-only segment was in no clause and no residue
        "(a) (b), per 1 mg",  # product and parenthetical had the same span
        "Injection, examplemab, 10 mg)",  # a lone bracket at the end was neither clause nor residue
        "Injection, examplemab (x, 10 mg",
        "including a (b, c",  # the list must not run across the unmatched bracket
        "and includes; for, ; b",  # nor across a piece the grammar refused
        "includes a, (b); and; c",  # a segment that is only "and" (found by make fuzz)
        "excluding 99490 and[x, y",  # a list that ends on its "and" (found by make fuzz)
    ],
)
def test_invariants_on_inputs_that_broke_them(text: str) -> None:
    assert span_problems(parse(text)) == []


def test_a_lone_bracket_is_residue() -> None:
    d = parse("Injection, examplemab, 10 mg)")
    assert [d.text[a:b] for a, b in d.unparsed] == [")"]
    assert d.first("amount") is not None and d.first("amount").text == "10 mg"  # type: ignore[union-attr]


def test_unmatched_bracket_keeps_the_words_around_it() -> None:
    d = parse("Injection, examplemab (contains albumin, 10 mg")
    assert [d.text[a:b] for a, b in d.unparsed] == ["("]
    assert d.head_clause is not None and d.head_clause.text == "examplemab"
    assert "10 mg" in [c.text for c in d.of_role("amount")]


def test_nesting_up_to_the_limit_parses_without_recursion() -> None:
    text = "Injection " + "(" * MAX_NESTING + "per dose" + ")" * MAX_NESTING
    d = parse(text)
    assert span_problems(d) == []
    assert len(d.of_role("parenthetical")) == 1
    assert [c.text for c in d.of_role("basis")] == ["per dose"]


def test_nesting_past_the_limit_is_a_named_error() -> None:
    with pytest.raises(LimitError, match=f"nest {MAX_NESTING + 1} deep, over the limit of {MAX_NESTING}"):
        parse("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1))
    with pytest.raises(LimitError, match="over the limit"):
        parse("(" * 500 + "a" + ")" * 500)  # a RecursionError before


def test_length_past_the_limit_is_a_named_error() -> None:
    parse("a" * MAX_DESCRIPTOR_CHARS)
    with pytest.raises(LimitError, match=f"over the {MAX_DESCRIPTOR_CHARS} character limit"):
        parse("a" * (MAX_DESCRIPTOR_CHARS + 1))


@pytest.mark.parametrize("n", [5_000, 80_000])
def test_the_grammar_reads_each_character_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    """Linear time without a timed assert: count the characters handed to the grammar. An
    unbalanced bracket early used to make every comma piece re-parse a full-length copy."""
    fed = 0
    real = parser._run

    def counting(text: str) -> list[object]:
        nonlocal fed
        fed += len(text)
        return real(text)  # type: ignore[return-value]

    monkeypatch.setattr(parser, "_run", counting)
    monkeypatch.setattr(parser, "_SEG_CACHE", {})
    text = ("Injection (examplemab, " + ", ".join(f"word{i} more" for i in range(n)))[:n]
    assert len(text) == n
    span_problems(parse(text, "II"))
    assert fed <= 2 * n
