"""Every reader, fed a file of every other kind, returns records or fails with a named error.

Nothing passes unread: a reader that found nothing it understood raises ``NoDescriptors`` (or
another ``InputError`` naming what is wrong), never an empty result and never a traceback.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from hcpcs_lint.model import InputError
from hcpcs_lint.sources import FORMATS, load
from tests.sources.pdfgen import text_pdf

J3393 = "Injection, betibeglogene autotemcel, per treatment"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.fixture
def files(
    tmp_path: Path,
    make_anweb_line: Callable[..., str],
    make_xlsx: Callable[[Sequence[Sequence[object]]], bytes],
) -> dict[str, Path]:
    release = (make_anweb_line("J3393", J3393, added="20240701", action="N") + "\r\n").encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("HCPC2030_ANWEB.txt", release)
    contents: dict[str, bytes] = {
        "anweb": release,
        "workbook": make_xlsx([["HCPC", "LONG DESCRIPTION"], ["J3393", J3393]]),
        "zip": archive.getvalue(),
        "table": f'HCPCS,HCPCS Code Descriptor\nJ3393,"{J3393}"\n'.encode(),
        "draft": f'# Draft\n\nEstablish a new code J3393 "{J3393}".\n'.encode(),
        "lines": f"J3393 {J3393}\n".encode(),
        "readme": b"About these files\n\nThey came from CMS and are described in the record layout.\n",
        "binary": PNG,
    }
    out = {kind: tmp_path / f"{kind}.input" for kind in contents}
    for kind, data in contents.items():
        out[kind].write_bytes(data)
    out["pdf"] = text_pdf(tmp_path / "pdf.input", f'Establish a new code J3393 "{J3393}".\n')
    return out


KINDS = ("anweb", "workbook", "zip", "pdf", "table", "draft", "lines", "readme", "binary")


@pytest.mark.parametrize("reader", FORMATS)
def test_each_reader_on_each_kind_of_file(files: dict[str, Path], reader: str) -> None:
    outcomes: dict[str, str] = {}
    for kind in KINDS:
        try:
            records = list(load(str(files[kind]), as_format=reader))
        except InputError as exc:
            assert exc.message and "Traceback" not in exc.message
            outcomes[kind] = "error"
            continue
        assert records, f"{reader} reader gave no records and no error for a {kind} file"
        assert all(r.code and r.long for r in records)
        outcomes[kind] = "records"
    # Its own kind is read; a README and binary data never give records.
    assert outcomes[reader] == "records"
    assert outcomes["readme"] == "error" and outcomes["binary"] == "error"
    read = sorted(kind for kind, outcome in outcomes.items() if outcome == "records")
    assert read == sorted(COMPATIBLE[reader]), f"{reader} read {read}"


# Which kinds each reader accepts besides its own, and why that is right: an .xlsx is a zip package
# that the zip reader hands to the workbook reader; a CSV row `J3393,"Injection, ..."` is a quoted
# descriptor right after its code, which is what a draft's prose is made of.
COMPATIBLE: dict[str, tuple[str, ...]] = {
    "anweb": ("anweb",),
    "workbook": ("workbook",),
    "zip": ("zip", "workbook"),
    "pdf": ("pdf",),
    "table": ("table",),
    "draft": ("draft", "table"),
    "lines": ("lines",),
}
