"""The case file as a Word document (python-docx): what policy staff actually edit.

Real headings (Heading 1-3, so Word's navigation pane lists every code), real tables with a
header row, the bundled clause as struck-through runs, and the chart as a PNG picture.
"""

from __future__ import annotations

import io
from typing import Any

from hcpcs_lint.casefile.case import Case, Family, Peer, Section, code_ranges


def render(case: Case) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = case.title
    doc.core_properties.author = "hcpcs-lint"
    doc.add_heading(case.title, level=0)
    doc.add_paragraph(case.release_line())

    doc.add_heading("Summary", level=1)
    doc.add_paragraph(case.summary_sentence())
    if case.by_class:
        _table(
            doc,
            ["Product class", "Codes", "Count"],
            [[c.product_class, code_ranges(c.codes), str(len(c.codes))] for c in case.by_class],
        )
    if case.precedent:
        doc.add_paragraph(case.precedent_sentence())
        _peer_table(doc, case.precedent_peers)

    doc.add_heading("Codes bundling services, per release and class", level=1)
    labels, series = case.chart_series()
    rows = [
        [label, *(str(values[i]) for _, values in series), str(r.total)]
        for i, (label, r) in enumerate(zip(labels, case.releases, strict=True))
    ]
    from docx.shared import Inches

    from hcpcs_lint.casefile.chart import chart_png

    doc.add_picture(io.BytesIO(chart_png(case)), width=Inches(6.5))
    _table(doc, ["Release", *(name for name, _ in series), "All"], rows)

    doc.add_heading("Codes to revise", level=1)
    for s in case.sections:
        _section(doc, s)
    if not case.sections:
        doc.add_paragraph(case.NOTHING_TO_REVISE)

    doc.add_heading("Sources", level=1)
    for rule in case.rules:
        doc.add_heading(f"{rule.code} {rule.name}", level=2)
        for text in (rule.summary, rule.rationale):
            if text:
                doc.add_paragraph(text)
        for c in rule.citations:
            doc.add_paragraph(c, style="List Bullet")
    if case.families:
        doc.add_heading("CPT code families cited", level=2)
        _family_table(doc, case.families)
    doc.add_heading("Release", level=2)
    doc.add_paragraph(case.release_line())
    doc.add_paragraph(
        f"Written by hcpcs-lint {case.tool_version} from the findings of hcpcs-lint check. CPT codes "
        "are cited by number only; the wording of the services is ours, not the AMA's."
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _section(doc: Any, s: Section) -> None:
    doc.add_heading(f"{s.code} ({s.product_class})", level=2)
    p = doc.add_paragraph()
    p.add_run("Current descriptor: ").bold = True
    for seg in s.segments:
        run = p.add_run(seg.text)
        run.font.strike = seg.struck
    p = doc.add_paragraph()
    p.add_run("Proposed descriptor: ").bold = True
    p.add_run(s.proposed if s.proposed is not None else "hcpcs-lint proposes no text for this code.")
    p = doc.add_paragraph()
    p.add_run("Services it bundles: ").bold = True
    p.add_run("; ".join(s.services))
    if s.since:
        doc.add_paragraph(f"The clause has been in the descriptor since {s.since}.")
    if s.families:
        _family_table(doc, s.families)
    if s.peers:
        doc.add_paragraph("Clean peers: comparable products whose descriptors name only the product:")
        _peer_table(doc, s.peers)


def _family_table(doc: Any, families: tuple[Family, ...]) -> None:
    _table(
        doc,
        ["CPT", "Service (our wording)", "In CPT"],
        [[f.numbers, f.label or "not in our catalog", f.years] for f in families],
    )


def _peer_table(doc: Any, peers: tuple[Peer, ...]) -> None:
    _table(doc, ["Code", "Descriptor", "Class"], [[p.code, p.descriptor, p.product_class] for p in peers])


def _table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
