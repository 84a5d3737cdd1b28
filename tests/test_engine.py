"""The one lint loop (hcpcs_lint/engine.py): ``Linter.run`` is what ``check``, the REPL and the
library callers share, so the same input gives the same findings, byte for byte, everywhere."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from hcpcs_lint.cli import main
from hcpcs_lint.engine import Linter, bundled_corpus_path
from hcpcs_lint.model import Location, Record
from hcpcs_lint.repl import Reference, Repl, run_lines
from hcpcs_lint.report import Report, sorted_findings
from hcpcs_lint.report.jsonfmt import finding_dict, render_lines
from hcpcs_lint.sources import load
from hcpcs_lint.sources.lines import read_lines
from tests.helpers import Q2041, catalog

INPUT = (
    f"Q2041 {Q2041}\n"
    "J3393 Injection, betibeglogene autotemcel, per treatment\n"
    "Examplecel, per therapeutic dose, including cell harvesting, cryopreservation, and administration\n"
)


def dumped(findings: list[dict[str, Any]]) -> bytes:
    return json.dumps(findings, ensure_ascii=False, indent=2).encode("utf-8")


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter(reference=list(load(str(bundled_corpus_path()))))


def test_check_repl_and_library_give_byte_identical_findings_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linter: Linter
) -> None:
    monkeypatch.chdir(tmp_path)  # no configuration file above: all three use the defaults
    library = linter.run(list(read_lines("-", INPUT)))
    lib_json = [finding_dict(f) for f in sorted_findings(library.findings)]
    assert {f["rule"] for f in lib_json} >= {"HL101"} and {f["code"] for f in lib_json} == {
        "Q2041",
        "#3",
    }

    runner = CliRunner()
    check = runner.invoke(main, ["check", "-", "--output-format", "json"], input=INPUT)
    assert check.exit_code == 1, check.output
    check_json = json.loads(check.stdout)["findings"]

    lines = runner.invoke(main, ["check", "-", "--output-format", "json-lines"], input=INPUT)
    report = Report(findings=library.findings, records=library.checked, files=["-"], rules={})
    assert lines.stdout.encode("utf-8") == render_lines(report).encode("utf-8")

    buffer = io.StringIO()
    repl = Repl(Reference.load(None), Console(file=buffer, width=100, color_system=None))
    run_lines(repl, [":json", *INPUT.splitlines()])
    objects = [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    assert [o["code"] for o in objects] == ["Q2041", "J3393", "#3"]
    repl_json = sorted(
        (f for o in objects for f in o["findings"]), key=lambda f: (f["line"], f["column"], f["rule"])
    )

    assert dumped(check_json) == dumped(lib_json)
    assert dumped(repl_json) == dumped(lib_json)


def test_run_with_fix_gives_each_record_its_revision(linter: Linter) -> None:
    records = list(read_lines("-", INPUT))
    plain = linter.run(records)
    fixed = linter.run(records, fix=True, unsafe=True)
    assert [f.rule for f in plain.findings] == [f.rule for f in fixed.findings]
    assert all(r.outcome is None for r in plain.results) and plain.revisions == []
    revised = dict((rec.code, text) for rec, text in fixed.revisions)
    assert set(revised) == {"Q2041", "#3"}
    assert "leukapheresis" not in revised["Q2041"] and revised["Q2041"].endswith("per therapeutic dose")
    assert revised["#3"] == "Examplecel, per therapeutic dose"
    # The revisions are a fixed point: linting them again leaves nothing fixable.
    again = linter.run([Record(c, t, Location("-", 1, 1)) for c, t in revised.items()], fix=True, unsafe=True)
    assert again.revisions == []


def test_safe_only_run_leaves_unsafe_fixes_alone(linter: Linter) -> None:
    result = linter.run(list(read_lines("-", INPUT)), fix=True, unsafe=False)
    assert any(f.fix is not None and f.fix.applicability == "unsafe" for f in result.findings)
    assert result.revisions == []


def test_lint_is_run_without_fixes(linter: Linter) -> None:
    records = list(read_lines("-", INPUT))
    assert linter.lint(records).findings == linter.run(records).findings
    assert linter.lint(records).checked == 3


def test_terminated_codes_are_skipped_unless_asked_for() -> None:
    old = Record("Q2040", Q2041, Location("t", 1, 1), terminated="20181231")
    live = Record("Q2041", Q2041, Location("t", 2, 1))
    default = Linter(catalog=catalog()).run([old, live])
    assert default.checked == 1 and {f.code for f in default.findings} == {"Q2041"}
    assert len(default.entries) == 2  # every record is parsed (peers, write-back), only wanted ones checked
    every = Linter(catalog=catalog(), include_terminated=True).run([old, live])
    assert every.checked == 2 and {f.code for f in every.findings} == {"Q2040", "Q2041"}


def test_progress_counts_every_record() -> None:
    records = [Record(f"X{n:04d}", "Injection, foo, 1 mg", Location("t", n, 1)) for n in range(1, 1203)]
    seen: list[int] = []
    Linter(catalog=catalog()).run(records, progress=seen.append)
    assert sum(seen) == len(records) and seen[:2] == [500, 500]


def test_input_record_overrides_the_reference_of_the_same_code(linter: Linter) -> None:
    mine = Record("J3393", "Injection, betibeglogene autotemcel, per dose", Location("draft.md", 1, 1))
    ctx = linter.context_for(linter.run([mine]).entries)
    assert ctx.corpus.entries["J3393"].record is mine
    assert "J3394" in ctx.corpus.entries  # the rest of the reference is still there, as peers


def _doubled(code: str) -> Record:
    return Record(code=code, long="Injection,  examplumab, 1 mg", location=Location("<t>", 1, 1))


def test_selection_decided_once_still_honours_per_code_ignores() -> None:
    """The rule plan decides select/ignore once per configuration; a per-code-ignores entry
    still silences its rule for the matching codes only, record by record."""
    from hcpcs_lint.config import Config

    config = Config(per_code_ignores={"Q20*": ("HL401",)}, severity={"HL401": "error"})
    lint = Linter(config=config, catalog=catalog())
    found = lint.run([_doubled("Q2041"), _doubled("J9999"), _doubled("q2099")]).findings
    assert [(f.rule, f.record.code, f.severity) for f in found if f.rule == "HL401"] == [
        ("HL401", "J9999", "error")
    ]


def test_a_new_configuration_is_planned_anew() -> None:
    """The plan is keyed by the configuration object: a linter given another one after a run
    lints by the new one (the REPL and library callers may swap it)."""
    from hcpcs_lint.config import Config

    lint = Linter(catalog=catalog())
    assert any(f.rule == "HL401" for f in lint.run([_doubled("J9999")]).findings)
    lint.config = Config(ignore=("doubled-space",))
    assert not any(f.rule == "HL401" for f in lint.run([_doubled("J9999")]).findings)
    lint.config = Config(select=("HL4",), severity={"format": "warning"})
    assert [(f.rule, f.severity) for f in lint.run([_doubled("J9999")]).findings] == [("HL401", "warning")]


def test_inline_ignores_are_still_read_per_record() -> None:
    rec = Record(
        code="J9999", long="Injection,  examplumab, 1 mg", location=Location("<t>", 1, 1), noqa=("HL401",)
    )
    lint = Linter(catalog=catalog())
    assert not any(f.rule == "HL401" for f in lint.run([rec, _doubled("J9998")]).findings if f.record is rec)
    assert any(f.rule == "HL401" for f in lint.run([rec, _doubled("J9998")]).findings)
