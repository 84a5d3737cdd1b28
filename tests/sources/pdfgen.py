"""Test PDFs made with fpdf2: a text laid out line for line, and a two-column decisions document.

Both use the PDF core font Helvetica with the Windows-1252 encoding, so curly quotes survive without
shipping a TrueType font. The two-column document draws each printed row left then right, the order
that makes position-sorted extractors run the columns together; the reader must still give each
quoted descriptor once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

LINE_HEIGHT = 4.5


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 12)
    return pdf


def text_pdf(path: Path, text: str, *, lines_per_page: int = 45) -> Path:
    """Each line of ``text`` becomes one printed line; a new page every ``lines_per_page`` lines."""
    pdf = _pdf()
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index % lines_per_page == 0:
            pdf.add_page()
            pdf.set_font("Helvetica", size=8.5)
        pdf.cell(0, LINE_HEIGHT, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def two_column_pdf(
    path: Path, requests: Sequence[tuple[str, Sequence[str], Sequence[str]]], *, rows_per_page: int = 50
) -> Path:
    """Per request: a full-width heading, then left and right column lines side by side.

    ``requests`` holds ``(heading, left lines, right lines)``; lines are printed as given (a line ending
    in a hyphen is a hyphen break, as typesetting makes them).
    """
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("Helvetica", size=8.5)
    row = 0
    for heading, left, right in requests:
        height = 2 + max(len(left), len(right))
        if row + height > rows_per_page:
            pdf.add_page()
            row = 0
        pdf.set_font("Helvetica", style="B", size=9)
        pdf.set_xy(12, 12 + row * LINE_HEIGHT)
        pdf.cell(0, LINE_HEIGHT, heading)
        pdf.set_font("Helvetica", size=8.5)
        row += 1
        for i in range(max(len(left), len(right))):
            y = 12 + row * LINE_HEIGHT
            if i < len(left):
                pdf.set_xy(12, y)
                pdf.cell(88, LINE_HEIGHT, left[i])
            if i < len(right):
                pdf.set_xy(108, y)
                pdf.cell(88, LINE_HEIGHT, right[i])
            row += 1
        row += 1
    pdf.output(str(path))
    return path


def decisions_requests(copies: int = 1) -> list[tuple[str, list[str], list[str]]]:
    """Requests in two columns: the applicant's language left, the recommendation (same text) right."""
    base = [
        (
            "Request #26.041",
            [
                "Applicant's suggested language: QXXXX",
                '"Tisagenlecleucel, up to 600 million car-',
                "positive viable t cells, including leukaphe-",
                "resis and dose preparation procedures, per",
                'therapeutic dose".',
            ],
            [
                "Preliminary recommendation: establish",
                'new code QXXXX "Tisagenlecleucel, up to 600',
                "million car-positive viable t cells, including",
                "leukapheresis and dose preparation proce-",
                'dures, per therapeutic dose".',
            ],
        ),
        (
            "Request #26.042",
            [
                "Applicant's suggested language: JXXXX",
                "\u201cInjection, exagamglogene autotemcel, per",
                "treatment\u201d.",
            ],
            [
                "Preliminary recommendation: establish",
                "new code JXXXX \u201cInjection, exagamglogene",
                "autotemcel, per treatment\u201d.",
            ],
        ),
    ]
    out = []
    for n in range(copies * len(base)):
        heading, left, right = base[n % len(base)]
        number = heading if n < len(base) else f"Request #{26 + (41 + n) // 1000}.{(41 + n) % 1000:03d}"
        out.append((number, left, right))
    return out
