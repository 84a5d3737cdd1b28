"""The case file as one self-contained HTML page: CSS and charts inline, no script, no network.

A Content-Security-Policy that allows nothing from outside the page makes "self-contained" a
property the browser enforces (the browser test fails on any blocked request). The page reads on a
phone (one column, tables scroll sideways) and prints (print CSS: no colour fills, a code's section
kept on one page where it fits).
"""

from __future__ import annotations

from html import escape

from hcpcs_lint.casefile.case import Case, Family, Peer, Section

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --del: #a40e26; --ins: #116329;
        --fill: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 62rem; padding: 1rem; color: var(--ink); line-height: 1.5;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.3rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin: 0 0 .5rem; }
.meta, .note { color: var(--muted); font-size: .9rem; }
.code { border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.descriptor { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92rem;
              overflow-wrap: anywhere; background: var(--fill); padding: .4rem .6rem; border-radius: 4px;
              margin: .2rem 0 .6rem; }
del { color: var(--del); text-decoration: line-through; text-decoration-thickness: 2px; }
.proposed { border-left: 4px solid var(--ins); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--fill); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dt { font-weight: 600; margin-top: .5rem; }
dd { margin: 0; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
nav ol { columns: 14rem; padding-left: 1.2rem; }
@media (max-width: 40rem) { body { font-size: 15px; padding: .6rem; } .code { padding: .6rem; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  .code { break-inside: avoid; border-color: #999; }
  .descriptor, th { background: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  @page { margin: 18mm 16mm; }
}
"""


def render(case: Case) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{escape(case.title)}</title>",
        f"<style>{CSS}</style>",
        "</head><body>",
        "<header>",
        f"<h1>{escape(case.title)}</h1>",
        f'<p class="meta">{escape(case.release_line())}</p>',
        "</header>",
        _summary(case),
        _charts(case),
        _sections(case),
        _sources(case),
        f'<footer class="note"><p>Written by hcpcs-lint {escape(case.tool_version)} from the findings of '
        "<code>hcpcs-lint check</code>. CPT codes are cited by number only; the wording of the "
        "services is ours, not the AMA's.</p></footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(case: Case) -> str:
    out = ['<section id="summary">', "<h2>Summary</h2>", f"<p>{escape(case.summary_sentence())}</p>"]
    if case.by_class:
        out.append('<div class="scroll"><table><thead><tr><th>Product class</th><th>Codes</th>')
        out.append("<th>Count</th></tr></thead><tbody>")
        for c in case.by_class:
            links = ", ".join(_code_link(code) for code in c.codes)
            out.append(
                f"<tr><td>{escape(c.product_class)}</td><td>{links}</td>"
                f'<td class="num">{len(c.codes)}</td></tr>'
            )
        out.append("</tbody></table></div>")
    if case.precedent:
        out.append(f"<p>{escape(case.precedent_sentence())}</p>")
        out.append(_peer_table(case.precedent_peers))
    out.append("</section>")
    return "\n".join(out)


def _charts(case: Case) -> str:
    from hcpcs_lint.casefile.chart import CHART_TITLE, chart_svg

    out = ['<section id="charts">', "<h2>Codes bundling services, per release and class</h2>"]
    out.append(f'<figure role="img" aria-label="{escape(CHART_TITLE)}">{chart_svg(case)}')
    out.append("<figcaption class='note'>The same numbers as the table below.</figcaption></figure>")
    out.append(_counts_table(case))
    out.append("</section>")
    return "\n".join(out)


def _counts_table(case: Case) -> str:
    labels, series = case.chart_series()
    head = "".join(f"<th>{escape(name)}</th>" for name, _ in series)
    rows = []
    for i, (label, r) in enumerate(zip(labels, case.releases, strict=True)):
        cells = "".join(f'<td class="num">{values[i]}</td>' for _, values in series)
        rows.append(f'<tr><td>{escape(label)}</td>{cells}<td class="num">{r.total}</td></tr>')
    return (
        f'<div class="scroll"><table><thead><tr><th>Release</th>{head}<th>All</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _sections(case: Case) -> str:
    out = ['<section id="codes">', "<h2>Codes to revise</h2>"]
    if case.sections:
        out.append("<nav><ol>")
        out += [f"<li>{_code_link(s.code)}</li>" for s in case.sections]
        out.append("</ol></nav>")
    out += [_section(s) for s in case.sections] or [f"<p>{escape(case.NOTHING_TO_REVISE)}</p>"]
    out.append("</section>")
    return "\n".join(out)


def _section(s: Section) -> str:
    current = "".join(
        f"<del>{escape(seg.text)}</del>" if seg.struck else escape(seg.text) for seg in s.segments
    )
    if s.proposed is not None:
        proposed = f'<p class="descriptor proposed">{escape(s.proposed)}</p>'
        if s.applicability == "unsafe":
            proposed += '<p class="note">It changes what the code describes: for the committee to review.</p>'
    else:
        proposed = '<p class="note">hcpcs-lint proposes no text for this code.</p>'
    out = [
        f'<article class="code" id="{escape(s.anchor)}" data-code="{escape(s.code)}">',
        f"<h3>{escape(s.code)} <span class='note'>{escape(s.product_class)}</span></h3>",
        "<dl>",
        "<dt>Current descriptor (bundled services struck through)</dt>",
        f'<dd><p class="descriptor">{current}</p></dd>',
        "<dt>Proposed descriptor</dt>",
        f"<dd>{proposed}</dd>",
        "<dt>Services it bundles</dt>",
        "<dd><ul>" + "".join(f"<li>{escape(x)}</li>" for x in s.services) + "</ul></dd>",
    ]
    if s.families:
        out += ["<dt>CPT codes for these services</dt>", f"<dd>{_family_table(s.families)}</dd>"]
    if s.since:
        out += ["<dt>Since</dt>", f"<dd>The clause has been in the descriptor since {escape(s.since)}.</dd>"]
    if s.peers:
        out += [
            "<dt>Clean peers: comparable products whose descriptors name only the product</dt>",
            f"<dd>{_peer_table(s.peers)}</dd>",
        ]
    out += ["<dt>What hcpcs-lint check reports</dt>", "<dd><ul>"]
    out += [f"<li>{escape(m)}</li>" for m in s.messages]
    out += ["</ul></dd>", "</dl>"]
    if s.location:
        out.append(f'<p class="note">{escape(s.location)}</p>')
    out.append("</article>")
    return "\n".join(out)


def _family_table(families: tuple[Family, ...]) -> str:
    rows = "".join(
        f"<tr><td>{escape(f.numbers)}</td><td>{escape(f.label or 'not in our catalog')}</td>"
        f"<td>{escape(f.years)}</td></tr>"
        for f in families
    )
    return (
        '<div class="scroll"><table><thead><tr><th>CPT</th><th>Service (our wording)</th>'
        f"<th>In CPT</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _peer_table(peers: tuple[Peer, ...]) -> str:
    rows = "".join(
        f"<tr><td>{escape(p.code)}</td><td>{escape(p.descriptor)}</td><td>{escape(p.product_class)}</td></tr>"
        for p in peers
    )
    return (
        '<div class="scroll"><table><thead><tr><th>Code</th><th>Descriptor</th><th>Class</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _sources(case: Case) -> str:
    out = ['<section id="sources">', "<h2>Sources</h2>"]
    for rule in case.rules:
        out.append(f"<h3>{escape(rule.code)} {escape(rule.name)}</h3>")
        if rule.summary:
            out.append(f"<p>{escape(rule.summary)}</p>")
        if rule.rationale:
            out.append(f"<p>{escape(rule.rationale)}</p>")
        if rule.citations:
            out.append("<ul>" + "".join(f"<li>{escape(c)}</li>" for c in rule.citations) + "</ul>")
    if case.families:
        out.append("<h3>CPT code families cited</h3>")
        out.append(_family_table(case.families))
    out.append("<h3>Release</h3>")
    out.append(f"<p>{escape(case.release_line())}</p>")
    out.append("</section>")
    return "\n".join(out)


def _code_link(code: str) -> str:
    return f'<a href="#code-{escape(code)}">{escape(code)}</a>'
