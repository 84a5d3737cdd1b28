"""The case file as Markdown that pastes into a comment box.

Lists rather than wide tables, so it still reads where the box shows plain text; the bundled clause
is ``~~struck~~`` (GitHub, GitLab and most comment editors render it; plain text still shows it).
Characters that Markdown would take as markup in a descriptor are escaped.
"""

from __future__ import annotations

import re

from hcpcs_lint.casefile.case import Case, Family, Peer, Section, code_ranges

# Markup characters; "_" only where it could start or end emphasis (not inside a word such as a
# file name), "#" only at the start, so plain-text boxes show few backslashes.
_SPECIAL = re.compile(r"[\\`*~\[\]<]|(?<!\w)_|_(?!\w)|^#")


def esc(text: str) -> str:
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def render(case: Case) -> str:
    lines = [f"# {esc(case.title)}", "", esc(case.release_line()), "", "## Summary", ""]
    lines.append(esc(case.summary_sentence()))
    lines.append("")
    for c in case.by_class:
        lines.append(f"- {esc(c.product_class)}: {esc(code_ranges(c.codes))} ({len(c.codes)})")
    if case.by_class:
        lines.append("")
    if case.precedent:
        lines += [esc(case.precedent_sentence()), ""]
        lines += _peers(case.precedent_peers)
        lines.append("")
    lines += ["## Codes bundling services, per release and class", ""]
    for r in case.releases:
        per = "; ".join(f"{esc(c.product_class)} {len(c.codes)}" for c in r.classes) or "none"
        lines.append(f"- {esc(r.label)}: {r.total} ({per})")
    lines += ["", "## Codes to revise", ""]
    for s in case.sections:
        lines += _section(s)
    if not case.sections:
        lines += [esc(case.NOTHING_TO_REVISE), ""]
    lines += ["## Sources", ""]
    for rule in case.rules:
        lines += [f"### {rule.code} {esc(rule.name)}", ""]
        for text in (rule.summary, rule.rationale):
            if text:
                lines += [esc(text), ""]
        lines += [f"- {esc(c)}" for c in rule.citations]
        if rule.citations:
            lines.append("")
    if case.families:
        lines += ["### CPT code families cited", ""]
        lines += _families(case.families)
        lines.append("")
    lines += ["### Release", "", esc(case.release_line()), ""]
    lines.append(
        f"Written by hcpcs-lint {esc(case.tool_version)} from the findings of `hcpcs-lint check`. "
        "CPT codes are cited by number only; the wording of the services is ours, not the AMA's."
    )
    return "\n".join(lines) + "\n"


def _section(s: Section) -> list[str]:
    current = "".join(f"~~{esc(seg.text)}~~" if seg.struck else esc(seg.text) for seg in s.segments)
    lines = [f"### {s.code} ({esc(s.product_class)})", "", f"Current: {current}", ""]
    if s.proposed is not None:
        lines += [f"Proposed: {esc(s.proposed)}", ""]
    else:
        lines += ["Proposed: hcpcs-lint proposes no text for this code.", ""]
    lines += ["Services it bundles: " + "; ".join(esc(x) for x in s.services), ""]
    if s.families:
        lines += ["CPT codes for these services:", "", *_families(s.families), ""]
    if s.since:
        lines += [f"The clause has been in the descriptor since {esc(s.since)}.", ""]
    if s.peers:
        lines += ["Clean peers: comparable products whose descriptors name only the product:", ""]
        lines += [*_peers(s.peers), ""]
    return lines


def _families(families: tuple[Family, ...]) -> list[str]:
    out = []
    for f in families:
        line = f"- CPT {esc(f.numbers)}: {esc(f.label or 'not in our catalog')}"
        if f.years:
            line += f" ({esc(f.years)})"
        out.append(line)
    return out


def _peers(peers: tuple[Peer, ...]) -> list[str]:
    return [f"- {p.code}: {esc(p.descriptor)}" for p in peers]
