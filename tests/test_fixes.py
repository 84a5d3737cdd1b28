"""The fix loop (hcpcs_lint/fixes.py): fixes apply to a fixed point, only when applicable, and a fix
that empties the text, parses worse or makes no progress is refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_lint.fixes import MAX_PASSES, applicable, fix_record
from hcpcs_lint.model import Finding, Fix, Location, Record
from hcpcs_lint.rulebook import Rule, load_rule
from tests.helpers import catalog, lint_with


def existence_rule(tmp_path: Path, code: str, pattern: str, replace: str, fix: str = "safe") -> Rule:
    """A team rule of the ``existence`` check, written as a rule file (the way a team adds one)."""
    path = tmp_path / f"{code}.toml"
    path.write_text(
        f'code = "{code}"\nname = "team-{code.lower()}"\ngroup = "team"\ncheck = "existence"\n'
        f'severity = "warning"\nsummary = "s"\nmessage = "found {{found}}"\nrationale = "r"\n'
        f'fix_safety = "f"\nfix = "{fix}"\n[options]\npattern = {pattern!r}\nreplace = {replace!r}\n',
        "utf-8",
    )
    return load_rule(path)


def outcome(rules: list[Rule], text: str, *, unsafe: bool = False):  # type: ignore[no-untyped-def]
    from hcpcs_lint.engine import Linter

    linter = Linter(rules=rules, catalog=catalog())
    rec = Record("X0000", text, Location("t", 1, 1))
    return fix_record(linter, rec, linter.context_for([]), unsafe=unsafe)


def finding_with(applicability: str | None) -> Finding:
    fix = None if applicability is None else Fix(applicability, "new")  # type: ignore[arg-type]
    return Finding("HL900", "n", "g", "warning", "m", Record("X0000", "old", Location("t")), (0, 3), fix=fix)


@pytest.mark.parametrize(
    ("applicability", "safe_only", "with_unsafe"),
    [("safe", True, True), ("unsafe", False, True), ("display-only", False, False), (None, False, False)],
)
def test_applicable_follows_the_fix_safety(
    applicability: str | None, safe_only: bool, with_unsafe: bool
) -> None:
    assert applicable(finding_with(applicability), unsafe=False) is safe_only
    assert applicable(finding_with(applicability), unsafe=True) is with_unsafe


def test_fixes_chain_to_a_fixed_point(tmp_path: Path) -> None:
    first = existence_rule(tmp_path, "HL901", "colour", "color")
    second = existence_rule(tmp_path, "HL902", "color", "hue")
    out = outcome([first, second], "Injection, colour agent, 1 mg")
    assert out.text == "Injection, hue agent, 1 mg"
    assert [f.rule for f in out.applied] == ["HL901", "HL902"]
    assert out.changed and out.refused == []
    again = outcome([first, second], out.text)
    assert again.text == out.text and again.applied == [] and not again.changed


def test_unsafe_fix_waits_for_unsafe(tmp_path: Path) -> None:
    rule = existence_rule(tmp_path, "HL903", "colour", "color", fix="unsafe")
    assert outcome([rule], "Injection, colour agent, 1 mg").text == "Injection, colour agent, 1 mg"
    assert (
        outcome([rule], "Injection, colour agent, 1 mg", unsafe=True).text == "Injection, color agent, 1 mg"
    )


@pytest.mark.parametrize(
    ("text", "pattern", "replace", "reason"),
    [
        ("foo", "foo", "", "the revised text is empty"),
        ("Injection, foo, 1 mg", "foo", "foo (((", "the revised text no longer parses cleanly"),
        ("Injection, foo, 1 mg", "o", "oo", "HL904 still fails on the revised text"),
    ],
)
def test_a_fix_that_does_not_help_is_refused(
    tmp_path: Path, text: str, pattern: str, replace: str, reason: str
) -> None:
    rule = existence_rule(tmp_path, "HL904", pattern, replace)
    out = outcome([rule], text)
    assert out.text == text and out.applied == []
    assert [why for _, why in out.refused] == [reason]


def test_the_loop_stops_after_max_passes(tmp_path: Path) -> None:
    """Eleven chained fixes (t0 → t1 → ... → t11), each making progress: the loop stops after MAX_PASSES."""
    rules = [existence_rule(tmp_path, f"HL{910 + i}", f"t{i} ", f"t{i + 1} ") for i in range(MAX_PASSES + 1)]
    out = outcome(rules, "Injection, t0 agent, 1 mg")
    assert len(out.applied) == MAX_PASSES
    assert out.text == f"Injection, t{MAX_PASSES} agent, 1 mg"


def test_shared_helper_lints_and_fixes_one_text() -> None:
    q2041 = (
        "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, "
        "including leukapheresis and dose preparation procedures, per therapeutic dose"
    )
    linted = lint_with("HL101", q2041, code="Q2041")
    assert linted.codes == ["HL101"]
    assert "leukapheresis" not in linted.fixed and linted.fixed.endswith("per therapeutic dose")
    assert lint_with("HL101", linted.fixed, code="Q2041").codes == []
