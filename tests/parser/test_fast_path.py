"""The single-RUN fast path (``parser._single_run``) builds exactly what Lark builds.

A piece that is one RUN token skips Lark; these tests run Lark anyway and compare the two,
token by token (type, value, start/end position, line, column), on every piece of every real
release and on generated pieces full of keywords, their look-alikes and odd spacing.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Token
from lark.exceptions import LarkError

from hcpcs_lint import parser
from hcpcs_lint.sources import load
from tests.parser.test_parser import RELEASES


def flat(x: Any) -> Any:
    """Segments as plain tuples, with every position a token carries (Token's own == compares
    only type and text); a part's memo of typing results is left out."""
    if isinstance(x, Token):
        return ("T", x.type, str(x), x.start_pos, x.end_pos, x.line, x.column, x.end_line, x.end_column)
    if isinstance(x, list | tuple):
        return tuple(flat(y) for y in x)
    if hasattr(x, "__dataclass_fields__"):
        return (
            type(x).__name__,
            *(flat(getattr(x, f.name)) for f in fields(x) if not f.name.startswith("memo")),
        )
    return x


def lark_segments(piece: str) -> Any:
    try:
        return flat(parser._run(piece))
    except LarkError:
        return None


def is_single_run(segs: Any) -> bool:
    """Lark's answer is one segment whose lead is one RUN token, and no clause."""
    if segs is None or len(segs) != 1:
        return False
    lead, clauses = segs[0][1], segs[0][2]
    return clauses == () and lead is not None and len(lead[3]) == 1 and lead[3][0][:2] == ("T", "RUN")


def check(piece: str) -> bool:
    """Fast path and Lark agree on ``piece``; True when the fast path took it."""
    fast = parser._single_run(piece)
    slow = lark_segments(piece)
    if fast is None:
        assert not is_single_run(slow), f"the fast path missed a single RUN: {piece!r}"
        return False
    assert flat(fast) == slow, piece
    return True


def test_every_piece_of_every_real_release(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pieces: set[str] = set()
    real = parser._cached_piece

    def recording(piece: str) -> Any:
        pieces.add(piece)
        return real(piece)

    monkeypatch.setattr(parser, "_cached_piece", recording)
    monkeypatch.setattr(parser, "_SEG_CACHE", {})  # every piece goes through _cached_piece
    found = 0
    for release in RELEASES:
        if not (data_dir / release).is_file():
            pytest.skip(f"{release} not found under {data_dir}")
        for rec in load(str(data_dir / release)):
            for text in (rec.long, rec.short):
                if text:
                    parser.parse.__wrapped__(text, rec.level)
                    found += 1
    assert found > 20_000
    fast = sum(check(p) for p in sorted(pieces))
    # Most distinct pieces are one run of words; the rest went to Lark and agreed with it.
    assert fast > len(pieces) // 2, (fast, len(pieces))


WORDS = [
    "injection", "10", "mg", "x", "ó", "e.g.", ":", "-", "/", "per", "Per", "PER", "for", "FOR",
    "and", "AND", "And", "or", "and/or", "per-", "for/", "and-", "per:", "perform", "format",
    "andrew", "including", "Includes", "include", "includ", "included", "inclusive", "of",
    "may", "to", "excluding", "EXCLUDES", "exclude", "excluded", "exclusive", "except",
    "but", "not", "limited", "as", "applicable", "up", "1/2", "50%", "=", "'", "µg",
]  # fmt: skip
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\xa0", "", " \n "]
PUNCT = ["", "", "", "", ",", ";", "(", ")", "[", "]", "(a)"]

pieces = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES), st.sampled_from(PUNCT)), min_size=1, max_size=8
).map(lambda ws: "".join(w + s + p for w, s, p in ws).strip())


@given(pieces)
def test_generated_pieces(piece: str) -> None:
    check(piece)


@given(st.text(alphabet="andperfoicluxsvtm \n\xa0-/:,(", min_size=1, max_size=40).map(str.strip))
def test_generated_letters(piece: str) -> None:
    check(piece)


@pytest.mark.parametrize(
    ("piece", "fast"),
    [
        ("prefabricated", True),
        ("up to and including 300 pounds", True),  # a run may hold "and including"
        ("for\nuse with\xa0pump", False),  # a run never starts with a keyword
        ("performance", True),
        ("per-diem rate", True),
        ("two\nlines\nhere", True),  # the end line and column follow the newlines
        ("a and b", False),
        ("includes x", False),
        ("and including x", False),  # "and" before "including" opens no run at the start
        ("kit (sterile)", False),
    ],
)
def test_examples(piece: str, fast: bool) -> None:
    assert check(piece) is fast
