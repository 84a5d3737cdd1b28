"""Resource limits (docs/limits.md): each is met with one named error line, exit 2, quickly.

Every test here crosses a limit on purpose and asserts the user sees one line
``hcpcs-lint: error: path[:line]: ...`` naming it, not a traceback, an abort or a hang.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from hcpcs_lint.limits import MAX_DESCRIPTOR_CHARS, MAX_MEMBER_BYTES, MAX_NESTING, MAX_SHEET_COLUMNS
from hcpcs_lint.model import InputError
from hcpcs_lint.sources import load
from hcpcs_lint.sources.bounded import CHUNK
from tests.conftest import anweb_line, xlsx_bytes


def run_cli(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hcpcs_lint", *args],
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("hcpcs-lint: error: "), lines[0]
    return lines[0]


def test_brackets_nested_past_the_limit_name_the_line(tmp_path: Path) -> None:
    deep = "(" * 500 + "a" + ")" * 500  # a RecursionError traceback before
    (tmp_path / "d.csv").write_text(f'code,descriptor\nQ2041,"Injection, fine, 1 mg"\nQ2042,"{deep}"\n')
    line = one_error_line(run_cli("check", "d.csv", cwd=tmp_path))
    assert f"d.csv:3: Q2042: brackets nest 500 deep, over the limit of {MAX_NESTING}" in line


def test_a_descriptor_past_the_length_limit_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text(
        "Q2041 Injection, fine\nQ2042 " + "word " * (MAX_DESCRIPTOR_CHARS // 4) + "\n"
    )
    line = one_error_line(run_cli("check", "d.txt", cwd=tmp_path))
    assert (
        "d.txt:2: Q2042: descriptor is" in line and f"over the {MAX_DESCRIPTOR_CHARS} character limit" in line
    )


# ---------------------------------------------------------------- zips and workbooks


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _lie_about_size(data: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size in the local header and the central directory."""
    out = bytearray(data)
    struct.pack_into("<I", out, out.find(b"PK\x03\x04") + 22, size)
    struct.pack_into("<I", out, out.find(b"PK\x01\x02") + 24, size)
    return bytes(out)


