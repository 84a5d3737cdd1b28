"""The one registry of rule kinds: each kind's check function and the options a rule file may set.

A rule file in rules/ names one kind and configures it (as Vale's ``extends``); the rulebook
validates every file against :data:`KINDS`, and the engine calls ``KINDS[rule.kind].check``.
A new kind is one function in a module here and one line below (as yamllint's ``_RULES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hcpcs_lint.checks import consistency, existence, inclusion, peers
from hcpcs_lint.checks.base import cpt_range, finding, join_items
from hcpcs_lint.checks.context import Check, Context, Corpus, Entry, Example, Rule, make_entry

__all__ = [
    "KINDS",
    "Check",
    "Context",
    "Corpus",
    "Entry",
    "Example",
    "Kind",
    "Rule",
    "cpt_range",
    "finding",
    "join_items",
    "make_entry",
]


@dataclass(frozen=True)
class Kind:
    """A rule kind: the function that runs it, the options its rule files may set, those they must."""

    check: Check
    options: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {
    "service-inclusion": Kind(inclusion.check_inclusion),
    "service-overlap": Kind(inclusion.check_overlap, frozenset({"allow"})),
    "peer-contrast": Kind(peers.check_peers, frozenset({"max_related"})),
    "class-consistency": Kind(consistency.check_consistency, frozenset({"aspect", "majority", "skip_when"})),
    "existence": Kind(existence.check_existence, frozenset({"pattern", "replace"}), frozenset({"pattern"})),
    "residue": Kind(existence.check_residue),
}
