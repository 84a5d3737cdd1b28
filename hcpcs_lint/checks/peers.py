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


def hl101_reports(e: Entry, ctx: Context) -> bool:
    """Does HL101 (level2-includes-cpt-service) report this record? Then HL101 carries the contrast."""
    from hcpcs_lint import config as cfg

    args = ("HL101", "level2-includes-cpt-service", "cpt-jurisdiction")
    if not cfg.is_selected(ctx.config, *args, e.record.code):
        return False
    return not any(s == "all" or cfg.matches(s, *args) for s in e.record.noqa)


def check_peers(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    """Fires only where HL101 does not: one problem, one finding (HL101 lists the same peers)."""
    if not e.bundled or hl101_reports(e, ctx):
        return
    peers = clean_peers(e, ctx)
    if not peers:
        return
    group = e.peer_group or ""
    label = ctx.catalog.classes[group].label if group in ctx.catalog.classes else group
    services = [r for b in e.bundled for r in b.services]
    items = join_items(list(dict.fromkeys(r.text for r in services)))
    limit = int(rule.options.get("max_related", 8))
    shown = peers[:limit]
    related = [
        Related(p.record.code, p.record.long, f"{p.specific_class} class; describes only the product")
        for p in shown
    ]
    first = e.bundled[0]
    codes = ", ".join(p.record.code for p in shown) + (
        f" and {len(peers) - limit} more" if len(peers) > limit else ""
    )
    yield finding(
        rule,
        e,
        (first.start, first.end),
        related=related,
        cpt=[c for r in services for c in r.cpt],
        named=[r.text for r in services],
        services=repr(items),
        count=len(peers),
        group=label,
        peers=codes,
    )
