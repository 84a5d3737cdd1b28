"""charts: the SVG is well-formed, self-contained and names every bar; PNG and terminal bars."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from hcpcs_lint import charts

LABELS = ["2019", "2020", "Jul 2025", "Oct 2025"]
SERIES = [("CAR-T", [2, 2, 7, 7]), ("Blood-derived & other", [1, 1, 2, 2])]
SVG_NS = "{http://www.w3.org/2000/svg}"


def test_svg_parses_names_each_release_and_fetches_nothing() -> None:
    doc = charts.svg(LABELS, SERIES, title="Product codes bundling CPT services", ylabel="codes")
    root = ET.fromstring(doc)
    assert root.tag == f"{SVG_NS}svg"
    texts = {t.strip() for t in root.itertext()}
    assert set(LABELS) <= texts
    assert {"CAR-T", "Blood-derived & other", "Product codes bundling CPT services", "9"} <= texts
    assert not list(root.iter(f"{SVG_NS}script"))
    for el in root.iter():
        for name, value in el.attrib.items():
            if name.endswith("href"):
                assert value.startswith("#"), (name, value)
    assert not re.search(r"@import|@font-face|url\((?!#)", doc)
    assert doc == charts.svg(LABELS, SERIES, title="Product codes bundling CPT services", ylabel="codes")


def test_png_is_a_png() -> None:
    data = charts.png(LABELS, SERIES, title="t")
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000


def test_series_must_match_labels() -> None:
    with pytest.raises(ValueError, match="3 values for 4 labels"):
        charts.svg(LABELS, [("x", [1, 2, 3])])


def test_text_bars_scale_to_the_largest() -> None:
    lines = charts.text_bars(["a", "bb"], [4, 8], width=10)
    assert lines == ["a   █████ 4", "bb  ██████████ 8"]
    assert charts.text_bars(["z"], [0]) == ["z   0"]
