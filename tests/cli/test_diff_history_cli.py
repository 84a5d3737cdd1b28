"""``hcpcs-lint diff`` and ``history``: formats, options and errors on small releases written here,
and the done-when runs on the real CMS files (skipped when ../shared/data/hcpcs is absent)."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcpcs_lint.cli import main

CAR_T = "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells"


def _write(path: Path, line: Callable[..., str], rows: list[tuple[str, str, str]]) -> str:
    """A fixed-width release: rows of (code, long descriptor, termination date), split at 80 columns."""
    out = []
    for code, long, term in rows:
        chunks = textwrap.wrap(long, 80)
        out.append(line(code, chunks[0], added="20180101", terminated=term))
        out += [line(code, c, seq=i, ric="4") for i, c in enumerate(chunks[1:], 2)]
    path.write_text("\r\n".join(out) + "\r\n", encoding="cp1252")
    return str(path)


@pytest.fixture
def pair(tmp_path: Path, make_anweb_line: Callable[..., str]) -> tuple[str, str]:
    old = _write(
        tmp_path / "HCPC2019_ANWEB.txt",
        make_anweb_line,
        [
            ("A0001", "Same words, per unit", ""),
            ("A0002", "Ended by date, per unit", ""),
            ("A0003", "Ended by absence, per unit", ""),
            ("A0004", "Car positive t cells, per dose", ""),
            ("A0005", "Gauze pad, sterile, 4 x 4, each", ""),
        ],
    )
    new = _write(
        tmp_path / "HCPC2020_ANWEB.txt",
        make_anweb_line,
        [
            ("A0001", "Same words, per unit", ""),
            ("A0002", "Ended by date, per unit", "20191231"),
            ("A0004", "Car-positive T cells, per dose", ""),
            ("A0005", "Gauze pad, sterile, 2 x 2, each", ""),
            (
                "Q2041",
                CAR_T + ", including leukapheresis and dose preparation procedures, per therapeutic dose",
                "",
            ),
        ],
    )
    return old, new


def test_diff_json_has_the_issue_shape(pair: tuple[str, str]) -> None:
    result = CliRunner().invoke(main, ["diff", *pair, "--output-format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["old"]["effective"] == "2019-01-01" and doc["new"]["effective"] == "2020-01-01"
    assert doc["old"]["path"] == pair[0]
    assert [a["code"] for a in doc["added"]] == ["Q2041"]
    assert "HL101" in {f["rule"] for f in doc["added"][0]["findings"]}
    assert [(t["code"], t["terminated"]) for t in doc["terminated"]] == [
        ("A0002", "2019-12-31"),
        ("A0003", None),
    ]
    assert [r["code"] for r in doc["revised"]] == ["A0005"]
    assert doc["revised"][0]["word_diff"] == "Gauze pad, sterile, [-4-] {+2+} x [-4-] {+2+}, each"
    assert doc["revised"][0]["clauses"]
    assert [r["code"] for r in doc["reworded"]] == ["A0004"]
    assert ("Q2041", "HL101", "added") in {(f["code"], f["rule"], f["why"]) for f in doc["findings_new"]}


def test_diff_terminal_and_markdown(pair: tuple[str, str]) -> None:
    text = CliRunner().invoke(main, ["diff", *pair, "--no-color"]).output
    assert "2019 (2019-01-01) → 2020 (2020-01-01)" in text
    assert "1 added · 2 terminated · 1 revised · 1 reworded" in text
    assert "[-4-] {+2+} x [-4-] {+2+}" in text and "HL101 error" in text
    assert not any(line != line.rstrip() for line in text.splitlines())
    md = CliRunner().invoke(main, ["diff", *pair, "--output-format", "markdown"]).output
    assert md.startswith("# HCPCS changes: 2019 → 2020")
    assert "| A0005 | Gauze pad, sterile, ~~4~~ **2** x ~~4~~ **2**, each |" in md
    assert "## Reworded (case, spacing or punctuation only) (1)" in md


def test_diff_code_filter_and_effective_override(pair: tuple[str, str]) -> None:
    args = ["diff", *pair, "--output-format", "json", "--code", "a00*", "--new-effective", "2020-04-01"]
    doc = json.loads(CliRunner().invoke(main, args).output)
    assert doc["added"] == [] and doc["counts"]["terminated"] == 2
    assert doc["new"]["effective"] == "2020-04-01" and doc["new"]["label"] == "Apr 2020"


def test_diff_bad_input_is_one_line(pair: tuple[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diff", pair[0], str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"hcpcs-lint: error: {tmp_path / 'missing.txt'}: no such file"
    ]
    bad = CliRunner().invoke(main, ["diff", *pair, "--old-effective", "2019-13-01"])
    assert bad.exit_code == 2 and "is not a date" in bad.output


def test_history_orders_releases_and_writes_svg(pair: tuple[str, str], tmp_path: Path) -> None:
    svg = tmp_path / "chart.svg"
    args = ["history", pair[1], pair[0], "--code", "A0005", "--output-format", "json", "--svg", str(svg)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [c["release"]["label"] for c in doc["counts"]] == ["2019", "2020"]
    assert [c["codes"] for c in doc["counts"]] == [[], ["Q2041"]]
    (tl,) = doc["codes"]
    assert [e["event"] for e in tl["events"]] == ["first seen", "revised"]
    root = ET.parse(svg).getroot()
    assert {"2019", "2020"} <= {t.strip() for t in root.itertext()}
    bad = CliRunner().invoke(main, ["history", *pair, "--rule", "HL999"])
    assert bad.exit_code == 2 and "no rule 'HL999'" in bad.output


# -- the real releases ----------------------------------------------------------------------------


def test_history_over_the_four_real_releases(data_dir: Path, tmp_path: Path) -> None:
    releases = [
        data_dir / "2025-10" / "HCPC2025_OCT_ANWEB.xlsx",
        data_dir / "2019" / "HCPC2019_CONTR_ANWEB.txt",
        data_dir / "2025-07" / "HCPC2025_JUL_ANWEB_v3.xlsx",
        data_dir / "2020" / "HCPC2020_ANWEB_w_disclaimer.txt",
    ]
    svg = tmp_path / "history.svg"
    args = ["history", *map(str, releases), "--code", "Q2041", "--svg", str(svg), "--no-color"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = result.output
    for label in ("2019", "2020", "Jul 2025", "Oct 2025"):
        assert f"│ {label}" in text
    assert "Q2041  present in 2019, 2020, Jul 2025, Oct 2025; text unchanged" in text
    assert "flagged by HL101 in: 2019, 2020, Jul 2025, Oct 2025" in text
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert {"2019", "2020", "Jul 2025", "Oct 2025"} <= {t.strip() for t in root.itertext()}
