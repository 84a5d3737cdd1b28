"""Work on the second core: a forked child holds a conversation with this process (``Partner``,
marshalled values both ways), or runs one function and sends back its value (``Child``).

Forking (not spawning) means the child inherits the loaded parser, catalog and records: nothing
is pickled on the way in, and only plain values (see ``cache``'s plain forms) come back. A child
that fails, or a platform without fork, gives ``None``: the caller does that share itself, so
results never depend on the pool.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Callable
from typing import Any

ENV_JOBS = "HCPCS_LINT_JOBS"
# Below this many records a second process costs more (fork, sending rows back, rebuilding
# them) than it saves; measured in docs/benchmarks.md.
POOL_MIN = 1500


def jobs_wanted(jobs: int | None = None) -> int:
    """Processes to use: ``jobs``, else ``HCPCS_LINT_JOBS``, else the cores this process may use (at most 2)."""
    if jobs is None:
        raw = os.environ.get(ENV_JOBS, "")
        jobs = int(raw) if raw.strip().isdigit() else 0
    if jobs <= 0:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        jobs = min(2, cores)
        # A core that other work keeps busy gives nothing back: measured on a shared 2-core
        # machine at load 4, two processes took 1.9 s where one took 1.8 s.
        if hasattr(os, "getloadavg") and os.getloadavg()[0] >= cores:
            jobs = 1
    return jobs


def worth_it(n: int, jobs: int | None) -> bool:
    """Split ``n`` records over processes? Only when large, wanted and forking is possible."""
    return n >= POOL_MIN and jobs_wanted(jobs) > 1 and can_fork()


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def spans(n: int, k: int) -> list[tuple[int, int]]:
    """``range(n)`` cut into ``k`` consecutive spans of (nearly) equal size."""
    if n <= 0:
        return [(0, 0)]
    size = -(-n // k)
    return [(a, min(n, a + size)) for a in range(0, n, size)]


class Channel:
    """One end of a conversation between this process and a forked one: marshal-able values
    both ways; ``recv`` gives None when the other end failed or went away."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def send(self, value: Any) -> bool:
        try:
            self._conn.send_bytes(marshal.dumps(value))
            return True
        except (OSError, ValueError):
            return False

    def recv(self) -> Any | None:
        try:
            data = self._conn.recv_bytes()
            return marshal.loads(data) if data else None
        except (EOFError, OSError, ValueError, TypeError):
            return None


class Partner(Channel):
    """A forked process running ``fn(channel, *args)``, talking to this one over ``channel``.

    A child that raises sends an empty message, so the parent's next ``recv`` is None and it does
    the child's share itself. Messages must alternate so that neither side waits on a full pipe
    while the other waits too: the child speaks first."""

    def __init__(self, fn: Callable[..., None], *args: Any) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        conn, theirs = ctx.Pipe(duplex=True)
        super().__init__(conn)
        self._proc = ctx.Process(target=_converse, args=(theirs, conn, fn, args), daemon=True)
        self._proc.start()
        theirs.close()

    def close(self) -> None:
        """Hang up and wait for the child: it sees the end of the conversation and exits (one
        that does not within seconds is stopped)."""
        self._conn.close()
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join()


def _converse(conn: Any, ours: Any, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
    # The forked child holds a copy of the parent's end too: closed here, or the child would
    # never see the parent hang up (a socket pair ends only when every copy of an end is closed).
    ours.close()
    try:
        fn(Channel(conn), *args)
    except BaseException:
        with contextlib.suppress(OSError, ValueError):
            conn.send_bytes(b"")
    finally:
        conn.close()


class Child(Partner):
    """A forked process computing ``fn(*args)`` (a marshal-able value): a conversation of one
    message. ``result()`` waits for it; None when the child failed or its value is not plain."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__(_once, fn, args)

    def result(self) -> Any | None:
        value = self.recv()
        self.close()
        return value


def _once(chan: Channel, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    if not chan.send(fn(*args)):  # not a value marshal can hold
        raise ValueError("the child's value is not plain")
