"""check --explain: under each finding, how every item of the clause was read (action, object,
route; thing), so a policy analyst sees why; JSON carries the same lines as "explain"."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from hcpcs_lint.cli import main

DRAFT = 'code,descriptor\nX9901,"Injection, examplumab, 10 mg, includes intravenous infusion and the administration set"\n'


def run(tmp_path: Path, *args: str) -> str:
    (tmp_path / "draft.csv").write_text(DRAFT, "utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "draft.csv"), "--select", "HL101", *args])
    assert result.exit_code == 1, result.output
    return result.stdout


def test_explain_shows_each_item_under_the_finding(tmp_path: Path) -> None:
    out = run(tmp_path, "--explain", "--no-color")
    assert "= how each item was read:" in out
    assert "'intravenous infusion': action infusion ('infusion'), route/manner 'intravenous'" in out
    assert "'the administration set': thing (supply noun 'set'); not a service" in out
    assert "how each item was read" not in run(tmp_path, "--no-color")  # only when asked


def test_json_carries_the_explanation(tmp_path: Path) -> None:
    (finding,) = json.loads(run(tmp_path, "--output-format", "json"))["findings"]
    assert any("CPT 96360-96379" in line for line in finding["explain"])
    assert finding["fix"]["descriptor"] == "Injection, examplumab, 10 mg, includes the administration set"
