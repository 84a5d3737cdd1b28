"""`hcpcs-lint report` as a user runs it: formats, errors as one line, --history on real releases."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcpcs_lint.cli import main


def test_markdown_of_the_bundled_corpus(tmp_path: Path) -> None:
    out = tmp_path / "case.md"
    result = CliRunner().invoke(main, ["report", "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out} (md;" in result.stderr
    text = out.read_text("utf-8")
    assert text.startswith("# Level II product codes that bundle CPT-covered services\n")
    assert "~~including leukapheresis and dose preparation procedures,~~" in text
    assert "HL301" not in text  # style findings are not part of the case


def test_a_missing_output_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "r.html"
    result = CliRunner().invoke(main, ["report", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith("hcpcs-lint: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output and not target.exists()


def test_a_missing_input_or_history_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["nope.csv"], ["--history", str(tmp_path / "nope.txt")]):
        result = CliRunner().invoke(main, ["report", *args, "-o", str(tmp_path / "r.md"), "--format", "md"])
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("hcpcs-lint: error: ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "r.md").exists()


def test_output_is_required_and_formats_are_checked(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["report"]).exit_code == 2
    assert runner.invoke(main, ["report", "--format", "pdf", "-o", "x"]).exit_code == 2
    unknown = runner.invoke(main, ["report", "-o", str(tmp_path / "r.pdf")])
    assert unknown.exit_code == 2 and "cannot tell the format of" in unknown.output
    two = runner.invoke(main, ["report", "--format", "md", "-o", "a.md", "-o", "b.md"])
    assert two.exit_code == 2 and "--format names one format" in two.output
    assert list(tmp_path.iterdir()) == []


def test_history_says_since_when_and_charts_every_release(data_dir: Path, tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    jan = str(data_dir / "2026-01-excerpt" / "HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt")
    old = str(data_dir / "2019" / "HCPC2019_CONTR_ANWEB.txt")
    runner = CliRunner()
    md, word = tmp_path / "h.md", tmp_path / "h.docx"
    for fmt, out in (("md", md), ("docx", word)):
        result = runner.invoke(main, ["report", jan, "--history", old, "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
    text = md.read_text("utf-8")
    q2041 = text.split("### Q2041 ", 1)[1].split("\n### ", 1)[0]
    assert "since 2019 at least (2019 is the oldest release given)" in q2041
    # Q2053 came after 2019: the first release given that has it, and its add date from the file
    q2053 = text.split("### Q2053 ", 1)[1].split("\n### ", 1)[0]
    assert "at least (" in q2053
    assert "is the first release given that has the code, added 20" in q2053
    releases = text.split("## Codes bundling services, per release and class\n\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split(":")[0] for line in releases.splitlines()] == ["- 2019", "- 2026"]
    doc = docx.Document(io.BytesIO(word.read_bytes()))
    assert len(doc.inline_shapes) == 1
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Release")
    assert [r.cells[0].text for r in table.rows[1:]] == ["2019", "2026"]


def test_a_clean_input_says_so_in_every_format(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    clean = tmp_path / "clean.csv"
    clean.write_text('code,descriptor\nJ3393,"Injection, betibeglogene autotemcel, per treatment"\n', "utf-8")
    outs = [tmp_path / f"r.{ext}" for ext in ("html", "md", "docx")]
    result = CliRunner().invoke(main, ["report", str(clean), *(a for o in outs for a in ("-o", str(o)))])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("0 codes to revise") == 3
    md = outs[1].read_text("utf-8")
    assert "No Level II product code in" in md and "; 1 code checked." in md
    assert "None: hcpcs-lint check flags no code under HL101 here." in md
    assert md.split("## Codes to revise")[1].split("## Sources")[0].count("###") == 0
    assert "<article" not in outs[0].read_text("utf-8")
    paragraphs = [p.text for p in docx.Document(str(outs[2])).paragraphs]
    assert "None: hcpcs-lint check flags no code under HL101 here." in paragraphs
