"""Fault injection on every write (``--fix``, ``-o``, ``--write-baseline``): the file the user owns
is byte-identical afterwards, the message is one line on stderr, the exit code is 2.

Permission and disk-full faults are injected at the write boundary (``tempfile.mkstemp``, the
temp file's ``fsync``): the suite runs as root here, which ignores permission bits, and mounting a
tiny tmpfs needs privileges a test should not take. A missing folder, a folder as the target and
a hard link are real. A kill mid-write is a real SIGKILL, sent from inside the write.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcpcs_lint import atomic
from hcpcs_lint.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "ci"
FIX = ("--select", "HL101", "--fix", "--unsafe-fixes")
OLD_REPORT = b'{"old": "report"}\n'
OLD_BASELINE = b'{"version": 1, "tool": "hcpcs-lint", "entries": []}\n'


def _setup(tmp_path: Path) -> Path:
    shutil.copyfile(DATA / "products.csv", tmp_path / "products.csv")
    (tmp_path / "report.json").write_bytes(OLD_REPORT)
    (tmp_path / "baseline.json").write_bytes(OLD_BASELINE)
    return tmp_path


# write -> (arguments, the file that must not change)
WRITES: dict[str, tuple[tuple[str, ...], str]] = {
    "fix": (("check", "products.csv", *FIX), "products.csv"),
    "output": (("check", "products.csv", "--output-format", "json", "-o", "report.json"), "report.json"),
    "baseline": (("check", "products.csv", "--write-baseline", "baseline.json"), "baseline.json"),
}


def _fault(kind: str) -> Callable[..., object]:
    def mkstemp_fails(*args: object, **kwargs: object) -> object:
        code = {"permission": errno.EACCES, "missing-folder": errno.ENOENT}[kind]
        raise OSError(code, os.strerror(code))

    def fsync_fails(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return fsync_fails if kind == "disk-full" else mkstemp_fails


def one_line(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("hcpcs-lint: error: ")]
    assert len(errors) == 1 and len(lines) - len(errors) <= 1, stderr  # at most a notice before it
    assert "Traceback" not in stderr
    return errors[0]


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("permission", "permission denied"),
        ("disk-full", "the disk is full"),
        ("missing-folder", "no such file"),
    ],
)
def test_injected_write_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str, fault: str, reason: str
) -> None:
    folder = _setup(tmp_path)
    args, owned = WRITES[write]
    before = (folder / owned).read_bytes()
    monkeypatch.chdir(folder)
    if fault == "disk-full":
        monkeypatch.setattr(atomic.os, "fsync", _fault(fault))
    else:
        monkeypatch.setattr(tempfile, "mkstemp", _fault(fault))
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, (result.output, result.stderr)
    line = one_line(result)
    assert owned in line and reason in line and "the file is left as it was" in line, line
    assert (folder / owned).read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["baseline.json", "products.csv", "report.json"]


@pytest.mark.parametrize("write", ["output", "baseline"])
def test_target_in_a_missing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str) -> None:
    folder = _setup(tmp_path)
    args = [a.replace(".json", "") + ".json" if a.endswith(".json") else a for a in WRITES[write][0]]
    args = [f"nowhere/{a}" if a.endswith(".json") else a for a in args]
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "nowhere" in one_line(result) and "does not exist" in one_line(result)
    assert not (folder / "nowhere").exists()


@pytest.mark.parametrize("write", ["output", "baseline"])
def test_target_that_is_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str) -> None:
    folder = _setup(tmp_path)
    args, owned = WRITES[write]
    (folder / owned).unlink()
    (folder / owned).mkdir()
    (folder / owned / "inside.txt").write_bytes(b"keep")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2
    line = one_line(result)
    assert owned in line and ("it is a folder, not a file" in line or "is a directory" in line), line
    assert (folder / owned / "inside.txt").read_bytes() == b"keep"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permission bits")
@pytest.mark.parametrize("write", list(WRITES))
def test_real_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str) -> None:
    folder = _setup(tmp_path)
    args, owned = WRITES[write]
    before = (folder / owned).read_bytes()
    monkeypatch.chdir(folder)
    folder.chmod(0o555)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2
    assert "permission denied" in one_line(result)
    assert (folder / owned).read_bytes() == before


@pytest.mark.parametrize("write", list(WRITES))
def test_hard_linked_target_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str) -> None:
    folder = _setup(tmp_path)
    args, owned = WRITES[write]
    os.link(folder / owned, folder / "other-name")
    before = (folder / owned).read_bytes()
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2
    assert "it has 2 hard links and rewriting it would split them" in one_line(result)
    assert (folder / owned).read_bytes() == before == (folder / "other-name").read_bytes()
    assert os.stat(folder / owned).st_ino == os.stat(folder / "other-name").st_ino


# ---------------------------------------------------------------- kills, stale temps, concurrency

_KILL_IN_WRITE = """
import os, signal, sys
def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)  # after the temp file is written, before the rename
os.fsync = die
from hcpcs_lint.cli import main
sys.argv = ["hcpcs-lint", *sys.argv[1:]]
main()
"""


def _cli(*args: str, cwd: Path, code: str | None = None) -> subprocess.CompletedProcess[str]:
    head = [sys.executable, "-c", code] if code else [sys.executable, "-m", "hcpcs_lint"]
    return subprocess.run([*head, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("write", list(WRITES))
def test_kill_mid_write_leaves_the_original_and_the_next_run_cleans_up(tmp_path: Path, write: str) -> None:
    folder = _setup(tmp_path)
    args, owned = WRITES[write]
    before = (folder / owned).read_bytes()
    killed = _cli(*args, cwd=folder, code=_KILL_IN_WRITE)
    assert killed.returncode == -9, killed.stderr
    assert (folder / owned).read_bytes() == before
    stale = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert len(stale) == 1 and stale[0].startswith(f".{owned}."), stale
    again = _cli(*args, cwd=folder)
    assert again.returncode in (0, 1), again.stderr
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert (folder / owned).read_bytes() != before  # this time it was written


def test_a_live_writers_temp_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    live = tmp_path / f".report.json.{os.getppid()}.abc123.tmp"  # our parent is alive
    dead = tmp_path / ".report.json.999999999.abc123.tmp"  # no such process
    live.write_bytes(b"x")
    dead.write_bytes(b"y")
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert live.exists() and not dead.exists()


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_eight_concurrent_fix_runs_lose_nothing(tmp_path: Path) -> None:
    """Four safe and four unsafe --fix runs at once: a valid file, every row, every fix (as one
    unsafe run alone would leave it), and each run's JSON says what it found."""
    folder = _setup(tmp_path)
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copyfile(folder / "products.csv", alone / "products.csv")
    assert _cli("check", "products.csv", *FIX, cwd=alone).returncode in (0, 1)
    expected = (alone / "products.csv").read_bytes()
    before_rows = _rows(folder / "products.csv")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hcpcs_lint",
                "check",
                "products.csv",
                "--select",
                "HL101",
                "--fix",
                *(["--unsafe-fixes"] if i % 2 else []),
                "--output-format",
                "json",
            ],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode in (0, 1), err
        assert "not found in the file as read" not in err and "changed since it was read" not in err, err
        json.loads(out)
    assert (folder / "products.csv").read_bytes() == expected
    rows = _rows(folder / "products.csv")
    assert [r[0] for r in rows] == [r[0] for r in before_rows]  # no row lost, none doubled
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
