"""The case file: built from check's findings JSON, rendered as Markdown, HTML and Word.

These tests use findings in check's JSON shape written out here (real CMS descriptors of Q2041,
Q2043 and J3393/J3394), so they need neither the real releases nor a browser.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from hcpcs_lint.casefile import render
from hcpcs_lint.casefile.case import build, code_ranges, removed, strike
from tests.helpers import Q2041

Q2041_FIX = (
    "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, "
    "per therapeutic dose"
)
Q2043 = (
    "Sipuleucel-t, minimum of 50 million autologous cd54+ cells activated with pap-gm-csf, including "
    "leukapheresis and all other preparatory procedures, per infusion"
)
Q2043_FIX = (
    "Sipuleucel-t, minimum of 50 million autologous cd54+ cells activated with pap-gm-csf, per infusion"
)
CLAUSE = "including leukapheresis and dose preparation procedures"
PEERS = {
    "J3393": "Injection, betibeglogene autotemcel, per treatment",
    "J3394": "Injection, lovotibeglogene autotemcel, per treatment",
    "J3392": "Injection, exagamglogene autotemcel, per treatment",
}
GENE = "Autologous hematopoietic stem-cell gene therapies"


def finding(code: str, rule: str, text: str, clause: str, fix: str | None, **kw: Any) -> dict[str, Any]:
    start = text.index(clause)
    return {
        "path": "drafts/cart.csv",
        "member": None,
        "line": 2,
        "column": 1,
        "end_column": None,
        "code": code,
        "rule": rule,
        "name": "x",
        "group": "g",
        "severity": "error",
        "message": f"{code} message from {rule}",
        "descriptor": text,
        "span": [start, start + len(clause)],
        "cpt": kw.get("cpt", []),
        "services": kw.get("services", []),
        "related": [{"code": c, "descriptor": d, "note": ""} for c, d in kw.get("related", {}).items()],
        "fix": None if fix is None else {"applicability": "unsafe", "descriptor": fix, "message": ""},
    }


def document(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "findings": [
            finding(
                "Q2041",
                "HL101",
                Q2041,
                CLAUSE,
                Q2041_FIX,
                cpt=["38225", "38226", "38227"],
                services=["leukapheresis", "dose preparation procedures"],
            ),
            finding("Q2041", "HL201", Q2041, CLAUSE, None, related=PEERS),
            finding(
                "Q2043",
                "HL101",
                Q2043,
                "including leukapheresis and all other preparatory procedures",
                Q2043_FIX,
            ),
            # a finding of another rule on a code HL101 does not flag: no section of its own
            finding("Q2099", "HL301", Q2041, "car positive", None),
            # a style finding on a flagged code stays out of the case
            finding("Q2041", "HL301", Q2041, "car positive", None),
        ],
        "release": {"path": "HCPC2025_OCT_ANWEB.xlsx", "label": "October 2025", "effective": "2025-10-01"},
        "rules": {
            "HL101": {
                "name": "level2-includes-cpt-service",
                "summary": "A Level II product code includes a CPT service.",
                "rationale": "Level II covers what is not in CPT's jurisdiction.",
                "citations": ["HCPCS Level II Coding Procedures (CMS)"],
            }
        },
        "services": [
            {
                "label": "Collecting the patient's T cells",
                "cpt": ["38225"],
                "cpt_since": "2025-01-01",
                "category_iii": [{"code": "0537T", "until": "2024-12-31"}],
            },
            {"label": "Readying cells for transport", "cpt": ["38226"], "cpt_since": "2025-01-01"},
            {"label": "Giving the cells", "cpt": ["38228"], "cpt_since": "2025-01-01"},
        ],
        "classes": {"Q2041": "CAR-T", "Q2043": "Leukocyte cell therapies", **dict.fromkeys(PEERS, GENE)},
        "history": None,
    }
    doc.update(over)
    return doc


def test_a_section_per_hl101_code_with_check_s_fix_as_the_proposal() -> None:
    case = build(document())
    assert [s.code for s in case.sections] == ["Q2041", "Q2043"]
    by = {s.code: s for s in case.sections}
    assert by["Q2041"].proposed == Q2041_FIX
    assert by["Q2043"].proposed == Q2043_FIX
    struck = [seg.text for seg in by["Q2041"].segments if seg.struck]
    assert struck == [CLAUSE + ","]
    assert "".join(seg.text for seg in by["Q2041"].segments) == Q2041
    assert by["Q2041"].services == ("leukapheresis", "dose preparation procedures")
    # without the finding's services, the words check's fix removes
    assert by["Q2043"].services == ("including leukapheresis and all other preparatory procedures",)
    # peers come from the findings' related codes, with their class
    assert [p.code for p in by["Q2041"].peers] == ["J3392", "J3393", "J3394"]
    assert {p.product_class for p in by["Q2041"].peers} == {GENE}
    # both messages check gave for the code are kept word for word
    assert by["Q2041"].messages == ("Q2041 message from HL101", "Q2041 message from HL201")


def test_summary_counts_classes_and_computes_the_precedent_from_peers() -> None:
    case = build(document())
    assert case.count == 2
    assert case.summary_sentence().startswith("2 Level II product codes in the October 2025 release bundle")
    assert [(c.product_class, c.codes) for c in case.by_class] == [
        ("CAR-T", ("Q2041",)),
        ("Leukocyte cell therapies", ("Q2043",)),
    ]
    assert [(c.product_class, c.codes) for c in case.precedent] == [(GENE, ("J3392", "J3393", "J3394"))]
    assert f"J3392–J3394 ({GENE}) describe only the product" in case.precedent_sentence()


def test_cpt_families_carry_our_wording_and_years_only_for_codes_check_cited() -> None:
    s = build(document()).sections[0]
    assert [(f.cpt, f.label) for f in s.families] == [
        (("38225",), "Collecting the patient's T cells"),
        (("38226",), "Readying cells for transport"),
        (("38227",), ""),  # cited by check, no wording in the catalog: the number alone
    ]
    assert s.families[0].years == "CPT since 2025; Category III 0537T until 2024"


def test_no_fix_means_no_proposal_and_the_finding_span_is_struck() -> None:
    doc = document()
    doc["findings"][2]["fix"] = None
    s = {s.code: s for s in build(doc).sections}["Q2043"]
    assert s.proposed is None
    assert [seg.text for seg in s.segments if seg.struck] == [
        "including leukapheresis and all other preparatory procedures"
    ]


def test_history_gives_releases_and_since() -> None:
    hist = {
        "releases": [
            {"label": "2019", "effective": "2019-01-01", "codes": {"Q2041": "CAR-T", "Q2042": "CAR-T"}},
            {"label": "October 2025", "effective": "2025-10-01", "codes": {"Q2041": "CAR-T", "Q2043": ""}},
        ],
        "since": {"Q2041": "2019"},
    }
    case = build(document(history=hist))
    assert case.has_history
    assert [(r.label, r.total) for r in case.releases] == [("2019", 2), ("October 2025", 2)]
    assert case.sections[0].since == "2019"


@pytest.mark.parametrize(
    ("codes", "text"),
    [
        (["J3394", "J3391", "J3393", "J3392", "J3387"], "J3387, J3391–J3394"),
        (["Q2041", "Q2042"], "Q2041, Q2042"),
        (["38227", "38225", "38226"], "38225–38227"),
        (["0539T", "0537T", "0538T", "C1832"], "0537T–0539T, C1832"),
    ],
)
def test_code_ranges(codes: list[str], text: str) -> None:
    assert code_ranges(codes) == text


def test_struck_runs_keep_the_text_and_never_end_in_a_space() -> None:
    segs = removed("a, including b and c, per dose", "a, per dose")
    assert "".join(s.text for s in segs) == "a, including b and c, per dose"
    struck = [s.text for s in segs if s.struck]
    assert [t.strip(" ,") for t in struck] == ["including b and c"]
    assert all(t == t.strip() for t in struck)
    segs = strike("abc def ghi", [(3, 8), (6, 9)])
    assert [(s.text, s.struck) for s in segs] == [("abc ", False), ("def g", True), ("hi", False)]


def test_markdown_strikes_the_clause_and_proposes_check_s_fix() -> None:
    md = render("md", build(document())).decode()
    assert f"~~{CLAUSE},~~ per therapeutic dose" in md
    assert f"Proposed: {Q2041_FIX}\n" in md
    assert "### Q2041 (CAR-T)" in md and "### Q2043" in md and "Q2099" not in md
    assert (
        "- CPT 38225: Collecting the patient's T cells (CPT since 2025; Category III 0537T until 2024)" in md
    )
    assert "- J3393: Injection, betibeglogene autotemcel, per treatment" in md
    # it pastes into a comment box: no HTML, no wide tables, nothing but text and list marks
    assert not re.search(r"<[a-zA-Z/!]", md)
    assert not any(line.startswith("|") for line in md.splitlines())
    # descriptors with markup characters are escaped, so a comment box shows them as written
    doc = document()
    doc["findings"][0]["fix"]["descriptor"] = "Cells *per* _dose_ of file_name.xlsx"
    assert "Proposed: Cells \\*per\\* \\_dose\\_ of file_name.xlsx\n" in render("md", build(doc)).decode()


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.articles: list[str] = []
        self.external: list[str] = []
        self.dels: list[str] = []
        self._in_del = False
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article":
            self.articles.append(a.get("id") or "")
        for key in ("src", "href"):
            v = a.get(key) or ""
            if v and not v.startswith(("#", "data:")):
                self.external.append(v)
        if tag == "link":
            self.external.append(str(a))
        self.scripts += tag == "script"
        self._in_del = self._in_del or tag == "del"

    def handle_endtag(self, tag: str) -> None:
        self._in_del = self._in_del and tag != "del"

    def handle_data(self, data: str) -> None:
        if self._in_del:
            self.dels.append(data)


def test_html_is_one_self_contained_page() -> None:
    page = render("html", build(document())).decode()
    outline = _Outline()
    outline.feed(page)
    assert outline.articles == ["code-Q2041", "code-Q2043"]
    assert outline.external == [] and outline.scripts == 0
    assert CLAUSE + "," in outline.dels
    assert "default-src 'none'" in page  # the browser itself refuses anything from outside
    assert "@media print" in page and 'name="viewport"' in page
    assert not re.search(r"url\((?!#)|@import|<!DOCTYPE svg|<\?xml", page)  # url(#id) stays in the page
    # the chart is inline SVG; the only addresses on the page are the SVG namespaces
    assert page.count("<svg") == 1
    assert set(re.findall(r"https?://[^\"'\s<>]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert f'<p class="descriptor proposed">{Q2041_FIX}</p>' in page


def test_docx_has_headings_tables_and_a_struck_clause() -> None:
    docx = pytest.importorskip("docx")
    data = render("docx", build(document()))
    doc = docx.Document(io.BytesIO(data))
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert ("Heading 1", "Summary") in headings and ("Heading 1", "Sources") in headings
    assert ("Heading 2", "Q2041 (CAR-T)") in headings and (
        "Heading 2",
        "Q2043 (Leukocyte cell therapies)",
    ) in headings
    struck = [r.text for p in doc.paragraphs for r in p.runs if r.font.strike]
    assert struck == [CLAUSE + ",", "including leukapheresis and all other preparatory procedures,"]
    proposed = [p.text for p in doc.paragraphs if p.text.startswith("Proposed descriptor: ")]
    assert proposed == [f"Proposed descriptor: {Q2041_FIX}", f"Proposed descriptor: {Q2043_FIX}"]
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["CPT", "Service (our wording)", "In CPT"] in headers
    assert ["Code", "Descriptor", "Class"] in headers
    assert len(doc.inline_shapes) == 1  # the chart, as a PNG
    peer_rows = [
        [c.text for c in r.cells] for t in doc.tables for r in t.rows[1:] if r.cells[0].text == "J3393"
    ]
    assert [PEERS["J3393"]] == [row[1] for row in peer_rows[:1]]


def test_chart_series_follow_the_releases_and_classes() -> None:
    hist = {
        "releases": [
            {"label": "2019", "codes": {"Q2041": "CAR-T", "Q2043": "Leukocyte cell therapies"}},
            {
                "label": "2026",
                "codes": {"Q2041": "CAR-T", "Q2042": "CAR-T", "Q2043": "Leukocyte cell therapies"},
            },
        ],
        "since": {},
    }
    labels, series = build(document(history=hist)).chart_series()
    assert labels == ["2019", "2026"]
    assert series == [("CAR-T", [1, 2]), ("Leukocyte cell therapies", [1, 1])]
    svg = render("html", build(document(history=hist))).decode()
    assert ">2019<" in svg and ">2026<" in svg  # text stays text in the inline SVG
