"""The CMS release readers against the real releases in ../shared/data/hcpcs, plus the dispatcher.

Counts and descriptors below come from ../shared/data/README.md (§1, §3, §5); they are the
contract a whole-release lint relies on, so a reader change that drops or splits a code fails here.
"""

from __future__ import annotations

import io
import re
import sys
import types
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from hcpcs_lint.model import Location, Record
from hcpcs_lint.sources import decode_text, detect_format, load
from hcpcs_lint.sources.anweb import read_anweb
from hcpcs_lint.sources.archive import pick_member
from hcpcs_lint.sources.codes import level_of
from hcpcs_lint.sources.workbook import normalise_date, read_workbook
from tests.helpers import Q2041

TXT_2019 = "2019/HCPC2019_CONTR_ANWEB.txt"
ZIP_2019 = "2019/2019-Alpha-Numeric-HCPCS-File.zip"
TXT_2020 = "2020/HCPC2020_ANWEB_w_disclaimer.txt"
ZIP_2020 = "2020/2020-Alpha-Numeric-HCPCS-File.zip"
JUL_2025 = "2025-07/HCPC2025_JUL_ANWEB_v3.xlsx"
OCT_2025 = "2025-10/HCPC2025_OCT_ANWEB.xlsx"
JAN_2026 = "2026-01-excerpt/HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt"

COUNTS = [
    (TXT_2019, 6800, 6440, 360),
    (ZIP_2019, 6800, 6440, 360),
    (TXT_2020, 7079, 6710, 369),
    (ZIP_2020, 7079, 6710, 369),
    (JUL_2025, 8770, 8387, 383),
    (OCT_2025, 8846, 8463, 383),
    (JAN_2026, 21, 21, 0),
]

Q2040 = (
    "Tisagenlecleucel, up to 250 million car-positive viable t cells, including leukapheresis and dose "
    "preparation procedures, per infusion"
)
Q2058 = (
    "Obecabtagene autoleucel, 10 up to 400 million cd19 car-positive viable t cells, including "
    "leukapheresis and dose preparation procedures, per infusion"
)

_cache: dict[str, list[Record]] = {}


def records(data_dir: Path, rel: str) -> list[Record]:
    """Each release is read once per test session: the files are large and the readers pure."""
    key = str(data_dir / rel)
    if key not in _cache:
        _cache[key] = list(load(key))
    return _cache[key]


def by_code(data_dir: Path, rel: str) -> dict[str, Record]:
    return {r.code: r for r in records(data_dir, rel)}


def content(record: Record) -> tuple[object, ...]:
    """A record without its location, to compare the same release read from two containers."""
    return (
        record.code,
        record.long,
        record.short,
        record.kind,
        record.level,
        record.added,
        record.action_effective,
        record.terminated,
        record.action_code,
    )


# ---------------------------------------------------------------- real releases


@pytest.mark.parametrize(("rel", "total", "procedures", "modifiers"), COUNTS)
def test_release_counts(data_dir: Path, rel: str, total: int, procedures: int, modifiers: int) -> None:
    recs = records(data_dir, rel)
    kinds = Counter(r.kind for r in recs)
    assert len(recs) == total
    assert kinds["procedure"] == procedures
    assert kinds["modifier"] == modifiers
    assert len({r.code for r in recs}) == total, "every code appears once"
    assert all(r.level == "II" for r in recs), "CMS ANWEB files hold Level II codes only"
    assert all(r.code == r.code.strip() and r.code for r in recs)
    assert all(r.long == r.long.strip() and r.long for r in recs)
    assert all(r.location.path == str(data_dir / rel) and r.location.line for r in recs)


@pytest.mark.parametrize(
    ("zip_rel", "txt_rel", "member"),
    [
        (ZIP_2019, TXT_2019, "HCPC2019_CONTR_ANWEB.txt"),
        (ZIP_2020, TXT_2020, "HCPC2020_ANWEB_w_disclaimer.txt"),
    ],
)
def test_zip_reads_like_its_txt(data_dir: Path, zip_rel: str, txt_rel: str, member: str) -> None:
    from_zip = records(data_dir, zip_rel)
    from_txt = records(data_dir, txt_rel)
    assert [content(r) for r in from_zip] == [content(r) for r in from_txt]
    assert {r.location.member for r in from_zip} == {member}
    assert [r.location.line for r in from_zip] == [r.location.line for r in from_txt]
    assert str(from_zip[0].location).startswith(f"{data_dir / zip_rel}!{member}:")


