"""The one registry of checks: each check's function and the options a rule file may set for it.

A rule file in rules/ names one check (``check = "service-inclusion"``) and configures it (as
Vale's ``extends``); the rulebook validates every file against :data:`CHECKS`, and the engine calls
``CHECKS[rule.check].function``. A new check is one function in a module here and one line below
(as yamllint's ``_RULES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hcpcs_lint.checks import consistency, existence, inclusion, peers
from hcpcs_lint.checks.base import cpt_range, finding, join_items
from hcpcs_lint.checks.context import CheckFunction, Context, Corpus, Entry, Example, Rule, make_entry

__all__ = [
    "CHECKS",
    "Check",
    "CheckFunction",
    "Context",
    "Corpus",
    "Entry",
    "Example",
    "Rule",
    "cpt_range",
    "finding",
    "join_items",
    "make_entry",
]


@dataclass(frozen=True)
class Check:
    """A check: the function that runs it, the options its rule files may set, and those they must."""

    function: CheckFunction
    options: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()


CHECKS: dict[str, Check] = {
    "service-inclusion": Check(inclusion.check_inclusion),
    "service-overlap": Check(inclusion.check_overlap, frozenset({"allow"})),
    "peer-contrast": Check(peers.check_peers, frozenset({"max_related"})),
    "class-consistency": Check(
        consistency.check_consistency, frozenset({"aspect", "majority", "min_peers", "skip_when"})
    ),
    "existence": Check(existence.check_existence, frozenset({"pattern", "replace"}), frozenset({"pattern"})),
    "residue": Check(existence.check_residue),
}
