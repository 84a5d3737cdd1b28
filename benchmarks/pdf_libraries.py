"""Compare pypdf, pdfplumber and pypdfium2 for reading CMS-style PDF drafts (docs/pdf.md).

Not part of `make test`: run it by hand after `pip install pypdf pdfplumber` (pypdfium2 and fpdf2
come with the project). It generates the test documents with fpdf2 (tests/sources/pdfgen.py):
- speed: a 200-request two-column decisions document (25 pages), best of 3 runs, per library;
- two-column text: plain extraction of each library handed to the draft reader; how many of the
  requests' quoted descriptors come out whole (a run-together line cuts them) and how often a
  printed line holds text from both columns;
- the project's reader (pypdfium2 text segments + column split) on the same document.

    .venv/bin/python benchmarks/pdf_libraries.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hcpcs_lint.sources.draft import read_draft  # noqa: E402
from hcpcs_lint.sources.pdf import read_pdf  # noqa: E402
from tests.sources.pdfgen import decisions_requests, two_column_pdf  # noqa: E402

TISA = (
    "Tisagenlecleucel, up to 600 million car-positive viable t cells, including leukapheresis and "
    "dose preparation procedures, per therapeutic dose"
)
EXA = "Injection, exagamglogene autotemcel, per treatment"


def pypdf_text(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def pdfplumber_text(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() for page in pdf.pages]


def pdfplumber_columns(path: Path) -> list[str]:
    """pdfplumber's own way round columns: crop each half of the page and extract it."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            mid = page.width / 2
            left = page.crop((0, 0, mid, page.height)).extract_text()
            right = page.crop((mid, 0, page.width, page.height)).extract_text()
            out.append(left + "\n" + right)
    return out


def pypdfium2_text(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    out = []
    for i in range(len(document)):
        textpage = document[i].get_textpage()
        out.append(textpage.get_text_range())
    return out


def best_of(fn: Callable[[Path], object], path: Path, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    return min(times)


def score(pages: list[str]) -> tuple[int, int, int]:
    """(records, descriptors read whole, lines holding both columns) from the draft reader."""
    text = "\n".join(p.replace("\x02", "-").replace("\ufffe", "-") for p in pages)
    records = list(read_draft("x", text))
    whole = sum(1 for r in records if r.long in (TISA, EXA))
    mixed = sum(1 for line in text.splitlines() if "Applicant" in line and "Preliminary" in line)
    return len(records), whole, mixed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        requests = decisions_requests(100)
        path = two_column_pdf(Path(tmp) / "decisions.pdf", requests)
        pages = len(pypdfium2_text(path))
        print(f"two-column decisions document: {len(requests)} requests, {pages} pages")
        print(f"{'library':<32} {'ms':>8} {'records':>8} {'whole':>8} {'mixed lines':>12}")
        rows: list[tuple[str, Callable[[Path], list[str]]]] = [
            ("pypdf extract_text", pypdf_text),
            ("pdfplumber extract_text", pdfplumber_text),
            ("pdfplumber crop halves", pdfplumber_columns),
            ("pypdfium2 get_text_range", pypdfium2_text),
        ]
        for name, fn in rows:
            try:
                seconds = best_of(fn, path)
            except ImportError:
                print(f"{name:<32} not installed")
                continue
            records, whole, mixed = score(fn(path))
            print(f"{name:<32} {seconds * 1000:>8.0f} {records:>8} {whole:>8} {mixed:>12}")
        data = path.read_bytes()
        seconds = best_of(lambda p: list(read_pdf(str(p), data)), path)
        got = list(read_pdf(str(path), data))
        whole = sum(1 for r in got if r.long in (TISA, EXA))
        print(
            f"{'hcpcs-lint reader (pypdfium2)':<32} {seconds * 1000:>8.0f} {len(got):>8} {whole:>8} {0:>12}"
        )
        print(
            f"(one record per request is right: {len(requests)}; 'whole' counts records whose text is exact)"
        )


if __name__ == "__main__":
    main()