def test_2020_fixed_width_reassembly_matches_the_xls(data_dir: Path) -> None:
    """The join rule (strip trailing blanks of each chunk, join with one space) against the workbook."""
    with zipfile.ZipFile(data_dir / ZIP_2020) as zf:
        xls = zf.read("HCPC2020_ANWEB_w_disclaimer.xls")
    workbook = {r.code: r for r in read_workbook("2020.xls", xls, member="HCPC2020_ANWEB_w_disclaimer.xls")}
    fixed = by_code(data_dir, TXT_2020)
    assert workbook.keys() == fixed.keys()
    assert len(workbook) == 7079
    mismatched = [code for code in fixed if fixed[code].long != workbook[code].long]
    assert len(fixed) - len(mismatched) >= 7068
    collapse = re.compile(" {2,}")
    for code in mismatched:
        assert "  " in workbook[code].long, code
        assert collapse.sub(" ", fixed[code].long) == collapse.sub(" ", workbook[code].long), code
    # The other fields agree too (dates, action code, short descriptor, kind).
    for code, rec in fixed.items():
        assert content(rec)[2:] == content(workbook[code])[2:], code


def test_2020_xls_joins_the_row_split_g0503_and_counts_rows_from_the_sheet(data_dir: Path) -> None:
    with zipfile.ZipFile(data_dir / ZIP_2020) as zf:
        xls = zf.read("HCPC2020_ANWEB_w_disclaimer.xls")
    recs = list(read_workbook("x.zip", xls, member="HCPC2020_ANWEB_w_disclaimer.xls"))
    g0503 = next(r for r in recs if r.code == "G0503")
    assert g0503.long.endswith("other treatment goals and are prepared for discharge from active treatment")
    # The 2020 .xls has 10 note rows above the header (sheet row 11): rows are the sheet's own numbers.
    assert recs[0].code == "A1"
    assert recs[0].location == Location("x.zip", line=12, column=4, member="HCPC2020_ANWEB_w_disclaimer.xls")


def test_continuation_chunk_that_starts_with_a_blank_keeps_it(data_dir: Path) -> None:
    """2020 G0501's fifth chunk begins with a blank: the workbook has a double space there, and so do we."""
    g0501 = by_code(data_dir, TXT_2020)["G0501"]
    assert "  visit (list separately in addition to primary service)" in g0501.long


def test_spot_checks_jan_2026_and_oct_2025(data_dir: Path) -> None:
    oct25, jan26 = by_code(data_dir, OCT_2025), by_code(data_dir, JAN_2026)
    for release in (oct25, jan26):
        assert release["Q2041"].long == Q2041
        assert release["Q2041"].short == "Axicabtagene ciloleucel car+"
        assert release["Q2040"].long == Q2040
        assert release["Q2040"].terminated == "20181231"
        assert not release["Q2040"].active
        assert release["Q2041"].active
        assert release["J3394"].long == "Injection, lovotibeglogene autotemcel, per treatment"
        assert release["Q2058"].long == Q2058
        assert release["Q2058"].short == "Obecbtge autol up to 400 mil"
    assert jan26["Q2057"].action_code == "P"
    assert jan26["Q2057"].action_effective == "20260101"
    assert oct25["Q2057"].action_code != "P"
    assert jan26["J3387"].short == "Inj elivaldogene autotemecel"
    assert jan26["J3387"].action_code == "A"
    assert jan26["J3387"].added == "20260101"
    assert jan26["J3393"].short == "Inj, betibeglogene autotemce"
    assert "J3387" not in oct25
    assert "Q2059" not in oct25 and "Q2059" not in jan26
    assert sum(1 for r in records(data_dir, OCT_2025) if r.terminated) == 1225


def test_modifiers(data_dir: Path) -> None:
    for rel in (TXT_2019, TXT_2020, JUL_2025, OCT_2025):
        a1 = by_code(data_dir, rel)["A1"]
        assert a1.kind == "modifier"
        assert a1.long == "Dressing for one wound"
        assert a1.level == "II"


