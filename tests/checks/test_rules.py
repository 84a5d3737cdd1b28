"""Every rule's own examples (rules/*.toml), as sqlfluff's yaml cases: failing examples fail with
that rule, passing ones pass, the fixed text is exact and itself passes (fixes are idempotent).
Plus validation of rule files: a bad file is a named error."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_lint.engine import Linter
from hcpcs_lint.model import InputError
from hcpcs_lint.rulebook import Example, Rule, load_rule, load_rules
from tests.helpers import lint_with

RULES = load_rules()


CASES_FAIL = [(r, ex) for r in RULES for ex in r.failing]
CASES_PASS = [(r, ex) for r in RULES for ex in r.passing]


def test_every_rule_has_examples() -> None:
    for r in RULES:
        assert r.failing, f"{r.code} has no failing example"
        assert r.passing, f"{r.code} has no passing example"


@pytest.mark.parametrize(
    ("rule", "ex"), CASES_FAIL, ids=[f"{r.code}-fail{i}" for i, (r, _) in enumerate(CASES_FAIL)]
)
def test_failing_example(rule: Rule, ex: Example) -> None:
    linted = lint_with(rule, ex.descriptor, code=ex.code, context=ex.context, noqa=ex.noqa)
    findings = linted.findings
    assert findings, f"{rule.code} did not flag {ex.descriptor!r}"
    assert all(f.rule == rule.code for f in findings)
    if ex.cpt:
        assert set(ex.cpt) <= {c for f in findings for c in f.cpt}
    if ex.related:
        assert set(ex.related) <= {r.code for f in findings for r in f.related}
    if ex.fixed is not None:
        assert linted.fixed == ex.fixed
        again = lint_with(rule, ex.fixed, code=ex.code, context=ex.context, noqa=ex.noqa).findings
        assert again == [], f"the fixed text still fails {rule.code}"


@pytest.mark.parametrize(
    ("rule", "ex"), CASES_PASS, ids=[f"{r.code}-pass{i}" for i, (r, _) in enumerate(CASES_PASS)]
)
def test_passing_example(rule: Rule, ex: Example) -> None:
    findings = lint_with(rule, ex.descriptor, code=ex.code, context=ex.context).findings
    assert findings == [], f"{rule.code} flagged {ex.descriptor!r}: {findings[0].message}"


GOOD = """code = "HL900"
name = "team-rule"
group = "team"
check = "existence"
severity = "warning"
summary = "s"
message = "m"
rationale = "r"
fix_safety = "f"
[options]
pattern = "foo"
"""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: 'colour = "red"\n' + t, "unknown key 'colour'"),
        (lambda t: t + 'colour = "red"\n', "unknown option 'colour' for check 'existence'"),
        (lambda t: t.replace('summary = "s"\n', ""), "missing required key 'summary'"),
        (lambda t: t.replace('pattern = "foo"', 'pattern = "(foo"'), "bad regular expression"),
        (lambda t: t.replace('severity = "warning"', 'severity = "fatal"'), "severity 'fatal'"),
        (lambda t: t.replace('check = "existence"', 'check = "magic"'), "unknown check 'magic'"),
        (lambda t: t.replace('name = "team-rule"', 'name = "Team Rule"'), "not kebab-case"),
        (lambda t: t.replace('code = "HL900"', "code = "), "invalid TOML"),
    ],
)
def test_bad_rule_file_is_a_named_error(tmp_path: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "HL900.toml"
    path.write_text(change(GOOD), "utf-8")
    with pytest.raises(InputError) as err:
        load_rule(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_team_rule_pack_is_loaded_and_runs(tmp_path: Path) -> None:
    (tmp_path / "HL900.toml").write_text(GOOD, "utf-8")
    rules = load_rules([tmp_path])
    assert [r.code for r in rules if r.code == "HL900"] == ["HL900"]
    linter = Linter(rules=[r for r in rules if r.code == "HL900"])
    _, findings = linter.lint_text("X1234", "Injection, foo, 1 mg")
    assert [f.rule for f in findings] == ["HL900"]


def test_duplicate_rule_code_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "HL101.toml").write_text(GOOD.replace("HL900", "HL101"), "utf-8")
    with pytest.raises(InputError, match="already defined"):
        load_rules([tmp_path])


def test_no_rule_or_catalog_names_a_hcpcs_code() -> None:
    """Rules find cases by understanding clauses: no Level II code appears outside the examples."""
    import re

    root = Path(__file__).resolve().parents[2] / "rules"
    code = re.compile(r"\b[A-V]\d{4}\b")
    for path in root.rglob("*.toml"):
        text = path.read_text("utf-8")
        body = text.split("[[examples.", 1)[0]
        # The rationale may cite codes for the reader; options, terms and classes may not.
        data_part = re.sub(r'(?s)rationale = """.*?"""', "", body)
        data_part = re.sub(r"(?m)^(summary|message|fix_safety|citations) = .*$", "", data_part)
        assert not code.search(data_part), f"{path.name} names a HCPCS code: {code.search(data_part)}"
