"""The wheel carries everything the package reads at run time (rules, catalog, grammar, corpus):
a non-editable install must work, not only the editable one the tests run from."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_data_files(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0 and "No module named" in out.stderr:
        pytest.skip(f"cannot build a wheel here: {out.stderr.strip().splitlines()[-1]}")
    assert out.returncode == 0, out.stderr
    wheel = next(tmp_path.glob("hcpcs_lint-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = {
        "hcpcs_lint/grammar/level2.lark",
        "hcpcs_lint/grammar/vocabulary.toml",
        "hcpcs_lint/corpora/cell-gene-therapy.csv",
        "hcpcs_lint/corpora/drafts/car-t-coding-recommendation.md",
        "hcpcs_lint/rules/catalog/services.toml",
        "hcpcs_lint/rules/catalog/classes.toml",
        "hcpcs_lint/rules/catalog/supply_nouns.toml",
    }
    needed |= {f"hcpcs_lint/rules/{p.name}" for p in (ROOT / "rules").glob("HL*.toml")}
    assert needed <= names, sorted(needed - names)