def test_older_releases_spot_checks(data_dir: Path) -> None:
    y2019, y2020 = by_code(data_dir, TXT_2019), by_code(data_dir, TXT_2020)
    assert y2019["Q2040"].terminated == y2020["Q2040"].terminated == "20181231"
    assert y2019["Q2040"].action_code == "D"
    assert y2020["Q2040"].action_code == "N"
    assert y2019["Q2041"].action_code == "C"
    assert y2019["Q2042"].action_code == "A"
    assert y2019["Q2041"].long == Q2041
    assert "J3394" not in y2020
    # G0503 takes 17 fixed-width lines in 2020.
    assert len(y2020["G0503"].long) > 16 * 70


def test_jul_2025_trimmed_workbook(data_dir: Path) -> None:
    jul = by_code(data_dir, JUL_2025)
    assert jul["Q2041"].long == Q2041
    assert jul["J3394"].long == "Injection, lovotibeglogene autotemcel, per treatment"
    # Only HCPC, SEQNUM, RECID, LONG DESCRIPTION: the rest is empty, not invented.
    assert jul["Q2040"].terminated is None
    assert jul["Q2041"].short == ""
    assert jul["Q2041"].action_code is None


def test_locations(data_dir: Path) -> None:
    jan = by_code(data_dir, JAN_2026)
    assert jan["Q2041"].location == Location(str(data_dir / JAN_2026), line=10, column=12)
    oct25 = records(data_dir, OCT_2025)
    assert oct25[0].location == Location(str(data_dir / OCT_2025), line=2, column=4)  # header is row 1
    assert oct25[-1].location.line == len(oct25) + 1
    y2020 = by_code(data_dir, TXT_2020)
    assert y2020["A1"].location.line == 10  # below the 9-line note


def test_detect_format_on_real_files(data_dir: Path) -> None:
    expected = {
        TXT_2019: "anweb",
        TXT_2020: "anweb",
        JAN_2026: "anweb",
        ZIP_2019: "zip",
        ZIP_2020: "zip",
        JUL_2025: "workbook",
        OCT_2025: "workbook",
    }
    for rel, kind in expected.items():
        head = (data_dir / rel).read_bytes()[:65536]
        assert detect_format(str(data_dir / rel), head) == kind, rel
        assert detect_format("-", head) == kind, f"{rel} by content alone"


# ---------------------------------------------------------------- fixed-width details


def test_crlf_and_lf_read_the_same(data_dir: Path, tmp_path: Path) -> None:
    lf = (data_dir / JAN_2026).read_bytes()
    crlf = tmp_path / "jan.txt"
    crlf.write_bytes(lf.replace(b"\n", b"\r\n"))
    assert [content(r) for r in load(str(crlf))] == [content(r) for r in records(data_dir, JAN_2026)]


def test_short_lines_are_padded(data_dir: Path, tmp_path: Path) -> None:
    """2020 cuts continuation lines after column 91; Jul 2026 reportedly drops the filler (293 columns)."""
    lines = (data_dir / JAN_2026).read_text().splitlines()
    cut = [line[:293] if line[10] in "37" else line[:91].rstrip() for line in lines]
    short = tmp_path / "cut.txt"
    short.write_text("\n".join(cut) + "\n")
    assert [content(r) for r in load(str(short))] == [content(r) for r in records(data_dir, JAN_2026)]


