"""The second core: a forked child's share comes back equal to doing it here, and a child that
fails at any step only means this process does its share (results never depend on the pool)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hcpcs_lint import halves, pool
from hcpcs_lint.engine import Linter
from hcpcs_lint.prepared import build
from hcpcs_lint.sources import read_release

pytestmark = pytest.mark.skipif(not pool.can_fork(), reason="this platform cannot fork")

R2019 = Path("2019") / "HCPC2019_CONTR_ANWEB.txt"
JUL2025 = Path("2025-07") / "HCPC2025_JUL_ANWEB_v3.xlsx"  # no add dates: borrowed from the reference


def _boom() -> list[int]:
    raise RuntimeError("a worker that fails")


def _echo_twice(chan: pool.Channel, first: int) -> None:
    chan.send([first])
    got = chan.recv()
    chan.send(["back", got])


def test_a_child_returns_its_value_or_none_when_it_fails() -> None:
    assert pool.Child(sorted, [3, 1, 2]).result() == [1, 2, 3]
    assert pool.Child(_boom).result() is None
    assert pool.Child(lambda: object()).result() is None  # not a plain value: marshal refuses it


def test_a_partner_talks_both_ways_and_a_failed_one_says_none() -> None:
    partner = pool.Partner(_echo_twice, 7)
    assert partner.recv() == [7]
    assert partner.send({"a": (1, 2)})
    assert partner.recv() == ["back", {"a": (1, 2)}]
    partner.close()
    failed = pool.Partner(lambda chan: _boom())
    assert failed.recv() is None
    failed.close()


def _wait_for_parent(chan: pool.Channel) -> None:
    chan.send([1])
    assert chan.recv() is None  # the parent hung up


def test_a_child_waiting_for_its_parent_ends_when_the_parent_hangs_up() -> None:
    partner = pool.Partner(_wait_for_parent)
    assert partner.recv() == [1]
    partner.close()  # waits at most seconds, then stops the child: it must not need to
    assert partner._proc.exitcode == 0


def test_spans_cover_every_record_once_in_order() -> None:
    assert pool.spans(0, 2) == [(0, 0)]
    for n in (1, 2, 1499, 1500, 6800):
        for k in (1, 2, 3):
            cut = pool.spans(n, k)
            assert [i for a, b in cut for i in range(a, b)] == list(range(n))
            assert len(cut) <= k


def test_jobs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pool.ENV_JOBS, "1")
    assert pool.jobs_wanted() == 1 and not pool.worth_it(10_000, None)
    monkeypatch.setenv(pool.ENV_JOBS, "2")
    assert pool.jobs_wanted() == 2 and pool.worth_it(10_000, None)
    assert not pool.worth_it(pool.POOL_MIN - 1, None)


Found = list[tuple[str, str, str, tuple[int, int], str | None, str | None]]


def _findings(path: Path, jobs: int, *, defer: bool) -> tuple[Found, int, list[str]]:
    """Findings (with the record each names), records checked and every entry's code, as the
    CLI gets them: ``prepare(defer=True)`` then ``run`` (two processes, each its half)."""
    linter = Linter(jobs=jobs)
    if defer:
        prepared = linter.prepare(str(path), defer=True)
        assert prepared.pending is not None
    else:
        release = read_release(str(path))
        prepared = build(release.path, release.records, linter.cat, jobs)
        prepared.format, prepared.effective = release.format, release.effective
    result = linter.run(prepared)
    assert result.checked == len(result.results)
    found = [
        (f.rule, f.code, f.message, f.span, f.record.added, f.record.terminated) for f in result.findings
    ]
    return found, result.checked, [e.record.code for e in result.entries]


def _one_process(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Found, int, list[str]]:
    """The reference answer: one process, no cache."""
    monkeypatch.setenv("HCPCS_LINT_NO_CACHE", "1")
    one = _findings(path, 1, defer=False)
    assert len(one[0]) > 10 and one[1] > 5000
    return one


@pytest.mark.parametrize("release", [R2019, JUL2025], ids=["2019", "jul-2025-dates-borrowed"])
def test_two_halves_give_the_same_findings_as_one_process(
    data_dir: Path, release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _one_process(data_dir / release, monkeypatch)
    partners: list[pool.Partner] = []
    started = pool.Partner.__init__

    def spy(self: pool.Partner, *args: Any) -> None:
        partners.append(self)
        started(self, *args)

    monkeypatch.setattr(pool.Partner, "__init__", spy)
    assert _findings(data_dir / release, 2, defer=True) == one
    assert len(partners) == 1, "the two-process path did not run"
    assert _findings(data_dir / release, 2, defer=False) == one  # the parse pool of build()


def _fail_after_peers(chan: pool.Channel, job: Any, a: int, b: int) -> None:
    """A child that parses and sends its peers, then fails before its findings and rows."""
    read, checked = job.parse(a, b)
    peers, members = job.peers(checked), job.members(read)
    chan.send((peers, members, [(i, halves.row_of(read[i])) for i in sorted({*peers, *members})]))
    chan.recv()
    raise RuntimeError("a child that fails half way")


def _fail_at_once(chan: pool.Channel, *args: Any) -> None:
    raise RuntimeError("a child that fails at once")


@pytest.mark.parametrize("child", [_fail_at_once, _fail_after_peers], ids=["at-once", "after-peers"])
def test_a_child_failing_at_any_step_changes_nothing(
    data_dir: Path, child: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _one_process(data_dir / R2019, monkeypatch)
    monkeypatch.setattr(halves, "_other_half", child)
    assert _findings(data_dir / R2019, 2, defer=True) == one
