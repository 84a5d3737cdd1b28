"""What a case file says, as plain frozen data, built from check's findings JSON and its sources.

The input document (a dict, as JSON would give it)::

    {"findings": [...],            # the "findings" list of `check --output-format json`, unchanged
     "release": {"path", "label", "effective", "records"},
     "reference": "path or null",  # where peers came from
     "tool_version": "0.1.0",
     "rules": {"HL101": {"name", "summary", "rationale", "citations": [...]}},
     "services": [{"label", "cpt": [...], "cpt_since", "category_iii": [{"code", "until"}]}],
     "classes": {"Q2041": "class label", ...},        # flagged codes and their peers
     "history": null | {"releases": [{"label", "effective", "path", "codes": {"Q2041": "class label"}}],
                        "since": {"Q2041": "2019"}}}

A section is written for every code with an HL101 finding; its proposed descriptor is that
finding's fix, character for character. Clean peers are the ``related`` codes of the code's
findings, so the precedent in the summary comes from the findings, never from a list of codes.

Over 400 lines: the case file's frozen data and its one builder, ``build``; every type here is
made only from that one JSON document, and the renderers read them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hcpcs_lint.report.diff import tokens

SECTION_RULE = "HL101"
# The rules a case file argues from: the bundling itself and the contrast with clean peers.
# Style findings (hyphenation, billing unit) stay in `check`; they do not belong in a comment letter.
CASE_RULES = frozenset({"HL101", "HL201"})
OTHER_CLASS = "Other Level II products"
_CODE = re.compile(r"^([A-Z]*)(\d+)([A-Z]*)$")
_EDGE_WORDS = re.compile(r"^(?:and|or)\s+|[\s,]+(?:and|or)$")


@dataclass(frozen=True)
class Segment:
    """A run of descriptor text; ``struck`` when it is the bundled clause."""

    text: str
    struck: bool = False


@dataclass(frozen=True)
class Family:
    """CPT codes for one service, in our own words, with the year CPT took them in."""

    cpt: tuple[str, ...]
    label: str
    since: str | None = None  # year, e.g. "2025"
    before: tuple[tuple[str, str], ...] = ()  # Category III codes used until (code, year)

    @property
    def numbers(self) -> str:
        return code_ranges(self.cpt)

    @property
    def years(self) -> str:
        """'CPT since 2025; Category III 0537T until 2024', or ''."""
        parts = []
        if self.since:
            parts.append(f"CPT since {self.since}")
        if self.before:
            earlier = ", ".join(f"{code} until {year}" for code, year in self.before)
            parts.append(f"Category III {earlier}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Peer:
    code: str
    descriptor: str
    product_class: str = ""


@dataclass(frozen=True)
class Section:
    """One flagged code: what it says, what it should say, and why."""

    code: str
    product_class: str
    current: str
    segments: tuple[Segment, ...]
    proposed: str | None  # check's fix; None when check offers none
    applicability: str  # "unsafe", "safe", or "" when there is no fix
    messages: tuple[str, ...]  # check's own messages for this code
    services: tuple[str, ...]  # the bundled clauses, as the descriptor words them
    families: tuple[Family, ...]
    peers: tuple[Peer, ...]
    since: str | None = None  # first release (of --history) carrying the clause
    location: str = ""

    @property
    def anchor(self) -> str:
        return f"code-{self.code}"


@dataclass(frozen=True)
class ClassCount:
    product_class: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseCounts:
    """Codes bundling services in one release, by product class (a chart's one group of bars)."""

    label: str
    effective: str | None
    classes: tuple[ClassCount, ...]

    @property
    def total(self) -> int:
        return sum(len(c.codes) for c in self.classes)


@dataclass(frozen=True)
class RuleSource:
    code: str
    name: str
    summary: str
    rationale: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    title: str
    release_path: str
    release_label: str
    release_effective: str | None
    records: int
    reference: str | None
    tool_version: str
    sections: tuple[Section, ...]
    by_class: tuple[ClassCount, ...]
    precedent: tuple[ClassCount, ...]
    precedent_peers: tuple[Peer, ...]
    families: tuple[Family, ...]
    rules: tuple[RuleSource, ...]
    releases: tuple[ReleaseCounts, ...]  # the release itself, or every --history release in date order
    has_history: bool = False

    @property
    def count(self) -> int:
        return len(self.sections)

    def chart_series(self) -> tuple[list[str], list[tuple[str, list[int]]]]:
        """Release labels and, per product class, how many codes bundle services in each (charts.py)."""
        labels = [r.label for r in self.releases]
        totals: dict[str, int] = {}
        for r in self.releases:
            for c in r.classes:
                totals[c.product_class] = totals.get(c.product_class, 0) + len(c.codes)
        names = sorted(totals, key=lambda n: (-totals[n], n))
        series = [
            (n, [next((len(c.codes) for c in r.classes if c.product_class == n), 0) for r in self.releases])
            for n in names
        ]
        return labels, series

    def release_line(self) -> str:
        line = f"Release file: {self.release_path}"
        if self.release_effective:
            line += f" (effective {self.release_effective})"
        line += f"; {self.records:,} code{'' if self.records == 1 else 's'} checked"
        if self.reference:
            line += f"; peers also from {self.reference}"
        return line + "."

    NOTHING_TO_REVISE = "None: hcpcs-lint check flags no code under HL101 here."

    def summary_sentence(self) -> str:
        """The report's first claim, in one sentence."""
        n = self.count
        where = f"the {self.release_label} release" if self.release_label else self.release_path
        if n == 0:
            return f"No Level II product code in {where} bundles a service that CPT covers."
        codes = "code" if n == 1 else "codes"
        verb = "bundles" if n == 1 else "bundle"
        classes = len(self.by_class)
        text = (
            f"{n} Level II product {codes} in {where} {verb} services in CPT's jurisdiction, "
            f"in {classes} product {'class' if classes == 1 else 'classes'}."
        )
        # Say plainly where no CPT code was named: a letter must not claim more than check does.
        unnamed = [s.code for s in self.sections if not s.families]
        if unnamed:
            text += (
                f" For {_join(unnamed)} the bundled service is a clinician's procedure on the patient, "
                "but hcpcs-lint names no CPT code for it."
            )
        return text

    def precedent_sentence(self) -> str:
        if not self.precedent:
            return ""
        parts = [f"{code_ranges(c.codes)} ({c.product_class})" for c in self.precedent]
        verb = "describes" if sum(len(c.codes) for c in self.precedent) == 1 else "describe"
        return (
            f"The clean precedent: {_join(parts)} {verb} only the product, although making "
            "them also takes the patient's cells or tissue."
        )


# -- building ------------------------------------------------------------------------------------


def build(doc: Mapping[str, Any]) -> Case:
    """The Case for a report document (see the module docstring)."""
    findings: list[Mapping[str, Any]] = list(doc.get("findings", ()))
    classes: Mapping[str, str] = doc.get("classes") or {}
    services = list(doc.get("services") or ())
    history = doc.get("history") or None
    since: Mapping[str, str] = (history or {}).get("since") or {}
    release = doc.get("release") or {}

    by_code: dict[str, list[Mapping[str, Any]]] = {}
    for f in findings:
        if f["rule"] not in CASE_RULES:
            continue
        by_code.setdefault(str(f["code"]), []).append(f)
    sections = [
        _section(code, fs, classes, services, since.get(code))
        for code, fs in by_code.items()
        if any(f["rule"] == SECTION_RULE for f in fs)
    ]
    by_class = _group((s.product_class, s.code) for s in sections)
    rank = {c.product_class: i for i, c in enumerate(by_class)}
    sections.sort(key=lambda s: (rank[s.product_class], s.code))

    flagged = {s.code for s in sections}
    peers: dict[str, Peer] = {}
    for s in sections:
        for p in s.peers:
            if p.code not in flagged:
                peers.setdefault(p.code, p)
    precedent = _group((p.product_class or OTHER_CLASS, p.code) for p in peers.values())

    used = {c for s in sections for fam in s.families for c in fam.cpt}
    families = _families(services, used)
    rule_codes = sorted({str(f["rule"]) for fs in by_code.values() for f in fs if f["code"] in flagged})
    rules = tuple(_rule_source(code, (doc.get("rules") or {}).get(code) or {}) for code in rule_codes)

    label = str(release.get("label") or "")
    if history:
        releases = tuple(
            ReleaseCounts(
                str(r.get("label") or r.get("path")),
                r.get("effective"),
                _group((str(cls) or OTHER_CLASS, str(code)) for code, cls in (r.get("codes") or {}).items()),
            )
            for r in history.get("releases", ())
        )
    else:
        releases = (ReleaseCounts(label or str(release.get("path", "")), release.get("effective"), by_class),)
    return Case(
        title="Level II product codes that bundle CPT-covered services",
        release_path=str(release.get("path", "")),
        release_label=label,
        release_effective=release.get("effective"),
        records=int(release.get("records") or 0),
        reference=doc.get("reference"),
        tool_version=str(doc.get("tool_version") or ""),
        sections=tuple(sections),
        by_class=by_class,
        precedent=precedent,
        precedent_peers=tuple(sorted(peers.values(), key=lambda p: p.code)),
        families=families,
        rules=rules,
        releases=releases,
        has_history=bool(history),
    )


def _section(
    code: str,
    findings: Sequence[Mapping[str, Any]],
    classes: Mapping[str, str],
    services: Sequence[Mapping[str, Any]],
    since: str | None,
) -> Section:
    main = [f for f in findings if f["rule"] == SECTION_RULE]
    first = main[0]
    text = str(first["descriptor"])
    spans = [(int(f["span"][0]), int(f["span"][1])) for f in main]
    fix = first.get("fix")
    proposed = None if fix is None else str(fix["descriptor"])
    # What the fix removes is what is struck, so the page and check's fix cannot disagree;
    # without a fix, the clause the finding points at.
    segments = removed(text, proposed) if proposed is not None else strike(text, spans)
    named = [str(x) for f in main for x in f.get("services") or ()]
    if not named:
        named = [_EDGE_WORDS.sub("", seg.text.strip(" ,;()")) for seg in segments if seg.struck]
    peers: dict[str, Peer] = {}
    for f in findings:
        for r in f.get("related") or ():
            rc = str(r["code"])
            if rc != code:
                peers.setdefault(rc, Peer(rc, str(r["descriptor"]), classes.get(rc, "")))
    cpt = sorted({str(c) for f in main for c in f.get("cpt") or ()})
    where = f"{first.get('path', '')}:{first['line']}" if first.get("line") else str(first.get("path", ""))
    return Section(
        code=code,
        product_class=classes.get(code) or OTHER_CLASS,
        current=text,
        segments=segments,
        proposed=proposed,
        applicability="" if fix is None else str(fix.get("applicability", "")),
        messages=tuple(dict.fromkeys(str(f["message"]) for f in findings)),
        services=tuple(dict.fromkeys(x for x in named if x)),
        families=_families(services, set(cpt)),
        peers=tuple(sorted(peers.values(), key=lambda p: p.code)),
        since=since,
        location=where,
    )


def removed(old: str, new: str) -> tuple[Segment, ...]:
    """``old`` with the words that ``new`` drops struck (a word diff; insertions are not shown)."""
    a, b = tokens(old), tokens(new)
    pieces: list[Segment] = []
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            pieces.append(Segment("".join(a[i1:i2]), struck=tag != "equal"))
    return _tidy(pieces)


def _tidy(pieces: Iterable[Segment]) -> tuple[Segment, ...]:
    """Whitespace at the edge of a struck run moves out of it (Markdown's ``~~`` needs that);
    neighbours of one kind merge."""
    out: list[Segment] = []
    for p in pieces:
        parts = [p]
        if p.struck:
            core = p.text.strip()
            lead = p.text[: len(p.text) - len(p.text.lstrip())]
            trail = p.text[len(p.text.rstrip()) :]
            parts = [Segment(lead), Segment(core, True), Segment(trail)]
        for q in parts:
            if not q.text:
                continue
            if out and out[-1].struck == q.struck:
                out[-1] = Segment(out[-1].text + q.text, q.struck)
            else:
                out.append(q)
    return tuple(out)


def strike(text: str, spans: Iterable[tuple[int, int]]) -> tuple[Segment, ...]:
    """``text`` cut into plain and struck runs; overlapping or touching spans merge."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[Segment] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], struck=True))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return _tidy(out)


def _families(services: Sequence[Mapping[str, Any]], cpt: set[str]) -> tuple[Family, ...]:
    """Catalog services whose CPT codes were cited; codes the catalog does not word stand alone."""
    out: list[Family] = []
    covered: set[str] = set()
    for s in services:
        codes = tuple(str(c) for c in s.get("cpt") or () if str(c) in cpt)
        if not codes:
            continue
        covered.update(codes)
        since = s.get("cpt_since")
        before = tuple(
            (str(b["code"]), str(b.get("until", ""))[:4])
            for b in s.get("category_iii") or ()
            if b.get("code")
        )
        fam = Family(codes, str(s.get("label", "")), str(since)[:4] if since else None, before)
        if fam not in out:
            out.append(fam)
    for c in sorted(cpt - covered):
        out.append(Family((c,), ""))
    return tuple(sorted(out, key=lambda f: f.cpt))


def _rule_source(code: str, raw: Mapping[str, Any]) -> RuleSource:
    return RuleSource(
        code=code,
        name=str(raw.get("name", "")),
        summary=str(raw.get("summary", "")),
        rationale=" ".join(str(raw.get("rationale", "")).split()),
        citations=tuple(str(c) for c in raw.get("citations") or ()),
    )


def _group(pairs: Iterable[tuple[str, str]]) -> tuple[ClassCount, ...]:
    groups: dict[str, list[str]] = {}
    for cls, code in pairs:
        groups.setdefault(cls, []).append(code)
    return tuple(
        ClassCount(cls, tuple(sorted(set(codes))))
        for cls, codes in sorted(groups.items(), key=lambda kv: (-len(set(kv[1])), kv[0]))
    )


def code_ranges(codes: Iterable[str]) -> str:
    """'J3387, J3391–J3394': runs of three or more consecutive codes become a range."""
    parsed: list[tuple[str, str, int, int, str]] = []  # (prefix, suffix, width, number, code)
    plain: list[str] = []
    for c in sorted(set(codes)):
        m = _CODE.match(c)
        if m:
            parsed.append((m.group(1), m.group(3), len(m.group(2)), int(m.group(2)), c))
        else:
            plain.append(c)
    parsed.sort()
    runs: list[list[tuple[str, str, int, int, str]]] = []
    for p in parsed:
        last = runs[-1][-1] if runs else None
        if last and last[:3] == p[:3] and p[3] == last[3] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0][4]}–{run[-1][4]}")
        else:
            parts.extend(p[4] for p in run)
    return ", ".join(parts + plain)


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