def test_synthetic_release_with_disclaimer(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    lines = [
        "***Disclaimers\t\t\t",
        "Note regarding coverage in CMS\x92 2020 update\xa0",
        "",
        make_anweb_line(
            "A1",
            "Dressing for one wound",
            ric="7",
            short="Dressing",
            added="20020701",
            effective="20020701",
            action="N",
        ),
        make_anweb_line(
            "Q9999",
            "Alpha beta gamma, including leukapheresis and dose preparation",
            short="Alpha",
            added="20250101",
            effective="20250101",
            terminated="20251231",
            action="D",
        ),
        make_anweb_line("Q9999", "procedures, per infusion", seq=2, ric="4"),
        "",
    ]
    path = tmp_path / "release.txt"
    path.write_bytes("\r\n".join(lines).encode("latin-1"))  # raw 0x92 and 0xA0 bytes
    recs = list(load(str(path)))
    assert [r.code for r in recs] == ["A1", "Q9999"]
    assert recs[0].kind == "modifier" and recs[0].action_code == "N"
    q = recs[1]
    assert q.long == "Alpha beta gamma, including leukapheresis and dose preparation procedures, per infusion"
    assert (q.added, q.action_effective, q.terminated, q.action_code) == (
        "20250101",
        "20250101",
        "20251231",
        "D",
    )
    assert q.location == Location(str(path), line=5, column=12)


def test_level_of() -> None:
    assert level_of("38225") == "I"
    assert level_of("0537T") == "I"
    assert level_of("0001U") == "I"
    assert level_of("1234F") == "I"
    assert level_of("Q2041") == "II"
    assert level_of("A1") == "II"


def test_level_i_code_in_fixed_width(make_anweb_line: Callable[..., str]) -> None:
    text = make_anweb_line("38228", "A service we describe ourselves") + "\n"
    (rec,) = read_anweb("x.txt", text)
    assert rec.level == "I"


# ---------------------------------------------------------------- workbooks (synthetic)


def test_workbook_header_below_notes_numeric_dates_and_split_rows(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes]
) -> None:
    rows: list[list[object]] = [
        ["Note regarding coverage"],
        [],
        [
            "HCPC",
            "RECID",
            "LONG DESCRIPTION",
            "SHORT DESCRIPTION",
            "ADD DT",
            "ACT EFF DT",
            "TERM DT",
            "ACTION CD",
        ],
        ["Q2041", 3, "Axicabtagene ciloleucel, up to", "Axi", 20180401, 43466, None, "N"],
        ["Q2041", 4, "200 million", None, None, None, None, None],
        ["   A1", "7", "Dressing for one wound", "Dressing", "2002-07-01", "07/01/2002", "", ""],
        ["Q2040", 3.0, "Tisagenlecleucel", "Tisa", "20180101", "20190101", "20181231", "N"],
        [],
    ]
    path = tmp_path / "book.xlsx"
    path.write_bytes(make_xlsx(rows))
    recs = list(load(str(path)))
    assert [r.code for r in recs] == ["Q2041", "A1", "Q2040"]
    q2041, a1, q2040 = recs
    assert q2041.long == "Axicabtagene ciloleucel, up to 200 million"
    assert (q2041.added, q2041.action_effective, q2041.terminated) == ("20180401", "20190101", None)
    assert q2041.location == Location(str(path), line=4, column=3)
    assert a1.kind == "modifier" and a1.added == a1.action_effective == "20020701" and a1.action_code is None
    assert q2040.terminated == "20181231" and q2040.kind == "procedure"


def test_workbook_without_recid_infers_kind_from_code(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes]
) -> None:
    path = tmp_path / "two.xlsx"
    path.write_bytes(
        make_xlsx([["hcpc", "long description"], ["   GA", "Waiver of liability"], ["J3394", "Inj"]])
    )
    recs = list(load(str(path)))
    assert [(r.code, r.kind) for r in recs] == [("GA", "modifier"), ("J3394", "procedure")]


def test_normalise_date() -> None:
    import datetime as dt

    assert normalise_date("") is None
    assert normalise_date(None) is None
    assert normalise_date("20181231") == "20181231"
    assert normalise_date(20181231) == "20181231"
    assert normalise_date(20181231.0) == "20181231"
    assert normalise_date("20181231.0") == "20181231"
    assert normalise_date(43465) == "20181231"  # Excel serial day
    assert normalise_date(dt.datetime(2018, 12, 31, 0, 0)) == "20181231"
    assert normalise_date(dt.date(2018, 12, 31)) == "20181231"
    assert normalise_date("2018-12-31") == "20181231"
    assert normalise_date("2018-12-31 00:00:00") == "20181231"
    assert normalise_date("12/31/2018") == "20181231"
    for bad in ("soon", "20181301", 1.5, True, -3):
        with pytest.raises(ValueError):
            normalise_date(bad)


# ---------------------------------------------------------------- archives (synthetic)


