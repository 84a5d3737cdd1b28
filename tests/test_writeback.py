"""Write-back for --fix: only the descriptor bytes change; encodings and line endings survive; atomic."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest

from hcpcs_lint import writeback
from hcpcs_lint.model import InputError, Location, Record
from hcpcs_lint.sources.draft import read_draft
from hcpcs_lint.sources.table import read_table
from hcpcs_lint.writeback import apply_edits, csv_field_edit, csv_quote

OLD = "Axicabtagene ciloleucel, including leukapheresis and dose preparation procedures, per therapeutic dose"
NEW = "Axicabtagene ciloleucel, per therapeutic dose"


def _only_changed(before: bytes, after: bytes, old: bytes, new: bytes) -> None:
    """``after`` is ``before`` with the single occurrence of ``old`` replaced by ``new``, byte for byte."""
    at = before.index(old)
    assert before.count(old) == 1
    assert after[:at] == before[:at]
    assert after[at : at + len(new)] == new
    assert after[at + len(new) :] == before[at + len(old) :]


def _fix_record(path: Path, record: Record, new: str, encoding: str, text: str) -> None:
    offset = record.location.offset
    assert offset is not None
    apply_edits(str(path), [(offset, offset + len(record.long), new)], encoding=encoding, expect=text)


def test_crlf_csv_only_descriptor_bytes_change(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    before = (
        f'HCPC,LONG DESCRIPTION,SHORT DESCRIPTION\r\nQ2041,"{OLD}",Axi car+\r\n'
        'Q2042,"Tisa, per dose",Tisa\r\n'
    ).encode()
    path.write_bytes(before)
    text = before.decode("utf-8")
    record = next(r for r in read_table(str(path), text) if r.code == "Q2041")
    _fix_record(path, record, NEW, "utf-8", text)
    after = path.read_bytes()
    _only_changed(before, after, OLD.encode(), NEW.encode())
    assert after.count(b"\r\n") == 3 and b"\n" not in after.replace(b"\r\n", b"")
    assert next(iter(read_table(str(path), after.decode()))).long == NEW


def test_cp1252_bytes_survive(tmp_path: Path) -> None:
    path = tmp_path / "codes.tsv"
    before = "code\tdescriptor\tnote\nQ2041\t" + OLD + "\tPatient’s caf\xe9 note\n"
    raw = before.encode("cp1252")
    assert b"\x92" in raw and b"\xe9" in raw
    path.write_bytes(raw)
    record = next(iter(read_table(str(path), before)))
    _fix_record(path, record, NEW + " – revised", "cp1252", before)
    after = path.read_bytes()
    _only_changed(raw, after, OLD.encode("cp1252"), (NEW + " – revised").encode("cp1252"))
    assert b"\x96" in after  # the en dash in cp1252, not UTF-8


def test_cp1252_unencodable_fix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_bytes(b"code,descriptor\nQ2041,Axi per dose\n")
    with pytest.raises(InputError, match="cp1252"):
        apply_edits(str(path), [(22, 34, "Axi → dose")], encoding="cp1252")
    assert path.read_bytes() == b"code,descriptor\nQ2041,Axi per dose\n"


@pytest.mark.parametrize("with_bom", [True, False])
def test_utf8_sig_keeps_or_omits_bom_as_found(tmp_path: Path, with_bom: bool) -> None:
    path = tmp_path / "codes.csv"
    body = f"code,descriptor\nQ2041,{OLD.replace(',', ';')}\n".encode()
    before = (codecs.BOM_UTF8 if with_bom else b"") + body
    path.write_bytes(before)
    text = before.decode("utf-8-sig")
    record = next(iter(read_table(str(path), text)))
    _fix_record(path, record, "Axi per dose", "utf-8-sig", text)
    after = path.read_bytes()
    assert after.startswith(codecs.BOM_UTF8) is with_bom
    _only_changed(before, after, OLD.replace(",", ";").encode(), b"Axi per dose")


def test_utf16_big_endian_byte_order_kept(tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    before = codecs.BOM_UTF16_BE + "Q2041 old text\n".encode("utf-16-be")
    path.write_bytes(before)
    apply_edits(str(path), [(6, 14, "new words")], encoding="utf-16")
    assert path.read_bytes() == codecs.BOM_UTF16_BE + "Q2041 new words\n".encode("utf-16-be")


def test_draft_fix_splices_inside_curly_quotes(tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    text = f"Suggested language: Q20XX “{OLD}”.\r\n\r\nOther text stays.\r\n"
    path.write_bytes(text.encode())
    (record,) = read_draft(str(path), text)
    _fix_record(path, record, NEW, "utf-8", text)
    assert path.read_bytes() == text.replace(OLD, NEW).encode()


def test_failure_mid_write_leaves_original_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "codes.csv"
    before = f'code,descriptor\nQ2041,"{OLD}"\n'.encode()
    path.write_bytes(before)

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writeback.os, "replace", boom)
    with pytest.raises(InputError, match="the disk is full; the file is left as it was"):
        apply_edits(str(path), [(23, 23 + len(OLD), NEW)], encoding="utf-8")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codes.csv"]


def test_changed_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_bytes(b"code,descriptor\nQ2041,Axi per dose\n")
    stale = "code,descriptor\nQ2041,Axi per dose, old\n"
    with pytest.raises(InputError, match="changed since it was read"):
        apply_edits(str(path), [(22, 34, "x")], encoding="utf-8", expect=stale)
    assert path.read_bytes() == b"code,descriptor\nQ2041,Axi per dose\n"


@pytest.mark.parametrize(
    ("edits", "needle"),
    [([(0, 5, "a"), (4, 8, "b")], "overlapping"), ([(30, 99, "x")], "outside"), ([(5, 4, "x")], "outside")],
)
def test_bad_edits_are_refused(tmp_path: Path, edits: list[tuple[int, int, str]], needle: str) -> None:
    path = tmp_path / "codes.csv"
    path.write_bytes(b"code,descriptor\nQ2041,Axi\n")
    with pytest.raises(InputError, match=needle):
        apply_edits(str(path), edits, encoding="utf-8")
    assert path.read_bytes() == b"code,descriptor\nQ2041,Axi\n"


def test_several_edits_in_any_order_and_mode_and_symlink(tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_bytes(b"Q2041 aaa\nQ2042 bbb\n")
    os.chmod(path, 0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(path)
    apply_edits(str(link), [(16, 19, "BBBB"), (6, 9, "A")], encoding="utf-8")
    assert path.read_bytes() == b"Q2041 A\nQ2042 BBBB\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert link.is_symlink()


@pytest.mark.parametrize(
    ("value", "delimiter", "quoted"),
    [
        ("Axi per dose", ",", "Axi per dose"),
        ("Axi, per dose", ",", '"Axi, per dose"'),
        ("Axi, per dose", "\t", "Axi, per dose"),
        ('Axi "car+"', ";", '"Axi ""car+"""'),
        ("line\nbreak", "|", '"line\nbreak"'),
        (" padded", ",", '" padded"'),
    ],
)
def test_csv_quote_only_when_needed(value: str, delimiter: str, quoted: str) -> None:
    assert csv_quote(value, delimiter) == quoted


