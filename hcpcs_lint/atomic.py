"""The one atomic writer: every file hcpcs-lint writes (reports, baselines, fixed inputs) goes here.

A temp file in the target's folder, flushed and fsynced, given the permission bits the target
should have, then ``os.replace``d over the target, and the folder fsynced so the rename itself is
durable. Whatever fails (a full disk, a signal, an exception in the code writing), the target is
either the old file or the whole new one, and no temp file is left behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _default_mode(target: str) -> int:
    """The target's own permission bits, or what the umask gives a new file (mkstemp makes 0600)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = "",
    perms: int | None = None,
    durable: bool = True,
) -> Iterator[IO[Any]]:
    """Open a temp file to write ``path``; on a clean exit it replaces ``path``, on error it is removed.

    ``mode`` is "w" (text) or "wb"; ``path`` is written through a symlink, not over it. ``durable``
    False skips the fsyncs: still all-or-nothing, but a crash may lose the write (a cache can).
    Raises OSError as the file system reports it: callers turn it into their own InputError.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes only, mode 'w' or 'wb', not {mode!r}")
    target = os.path.realpath(os.fspath(path))
    directory = os.path.dirname(target) or "."
    bits = _default_mode(target) if perms is None else perms
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    done = False
    try:
        text = mode == "w"
        with os.fdopen(
            fd, mode, encoding=encoding if text else None, newline=newline if text else None
        ) as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, bits)
        os.replace(tmp, target)
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    if durable:
        fsync_directory(directory)


def write_bytes(
    path: str | os.PathLike[str], payload: bytes, *, perms: int | None = None, durable: bool = True
) -> None:
    """Replace ``path`` by ``payload`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path, "wb", perms=perms, durable=durable) as fh:
        fh.write(payload)


def write_text(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", perms: int | None = None
) -> None:
    """Replace ``path`` by ``text`` atomically, newlines written as given."""
    with atomic_open(path, "w", encoding=encoding, perms=perms) as fh:
        fh.write(text)


def fsync_directory(directory: str | Path) -> None:
    """Make a rename in ``directory`` durable where the platform allows it (POSIX)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