def test_pick_member_prefers_the_anweb_text() -> None:
    names = [
        "Changes_by_HCPC.prn",
        "HCPC2020_ANWEB_w_disclaimer.xls",
        "HCPC2020_ANWEB_w_disclaimer.txt",
        "HCPC2020_TRANS_ALPHA_w_disclaimer.xlsx",
        "__MACOSX/._HCPC2020_ANWEB_w_disclaimer.txt",
    ]
    assert pick_member(names) == "HCPC2020_ANWEB_w_disclaimer.txt"
    assert pick_member([n for n in names if not n.endswith(".txt")]) == "HCPC2020_ANWEB_w_disclaimer.xls"
    assert pick_member(["README.txt", "HCPC2020_TRANS_ALPHA_w_disclaimer.xlsx"]) is None


def test_zip_with_only_a_workbook_member(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes]
) -> None:
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("HCPC2030_README.txt", "read me")
        zf.writestr("sub/HCPC2030_ANWEB.xlsx", make_xlsx([["HCPC", "LONG DESCRIPTION"], ["Q9999", "Thing"]]))
    (rec,) = load(str(path))
    assert rec.code == "Q9999"
    assert rec.location == Location(str(path), line=2, column=2, member="sub/HCPC2030_ANWEB.xlsx")


def test_zip_member_names_are_never_extracted(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    work = tmp_path / "inner" / "deeper"
    work.mkdir(parents=True)
    path = work / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../ESCAPED_ANWEB.txt", make_anweb_line("Q9999", "Thing") + "\n")
    (rec,) = load(str(path))
    assert rec.location.member == "../../ESCAPED_ANWEB.txt"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deeper", "evil.zip", "inner"]


# ---------------------------------------------------------------- dispatcher


def _fake_readers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Stand-ins for table.py/draft.py/lines.py that record what the dispatcher passed them."""
    calls: list[tuple[str, str, str]] = []
    for module, function in (("table", "read_table"), ("draft", "read_draft"), ("lines", "read_lines")):
        fake = types.ModuleType(f"hcpcs_lint.sources.{module}")

        def reader(path: str, text: str, _kind: str = module) -> Iterator[Record]:
            calls.append((_kind, path, text))
            yield Record(code="Q9999", long=text.splitlines()[-1], location=Location(path, line=1))

        setattr(fake, function, reader)
        monkeypatch.setitem(sys.modules, f"hcpcs_lint.sources.{module}", fake)
    return calls


@pytest.mark.parametrize(
    ("name", "body", "kind"),
    [
        ("codes.csv", "Q2041,Axicabtagene ciloleucel\r\n", "table"),
        # No header, code TAB text: the AMA CPT long-descriptor layout, read as code lines.
        ("codes.tsv", "Q2041\tAxicabtagene\n", "lines"),
        ("codes.txt", 'code,descriptor\r\nQ2041,"Axicabtagene, per dose"\r\n', "table"),
        ("codes.txt", "HCPC\tLONG DESCRIPTION\nQ2041\tAxi\n", "table"),
        ("draft.md", "Q2041, per dose\n", "draft"),
        ("draft.txt", "Intro\n\n| Code | Descriptor |\n|---|---|\n| Q2041 | Axi |\n", "draft"),
        ("draft.txt", "> Q2041 Axicabtagene, per dose\n", "draft"),
        ("stdin.txt", "Q2041 Axicabtagene ciloleucel, up to 200 million, per therapeutic dose\n", "lines"),
        ("plain", "J3394 Injection, lovotibeglogene autotemcel, per treatment", "lines"),
    ],
)
def test_dispatch_to_text_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str, kind: str
) -> None:
    calls = _fake_readers(monkeypatch)
    path = tmp_path / name
    path.write_bytes(body.encode())
    recs = list(load(str(path)))
    assert calls == [(kind, str(path), body)], "text reaches the reader undecorated, line endings kept"
    assert len(recs) == 1


def test_detect_format_table() -> None:
    assert detect_format("x.zip", b"PK\x03\x04" + b"\x00" * 26 + b"HCPC_ANWEB.txt") == "zip"
    assert (
        detect_format(
            "x.bin",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\x00\x00"
            b"\x90\x04\x00\x00\x13\x00\x08\x02[Content_Types].xml",
        )
        == "workbook"
    )
    assert detect_format("x.xlsx", b"PK\x03\x04junk") == "workbook"
    assert detect_format("x", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100) == "workbook"
    assert detect_format("x.xlsx", b"not a workbook") == "workbook"
    assert detect_format("x.md", b"code,descriptor\n") == "draft"
    assert detect_format("x.csv", b"# anything\n") == "table"
    assert detect_format("-", b"Q2041 Axi, up to 200 million, per dose\n") == "lines"
    assert detect_format("-", b"# Draft codes, 2026\nQ2041 Axi\n") == "lines"
    assert detect_format("-", "code,descriptor\n".encode("utf-16")) == "table"
    assert detect_format("-", b"\xef\xbb\xbfHCPCS Code,Long Description\n") == "table"
    assert detect_format("-", b"Q2041\tShort stay, long text\n") == "lines"
    assert detect_format("-", b"Injection, code text, per dose\n") == "lines"
    assert detect_format("-", b"HCPC,SEQNUM,RECID,LONG DESCRIPTION\n") == "table"


def test_detect_anweb_demands_the_320_column_layout(make_anweb_line: Callable[..., str]) -> None:
    one = b"Q2041001003 is what the fixed-width line starts with\nand then ordinary text\nmore text\n"
    assert detect_format("-", one) == "lines"
    short_records = b"Q2041001003Axi\nQ2041002004more\nQ2042001003Tisa\n"
    assert detect_format("-", short_records) == "lines"
    full = make_anweb_line("Q2041", "Axi")
    assert detect_format("r.txt", (full + "\r\n").encode()) == "anweb"
    assert detect_format("r.txt", (full.rstrip() + "\r\n").encode()) != "anweb"
    continuation = make_anweb_line("Q2041", "more", seq=2, ric="4")
    assert detect_format("r.txt", (continuation + "\n").encode()) != "anweb"


def test_stdin_bytes_text_and_binary_kinds(
    monkeypatch: pytest.MonkeyPatch,
    make_xlsx: Callable[[Sequence[Sequence[object]]], bytes],
    make_anweb_line: Callable[..., str],
) -> None:
    calls = _fake_readers(monkeypatch)
    list(load("-", stdin=io.StringIO("Q2041 Axi\r\n")))
    list(load("-", stdin=io.TextIOWrapper(io.BytesIO(b"Q2041 Caf\xc3\xa9\n"), encoding="ascii")))
    assert calls == [("lines", "-", "Q2041 Axi\r\n"), ("lines", "-", "Q2041 Café\n")]
    (rec,) = load("-", stdin=io.BytesIO(make_xlsx([["HCPC", "LONG DESCRIPTION"], ["Q9999", "Thing"]])))
    assert rec.location == Location("-", line=2, column=2)
    (rec,) = load("-", stdin=io.BytesIO((make_anweb_line("Q9999", "Thing") + "\r\n").encode()))
    assert rec.location == Location("-", line=1, column=12)


# ---------------------------------------------------------------- decoding


def test_decode_text_round_trips_and_keeps_line_endings() -> None:
    for data, encoding in [
        (b"a\r\nb\nc\r", "utf-8"),
        ("Caf\u00e9\r\n".encode(), "utf-8"),
        (b"\xef\xbb\xbfcode,descriptor\r\n", "utf-8-sig"),
        (b"CMS\x92 2020 update\xa0\r\n", "cp1252"),
    ]:
        text, enc = decode_text("f.txt", data)
        assert enc == encoding
        assert text.encode(enc) == data
    assert decode_text("f", b"CMS\x92 notes")[0] == "CMS\u2019 notes"
    assert decode_text("f", "code\tdesc\r\n".encode("utf-16"))[0] == "code\tdesc\r\n"


def test_date_cells_are_read_once_per_value_and_type() -> None:
    """The workbook reader memoises date cells; 1, 1.0 and True stay distinct values (a bool is
    no date) and a bad value is refused every time, not remembered as good."""
    from hcpcs_lint.sources.workbook import _date_cell

    assert _date_cell(20181231) == _date_cell(20181231.0) == _date_cell("20181231") == "20181231"
    assert _date_cell(43465) == "20181231"
    with pytest.raises(ValueError):
        _date_cell(True)
    with pytest.raises(ValueError):
        _date_cell(True)  # still refused the second time
    assert _date_cell(1) == "18991231"  # Excel serial day 1, not the bool above
    with pytest.raises(ValueError):
        _date_cell("2018-02-30")
