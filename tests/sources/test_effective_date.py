"""A release's own date (issue 14 item 4): from --effective, the sheet name, the file name, or the latest date."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from hcpcs_lint.model import InputError, Location, Record
from hcpcs_lint.sources import load, read_release
from hcpcs_lint.sources.release import date_from_name, iso, parse_effective


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("HCPC2025_OCT_ANWEB.xlsx", "20251001"),
        ("HCPC2025_JUL_ANWEB_v3.xlsx", "20250701"),
        ("HCPC2019_CONTR_ANWEB.txt", "20190101"),
        ("2019-Alpha-Numeric-HCPCS-File.zip", "20190101"),
        ("HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt", "20260101"),  # the file stamp 01122026 is no year
        ("HCPC2020_ANWEB_w_disclaimer.txt", "20200101"),
        ("/some/folder/october-2026-alpha-numeric-hcpcs-file.zip", "20261001"),
        ("HCPC2026_APR_ANWEB.txt", "20260401"),
        ("release.txt", None),
        ("drafts-12345678.csv", None),
    ],
)
def test_date_from_name(name: str, day: str | None) -> None:
    assert date_from_name(name) == day


def test_parse_effective_accepts_iso_and_compact_and_rejects_the_rest() -> None:
    assert parse_effective("2019-01-01") == "20190101"
    assert parse_effective("20251001") == "20251001"
    assert iso("20251001") == "2025-10-01"
    for bad in ("2019-13-01", "yesterday", "2019-1-1", ""):
        with pytest.raises(InputError, match="not a date"):
            parse_effective(bad)


def _release_text(make_anweb_line: Callable[..., str]) -> str:
    return "\n".join([
        make_anweb_line("Q2040", "Old product, per infusion", added="20180101", terminated="20181231"),
        make_anweb_line("Q2041", "Some product, per dose", added="20180401", effective="20190101"),
        make_anweb_line("Q2042", "New product, per dose", added="20190401", effective="20190401"),
    ]) + "\n"  # fmt: skip


def test_undated_release_falls_back_to_its_latest_added_or_action_date(
    tmp_path: Path, make_anweb_line: Callable[..., str]
) -> None:
    path = tmp_path / "release.txt"
    path.write_text(_release_text(make_anweb_line))
    rel = read_release(str(path))
    assert (rel.format, rel.effective, rel.as_of, rel.basis) == (
        "anweb",
        "20190401",
        "2019-04-01",
        "latest added or action date",
    )
    assert {r.effective for r in rel.records} == {"20190401"}
    assert [r.code for r in rel.records if r.active] == ["Q2041", "Q2042"]


def test_option_beats_the_file_name_and_decides_what_is_active(
    tmp_path: Path, make_anweb_line: Callable[..., str]
) -> None:
    path = tmp_path / "HCPC2019_APR_ANWEB.txt"
    path.write_text(_release_text(make_anweb_line))
    assert read_release(str(path)).basis == "file name"
    assert {r.effective for r in load(str(path))} == {"20190401"}
    rel = read_release(str(path), effective="20181201")
    assert (rel.effective, rel.basis) == ("20181201", "command line")
    # On 2018-12-01 Q2040 was still billable and Q2042 did not exist yet.
    assert [r.code for r in rel.records if r.active] == ["Q2040", "Q2041"]


def test_zip_member_name_dates_the_records(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("HCPC2024_JUL_ANWEB.txt", _release_text(make_anweb_line))
    assert read_release(str(path)).effective == "20240701"


def test_workbook_sheet_name_dates_a_renamed_workbook(
    tmp_path: Path, make_xlsx: Callable[..., bytes]
) -> None:
    data = make_xlsx(
        [["HCPC", "LONG DESCRIPTION", "ADD DT"], ["Q2041", "Some product, per dose", "20180401"]]
    )
    # The synthetic workbook's sheet is "Sheet1": no date there, so the name of the file decides.
    path = tmp_path / "HCPC2023_OCT_ANWEB.xlsx"
    path.write_bytes(data)
    rel = read_release(str(path))
    assert (rel.effective, rel.basis) == ("20231001", "file name")


def test_drafts_have_no_date_unless_given(tmp_path: Path) -> None:
    path = tmp_path / "draft-2024.csv"
    path.write_text('code,descriptor\nQ2099,"Injection, something autoleucel, per dose"\n')
    rel = read_release(str(path))
    assert (rel.format, rel.effective, rel.is_release) == ("table", None, False)
    assert read_release(str(path), effective="20240101").records[0].effective == "20240101"


def test_active_on() -> None:
    loc = Location("x")
    rec = Record("Q2040", "x", loc, added="20180101", terminated="20181231")
    assert rec.active_on("20181231") and not rec.active_on("20190101") and not rec.active_on("20171231")
    assert not rec.active_on(None)  # "now": a termination date has passed
    undated = Record("J3391", "x", loc, effective="20250701")  # a trimmed workbook: no add date
    assert undated.active_on("20250701") and not undated.active_on("20190101")


REAL = [
    ("2019/HCPC2019_CONTR_ANWEB.txt", "2019-01-01", "file name"),
    ("2019/2019-Alpha-Numeric-HCPCS-File.zip", "2019-01-01", "file name"),
    ("2020/HCPC2020_ANWEB_w_disclaimer.txt", "2020-01-01", "file name"),
    ("2025-07/HCPC2025_JUL_ANWEB_v3.xlsx", "2025-07-01", "sheet name"),
    ("2025-10/HCPC2025_OCT_ANWEB.xlsx", "2025-10-01", "sheet name"),
    ("2026-01-excerpt/HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt", "2026-01-01", "file name"),
]


@pytest.mark.parametrize(("rel_path", "as_of", "basis"), REAL)
def test_real_releases_know_their_date(data_dir: Path, rel_path: str, as_of: str, basis: str) -> None:
    rel = read_release(str(data_dir / rel_path))
    assert (rel.as_of, rel.basis, rel.is_release) == (as_of, basis, True)
    # The name agrees with the file's own dates: nothing was added after the release took effect.
    latest = max((r.added for r in rel.records if r.added), default=None)
    assert latest is None or latest <= rel.effective
    # Every termination in these files lies before the release date, so "active" is as before.
    assert all(r.active == (not r.terminated) for r in rel.records)
