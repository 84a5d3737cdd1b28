"""pre-commit integration: ``pre-commit try-repo`` runs this repository's hooks on a sample draft.

try-repo clones this repository (committed code, plus a shadow commit of uncommitted changes to tracked
files) and installs the hook's environment with pip, which needs PyPI or a warm pip cache. That takes
seconds to minutes, so the test runs only when HCPCS_LINT_SLOW=1 and pre-commit is installed (on PATH,
importable, or at /tmp/pc/bin/pre-commit); otherwise it is skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "data" / "ci"
TIMEOUT = 600
LOCAL_COPY = Path("/tmp/pc/bin/pre-commit")  # where a copy was installed on the development machine


def _pre_commit() -> list[str] | None:
    found = shutil.which("pre-commit")
    if found:
        return [found]
    if LOCAL_COPY.is_file() and os.access(LOCAL_COPY, os.X_OK):
        return [str(LOCAL_COPY)]
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    return None


PRE_COMMIT = _pre_commit()

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("HCPCS_LINT_SLOW") != "1",
        reason="slow: pre-commit try-repo installs the hook environment with pip; set HCPCS_LINT_SLOW=1",
    ),
    pytest.mark.skipif(
        PRE_COMMIT is None,
        reason="pre-commit is not installed (not on PATH, not importable, not at /tmp/pc/bin/pre-commit)",
    ),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; try-repo needs it"),
    pytest.mark.skipif(
        not (REPO_ROOT / ".git").exists(), reason=f"{REPO_ROOT} is not a git checkout; try-repo needs one"
    ),
]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "PRE_COMMIT"}
    env.update(
        GIT_AUTHOR_NAME="hcpcs-lint tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="hcpcs-lint tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
        NO_COLOR="1",
    )
    return env


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=_env(), timeout=60)


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A committee's repository: a git repo whose drafts are committed (try-repo needs a git repo)."""
    repo = tmp_path / "committee"
    (repo / "drafts").mkdir(parents=True)
    shutil.copyfile(DATA / "draft-shapes.md", repo / "drafts" / "cart.md")
    shutil.copyfile(DATA / "clean.md", repo / "drafts" / "clean.md")
    (repo / "drafts" / "spaces.csv").write_bytes(
        b'HCPCS Code,Long Descriptor\nJ33H9,"Injection,  rhogene autotemcel, per treatment"\n'
    )
    _git("init", "-q", cwd=repo)
    _git("add", "drafts", cwd=repo)
    _git("commit", "-q", "-m", "drafts", cwd=repo)
    return repo


def _try_repo(repo: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    assert PRE_COMMIT is not None
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(REPO_ROOT), hook, "--verbose", "--color", "never", "--files", *files],
        cwd=repo,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
        env=_env(),
    )


def _hook_status(output: str, name: str) -> str:
    """'Passed' or 'Failed' from pre-commit's ``name.....Status`` line."""
    for line in output.splitlines():
        if line.startswith(name + ".") and line.rstrip().endswith(("Passed", "Failed", "Skipped")):
            return line.rstrip().rsplit(".", 1)[-1]
    raise AssertionError(f"no status line for hook {name!r} in:\n{output}")


def test_try_repo_hook_reports_hl101_on_a_draft(sample_repo: Path) -> None:
    proc = _try_repo(sample_repo, "hcpcs-lint", "drafts/cart.md")
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    assert proc.returncode == 1, out
    assert _hook_status(proc.stdout, "hcpcs-lint") == "Failed"
    assert "- hook id: hcpcs-lint" in proc.stdout
    assert "- exit code: 1" in proc.stdout  # the linter failed, not pre-commit
    assert "drafts/cart.md:10:" in proc.stdout and "HL101" in proc.stdout
    assert "level2-includes-cpt-service" in proc.stdout
    assert (sample_repo / "drafts" / "cart.md").read_bytes() == (DATA / "draft-shapes.md").read_bytes()


def test_try_repo_hook_passes_a_clean_draft(sample_repo: Path) -> None:
    proc = _try_repo(sample_repo, "hcpcs-lint", "drafts/clean.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _hook_status(proc.stdout, "hcpcs-lint") == "Passed"
    assert "HL101" not in proc.stdout


def test_try_repo_fix_hook_applies_safe_fixes(sample_repo: Path) -> None:
    proc = _try_repo(sample_repo, "hcpcs-lint-fix", "drafts/spaces.csv")
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    # The hook fixed the file and the linter exited 0; pre-commit fails the run because a file changed.
    assert proc.returncode == 1, out
    assert _hook_status(proc.stdout, "hcpcs-lint (fix)") == "Failed"
    assert "files were modified by this hook" in proc.stdout
    assert (sample_repo / "drafts" / "spaces.csv").read_bytes() == (
        b'HCPCS Code,Long Descriptor\nJ33H9,"Injection, rhogene autotemcel, per treatment"\n'
    )