def test_zip_member_inflating_past_the_cap_stops_there(tmp_path: Path) -> None:
    big = MAX_MEMBER_BYTES + CHUNK
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip_bytes({"HCPC2030_ANWEB.txt": b"\0" * big}))
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=f"inflates past the {MAX_MEMBER_BYTES:,} byte limit"):
            list(load(str(path)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_MEMBER_BYTES + 8 * CHUNK + path.stat().st_size, f"peak {peak:,}"


def test_zip_member_whose_header_lies_is_read_by_what_it_holds(tmp_path: Path) -> None:
    """The header says 1,000 bytes; the stream holds 4 MB. Reading stops at what the header
    promised and the checksum says the member is damaged: one line, no 4 MB buffer trusted."""
    path = tmp_path / "liar.zip"
    path.write_bytes(_lie_about_size(_zip_bytes({"HCPC2030_ANWEB.txt": b"\0" * (4 << 20)}), 1000))
    with pytest.raises(InputError) as info:
        list(load(str(path)))
    assert info.value.render().startswith(f"{path}!HCPC2030_ANWEB.txt: ")
    assert "\n" not in info.value.render()


def test_xlsx_with_a_cell_at_the_last_row_and_column_is_refused_before_allocation(tmp_path: Path) -> None:
    """1.7 KB that made the workbook library ask for 512 GiB and abort (exit 134): now one line."""
    book = xlsx_bytes([["HCPC", "LONG DESCRIPTION"], ["Q2041", "Injection, thing"]])
    with zipfile.ZipFile(io.BytesIO(book)) as src:
        members = {n: src.read(n) for n in src.namelist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    (tmp_path / "far.xlsx").write_bytes(_zip_bytes(members))
    assert (tmp_path / "far.xlsx").stat().st_size < 2000
    line = one_error_line(run_cli("check", "far.xlsx", cwd=tmp_path))
    assert (
        f"far.xlsx: sheet sheet1 has a cell at column 16,384, past the limit of {MAX_SHEET_COLUMNS}" in line
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (b'<row r="900000"><c r="Z900000"><v>1</v></c></row>', "a grid of 23,400,000 cells"),
        (b"<row><c><v>1</v></c>" + b"<c/>" * 1100 + b"</row>", "column 1,025, past the limit"),  # no r=
    ],
)
def test_sheet_grid_past_the_cell_limit(tmp_path: Path, extra: bytes, message: str) -> None:
    book = xlsx_bytes([["HCPC", "LONG DESCRIPTION"], ["Q2041", "Injection, thing"]])
    with zipfile.ZipFile(io.BytesIO(book)) as src:
        members = {n: src.read(n) for n in src.namelist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", extra + b"</sheetData>"
    )
    (tmp_path / "wide.xlsx").write_bytes(_zip_bytes(members))
    with pytest.raises(InputError, match=message):
        list(load(str(tmp_path / "wide.xlsx")))


def test_a_png_named_xlsx_is_described_in_plain_words(tmp_path: Path) -> None:
    (tmp_path / "chart.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(InputError) as info:
        list(load(str(tmp_path / "chart.xlsx")))
    assert "Calamine" not in info.value.message
    assert "not an .xlsx, .xlsm, .xls or .ods workbook" in info.value.message


# ---------------------------------------------------------------- nothing passes unread


def test_a_release_cut_mid_record_is_an_error_on_that_line(tmp_path: Path) -> None:
    lines = [anweb_line("Q2041", "First code", added="20180101"), anweb_line("Q2042", "Second code that a")]
    cut = "\r\n".join(lines)[:-250]  # the last record stops in its short descriptor, no line break
    (tmp_path / "cut.txt").write_bytes(cut.encode("cp1252"))
    with pytest.raises(InputError, match="the file ends inside a record: 70 of 320 characters") as info:
        list(load(str(tmp_path / "cut.txt")))
    assert info.value.line == 2


def test_a_release_ending_with_a_whole_record_and_no_line_break_reads(tmp_path: Path) -> None:
    (tmp_path / "whole.txt").write_bytes(anweb_line("Q2041", "First code", added="20180101").encode())
    assert [r.code for r in load(str(tmp_path / "whole.txt"))] == ["Q2041"]


def test_mixed_utf8_and_cp1252_names_both_lines(tmp_path: Path) -> None:
    data = "Q2041 Injection, café, per 1 mg\n".encode() + "Q2042 Infusion, naïve\n".encode("cp1252")
    _assert_mixed(tmp_path / "mixed.txt", data, utf8_line=1)


def _assert_mixed(path: Path, data: bytes, *, utf8_line: int) -> None:
    """Loading ``data`` is refused naming the UTF-8 line and the cp1252 line after it."""
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        list(load(str(path)))
    assert info.value.line == utf8_line + 1
    assert (
        f"mixed encodings: line {utf8_line} is UTF-8 ('é') but byte 0xEF at column 19 of line "
        f"{utf8_line + 1} is not" in info.value.message
    )


def test_a_folder_with_a_symlink_loop_terminates(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "codes.csv").write_text('code,descriptor\nQ2041,"Injection, thing, per 1 mg"\n')
    (tmp_path / "a" / "back").symlink_to(tmp_path, target_is_directory=True)
    proc = run_cli("check", "--output-format", "json", ".", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["summary"]["records"] == 1  # read once, the loop not followed


def test_mixed_encodings_far_into_a_large_file_name_the_same_lines(tmp_path: Path) -> None:
    """The UTF-8 check searches only non-ASCII blocks: a sequence deep in a large file, or one
    split across two blocks, is still found and the message is the one for a small file."""
    from hcpcs_lint.sources.text import _BLOCK

    filler = b"".join(b"Q%04d Injection, filler text, per 1 mg\n" % i for i in range(1200))
    # The UTF-8 'e acute' (2 bytes) straddles a block boundary; a cp1252 byte comes later.
    pad = _BLOCK * 3 - len(filler) - len(b"\nQ2041 Injection, caf") - 1
    data = (
        filler + b"x" * pad + b"\nQ2041 Injection, caf\xc3\xa9\n" + "Q2042 Infusion, naïve\n".encode("cp1252")
    )
    assert data.index(b"\xc3\xa9") == _BLOCK * 3 - 1
    _assert_mixed(tmp_path / "big.txt", data, utf8_line=1202)


@pytest.mark.parametrize("seed", range(40))
def test_block_search_finds_what_the_whole_search_finds(seed: int) -> None:
    """``_first_utf8_sequence`` gives the match ``_UTF8_SEQUENCE.search`` gives over the whole
    bytes: sequences at, across and after block edges, lone lead and continuation bytes."""
    import random

    from hcpcs_lint.sources.text import _BLOCK, _UTF8_SEQUENCE, _first_utf8_sequence

    rng = random.Random(seed)
    pieces = [b"\xc3\xa9", b"\xe2\x80\x99", b"\xf0\x9f\x98\x80", b"\xa0", b"\xc3", b"\xe2\x80", b"\x92"]
    data = bytearray(b"a" * (_BLOCK * 3 + 10))
    for _ in range(rng.randint(0, 4)):
        at = rng.choice([_BLOCK - 1, _BLOCK - 2, _BLOCK - 3, 2 * _BLOCK - 1, rng.randrange(len(data) - 4)])
        piece = rng.choice(pieces)
        data[at : at + len(piece)] = piece
    want = _UTF8_SEQUENCE.search(bytes(data))
    got = _first_utf8_sequence(bytes(data))
    assert (got and (got.span(), got.group(0))) == (want and (want.span(), want.group(0)))
