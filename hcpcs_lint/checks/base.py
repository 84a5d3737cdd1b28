"""Helpers every check uses to build its findings; a check never formats a message itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hcpcs_lint.catalog import cpt_range
from hcpcs_lint.checks.context import Entry, Rule
from hcpcs_lint.model import Finding, Fix, Related

__all__ = ["cpt_range", "finding", "join_items"]


class _Vars(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def finding(
    rule: Rule,
    entry: Entry,
    span: tuple[int, int],
    *,
    fix_text: str | None = None,
    cpt: Iterable[str] = (),
    related: Sequence[Related] = (),
    explain: Sequence[str] = (),
    named: Iterable[str] = (),
    **values: Any,
) -> Finding:
    """A Finding with the rule's message filled in; a fix only where the rule offers one.

    ``explain`` lines say how the check read the text (each item: action, object, route; thing):
    the full format and ``check --explain`` show them, JSON carries them as ``explain``."""
    cpt_t = tuple(sorted(set(cpt)))
    values.setdefault("code", entry.record.code)
    values.setdefault("cpt", cpt_range(cpt_t))
    fix = None
    if fix_text is not None and rule.fix != "none" and fix_text != entry.record.long:
        fix = Fix(rule.fix, fix_text, f"{rule.name}: revised descriptor")  # type: ignore[arg-type]
    return Finding(
        rule=rule.code,
        name=rule.name,
        group=rule.group,
        severity=rule.severity,  # type: ignore[arg-type]
        message=rule.message.format_map(_Vars(values)),
        record=entry.record,
        span=span,
        cpt=cpt_t,
        related=tuple(related),
        fix=fix,
        extra={"explain": list(explain)} if explain else {},
        services=tuple(dict.fromkeys(named)),
    )


def join_items(items: Sequence[str], serial: bool = False) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ("," if serial else "") + " and " + items[-1]
