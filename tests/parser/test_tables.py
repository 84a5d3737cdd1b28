"""The LALR tables shipped in hcpcs_lint/grammar/tables.py: made from the grammar as it is, and
parsing exactly as tables Lark builds afresh; tables for another grammar or Lark are not used."""

from __future__ import annotations

from pathlib import Path

import lark
import pytest
from lark import Lark
from lark.exceptions import LarkError

from hcpcs_lint import parser
from hcpcs_lint.grammar import build, tables
from tests.parser.test_fast_path import flat

ROOT = Path(__file__).resolve().parents[2]


def test_the_tables_were_made_from_this_grammar() -> None:
    assert build.grammar_sha256(build.grammar_text()) == tables.GRAMMAR_SHA256, (
        "level2.lark changed: run `make docs` (python -m hcpcs_lint.grammar.build) and commit tables.py"
    )


def _pieces() -> list[str]:
    """Every comma-separated piece of the corpora we wrote (bundled, held-out, development,
    drafts), whole descriptors too, and pieces the grammar refuses."""
    texts: list[str] = []
    for path in sorted((ROOT / "corpora").rglob("*")):
        if path.suffix in (".csv", ".md", ".txt") and path.is_file():
            texts += [line for line in path.read_text("utf-8").splitlines() if line.strip()]
    out = {piece.strip() for t in texts for piece in t.replace(";", ",").split(",") if piece.strip()}
    out |= {t.strip() for t in texts if "(" not in t and ")" not in t}
    return sorted(out)


def _run(p: Lark, text: str) -> object:
    try:
        return flat(p.parse(text))
    except LarkError as exc:
        return type(exc).__name__


def test_shipped_tables_parse_like_tables_built_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    if lark.__version__ != tables.LARK_VERSION:
        # Another Lark: the shipped tables must not be used; the parser builds its own.
        monkeypatch.setenv("HCPCS_LINT_NO_CACHE", "1")
        parser._lark.cache_clear()
        try:
            assert parser._lark().source_path != "<deserialized>"
        finally:
            parser._lark.cache_clear()
        pytest.skip(f"tables made with Lark {tables.LARK_VERSION}, this is {lark.__version__}")
    shipped = Lark.__new__(Lark)._load(
        {"data": tables.DATA, "memo": tables.MEMO}, transformer=parser._Build()
    )
    fresh = Lark(build.grammar_text(), transformer=parser._Build(), **build.OPTIONS)  # type: ignore[arg-type]
    pieces = _pieces()
    assert len(pieces) > 500
    for text in pieces:
        assert _run(shipped, text) == _run(fresh, text), text


def test_tables_for_another_grammar_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    parser._lark.cache_clear()
    monkeypatch.setattr(tables, "GRAMMAR_SHA256", "0" * 64)
    built = []
    real = Lark.__init__

    def spy(self: Lark, *args: object, **kwargs: object) -> None:
        built.append(1)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Lark, "__init__", spy)
    monkeypatch.setenv("HCPCS_LINT_NO_CACHE", "1")
    try:
        assert flat(parser._lark().parse("Injection, abc, 1 mg")) == flat(
            Lark(build.grammar_text(), transformer=parser._Build(), **build.OPTIONS).parse(  # type: ignore[arg-type]
                "Injection, abc, 1 mg"
            )
        )
        assert built, "tables made from another grammar were used"
    finally:
        parser._lark.cache_clear()
