"""PDF drafts: the same records as the text they print, by page and line; two columns read once each."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_lint.model import InputError, NoDescriptors
from hcpcs_lint.sources import detect_format, load
from hcpcs_lint.sources.pdf import extract_pages
from tests.sources.pdfgen import decisions_requests, text_pdf, two_column_pdf

SUMMARY = Path(__file__).resolve().parents[2] / "corpora" / "drafts" / "application-summary.txt"
PER_PAGE = 45


def _page_and_line(text: str, line: int) -> tuple[int, int]:
    """Where line ``line`` of the text lands in ``text_pdf``: blank lines print nothing and are not counted."""
    lines = text.splitlines()
    page = (line - 1) // PER_PAGE + 1
    first = (page - 1) * PER_PAGE
    return page, sum(1 for x in lines[first:line] if x.strip())


def test_pdf_of_the_application_summary_gives_the_txt_records_at_page_and_line(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "summary.pdf", SUMMARY.read_text(), lines_per_page=PER_PAGE)
    assert detect_format(str(pdf), pdf.read_bytes()[:1024]) == "pdf"
    from_txt = list(load(str(SUMMARY)))
    from_pdf = list(load(str(pdf)))
    assert [(r.code, r.long, r.request, r.request_kind, r.current) for r in from_pdf] == [
        (r.code, r.long, r.request, r.request_kind, r.current) for r in from_txt
    ]
    text = SUMMARY.read_text()
    assert [(r.location.page, r.location.line) for r in from_pdf] == [
        _page_and_line(text, r.location.line or 0) for r in from_txt
    ]
    assert {r.location.page for r in from_pdf} == {1, 2}
    assert all(r.location.offset is None and r.location.column is None for r in from_pdf)
    first = from_pdf[0]
    assert str(first.location) == f"{pdf}:page {first.location.page}:{first.location.line}"


@pytest.mark.parametrize("copies", [1, 30])
def test_two_column_pdf_gives_each_quoted_descriptor_once(tmp_path: Path, copies: int) -> None:
    requests = decisions_requests(copies)
    pdf = two_column_pdf(tmp_path / "decisions.pdf", requests)
    records = list(load(str(pdf)))
    assert len(records) == len(requests)  # one per request although both columns quote it
    assert [r.request for r in records] == [heading.split("#")[1] for heading, _, _ in requests]
    tisa, exa = records[0], records[1]
    assert tisa.long == (
        "Tisagenlecleucel, up to 600 million car-positive viable t cells, including leukapheresis and "
        "dose preparation procedures, per therapeutic dose"
    )
    assert exa.long == "Injection, exagamglogene autotemcel, per treatment"
    assert (tisa.code, tisa.request_kind, tisa.location.page, tisa.location.line) == ("QXXXX", "new", 1, 3)
    if copies > 1:
        assert max(r.location.page or 0 for r in records) > 1


def test_two_column_page_is_read_left_column_first(tmp_path: Path) -> None:
    pdf = two_column_pdf(tmp_path / "d.pdf", decisions_requests(1))
    (page,) = extract_pages(str(pdf), pdf.read_bytes())
    assert page[:3] == [
        "Request #26.041",
        "Applicant's suggested language: QXXXX",
        '"Tisagenlecleucel, up to 600 million car-',
    ]
    assert page.index("Preliminary recommendation: establish") == 6  # after the five left lines
    assert all("Applicant" not in line or "Preliminary" not in line for line in page)


def test_damaged_and_textless_pdfs_are_named_errors(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "ok.pdf", "JXXXX: Injection, foo, per dose\n")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(pdf.read_bytes()[:200])
    with pytest.raises(InputError, match="cannot read PDF"):
        list(load(str(broken)))
    from fpdf import FPDF

    blank = FPDF()
    blank.add_page()
    blank.rect(20, 20, 50, 50)
    empty = tmp_path / "scan.pdf"
    blank.output(str(empty))
    with pytest.raises(NoDescriptors, match=r"1 page\(s\) have no text layer"):
        list(load(str(empty)))
    (record,) = load(str(pdf))
    assert (record.code, record.long, str(record.location)) == (
        "JXXXX",
        "Injection, foo, per dose",
        f"{pdf}:page 1:1",
    )
