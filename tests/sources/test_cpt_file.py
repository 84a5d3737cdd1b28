"""--cpt: a licensed user's CPT file adds Level I services that inclusion items are matched with.
The CPT-style text here is written by the hcpcs-lint team (no AMA descriptor text)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CPT = (
    "code,descriptor\n"
    '99901,"Example cell service; gathering of the patient\'s lymphocytes by apheresis for a made-to-order product, per day"\n'
    "99902,Example cell service; warming and readying of a made-to-order product for its recipient\n"
)


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hcpcs_lint", *args], cwd=tmp_path, capture_output=True, text=True, check=False
    )


def test_level_one_file_parses_stem_and_specific(tmp_path: Path) -> None:
    (tmp_path / "cpt.csv").write_text(CPT, "utf-8")
    out = run(tmp_path, "parse", "--format", "json", "cpt.csv")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["level"] for r in rows] == ["I", "I"]
    assert rows[0]["stem"]["text"] == "Example cell service"
    assert rows[0]["specific"]["text"].startswith("gathering of the patient's lymphocytes")


def test_inclusion_items_match_the_users_cpt_codes(tmp_path: Path) -> None:
    (tmp_path / "cpt.csv").write_text(CPT, "utf-8")
    (tmp_path / "draft.csv").write_text(
        "code,descriptor\n"
        'Q99X1,"Novaproduct, 10 mg, including gathering of the patient\'s lymphocytes by apheresis"\n',
        "utf-8",
    )
    without = run(tmp_path, "check", "draft.csv", "--select", "HL101", "--output-format", "json")
    assert json.loads(without.stdout)["findings"] == []
    with_cpt = run(
        tmp_path, "check", "draft.csv", "--select", "HL101", "--output-format", "json", "--cpt", "cpt.csv"
    )
    assert with_cpt.returncode == 1, with_cpt.stderr
    findings = json.loads(with_cpt.stdout)["findings"]
    assert [f["cpt"] for f in findings] == [["99901"]]
    assert findings[0]["fix"]["descriptor"] == "Novaproduct, 10 mg"
