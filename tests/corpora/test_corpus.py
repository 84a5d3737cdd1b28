"""The bundled reference corpus, corpora/cell-gene-therapy.csv.

It is the default reference corpus and the ``make demo`` input, so its rows must stay real CMS
Level II text: every descriptor is checked character for character against the release named in
its ``release`` column (read from ../shared/data, never copied into the repo), and the file must
hold no CPT (Level I) code or text.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from pathlib import Path

import pytest

from hcpcs_lint.model import Record
from hcpcs_lint.sources import load

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / "corpora" / "cell-gene-therapy.csv"
HEADER = ["code", "long_description", "short_description", "release", "added", "terminated", "note"]

JAN_2026 = "HCPC2026_JAN_ANWEB_01122026 (excerpt)"
OCT_2025 = "HCPC2025_OCT_ANWEB"
# release column value -> file under the data folder; newest first (a row names the newest that has it).
RELEASES = {
    JAN_2026: "2026-01-excerpt/HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt",
    OCT_2025: "2025-10/HCPC2025_OCT_ANWEB.xlsx",
}

CAR_T = ("Q2041", "Q2042", "Q2053", "Q2054", "Q2055", "Q2056", "Q2057", "Q2058", "Q2043", "Q2040")
CAR_T_PREDECESSORS = ("C9073", "C9076", "C9081", "C9098", "C9301")
AUTOLOGOUS_GENE = ("J3391", "J3392", "J3393", "J3394", "J3387", "J3389")
AAV_GENE = ("J1411", "J1412", "J1413", "J1414", "J3398", "J3399")
OTHER_GENE = (*AAV_GENE, "J3401", "J3402", "J3403", "J9029", "J9325")
OTHER_BUNDLING = ("G0460", "G0465", "C1832")
TRAPS = ("A4566", "B4189", "B4034", "A7048", "P9034", "P9035", "J7306", "J7307", "J1811", "C1762")
DRUGS = ("J0129", "J1100", "J9035", "J9271", "J0897", "J9299", "J9312", "J3262")
SERVICE_HEADED = ("G0498", "C8002", "G0138", "S2150")
EXPECTED_CODES = (
    CAR_T
    + CAR_T_PREDECESSORS
    + AUTOLOGOUS_GENE
    + OTHER_GENE
    + OTHER_BUNDLING
    + TRAPS
    + DRUGS
    + SERVICE_HEADED
)

TERMINATED = {
    "Q2040": "20181231",
    "C9073": "20210331",
    "C9076": "20210930",
    "C9081": "20211231",
    "C9098": "20220930",
    "C9301": "20250630",
}

# Level I code shapes: CPT (five digits) and Category II/III (four digits and F, T or U).
LEVEL_I_RE = re.compile(r"(?<![A-Za-z0-9])(?:\d{5}|\d{4}[FTUftu])(?![A-Za-z0-9])")
LEVEL_II_CODE_RE = re.compile(r"^[A-V]\d{4}$")
# Hallmarks of CPT descriptor conventions that CMS Level II text never uses.
CPT_HALLMARKS = ("list separately in addition", "in conjunction with", "current procedural terminology")


def _text() -> str:
    return CORPUS.read_bytes().decode("utf-8")


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(), newline="")))


@cache
def _release(data: Path, name: str) -> dict[str, Record]:
    path = data / RELEASES[name]
    if not path.is_file():
        pytest.skip(f"release {name!r} not found at {path}; the corpus check needs the shared CMS data")
    return {r.code: r for r in load(str(path))}


# ---------------------------------------------------------------- shape of the file


def test_load_gives_expected_rows_and_codes() -> None:
    records = list(load(str(CORPUS)))
    assert len(records) == len(EXPECTED_CODES) == 57
    assert tuple(r.code for r in records) == EXPECTED_CODES
    assert len(set(EXPECTED_CODES)) == len(EXPECTED_CODES)
    for r in records:
        assert r.level == "II" and r.kind == "procedure", r.code
        assert r.location.offset is not None, f"{r.code}: descriptor does not stand verbatim in the file"
        assert _text()[r.location.offset :].startswith(r.long)
    assert {r.code: r.terminated for r in records if r.terminated} == TERMINATED


def test_file_is_utf8_lf_and_csv_module_default_quoting() -> None:
    raw = CORPUS.read_bytes()
    assert b"\r" not in raw
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == HEADER
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    assert out.getvalue() == raw.decode("utf-8"), "rewrite with csv.writer(lineterminator='\\n') changes it"


def test_columns_are_well_formed() -> None:
    for row in _rows():
        code = row["code"]
        assert row["release"] in RELEASES, code
        assert re.fullmatch(r"\d{8}", row["added"]), code
        assert row["terminated"] == "" or re.fullmatch(r"\d{8}", row["terminated"]), code
        assert row["long_description"] == row["long_description"].strip() != "", code
        assert 0 < len(row["short_description"]) <= 28, code
        assert 0 < len(row["note"]) <= 60, f"{code}: a note is a few words"


def test_notes_tell_the_groups_apart() -> None:
    notes = {row["code"]: row["note"] for row in _rows()}
    bundling = {code for code, note in notes.items() if "bundles services" in note}
    assert bundling == set(CAR_T) | set(OTHER_BUNDLING)
    assert {code for code, note in notes.items() if "trap:" in note} == set(TRAPS) | {"J3401", "J0129"}
    assert all("clean peer" in notes[c] for c in OTHER_GENE + AUTOLOGOUS_GENE if c != "J3389")
    assert all(notes[c].startswith("service-headed") for c in SERVICE_HEADED)
    assert all(notes[c].startswith("ordinary drug") for c in DRUGS)


# ---------------------------------------------------------------- provenance: verbatim CMS text


def test_every_row_matches_its_release(data_dir: Path) -> None:
    mismatches = []
    for row in _rows():
        code = row["code"]
        source = _release(data_dir, row["release"]).get(code)
        if source is None:
            mismatches.append(f"{code}: not in {row['release']}")
            continue
        for column, expected in (
            ("long_description", source.long),
            ("short_description", source.short),
            ("added", source.added or ""),
            ("terminated", source.terminated or ""),
        ):
            if row[column] != expected:
                mismatches.append(f"{code} {column}: corpus {row[column]!r} != release {expected!r}")
    assert not mismatches, "\n".join(mismatches)


def test_each_row_names_the_newest_release_that_has_it(data_dir: Path) -> None:
    names = list(RELEASES)
    for row in _rows():
        newer = names[: names.index(row["release"])]
        holders = [name for name in newer if row["code"] in _release(data_dir, name)]
        assert not holders, f"{row['code']}: {holders[0]} is newer than {row['release']}"


# ---------------------------------------------------------------- no CPT anywhere


def test_no_level_i_code_or_cpt_text() -> None:
    text = _text()
    assert not LEVEL_I_RE.findall(text), "a CPT (Level I) code appears in the corpus"
    lowered = text.lower()
    assert not [h for h in CPT_HALLMARKS if re.search(rf"\b{re.escape(h)}\b", lowered)]
    for row in _rows():
        assert LEVEL_II_CODE_RE.match(row["code"]), row["code"]
