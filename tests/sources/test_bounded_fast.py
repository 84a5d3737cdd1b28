"""The workbook extent scan's fast path (sources/bounded.py) decides as it did with its four
counts: same verdict, same bound, same error, on random sheet XML (cells with and without
positions, three-letter columns, long row numbers, bare and namespaced tags)."""

from __future__ import annotations

import random
import re

import pytest

from hcpcs_lint.limits import MAX_SHEET_CELLS
from hcpcs_lint.model import InputError
from hcpcs_lint.sources.bounded import _PREFIXED, _ROW_REF, _TWO_LETTERS, _column, _Extent


def _fast_by_counting(extent: _Extent, body: bytes) -> bool:
    """The fast path as first written: the cell tags counted four ways."""
    cells = body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>")
    if (
        body.count(b'<c r="') != cells
        or (b":c" in body and _PREFIXED.search(body))
        or re.search(rb'<c r="[A-Z]{3}', body)
    ):
        return False
    rows = _ROW_REF.findall(body)
    if body.count(b"<row ") != len(rows):
        return False
    if rows:
        extent.row = max(extent.row, max(map(int, set(rows))))
    digits = len(str(extent.row))
    if re.search(rb'<c r="[A-Z]+[0-9]{%d,}"' % (digits + 1), body):
        return False
    two = set(_TWO_LETTERS.findall(body))
    col = max(map(_column, two)) if two else (26 if cells else 0)
    extent.col = max(extent.col, col)
    bound = 10**digits - 1 if cells else extent.row
    if bound * extent.col > MAX_SHEET_CELLS:
        return False
    extent.check(extent.row, extent.col, declared=False)
    return True


def _outcome(fast: object, body: bytes) -> tuple[object, int, int]:
    extent = _Extent("book.xlsx", "sheet1")
    try:
        got: object = fast(extent, body)  # type: ignore[operator]
    except InputError as exc:
        got = exc.message
    return got, extent.row, extent.col


_CELLS = [
    b'<c r="A{n}" t="s"><v>1</v></c>',
    b'<c r="AB{n}"><v>2</v></c>',
    b'<c r="AV{n}"/>',
    b'<c r="ABC{n}"/>',
    b"<c><v>3</v></c>",
    b"<c/>",
    b'<c t="s" r="B{n}"/>',
    b'<c  r="C{n}"/>',
    b'<x:c r="D{n}"/>',
    b'<c r="ZZ{n}"/>',
    b'<cols><col min="1" max="3"/></cols>',
]


@pytest.mark.parametrize("seed", range(300))
def test_fast_path_decides_as_the_counting_did(seed: int) -> None:
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(0, 5)):
        n = rng.choice([1, 9, 10, 99999, 1048576, 20000000])
        row = b'<row r="%d">' % n if rng.random() < 0.9 else b"<row>"
        cells = b"".join(rng.choice(_CELLS).replace(b"{n}", b"%d" % n) for _ in range(rng.randint(0, 3)))
        parts.append(row + cells + b"</row>")
    body = b"<sheetData>" + b"".join(parts) + b"</sheetData>"
    assert _outcome(_Extent.fast, body) == _outcome(_fast_by_counting, body)