@pytest.mark.parametrize(
    ("field", "new"),
    [
        ("Axi per dose", "Axi, per dose"),
        ("Axi per dose", "Axi per therapeutic dose"),
        ('"Axi, per dose"', 'Axi "car+", per dose'),
        ('"Axi, per dose"', "Axi per dose"),
    ],
)
def test_csv_field_edit_round_trips(tmp_path: Path, field: str, new: str) -> None:
    path = tmp_path / "codes.csv"
    text = f"code,descriptor,short\nQ2041,{field},Axi\n"
    path.write_text(text, encoding="utf-8", newline="")
    record = next(iter(read_table(str(path), text)))
    assert record.location.offset is not None
    edit = csv_field_edit(text, record.location.offset, record.long, new)
    apply_edits(str(path), [edit], encoding="utf-8", expect=text)
    reread = next(iter(read_table(str(path), path.read_text(encoding="utf-8"))))
    assert (reread.long, reread.short) == (new, "Axi")
    if '"' not in field and "," not in new:
        assert path.read_text(encoding="utf-8") == text.replace(field, new)  # stayed unquoted


# ---------------------------------------------------------------- the lint loop's revisions, written

CI_DATA = Path(__file__).resolve().parent / "data" / "ci"
SHAPES_HL101 = {"Q20A1", "Q20B1", "JXXXX", "Q20C2"}


@pytest.fixture(scope="module")
def linter():  # type: ignore[no-untyped-def]
    from hcpcs_lint.engine import Linter, bundled_corpus_path
    from hcpcs_lint.sources import load

    return Linter(reference=list(load(str(bundled_corpus_path()))))


