"""Level I (CPT-style) descriptors: family stem and own part, service heads, one add-on clause,
families grouped across a file, and --cpt naming the exact codes of the family an item describes.
All CPT-style text here and in tests/data/cpt is written by us (see its README), never AMA text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hcpcs_lint.families import LevelOne, group_families
from hcpcs_lint.parser import parse
from hcpcs_lint.sources import load

CPT = Path(__file__).resolve().parents[1] / "data" / "cpt" / "families.tsv"
SKIN = "Taking skin from a donor site for an autologous cell suspension"
ADD_ON = f"{SKIN}; each additional 25 sq cm (list separately in addition to code for primary procedure)"


def test_level_one_heads_are_services_even_when_the_head_noun_is_a_thing() -> None:
    d = parse(f"{SKIN}; first 25 sq cm or less", "I")
    assert d.head == "service"
    assert d.stem is not None and d.stem.text == SKIN
    assert d.stem.head_clause is not None and d.stem.head_clause.text == "Taking skin from a donor site"
    assert d.stem.head_clause.role == "service"
    assert d.specific is not None and [c.role for c in d.specific.clauses] == ["qualifier"]
    assert parse("Taking skin from a donor site", "II").head == "product"  # Level II keeps its reading


def test_add_on_marker_is_one_clause_and_nothing_overlaps_it() -> None:
    d = parse(ADD_ON, "I")
    add_on = d.of_role("add-on")
    assert len(add_on) == 1
    marker = "(list separately in addition to code for primary procedure)"
    assert add_on[0].text == marker and ADD_ON[add_on[0].start : add_on[0].end] == marker
    for c in d.clauses:
        if c is not add_on[0]:
            assert c.end <= add_on[0].start or c.start >= add_on[0].end, f"{c.role} {c.text!r} overlaps"
    assert d.unparsed == ()
    # Without brackets, and in a Level II code (G0501 has one), it is the same single clause.
    bare = parse(
        "Giving a cell product into a vein, each additional hour, list separately in addition to code for primary procedure",
        "I",
    )
    assert [c.text for c in bare.of_role("add-on")] == [
        "list separately in addition to code for primary procedure"
    ]
    level2 = parse("Example counseling visit (list separately in addition to primary service), per day")
    assert [c.role for c in level2.clauses] == ["service", "add-on", "basis"]


def test_three_families_and_an_add_on_code_are_grouped() -> None:
    records = list(load(str(CPT)))
    assert all(r.level == "I" for r in records)  # the AMA layout: code, TAB, descriptor, no header
    fams = group_families(records)
    groups = {f.codes for f in fams.values()}
    assert groups == {("99A01", "99A02"), ("99A11", "99A12"), ("99A21", "99A22")}
    assert fams["99A02"].stem == SKIN
    assert "99A32" not in fams  # no siblings share its text


def test_parse_json_carries_the_family_and_the_tree_shows_it(tmp_path: Path) -> None:
    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "hcpcs_lint", "parse", *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    rows = {r["code"]: r for r in map(json.loads, run("--format", "json", str(CPT)).splitlines())}
    assert rows["99A02"]["family"] == {"stem": SKIN, "codes": ["99A01", "99A02"]}
    assert rows["99A02"]["specific"]["text"].startswith("each additional 25 sq cm")
    assert [c["role"] for c in rows["99A02"]["clauses"]].count("add-on") == 1
    assert rows["99A32"]["family"] is None
    assert rows["99A01"]["head"] == "service"
    tree = run(str(CPT))
    assert [line.split("  ")[1] for line in tree.splitlines() if line.startswith("family")] == [
        "99A01, 99A02",
        "99A11, 99A12",
        "99A21, 99A22",
    ]


def test_level_one_match_names_exact_codes_of_the_family_described_in_other_words() -> None:
    index = LevelOne(load(str(CPT)))
    skin = index.match("harvest of skin from a donor site")
    assert skin is not None and skin.codes == ("99A01", "99A02") and skin.stem == SKIN
    collect = index.match("collection of the patient's white blood cells by apheresis")
    assert collect is not None and collect.codes == ("99A11", "99A12")
    ship = index.match("readying of the gathered cells for shipping")  # names the sibling's own part
    assert ship is not None and ship.codes == ("99A12",)
    assert index.match("administration set") is None
    assert index.match("cell product") is None  # fits every family equally: no guess


def test_cpt_option_reads_the_ama_layout_and_names_exact_codes(tmp_path: Path) -> None:
    draft = tmp_path / "draft.csv"
    draft.write_text(
        "code,descriptor\n"
        'Q99X1,"Exampleleucel, up to 100 million autologous car-positive t cells, including collection of the '
        "patient's white blood cells by apheresis, per therapeutic dose\"\n"
        'Q99X2,"Examplegraft skin cell suspension autograft, including harvest of skin from a donor site, per 80 sq cm"\n',
        "utf-8",
    )
    args = [
        sys.executable,
        "-m",
        "hcpcs_lint",
        "check",
        str(draft),
        "--select",
        "HL101",
        "--output-format",
        "json",
    ]
    done = subprocess.run([*args, "--cpt", str(CPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    cpt = {f["code"]: f["cpt"] for f in json.loads(done.stdout)["findings"]}
    assert cpt == {"Q99X1": ["99A11", "99A12"], "Q99X2": ["99A01", "99A02"]}
    # Renamed to .tsv, the headerless file reads the same.
    tsv = tmp_path / "cpt.tsv"
    tsv.write_bytes(CPT.read_bytes())
    again = subprocess.run([*args, "--cpt", str(tsv)], capture_output=True, text=True, check=False)
    assert {f["code"]: f["cpt"] for f in json.loads(again.stdout)["findings"]} == cpt


def test_a_parent_written_without_a_semicolon_heads_its_family() -> None:
    from hcpcs_lint.model import Location, Record

    def rec(code: str, text: str) -> Record:
        return Record(code=code, long=text, location=Location("cpt.txt", 1, 1), level="I")

    fams = group_families([
        rec("99B01", "Giving a made-to-order cell product into a vein"),
        rec("99B02", "Giving a made-to-order cell product into a vein; each additional hour"),
        rec("99B03", "Giving a made-to-order cell product into a vein; thawing the product"),
        rec("99B09", "Counting of blood cells by machine"),
    ])  # fmt: skip
    assert fams["99B02"].codes == ("99B01", "99B02", "99B03")
    assert fams["99B01"] is fams["99B02"] and "99B09" not in fams
