"""Bad input must end as one InputError naming the file (and line), never a traceback of another type.

The CLI turns InputError into ``path:line: message`` and exit code 2; any other exception type
reaching it is a bug, so every case here asserts the exact type.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from hcpcs_lint.model import InputError, NoDescriptors, Record
from hcpcs_lint.sources import decode_text, load

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def load_error(path: Path | str, **kwargs: object) -> InputError:
    """Load everything and return the InputError; any other exception type fails the test."""
    with pytest.raises(InputError) as info:
        list(load(str(path), **kwargs))  # type: ignore[arg-type]
    error = info.value
    assert error.render().startswith(str(path)), error.render()
    assert type(error) is InputError
    return error


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- files


def test_missing_file(tmp_path: Path) -> None:
    error = load_error(tmp_path / "nope.txt")
    assert "no such file" in error.message
    assert error.line is None


def test_directory(tmp_path: Path) -> None:
    assert "directory" in load_error(tmp_path).message


def test_empty_file(tmp_path: Path) -> None:
    assert load_error(write(tmp_path, "empty.txt", b"")).message == "empty file"
    assert load_error(write(tmp_path, "blank.csv", b" \r\n\n")).message == "empty file"


def test_empty_stdin() -> None:
    assert load_error("-", stdin=io.BytesIO(b"")).message == "empty input"


# ---------------------------------------------------------------- binary and undecodable


def test_random_bytes(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(4096)
    error = load_error(write(tmp_path, "noise.txt", data))
    assert "binary data, not a text file" in error.message
    assert error.line is not None


def test_png_header(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, "picture.png", PNG_HEADER))
    assert "binary data, not a text file" in error.message
    assert error.line == 3  # the signature holds \r\n and \n before the first NUL
    assert "byte 8" in error.message


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    data = bytes(b for b in random.Random(2).randbytes(8192) if b)
    assert "binary data" in load_error(write(tmp_path, "noise.csv", data)).message


def test_binary_on_stdin() -> None:
    assert "binary data" in load_error("-", stdin=io.BytesIO(PNG_HEADER)).message


def test_undecodable_text(tmp_path: Path) -> None:
    # 0x81 and 0x8D are invalid UTF-8 here and undefined in cp1252.
    error = load_error(write(tmp_path, "odd.txt", b"Q2041 fine\nQ2042 bad \x81\x8d here\n"))
    assert "cannot decode" in error.message and "0x81" in error.message
    assert error.line == 2
    assert error.render().startswith(f"{tmp_path / 'odd.txt'}:2: ")


def test_decode_text_names_path_and_line() -> None:
    with pytest.raises(InputError) as info:
        decode_text("a.txt", b"ok\nok\n\x00")
    assert info.value.render().startswith("a.txt:3: binary data, not a text file")


# ---------------------------------------------------------------- fixed-width records


def _release(make_anweb_line: Callable[..., str], *extra: str) -> bytes:
    lines = [
        make_anweb_line("Q9998", "First code", added="20250101", action="N"),
        make_anweb_line("Q9999", "Second code, including", added="20250101", action="N"),
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_truncated_fixed_width_line(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    path = write(tmp_path, "cut.txt", _release(make_anweb_line, "Q999900"))
    error = load_error(path)
    assert error.line == 3
    assert "truncated record line" in error.message
    assert error.render().startswith(f"{path}:3: truncated")


def test_first_line_missing_the_code(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    path = write(tmp_path, "nocode.txt", _release(make_anweb_line, make_anweb_line("", "Orphan text")))
    error = load_error(path)
    assert error.line == 3 and "no code" in error.message


def test_bad_record_id(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    line = make_anweb_line("Q9997", "Odd record id")
    path = write(tmp_path, "ric.txt", _release(make_anweb_line, line[:10] + "5" + line[11:]))
    error = load_error(path)
    assert error.line == 3 and "record id '5'" in error.message


def test_continuation_without_first_line(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    path = write(
        tmp_path, "orphan.txt", _release(make_anweb_line, make_anweb_line("Q9990", "more", seq=2, ric="4"))
    )
    error = load_error(path)
    assert error.line == 3 and "continuation line for Q9990" in error.message


def test_bad_date_in_fixed_width(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    path = write(
        tmp_path, "date.txt", _release(make_anweb_line, make_anweb_line("Q9990", "x", added="2025-1-1"))
    )
    error = load_error(path)
    assert error.line == 3 and "not a YYYYMMDD date" in error.message


def test_garbage_inside_the_record_block(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    path = write(tmp_path, "mixed.txt", _release(make_anweb_line, "this line is not a record at all, sorry"))
    error = load_error(path)
    assert error.line == 3 and "not a fixed-width HCPCS record" in error.message


def test_error_inside_a_zip_member_names_the_member(
    tmp_path: Path, make_anweb_line: Callable[..., str]
) -> None:
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("HCPC2030_ANWEB.txt", _release(make_anweb_line, "Q999900"))
    error = load_error(path)
    assert error.render().startswith(f"{path}!HCPC2030_ANWEB.txt:3: truncated")


# ---------------------------------------------------------------- a very long line


def test_ten_megabyte_single_line(tmp_path: Path) -> None:
    """Just a long line: it must neither hang nor copy the data many times over."""
    body = ("Injection, something, per unit " * 340_000)[: 10 * 1024 * 1024]
    path = write(tmp_path, "long.txt", body.encode())
    tracemalloc.start()
    started = time.perf_counter()
    try:
        recs: list[Record] = list(load(str(path)))
    except InputError as error:
        assert error.render().startswith(str(path))
        recs = []
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < 30
    assert peak < 200 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB for a 10 MB input"
    assert len(recs) <= 1


def test_ten_megabyte_line_after_fixed_width_records(
    tmp_path: Path, make_anweb_line: Callable[..., str]
) -> None:
    data = _release(make_anweb_line) + b"x" * (10 * 1024 * 1024)
    error = load_error(write(tmp_path, "tail.txt", data))
    assert error.line == 3
    assert len(error.render()) < 500, "the message quotes a short prefix, not the 10 MB line"


# ---------------------------------------------------------------- workbooks and zips


def test_corrupt_xlsx_zip_with_junk(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("junk.bin", random.Random(3).randbytes(2048))
    error = load_error(write(tmp_path, "corrupt.xlsx", buffer.getvalue()))
    assert "cannot read workbook" in error.message


def test_xlsx_that_is_zip_magic_then_junk(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, "cut.xlsx", b"PK\x03\x04" + random.Random(4).randbytes(4096)))
    assert "cannot read workbook" in error.message


def test_truncated_real_looking_xlsx(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes]
) -> None:
    data = make_xlsx([["HCPC", "LONG DESCRIPTION"], ["Q9999", "Thing"]])
    error = load_error(write(tmp_path, "half.xlsx", data[: len(data) // 2]))
    assert "cannot read workbook" in error.message


def test_xls_magic_then_junk(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(5).randbytes(4096)
    assert "cannot read workbook" in load_error(write(tmp_path, "bad.xls", data)).message


def test_text_named_xlsx(tmp_path: Path) -> None:
    assert "cannot read workbook" in load_error(write(tmp_path, "notes.xlsx", b"just some text\n")).message


def test_workbook_without_the_header(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes]
) -> None:
    path = write(tmp_path, "other.xlsx", make_xlsx([["Name", "Price"], ["Widget", 3]]))
    assert "no header row with HCPC and LONG DESCRIPTION" in load_error(path).message


def test_workbook_bad_date_names_the_row(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes]
) -> None:
    rows = [["HCPC", "RECID", "LONG DESCRIPTION", "TERM DT"], ["Q9999", "3", "Thing", "next year"]]
    error = load_error(write(tmp_path, "dates.xlsx", make_xlsx(rows)))
    assert error.line == 2 and "TERM DT 'next year' for Q9999 is not a date" in error.message


def test_workbook_orphan_continuation_row(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes]
) -> None:
    rows = [["HCPC", "RECID", "LONG DESCRIPTION"], ["Q9998", "3", "One"], ["Q9999", "4", "tail"]]
    error = load_error(write(tmp_path, "orphan.xlsx", make_xlsx(rows)))
    assert error.line == 3 and "continuation row for Q9999" in error.message


def _no_descriptors(path: Path) -> NoDescriptors:
    """A zip holding no release is a file without descriptors (skipped inside a folder)."""
    with pytest.raises(NoDescriptors) as info:
        list(load(str(path)))
    assert info.value.render().startswith(str(path)), info.value.render()
    return info.value


def test_zip_with_no_anweb_member(tmp_path: Path) -> None:
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("HCPC2030_README.txt", "read me")
        zf.writestr("HCPC2030_TRANS_ALPHA.xlsx", b"not really")
    error = _no_descriptors(path)
    assert "no ANWEB member" in error.message and "HCPC2030_README.txt" in error.message


def test_empty_zip(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w"):
        pass
    assert "no ANWEB member" in _no_descriptors(path).message


def test_a_record_layout_zip_beside_a_release_is_skipped_in_a_folder(
    tmp_path: Path, make_anweb_line: Callable[..., str]
) -> None:
    """CMS publishes HCPCS20xx-Record-Layout.zip beside every release: checking the folder
    skips it with a notice and checks the release."""
    with zipfile.ZipFile(tmp_path / "2030-HCPCS-Record-Layout.zip", "w") as zf:
        zf.writestr("HCPCS2030_recordlayout.txt", "FIELD  POSITION\nHCPC   1-5\n")
    with zipfile.ZipFile(tmp_path / "2030-Alpha-Numeric-HCPCS-File.zip", "w") as zf:
        zf.writestr("HCPC2030_ANWEB.txt", _release(make_anweb_line))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "hcpcs_lint",
            "check",
            "--output-format",
            "json",
            "--no-progress",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    assert "Record-Layout.zip: no HCPCS descriptors" in out.stderr and "skipped" in out.stderr
    assert json.loads(out.stdout)["summary"]["records"] > 0


def test_truncated_zip(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("HCPC2030_ANWEB.txt", _release(make_anweb_line) * 50)
    data = buffer.getvalue()
    assert (
        "not a readable zip archive" in load_error(write(tmp_path, "cut.zip", data[: len(data) // 2])).message
    )


def test_zip_member_with_bad_crc(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("HCPC2030_ANWEB.txt", _release(make_anweb_line))
    data = bytearray(buffer.getvalue())
    data[data.index(b"First code")] ^= 0x20  # flip a byte of the stored member
    error = load_error(write(tmp_path, "crc.zip", bytes(data)))
    assert error.render().startswith(f"{tmp_path / 'crc.zip'}!HCPC2030_ANWEB.txt: cannot read zip member")


def test_anweb_member_that_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("HCPC2030_ANWEB.txt", PNG_HEADER)
    assert "binary data" in load_error(path).message


def test_anweb_member_without_records(tmp_path: Path) -> None:
    path = tmp_path / "release.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("HCPC2030_ANWEB.txt", "***Disclaimers\r\nnothing else\r\n")
    error = load_error(path)
    assert "no fixed-width HCPCS records" in error.message
