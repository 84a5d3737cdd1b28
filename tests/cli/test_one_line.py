"""One-line errors everywhere: click's usage errors, closed or full standard streams, and
configuration values that name where they were set; ``--show-settings`` says where each came from."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "ci"


def run(*args: str, cwd: Path, shell: str | None = None) -> subprocess.CompletedProcess[str]:
    if shell is not None:  # a redirection such as ">&-" needs a shell
        cmd = f"{sys.executable} -m hcpcs_lint {' '.join(args)} {shell}"
        return subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True, timeout=300)
    return subprocess.run(
        [sys.executable, "-m", "hcpcs_lint", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("hcpcs-lint: error: "), lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check", "--bogus"), "No such option '--bogus'. (see hcpcs-lint check --help)"),
        (("chek",), "No such command 'chek'."),
        (("check", "--output-format", "nope"), "Invalid value for '--output-format': 'nope' is not one of"),
        (("check", "--select"), "Option '--select' requires an argument."),
    ],
)
def test_click_usage_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    assert expected in error_line(run(*args, cwd=tmp_path))


@pytest.mark.parametrize(
    ("args", "shell", "expected"),
    [
        (("parse", "-"), "<&-", "-: standard input is closed"),
        (("check", "products.csv"), ">&-", "standard output is closed"),
        (("check", "products.csv"), ">/dev/full", "cannot write standard output: the disk is full"),
    ],
)
def test_closed_or_full_standard_streams(
    tmp_path: Path, args: tuple[str, ...], shell: str, expected: str
) -> None:
    if shell == ">/dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    shutil.copyfile(DATA / "products.csv", tmp_path / "products.csv")
    assert expected in error_line(run(*args, cwd=tmp_path, shell=shell))


def _project(tmp_path: Path, body: str) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.hcpcs-lint]\n{body}')
    shutil.copyfile(DATA / "products.csv", proj / "products.csv")
    return proj


def test_a_bad_reference_names_the_config_that_set_it(tmp_path: Path) -> None:
    proj = _project(tmp_path, 'select = ["HL1"]\nreference = "corpora/missing.csv"\n')
    line = error_line(run("check", "products.csv", cwd=proj))
    assert f"{proj / 'pyproject.toml'}:6: [tool.hcpcs-lint] reference: " in line
    assert "missing.csv: no such file" in line


def test_show_settings_says_where_each_value_came_from(tmp_path: Path) -> None:
    proj = _project(tmp_path, 'select = ["HL1"]\nfail-on = "warning"\n')
    proc = run("check", "products.csv", "--show-settings", "--ignore", "HL102", cwd=proj)
    assert proc.returncode == 0, proc.stderr
    rows = {line.split(" = ")[0]: line for line in proc.stdout.splitlines() if " = " in line}
    config = proj / "pyproject.toml"
    assert f"# config: {config} (the nearest configuration above products.csv)" in proc.stdout
    assert rows["select"].startswith('select = ["HL1"]') and rows["select"].endswith(
        f"# {config}:5 [tool.hcpcs-lint]"
    )
    assert rows["fail-on"].endswith(f"# {config}:6 [tool.hcpcs-lint]")
    assert rows["ignore"].startswith('ignore = ["HL102"]') and rows["ignore"].endswith(
        "# command line (--ignore)"
    )
    assert rows["severity"].endswith("# default")
    assert "HL101" not in proc.stdout  # nothing was checked


def test_a_config_in_the_working_folder_that_does_not_apply_is_named(tmp_path: Path) -> None:
    """Settings come from the nearest config above each checked file (as ruff); one in the
    working folder that does not cover the file is said, not silently skipped. "../x" is
    normalised first: its lexical parent (the working folder) is not its folder."""
    proj = _project(tmp_path, 'select = ["HL999"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(DATA / "products.csv", elsewhere / "products.csv")
    proc = run("check", "../elsewhere/products.csv", "--output-format", "concise", cwd=proj)
    assert proc.returncode == 1, proc.stderr  # HL999 does not exist: the config was not applied
    assert proc.stderr.splitlines() == [
        "hcpcs-lint: notice: pyproject.toml is not applied to ../elsewhere/products.csv (not under its "
        "folder; defaults apply); pass --config pyproject.toml to use it"
    ]
    applied = run("check", "../elsewhere/products.csv", "--config", "pyproject.toml", cwd=proj)
    assert "HL999" in error_line(applied)


def test_the_program_tunes_the_collector_and_ends_quietly_on_a_late_ctrl_c(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``run`` (the console script) tunes the cycle collector and, once ``main`` has returned or
    exited, leaves Ctrl-C to end the process without a traceback from the interpreter's shutdown."""
    import gc
    import signal

    from hcpcs_lint import cli

    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.get_threshold()) or sys.exit(0))
    before_handler, before_threshold = signal.getsignal(signal.SIGINT), gc.get_threshold()
    try:
        with pytest.raises(SystemExit):
            cli.run()
        assert seen == [(200_000, 30, 30)]
        assert signal.getsignal(signal.SIGINT) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, before_handler)
        gc.set_threshold(*before_threshold)
        gc.unfreeze()
