"""Resource limits (docs/limits.md): each is met with one named error line, exit 2, quickly.

Every test here crosses a limit on purpose and asserts the user sees one line
``hcpcs-lint: error: path[:line]: ...`` naming it, not a traceback, an abort or a hang.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hcpcs_lint.limits import MAX_DESCRIPTOR_CHARS, MAX_NESTING


def run_cli(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hcpcs_lint", *args],
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("hcpcs-lint: error: "), lines[0]
    return lines[0]


def test_brackets_nested_past_the_limit_name_the_line(tmp_path: Path) -> None:
    deep = "(" * 500 + "a" + ")" * 500  # a RecursionError traceback before
    (tmp_path / "d.csv").write_text(f'code,descriptor\nQ2041,"Injection, fine, 1 mg"\nQ2042,"{deep}"\n')
    line = one_error_line(run_cli("check", "d.csv", cwd=tmp_path))
    assert f"d.csv:3: Q2042: brackets nest 500 deep, over the limit of {MAX_NESTING}" in line


def test_a_descriptor_past_the_length_limit_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text(
        "Q2041 Injection, fine\nQ2042 " + "word " * (MAX_DESCRIPTOR_CHARS // 4) + "\n"
    )
    line = one_error_line(run_cli("check", "d.txt", cwd=tmp_path))
    assert (
        "d.txt:2: Q2042: descriptor is" in line and f"over the {MAX_DESCRIPTOR_CHARS} character limit" in line
    )
