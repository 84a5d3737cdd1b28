"""peer-contrast: a product that bundles CPT services beside clean peers of the same class."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from hcpcs_lint.checks.base import finding, join_items
from hcpcs_lint.checks.context import Context, Entry, Rule
from hcpcs_lint.model import Finding, Related


def _ranked(group: str, mine: str | None, ctx: Context) -> tuple[list[Entry], frozenset[str]]:
    """The group's clean products, nearest to class ``mine`` first, and their codes: sorted once
    per (group, class) for the whole run, not once per finding."""

    def build() -> tuple[list[Entry], frozenset[str]]:
        near = set(ctx.catalog.ancestors(mine or ""))

        def nearness(p: Entry) -> tuple[int, str]:
            return (-len(near & set(ctx.catalog.ancestors(p.specific_class or ""))), p.record.code)

        clean = sorted((p for p in ctx.corpus.by_group.get(group, []) if not p.bundled), key=nearness)
        return clean, frozenset(p.record.code for p in clean)

    ranked: tuple[list[Entry], frozenset[str]] = ctx.corpus.index(("clean-peers", group, mine), build)
    return ranked


def _clean_peers(e: Entry, ctx: Context, limit: int | None) -> tuple[list[Entry], int]:
    """The first ``limit`` clean peers of ``e`` (nearest class first) and how many there are."""
    group = e.peer_group
    if group is None:
        return [], 0
    ranked, codes = _ranked(group, e.specific_class, ctx)
    code = e.record.code
    total = len(ranked) - (code in codes)
    return list(islice((p for p in ranked if p.record.code != code), limit)), total


def clean_peers(e: Entry, ctx: Context, limit: int | None = None) -> list[Entry]:
    """Active products of the same peer group that bundle no service, nearest class first
    (the first ``limit`` of them: a finding lists a few, so it never walks the whole class)."""
    return _clean_peers(e, ctx, limit)[0]


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
    limit = int(rule.options.get("max_related", 8))
    shown, total = _clean_peers(e, ctx, limit)
    if not total:
        return
    group = e.peer_group or ""
    label = ctx.catalog.classes[group].label if group in ctx.catalog.classes else group
    services = [r for b in e.bundled for r in b.services]
    items = join_items(list(dict.fromkeys(r.text for r in services)))
    related = [
        Related(p.record.code, p.record.long, f"{p.specific_class} class; describes only the product")
        for p in shown
    ]
    first = e.bundled[0]
    codes = ", ".join(p.record.code for p in shown) + (f" and {total - limit} more" if total > limit else "")
    yield finding(
        rule,
        e,
        (first.start, first.end),
        related=related,
        cpt=[c for r in services for c in r.cpt],
        named=[r.text for r in services],
        services=repr(items),
        count=total,
        group=label,
        peers=codes,
    )
