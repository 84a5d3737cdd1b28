"""service-inclusion and service-overlap: Level II codes that take in what CPT covers."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from hcpcs_lint import config as cfg
from hcpcs_lint.checks.base import finding, join_items
from hcpcs_lint.checks.context import Context, Entry, Rule
from hcpcs_lint.model import Clause, Finding


def check_inclusion(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    """A product descriptor whose inclusion clause names CPT services: one finding per clause."""
    if not e.bundled:
        return
    text = e.record.long
    fixed = remove_services(text, e)
    for clause, matches in e.bundled:
        services = [s for m in matches for s in m.services]
        labels = join_items(list(dict.fromkeys(m.item for m in matches)))
        yield finding(
            rule,
            e,
            clause.span,
            fix_text=fixed,
            cpt=[c for s in services for c in s.cpt],
            named=[m.item for m in matches],
            services=repr(labels),
            labels="; ".join(dict.fromkeys(s.label for s in services)),
        )


def remove_services(text: str, e: Entry) -> str:
    """The descriptor with service items taken out of every bundling inclusion clause.

    Items that are not services stay ("all system components"); a clause left empty goes, with
    the separator before it (or after it, when it opens a bracket)."""
    edits: list[tuple[int, int, str]] = []
    for clause, matches in e.bundled:
        service_items = {m.item for m in matches}
        keep = [it.text for it in clause.items if it.text not in service_items]
        if keep:
            serial = ", and " in clause.text
            edits.append((clause.start, clause.end, f"{clause.keyword} {join_items(keep, serial)}"))
        else:
            edits.append((*_removal_span(text, clause), ""))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def _removal_span(text: str, clause: Clause) -> tuple[int, int]:
    start, end = clause.start, clause.end
    before = text[:start].rstrip()
    if before.endswith((",", ";")):
        return len(before) - 1, end
    if before.endswith(("(", "[")) or not before:
        after = text[end:]
        stripped = after.lstrip()
        if stripped.startswith((",", ";")):
            rest = stripped[1:]
            return start, end + (len(after) - len(stripped)) + 1 + (len(rest) - len(rest.lstrip()))
        return start, end
    return len(before), end


def check_overlap(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    """A service-headed Level II code whose head names a CPT service."""
    rec = e.record
    if rec.level != "II" or e.desc.head != "service":
        return
    allow = tuple(rule.options.get("allow", ())) + tuple(ctx.config.allow_service_codes)
    if any(fnmatchcase(rec.code, g) for g in allow) or cfg.service_code_allowed(ctx.config, rec.code):
        return
    head = e.desc.first("service")
    if head is None:
        return
    m = ctx.catalog.match_service_head(head.text)
    if m is None:
        return
    yield finding(
        rule,
        e,
        head.span,
        cpt=[c for s in m.services for c in s.cpt],
        named=[m.item],
        services=repr(m.services[0].label.lower()),
    )
