"""`check` on drafts as people have them: .txt/.md/.pdf alike, requests, patches, nothing passes unread."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hcpcs_lint.cli import main
from tests.sources.pdfgen import text_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "drafts"
SUMMARY = CORPUS / "application-summary.txt"
TABLE = CORPUS / "third-party-decisions.csv"


def check(folder: Path, *args: str | Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(folder)
    return CliRunner().invoke(main, ["check", "--no-progress", *map(str, args)], catch_exceptions=False)


def doc(result: Result) -> dict[str, Any]:
    assert result.exit_code in (0, 1), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def essence(findings: list[dict[str, Any]]) -> list[tuple[object, ...]]:
    return sorted(
        (f["code"], f["rule"], f["message"], f["request"], f["request_kind"], f["change"]) for f in findings
    )


def test_txt_md_and_pdf_give_the_same_findings_pdf_at_page_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SUMMARY, tmp_path / "summary.txt")
    shutil.copy(SUMMARY, tmp_path / "summary.md")
    text_pdf(tmp_path / "summary.pdf", SUMMARY.read_text())
    docs = {
        ext: doc(check(tmp_path, f"summary.{ext}", "--output-format", "json", monkeypatch=monkeypatch))
        for ext in ("txt", "md", "pdf")
    }
    assert docs["txt"]["findings"], "the summary has findings to compare"
    for ext in ("md", "pdf"):
        assert essence(docs[ext]["findings"]) == essence(docs["txt"]["findings"]), ext
        assert essence(docs[ext]["resolved"]) == essence(docs["txt"]["resolved"]), ext
    assert {f["page"] for f in docs["pdf"]["findings"]} == {1}
    assert all(f["page"] is None for f in docs["txt"]["findings"])
    concise = check(tmp_path, "summary.pdf", "--output-format", "concise", monkeypatch=monkeypatch)
    pdf_lines = [line for line in concise.stdout.splitlines() if ": HL101 [" in line]
    assert pdf_lines and all(line.startswith("summary.pdf:page 1:") for line in pdf_lines)
    q2042 = next(f for f in docs["pdf"]["findings"] if f["code"] == "Q2042" and f["rule"] == "HL101")
    assert concise.stdout.count(f"summary.pdf:page 1:{q2042['line']}: HL101") == 1


def test_revision_resolves_the_current_texts_findings_and_flags_a_proposal_that_still_bundles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SUMMARY, tmp_path / "summary.txt")
    data = doc(check(tmp_path, "summary.txt", "--output-format", "json", monkeypatch=monkeypatch))
    findings, resolved = data["findings"], data["resolved"]
    # 26.015 revises Q2041: the current text's HL101 is resolved, the proposed text is clean.
    assert not [f for f in findings if f["code"] == "Q2041"]
    q2041 = {f["rule"]: f for f in resolved if f["code"] == "Q2041"}
    assert "HL101" in set(q2041) and "HL201" not in q2041  # one problem, one finding
    assert q2041["HL101"]["request"] == "26.015" and q2041["HL101"]["change"] == "resolved"
    assert q2041["HL101"]["request_kind"] == "revise"
    assert "leukapheresis" in q2041["HL101"]["descriptor"]  # the current text
    # 26.016 revises Q2042 but keeps the services clause: flagged, and marked as kept.
    (kept,) = [f for f in findings if f["code"] == "Q2042" and f["rule"] == "HL101"]
    assert (kept["request"], kept["request_kind"], kept["change"]) == ("26.016", "revise", "kept")
    assert "kept by request 26.016" in kept["message"]
    # 26.030 discontinues Q2040: its findings are resolved, none reported, no fix proposed.
    assert not [f for f in findings if f["code"] == "Q2040"]
    assert {f["rule"] for f in resolved if f["code"] == "Q2040"} >= {"HL101"}
    new = [f for f in findings if f["code"] == "QXXXX" and f["rule"] == "HL101"]
    assert [(f["request"], f["request_kind"], f["change"]) for f in new] == [("26.021", "new", None)]
    text = check(tmp_path, "summary.txt", "--output-format", "concise", monkeypatch=monkeypatch).stdout
    assert (
        "summary.txt:17: resolved by request 26.015 (revise Q2041): HL101 level2-includes-cpt-service" in text
    )
    assert "Resolved by the document's requests: 4 findings." in text  # HL201 no longer repeats HL101


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)


@pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("patch") is None, reason="needs git and patch"
)
def test_diff_is_a_patch_git_apply_and_patch_accept_and_equals_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("a", "b", "c"):
        (tmp_path / folder / "drafts").mkdir(parents=True)
        shutil.copy(SUMMARY, tmp_path / folder / "drafts" / "summary.txt")
        shutil.copy(TABLE, tmp_path / folder / "drafts" / "decisions.csv")
    before = (tmp_path / "a" / "drafts" / "summary.txt").read_text()
    result = check(tmp_path / "a", "drafts", "--diff", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert result.exit_code == 1, result.stderr
    patch = result.stdout_bytes.decode()  # .stdout would turn the CSV's CRLF into LF
    assert "--- a/drafts/summary.txt\n+++ b/drafts/summary.txt\n" in patch
    assert "--- a/drafts/decisions.csv\n+++ b/drafts/decisions.csv\n" in patch
    assert (tmp_path / "a" / "drafts" / "summary.txt").read_text() == before  # --diff changes nothing
    (tmp_path / "p.diff").write_bytes(patch.encode())
    assert _git(tmp_path / "a", "init", "-q").returncode == 0
    applied = _git(tmp_path / "a", "apply", "-v", str(tmp_path / "p.diff"))
    assert applied.returncode == 0, applied.stderr
    patched = subprocess.run(
        ["patch", "-p1", "-i", str(tmp_path / "p.diff")], cwd=tmp_path / "b", capture_output=True, text=True
    )
    assert patched.returncode == 0, patched.stdout + patched.stderr
    fixed = check(tmp_path / "c", "drafts", "--fix", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert fixed.exit_code in (0, 1), fixed.stderr
    for name in ("summary.txt", "decisions.csv"):
        a, b, c = ((tmp_path / x / "drafts" / name).read_bytes() for x in "abc")
        assert a == b == c, name
    after = (tmp_path / "c" / "drafts" / "summary.txt").read_text()
    # Only descriptor words changed: every line outside the quoted text is as it was.
    assert after.count("“") == before.count("“") and after.count("”") == before.count("”")
    assert after.count('"') == before.count('"')
    assert '800 million car-positive viable t cells, per therapeutic dose".\n' in after
    assert 'Discontinue code Q2040 "Tisagenlecleucel, up to 250' in after  # not revised: it goes away


def test_diff_without_unsafe_fixes_says_what_it_held_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SUMMARY, tmp_path / "summary.txt")
    result = check(tmp_path, "summary.txt", "--diff", monkeypatch=monkeypatch)
    assert result.stdout == ""
    assert "2 unsafe fixes held back; add --unsafe-fixes to include them." in result.stderr


def test_fix_keeps_curly_quotes_and_splices_a_wrapped_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = tmp_path / "d.txt"
    draft.write_text(
        "Applicant's suggested language: QXXXX “Tisagenlecleucel, up to 600 million car-\n"
        "positive viable t cells, including leukaphe-\nresis and dose preparation procedures, per\n"
        "therapeutic dose”, as filed.\n"
    )
    result = check(tmp_path, "d.txt", "--fix", "--unsafe-fixes", "--select", "HL101", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert draft.read_text() == (
        "Applicant's suggested language: QXXXX “Tisagenlecleucel, up to 600 million car-\n"
        "positive viable t cells, per\ntherapeutic dose”, as filed.\n"
    )


def test_fix_never_rewrites_a_pdf_but_diff_shows_the_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = text_pdf(tmp_path / "summary.pdf", SUMMARY.read_text())
    before = pdf.read_bytes()
    fixed = check(tmp_path, "summary.pdf", "--fix", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert pdf.read_bytes() == before
    assert "summary.pdf is a PDF; it is never rewritten" in fixed.stderr
    assert fixed.exit_code == 1
    diff = check(tmp_path, "summary.pdf", "--diff", "--unsafe-fixes", monkeypatch=monkeypatch)
    assert diff.exit_code == 1
    assert diff.stdout.startswith("--- summary.pdf\n+++ summary.pdf\n")
    assert (
        "-Tisagenlecleucel, up to 800 million car-positive viable t cells, including leukapheresis"
        in diff.stdout
    )
    assert (
        "+Tisagenlecleucel, up to 800 million car-positive viable t cells, per therapeutic dose"
        in diff.stdout
    )
    assert pdf.read_bytes() == before


def test_files_that_are_not_descriptors_error_when_named_and_are_skipped_in_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    shutil.copy(TABLE, folder / "decisions.csv")
    (folder / "README.txt").write_text("What is here\n\nDrafts for the next meeting, and notes.\n")
    (folder / "notes.md").write_text("# Notes\n\nNothing decided yet.\n")
    named = check(tmp_path, "drafts/README.txt", monkeypatch=monkeypatch)
    assert named.exit_code == 2
    assert named.stderr.startswith(
        "hcpcs-lint: error: drafts/README.txt is neither a CMS release nor a draft"
    )
    assert len(named.stderr.strip().splitlines()) == 1
    empty = check(tmp_path, "drafts/notes.md", monkeypatch=monkeypatch)
    assert empty.exit_code == 2
    assert empty.stderr.startswith(
        "hcpcs-lint: error: no HCPCS descriptors found in drafts/notes.md: looked for"
    )
    allowed = check(tmp_path, "drafts/notes.md", "--allow-empty", monkeypatch=monkeypatch)
    assert allowed.exit_code == 0 and "All checks passed (0 records)" in allowed.stdout
    in_folder = check(tmp_path, "drafts", "--output-format", "json", monkeypatch=monkeypatch)
    assert in_folder.exit_code == 1
    assert "hcpcs-lint: notice: drafts/README.txt is neither a CMS release nor a draft" in in_folder.stderr
    assert "hcpcs-lint: notice: no HCPCS descriptors found in drafts/notes.md" in in_folder.stderr
    assert in_folder.stderr.count("; skipped (found inside a folder)") == 2
    data = json.loads(in_folder.stdout)
    assert data["summary"]["files"] == 1 and {f["path"] for f in data["findings"]} == {"drafts/decisions.csv"}


def test_real_record_layout_named_is_a_one_line_error(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = data_dir / "2019" / "HCPCS2019_recordlayout.txt"
    if not layout.is_file():
        pytest.skip(f"{layout} not found")
    result = check(tmp_path, layout, monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == (
        f"hcpcs-lint: error: {layout} is neither a CMS release nor a draft (0 of its 807 lines start with a "
        "HCPCS code); looked for CMS fixed-width records, quoted descriptors after a code or placeholder, "
        "Markdown or CSV tables with a code and a descriptor column, and lines of `CODE descriptor` "
        "(pipe descriptors without codes to standard input)\n"
    )


def test_a_named_list_of_coded_descriptors_is_fixed_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "codes.txt"
    listing.write_text(
        "J3393 Injection, betibeglogene autotemcel,  per treatment\nJ3394: Injection, x, per treatment\n"
    )
    result = check(tmp_path, "codes.txt", "--fix", "--select", "HL401", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert listing.read_text() == (
        "J3393 Injection, betibeglogene autotemcel, per treatment\nJ3394: Injection, x, per treatment\n"
    )


def test_sarif_and_github_name_the_pdf_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text_pdf(tmp_path / "summary.pdf", SUMMARY.read_text())
    sarif = json.loads(
        check(tmp_path, "summary.pdf", "--output-format", "sarif", monkeypatch=monkeypatch).stdout
    )
    results = sarif["runs"][0]["results"]
    assert results and all(r["properties"]["page"] == 1 for r in results)
    assert {r["properties"]["request"] for r in results} == {"26.016", "26.021"}
    github = check(tmp_path, "summary.pdf", "--output-format", "github", monkeypatch=monkeypatch).stdout
    assert all("::page 1: " in line for line in github.splitlines() if line.startswith("::"))
