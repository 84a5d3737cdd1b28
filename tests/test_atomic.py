"""The one atomic writer (hcpcs_lint/atomic.py): all or nothing, no temp file left, permissions kept,
fsynced unless the caller says a lost write is harmless (the cache)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hcpcs_lint import atomic


def test_replaces_the_file_and_keeps_its_permission_bits(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old", "utf-8")
    os.chmod(path, 0o640)
    atomic.write_text(path, "new\r\n")
    assert path.read_bytes() == b"new\r\n"  # newlines as given
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_an_error_while_writing_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "out.sarif"
    path.write_text("old", "utf-8")
    with pytest.raises(RuntimeError), atomic.atomic_open(path) as fh:
        fh.write("half")
        raise RuntimeError("the reporter failed")
    assert path.read_text("utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.sarif"]


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("a", "utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    atomic.write_bytes(link, b"b")
    assert link.is_symlink() and real.read_bytes() == b"b"


@pytest.mark.parametrize(("durable", "syncs"), [(True, 2), (False, 0)])
def test_durable_writes_fsync_the_file_and_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool, syncs: int
) -> None:
    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real_fsync(fd))
    atomic.write_bytes(tmp_path / "entry", b"x", durable=durable)
    assert len(calls) == syncs
    assert (tmp_path / "entry").read_bytes() == b"x"


def test_only_write_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="writes only"), atomic.atomic_open(tmp_path / "x", "a"):
        pass


def test_a_device_or_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/null` or a FIFO: renaming over it would put a regular file where a device or a
    pipe was (as root, /dev/null itself); it is written to as the shell would."""
    import stat
    import threading

    from hcpcs_lint.atomic import write_text

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text(fifo, "report\n")
    reader.join(10)
    assert got == [b"report\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    write_text(os.devnull, "nothing\n")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
