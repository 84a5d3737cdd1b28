"""peer-contrast: a product that bundles CPT services beside clean peers of the same class."""

from __future__ import annotations

from collections.abc import Iterator

from hcpcs_lint.checks.base import finding, join_items
from hcpcs_lint.checks.context import Context, Entry, Rule
from hcpcs_lint.model import Finding, Related


def clean_peers(e: Entry, ctx: Context) -> list[Entry]:
    """Active products of the same peer group that bundle no service, nearest class first."""
    group = e.peer_group
    if group is None:
        return []
    mine = e.specific_class
    peers = [
        p for p in ctx.corpus.by_group.get(group, []) if p.record.code != e.record.code and not p.bundled
    ]

    def nearness(p: Entry) -> tuple[int, str]:
        shared = len(
            set(ctx.catalog.ancestors(mine or "")) & set(ctx.catalog.ancestors(p.specific_class or ""))
        )
        return (-shared, p.record.code)

    return sorted(peers, key=nearness)


def check_peers(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    if not e.bundled:
        return
    peers = clean_peers(e, ctx)
    if not peers:
        return
    group = e.peer_group or ""
    label = ctx.catalog.classes[group].label if group in ctx.catalog.classes else group
    items = join_items(list(dict.fromkeys(m.item for _, ms in e.bundled for m in ms)))
    limit = int(rule.options.get("max_related", 8))
    shown = peers[:limit]
    related = [
        Related(p.record.code, p.record.long, f"{p.specific_class} class; describes only the product")
        for p in shown
    ]
    clause = e.bundled[0][0]
    codes = ", ".join(p.record.code for p in shown) + (
        f" and {len(peers) - limit} more" if len(peers) > limit else ""
    )
    yield finding(
        rule,
        e,
        clause.span,
        related=related,
        cpt=[c for _, ms in e.bundled for m in ms for s in m.services for c in s.cpt],
        named=[m.item for _, ms in e.bundled for m in ms],
        services=repr(items),
        count=len(peers),
        group=label,
        peers=codes,
    )
