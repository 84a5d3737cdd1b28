"""The one shared test helper: lint this text with this rule (as yamllint's ``RuleTestCase``).

``lint_with`` runs the library's one lint loop (``Linter.run``) on a single descriptor with only
the rule asked for, peers taken from ``context`` (no reference release), and fixes applied to a
fixed point, so rule tests exercise the same path as ``hcpcs-lint check``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from hcpcs_lint.catalog import Catalog, load_catalog
from hcpcs_lint.engine import EntryResult, Linter
from hcpcs_lint.model import Finding, Location, Record
from hcpcs_lint.rulebook import Rule, find_rule, load_rules

# The case this project exists for (CMS HCPCS Jan 2026; see ../shared/data/README.md), and its revision.
Q2041 = (
    "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, "
    "including leukapheresis and dose preparation procedures, per therapeutic dose"
)
Q2041_FIXED = (
    "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, "
    "per therapeutic dose"
)


@cache
def rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


@cache
def catalog() -> Catalog:
    return load_catalog()


def rule(key: str) -> Rule:
    """A bundled rule by code or name."""
    found = find_rule(rules(), key)
    assert found is not None, f"no rule {key}"
    return found


@dataclass
class Linted:
    """One descriptor linted with one rule: its findings and its text after every applicable fix."""

    record: Record
    findings: list[Finding]
    fixed: str
    result: EntryResult

    @property
    def codes(self) -> list[str]:
        return [f.rule for f in self.findings]


def lint_with(
    rule_or_key: Rule | str,
    text: str,
    *,
    code: str = "X0000",
    context: Sequence[tuple[str, str]] = (),
    unsafe: bool = True,
    noqa: Sequence[str] = (),
) -> Linted:
    """Lint ``text`` (HCPCS ``code``) with one rule; ``context`` is (code, descriptor) peers;
    ``noqa`` silences rules on the record as an inline marker would."""
    chosen = rule(rule_or_key) if isinstance(rule_or_key, str) else rule_or_key
    record = Record(code=code, long=text, location=Location("example", 1, 1), noqa=tuple(noqa))
    peers = [
        Record(code=c, long=t, location=Location("context", i + 1, 1)) for i, (c, t) in enumerate(context)
    ]
    run = Linter(rules=[chosen], catalog=catalog()).run([record, *peers], fix=True, unsafe=unsafe)
    first = run.results[0]
    assert first.record is record
    return Linted(record, first.findings, first.revised or text, first)
