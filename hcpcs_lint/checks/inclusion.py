"""service-inclusion and service-overlap: Level II codes that take in what CPT covers.

The reading of each item (action, object, route; thing) is services.py's; this module turns it
into findings and whole-clause revisions. A revision removes the whole clause when every item
in it is a service and keeps only the non-service items otherwise; it is proposed only when the
result parses as cleanly as the original, keeps the billing unit and bundles nothing any more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from hcpcs_lint import config as cfg
from hcpcs_lint.bundling import Bundle, bundles
from hcpcs_lint.catalog import Catalog, Service
from hcpcs_lint.checks.base import cpt_range, finding, join_items
from hcpcs_lint.checks.context import Context, Entry, Rule
from hcpcs_lint.model import Finding, Related
from hcpcs_lint.services import Reading, match_services, read_item


def families(readings: Sequence[Reading]) -> str:
    """CPT 38225 for 'leukapheresis'; CPT code not identified for 'tumor tissue sampling'."""
    known: dict[str, list[str]] = {}
    unknown: list[str] = []
    for r in readings:
        if r.cpt:
            known.setdefault(cpt_range(sorted(r.cpt)), []).append(r.text)
        else:
            unknown.append(repr(r.text))
    parts = [f"CPT {codes} for {join_items([repr(t) for t in texts])}" for codes, texts in known.items()]
    if unknown:
        parts.append("CPT code not identified for " + join_items(unknown))
    return "; ".join(parts)


def check_inclusion(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    """A product descriptor whose inclusion clause names CPT services: one finding per clause."""
    if not e.bundled:
        return
    fixed, withheld = revise(e.record.long, e.bundled, e)
    related = _clean_peers(e, ctx, rule)
    for b in e.bundled:
        services = b.services
        yield finding(
            rule,
            e,
            (b.start, b.end),
            fix_text=fixed,
            cpt=[c for r in services for c in r.cpt],
            related=related,
            named=[r.text for r in services],
            services=repr(join_items(list(dict.fromkeys(r.text for r in services)))),
            families=families(services),
            withheld=f" (no revision proposed: {withheld})" if withheld else "",
            explain=[r.describe() for r in b.readings],
        )


def _clean_peers(e: Entry, ctx: Context, rule: Rule) -> list[Related]:
    """HL201's contrast, folded into HL101 so one problem gives one finding."""
    from hcpcs_lint.checks.peers import clean_peers

    limit = int(rule.options.get("max_related", 8))
    return [
        Related(p.record.code, p.record.long, f"{p.specific_class} class; describes only the product")
        for p in clean_peers(e, ctx, limit)
    ]


def revise(text: str, found: Sequence[Bundle], e: Entry | None = None) -> tuple[str | None, str]:
    """The descriptor without its bundled services, or (None, why it cannot be proposed)."""
    out = text
    for b in sorted(found, key=lambda b: b.start, reverse=True):
        kept = [r.text for r in b.kept]
        if kept and b.shape == "inclusion":
            new = f"{b.keyword} {join_items(kept, b.serial and len(kept) > 2)}"
            out = out[: b.start] + new + out[b.end :]
        elif kept:
            out = out[: b.start] + f"{join_items(kept)} included" + out[b.end :]
        else:
            s, t = _removal_span(out, b.start, b.end)
            out = out[:s] + out[t:]
    out = out.strip()
    return _validated(text, out, e)


def _validated(text: str, new: str, e: Entry | None) -> tuple[str | None, str]:
    from hcpcs_lint.parser import parse  # only when a finding is made: a cached run never parses

    if not new or new == text:
        return None, "nothing would be left of the descriptor"
    old, rev = parse(text), parse(new)
    if len(rev.unparsed) > len(old.unparsed):
        return None, "the revised text would not parse cleanly"
    for basis in old.of_role("basis"):
        unit = basis.text.split("(")[0].split("[")[0].strip()
        if unit not in new:
            return None, f"the revision would lose the billing unit {unit!r}"
    if rev.head_clause is None or rev.head != old.head:
        return None, "the remainder would not read as a product descriptor"
    if e is not None and bundles(rev, e.catalog, e.classes):
        return None, "the remainder would still include a service"
    return new, ""


def _removal_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A clause's span widened to the separator before it, or to its brackets when it fills them."""
    before = text[:start].rstrip()
    after = text[end:]
    if before.endswith(("(", "[")) and after.lstrip().startswith((")", "]")):
        s = len(before) - 1
        s = len(text[:s].rstrip())
        return s, end + (len(after) - len(after.lstrip())) + 1
    if before.endswith((",", ";")):
        return len(before) - 1, end
    if before.endswith(("(", "[")) or not before:
        stripped = after.lstrip()
        if stripped.startswith((",", ";")):
            rest = stripped[1:]
            return start, end + (len(after) - len(stripped)) + 1 + (len(rest) - len(rest.lstrip()))
        return start, end
    return len(before), end


def _overlap(text: str, cat: Catalog, classes: frozenset[str]) -> tuple[Service, ...]:
    """The CPT families a service head is an action of (strictly matched), or none."""
    r = read_item(text, cat, frozenset())
    services = match_services(r, cat, classes, r.scope, strict=True)
    return services if r.what == "action" else ()


def check_overlap(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    """A service-headed Level II code whose head is a service CPT has a family for."""
    rec = e.record
    if rec.level != "II" or e.desc.head != "service":
        return
    allow = tuple(rule.options.get("allow", ())) + tuple(ctx.config.allow_service_codes)
    if any(fnmatchcase(rec.code, g) for g in allow) or cfg.service_code_allowed(ctx.config, rec.code):
        return
    head = e.desc.first("service")
    if head is None:
        return
    cat, text = ctx.catalog, head.text
    classes = cat.classify(e.desc)
    # Service heads recur ("Home infusion therapy" 50 times in 2019): decided once per head and classes.
    services = ctx.corpus.index(("service-overlap", text, classes), lambda: _overlap(text, cat, classes))
    if not services:
        return  # an action with no known CPT family is no overlap we can name
    r = replace(read_item(text, cat, frozenset(), head.start), services=services)
    yield finding(
        rule,
        e,
        head.span,
        cpt=r.cpt,
        named=[r.text],
        services=repr(r.services[0].label),
        explain=[r.describe()],
    )
