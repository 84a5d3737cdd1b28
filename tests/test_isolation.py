"""The suite never touches the user's own folders: conftest points HOME and XDG_* at a temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from hcpcs_lint.repl import default_history_path


def test_user_folders_are_private_to_the_run() -> None:
    home = Path(os.environ["HOME"])
    assert home.name.startswith("home") and "pytest" in str(home)
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        assert Path(os.environ[name]).is_relative_to(home), name
    for where in (
        platformdirs.user_data_dir(),
        platformdirs.user_cache_dir(),
        platformdirs.user_config_dir(),
    ):
        assert Path(where).is_relative_to(home), where
    assert default_history_path().is_relative_to(home)


def test_a_child_process_inherits_the_private_folders() -> None:
    code = "import platformdirs; print(platformdirs.user_data_dir('hcpcs-lint'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert Path(out.strip()).is_relative_to(Path(os.environ["HOME"]))


def test_the_write_audit_sees_a_write_outside_the_test_folders(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The session-wide audit (conftest ``_audit_writes``) would fail the run on such a write:
    here a child writes outside the run's folder, into its own log, and the check names it."""
    import tempfile

    from tests.conftest import writes_outside

    log = tmp_path / "audit.jsonl"
    outside = Path(tempfile.mkdtemp(prefix="hcpcs-lint-audit-"))
    try:
        env = {**os.environ, "HCPCS_LINT_AUDIT_LOG": str(log)}
        code = f"open({str(outside / 'x.txt')!r}, 'w').write('x')"
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        base = tmp_path_factory.getbasetemp().resolve()  # HOME and XDG_* are in there too
        found = writes_outside(log, base)
        assert len(found) == 1 and found[0].startswith(str(outside / "x.txt"))
        # a clean run of the CLI writes nothing outside
        log.unlink()
        subprocess.run(
            [sys.executable, "-m", "hcpcs_lint", "parse", "-"],
            input="Injection, x, 1 mg\n",
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert log.exists() is False or writes_outside(log, base) == []
    finally:
        import shutil

        shutil.rmtree(outside, ignore_errors=True)
