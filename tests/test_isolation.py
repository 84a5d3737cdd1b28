"""The suite never touches the user's own folders: conftest points HOME and XDG_* at a temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs

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