def _revise(linter, path: Path, text: str, codes: set[str]) -> str:  # type: ignore[no-untyped-def]
    """Lint ``path`` with fixes; check HL101 flags ``codes``; write the revisions; the expected text."""
    from hcpcs_lint.sources import load

    result = linter.run(list(load(str(path))), fix=True, unsafe=True)
    hl101 = [f for f in result.findings if f.rule == "HL101"]
    assert {f.code for f in hl101} == codes
    expected = text
    for f in hl101:
        assert f.fix is not None and text.count(f.record.long) == 1, f.record.long
        expected = expected.replace(f.record.long, f.fix.descriptor)
    written = writeback.write_revisions(str(path), result.revisions)
    assert (written.written, written.skipped, written.refused) == (len(codes), 0, None)
    after = linter.run(list(load(str(path))))
    assert [f for f in after.findings if f.rule == "HL101"] == []
    return expected


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\n"), ("cp1252", "\r\n"), ("utf-8-sig", "\r\n")],
    ids=["utf8-lf", "cp1252-crlf", "utf8bom-crlf"],
)
def test_fixing_a_draft_changes_only_its_descriptors(
    linter, tmp_path: Path, encoding: str, newline: str
) -> None:  # type: ignore[no-untyped-def]
    text = (CI_DATA / "draft-shapes.md").read_text(encoding="utf-8").replace("\n", newline)
    draft = tmp_path / "draft-shapes.md"
    draft.write_bytes(text.encode(encoding))
    expected = _revise(linter, draft, text, SHAPES_HL101)
    after = draft.read_bytes()
    assert after == expected.encode(encoding)
    assert after.count(b"\r\n") == text.count("\r\n")
    if encoding == "cp1252":
        assert b"\x93" in after  # curly quotes still cp1252
        with pytest.raises(UnicodeDecodeError):
            after.decode("utf-8")
    assert after.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_fixing_a_csv_changes_only_its_descriptor_fields(linter, tmp_path: Path, newline: str) -> None:  # type: ignore[no-untyped-def]
    text = (CI_DATA / "products.csv").read_text(encoding="utf-8").replace("\n", newline)
    text = text.replace(",revised", ",révisé")  # a non-ASCII byte outside the descriptors
    table = tmp_path / "products.csv"
    table.write_bytes(text.encode("cp1252"))
    expected = _revise(linter, table, text, {"Q20E1", "Q20E3"})
    assert table.read_bytes() == expected.encode("cp1252")


def test_a_cms_release_is_never_rewritten_by_the_library(tmp_path: Path) -> None:
    release = tmp_path / "HCPC2026_JAN_ANWEB.txt"
    line = f"{'Q2041':>5}{100:05d}3{OLD:<80.80}".ljust(320) + "\r\n"
    release.write_bytes(line.encode("cp1252"))
    record = Record("Q2041", OLD, Location(str(release), 1, 1))
    result = writeback.write_revisions(str(release), [(record, NEW)])
    assert result.written == 0 and result.refused is not None and "never rewritten" in result.refused
    assert release.read_bytes() == line.encode("cp1252")
    with pytest.raises(InputError, match="standard input"):
        writeback.write_revisions("-", [(record, NEW)])


def test_a_quoted_field_with_doubled_quotes_is_fixed_in_place(tmp_path: Path) -> None:
    """A CSV descriptor holding '"' is stored with its quotes doubled, so the reader cannot point
    at it verbatim: the fix finds it on its own row as the file writes it, and keeps it quoted."""
    import csv
    import io

    text = (
        "code,long_description,short\r\n"
        'Q3003,"Injection, Zolocabtagene  (""trial"" brand), per 44 mg",x\r\n'
        'Q3004,"Injection, Zolocabtagene  (""trial"" brand), per 44 mg",y\r\n'  # same text, next row
    )
    path = tmp_path / "quoted.csv"
    path.write_bytes(text.encode())
    first, second = list(read_table(str(path), text))
    assert first.location.offset is None and '"trial"' in first.long
    fixed = first.long.replace("  ", " ")
    result = writeback.write_revisions(str(path), [(second, fixed)])
    assert (result.written, result.skipped) == (1, 0)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(), newline="")))
    assert [r[1] for r in rows[1:]] == [first.long, fixed]  # only the second row's field changed
    assert [r[2] for r in rows[1:]] == ["x", "y"]
