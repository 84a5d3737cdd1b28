"""PDF drafts (CMS application summaries, coding decisions): text in reading order, then the draft reader.

Text comes from PDFium (pypdfium2; see docs/pdf.md for the comparison with pypdf and pdfplumber).
Plain extraction follows the content stream or sorts by position, and either way a page printed in two
columns comes out with both columns run together on each line. So the page is rebuilt from PDFium's
text segments and their boxes: segments on one baseline form a line, and when many lines split at the
same gap near the middle of the page the page has two columns. Side by side text (as in CMS's
tables: the request on the left, the recommendation on the right) is read in blocks: a blank band
across both columns, or a full-width line that crosses the gap, ends a block, and within a block the
left column is read first, then the right. PDFium marks a hyphen that ends a line
with a control character; it becomes a hyphen again, and the draft reader joins the broken word.

Positions are ``page N`` and the text line on that page in reading order (``file.pdf:page 2:14``);
records never carry a file offset, so ``--fix`` cannot splice into a PDF.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from statistics import median

from hcpcs_lint.model import InputError, Location, NoDescriptors, Record

_HYPHENS = str.maketrans({"\x02": "-", "\ufffe": "-", "\u00ad": "-", "\r": " ", "\n": " "})
_MIN_SPLIT_LINES = 2  # lines that must split at the same gap before a page counts as two columns
_MIN_COLUMN_SHARE = 0.2  # each column at least this share of the page width (a code column is not one)


@dataclass
class _Segment:
    left: float
    bottom: float
    right: float
    top: float
    text: str

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def read_pdf(path: str, data: bytes) -> Iterator[Record]:
    """Records of a PDF draft, located by page and line; see the module docstring."""
    pages = extract_pages(path, data)
    text_lines: list[str] = []
    where: list[tuple[int, int]] = []  # per line of the joined text: (page, text line on the page)
    for number, lines in enumerate(pages, 1):
        count = 0
        for line in lines:
            if line:
                count += 1
            text_lines.append(line)
            where.append((number, max(count, 1)))
    if not any(text_lines):
        raise NoDescriptors(
            path,
            f"no HCPCS descriptors found in {path}: its {len(pages)} page(s) have no text layer "
            "(a scanned PDF needs OCR first)",
        )
    from hcpcs_lint.sources.draft import read_draft

    def place(location: Location) -> Location:
        page, on_page = where[(location.line or 1) - 1]
        return Location(path, line=on_page, page=page)

    for record in read_draft(path, "\n".join(text_lines) + "\n"):
        current = record.current_location
        yield replace(record, location=place(record.location), current_location=current and place(current))


def extract_pages(path: str, data: bytes) -> list[list[str]]:
    """Each page's text lines in reading order; ``""`` marks a gap (a paragraph break)."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError(path, f"cannot read PDF: {exc}") from None
    try:
        pages: list[list[str]] = []
        for index in range(len(document)):
            page = document[index]
            try:
                width = page.get_width()
                textpage = page.get_textpage()
                try:
                    segments = _segments(textpage)
                finally:
                    textpage.close()
            finally:
                page.close()
            pages.append(_reading_order(segments, width))
        return pages
    except pdfium.PdfiumError as exc:
        raise InputError(path, f"cannot read PDF: {exc}") from None
    finally:
        document.close()


def _segments(textpage: object) -> list[_Segment]:
    out: list[_Segment] = []
    count = textpage.count_rects()  # type: ignore[attr-defined]
    for i in range(count):
        left, bottom, right, top = textpage.get_rect(i)  # type: ignore[attr-defined]
        text = textpage.get_text_bounded(left, bottom, right, top).translate(_HYPHENS)  # type: ignore[attr-defined]
        if text.strip():
            out.append(_Segment(left, bottom, right, top, text))
    return out


def _lines(segments: list[_Segment]) -> list[list[_Segment]]:
    """Segments grouped by baseline, top of the page first, each line left to right."""
    lines: list[list[_Segment]] = []
    for seg in sorted(segments, key=lambda s: -s.middle):
        if lines:
            last = lines[-1]
            height = max(s.top - s.bottom for s in last)
            if abs(last[0].middle - seg.middle) <= height / 2:
                last.append(seg)
                continue
        lines.append([seg])
    for line in lines:
        line.sort(key=lambda s: s.left)
    return lines


def _gutter(lines: list[list[_Segment]], width: float) -> float | None:
    """The x of a gap that splits enough lines into two wide columns, or None for one column."""
    gaps: list[tuple[float, float]] = []
    for line in lines:
        for a, b in itertools.pairwise(line):
            if b.left - a.right >= 6 and 0.25 * width <= (a.right + b.left) / 2 <= 0.75 * width:
                gaps.append((a.right, b.left))
    if len(gaps) < _MIN_SPLIT_LINES:
        return None
    # The point inside most gaps (ties: the leftmost).
    best_x, best_count = 0.0, 0
    for x in sorted({(a + b) / 2 for a, b in gaps}):
        count = sum(1 for a, b in gaps if a < x < b)
        if count > best_count:
            best_x, best_count = x, count
    if best_count < _MIN_SPLIT_LINES:
        return None
    left = [sum(s.right - s.left for s in line if s.right <= best_x) for line in lines]
    right = [sum(s.right - s.left for s in line if s.left >= best_x) for line in lines]
    wide_left = median([w for w in left if w] or [0]) >= _MIN_COLUMN_SHARE * width
    wide_right = median([w for w in right if w] or [0]) >= _MIN_COLUMN_SHARE * width
    return best_x if wide_left and wide_right else None


def _reading_order(segments: list[_Segment], width: float) -> list[str]:
    lines = _lines(segments)
    if not lines:
        return []
    page = _Page(median(s.top - s.bottom for line in lines for s in line))
    gutter = _gutter(lines, width)
    left: list[list[_Segment]] = []
    right: list[list[_Segment]] = []

    def flush() -> None:
        for column in (left, right):
            for line in column:
                page.emit(line)
            column.clear()

    above: list[_Segment] | None = None
    for line in lines:
        if gutter is None or any(s.left < gutter < s.right for s in line):
            flush()
            page.emit(line)
            above = line
            continue
        if above is not None and page.gap_between(above, line):
            flush()  # a blank band across both columns ends a block of side-by-side text
        above = line
        if parts := [s for s in line if s.right <= gutter]:
            left.append(parts)
        if parts := [s for s in line if s.left >= gutter]:
            right.append(parts)
    flush()
    return page.out


class _Page:
    """Lines of text in the order emitted; a vertical gap taller than a line of text becomes a blank line."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self.out: list[str] = []
        self.previous: list[_Segment] | None = None

    def gap_between(self, upper: list[_Segment], lower: list[_Segment]) -> bool:
        return min(s.bottom for s in upper) - max(s.top for s in lower) > self.gap

    def emit(self, line: list[_Segment]) -> None:
        if self.previous is not None and self.gap_between(self.previous, line):
            self.out.append("")
        self.out.append(_join(line))
        self.previous = line


def _join(line: list[_Segment]) -> str:
    text = ""
    last: _Segment | None = None
    for seg in line:
        piece = seg.text
        if (
            last is not None
            and seg.left - last.right > 0.15 * (seg.top - seg.bottom)
            and not text.endswith(" ")
            and not piece.startswith(" ")
        ):
            text += " "
        text += piece
        last = seg
    return " ".join(text.split())
