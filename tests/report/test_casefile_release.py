"""The report of the real October 2025 release: a section for every HL101 code, in all three formats,
each proposing exactly the descriptor that ``check`` gives as its fix (the issue's "done when")."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hcpcs_lint.casefile.markdown import esc
from hcpcs_lint.cli import main


@pytest.fixture(scope="module")
def october(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    release = str(data_dir / "2025-10" / "HCPC2025_OCT_ANWEB.xlsx")
    out = tmp_path_factory.mktemp("october")
    runner = CliRunner()
    checked = runner.invoke(main, ["check", release, "--output-format", "json"])
    assert checked.exit_code == 1, checked.output
    fixes: dict[str, str] = {}
    for f in json.loads(checked.stdout)["findings"]:
        if f["rule"] == "HL101":
            assert f["fix"] is not None, f["code"]
            fixes.setdefault(f["code"], f["fix"]["descriptor"])
    files = {fmt: out / f"r.{fmt}" for fmt in ("html", "md", "docx")}
    # the command, with the three files from one lint: each -o file's extension names its
    # format (`--format html -o r.html` alone is run in tests/report/test_casefile_browser.py)
    made = runner.invoke(main, ["report", release, *(a for f in files.values() for a in ("-o", str(f)))])
    assert made.exit_code == 0, made.output
    assert made.stderr.count("Wrote ") == 3
    return {"fixes": fixes, "files": files}


def test_the_release_has_the_car_t_codes_flagged(october: dict[str, Any]) -> None:
    assert {"Q2041", "Q2042", "Q2043", "Q2053", "Q2058"} <= set(october["fixes"])


class _Sections(HTMLParser):
    """article id -> text of its proposed descriptor."""

    def __init__(self) -> None:
        super().__init__()
        self.proposed: dict[str, str] = {}
        self._code = ""
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article":
            self._code = a.get("data-code") or ""
        self._in = "proposed" in (a.get("class") or "").split()

    def handle_endtag(self, tag: str) -> None:
        self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.proposed[self._code] = self.proposed.get(self._code, "") + data


def test_html_has_a_section_per_hl101_code_proposing_check_s_fix(october: dict[str, Any]) -> None:
    parser = _Sections()
    parser.feed(october["files"]["html"].read_text("utf-8"))
    assert parser.proposed == october["fixes"]


def test_markdown_has_a_section_per_hl101_code_proposing_check_s_fix(october: dict[str, Any]) -> None:
    text = october["files"]["md"].read_text("utf-8")
    sections = text.split("\n### ")[1:]
    found = {}
    for s in sections:
        code = s.split(" ", 1)[0]
        for line in s.splitlines():
            if line.startswith("Proposed: "):
                found[code] = line.removeprefix("Proposed: ")
    assert found == {code: esc(fix) for code, fix in october["fixes"].items()}


def test_docx_has_a_section_per_hl101_code_proposing_check_s_fix(october: dict[str, Any]) -> None:
    import docx

    doc = docx.Document(io.BytesIO(october["files"]["docx"].read_bytes()))
    code = ""
    found = {}
    for p in doc.paragraphs:
        if p.style is not None and p.style.name == "Heading 2" and p.text[:5] in october["fixes"]:
            code = p.text[:5]
        elif p.text.startswith("Proposed descriptor: ") and code:
            found[code] = p.text.removeprefix("Proposed descriptor: ")
    assert found == october["fixes"]
    assert any(r.font.strike for p in doc.paragraphs for r in p.runs)
