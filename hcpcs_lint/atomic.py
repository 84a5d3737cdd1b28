"""The one atomic writer: every file hcpcs-lint writes (reports, baselines, fixed inputs) goes here.

A temp file in the target's folder, flushed and fsynced, given the permission bits the target
should have, then ``os.replace``d over the target, and the folder fsynced so the rename itself is
durable. Whatever fails (a full disk, a signal, an exception in the code writing), the target is
either the old file or the whole new one, and no temp file is left behind. A target that is not a
regular file (``-o /dev/null``, a FIFO) is written to in place: it has no contents to protect.

A SIGKILL cannot be caught, so its temp file stays; the temp name carries the writer's process
id and the next write to the same target removes temps whose process is gone. A target with more
than one hard link is refused (a rename would split the links: the other names would keep the
old text). ``locked`` serialises read-modify-write runs on one file (eight concurrent ``--fix``
runs each see the previous one's result). ``describe`` says what an OSError means in a message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
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
    if _special(path):
        # A device, a pipe or a socket (-o /dev/null, -o /dev/stdout, a FIFO): written to as the
        # shell would. Renaming over it would put a regular file where the system keeps a device.
        text = mode == "w"
        with open(path, mode, encoding=encoding if text else None, newline=newline if text else None) as fh:
            yield fh
        return
    target = os.path.realpath(os.fspath(path))
    directory = os.path.dirname(target) or "."
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", os.fspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"the folder {directory} does not exist", os.fspath(path))
    links = 1
    with contextlib.suppress(OSError):
        links = os.stat(target).st_nlink
    if links > 1:
        raise OSError(
            errno.EMLINK,
            f"it has {links} hard links and rewriting it would split them "
            "(the other names would keep the old text); copy it to a file of its own first",
            os.fspath(path),
        )
    remove_stale_temps(target)
    bits = _default_mode(target) if perms is None else perms
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f"{_temp_prefix(target)}{os.getpid()}.", suffix=".tmp")
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


def _special(path: str | os.PathLike[str]) -> bool:
    """Is ``path`` something other than a regular file or a folder (a device, FIFO or socket)?"""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _temp_prefix(target: str) -> str:
    return f".{os.path.basename(target)}."


def remove_stale_temps(target: str) -> list[str]:
    """Remove temp files for ``target`` left by writers that were killed (their process is gone)."""
    directory = os.path.dirname(target) or "."
    pattern = re.compile(re.escape(_temp_prefix(target)) + r"(\d+)\.[^.]*\.tmp")
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = pattern.fullmatch(name)
        if m is None or _alive(int(m[1])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(directory, name))
            removed.append(name)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (its current file) from read to write.

    The lock is on the file itself; an atomic write replaces the file, so after waiting a run
    checks that it holds the lock of the file now at ``path`` and tries again if not. A file
    that cannot be opened is not locked: reading it reports the problem.
    """
    target = os.path.realpath(os.fspath(path))
    while True:
        try:
            fd = os.open(target, os.O_RDONLY)
        except OSError:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(target).st_ino
            except OSError:
                same = False
            if same:
                yield
                return
        finally:
            os.close(fd)  # closing releases the lock


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.EISDIR: "it is a folder, not a file",
}


def describe(exc: OSError) -> str:
    """An OSError in a few words for a one-line message (no errno numbers, no file names twice)."""
    if exc.errno in (errno.EMLINK, errno.ENOENT) and exc.strerror and exc.strerror[:1].islower():
        return exc.strerror  # our own wording, above
    return _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


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
