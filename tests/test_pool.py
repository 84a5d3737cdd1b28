"""The second core: a forked child's share comes back equal to doing it here, and a child that
fails only means this process does its share (results never depend on the pool)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hcpcs_lint import pool
from hcpcs_lint.engine import Linter
from hcpcs_lint.prepared import build
from hcpcs_lint.sources import read_release

pytestmark = pytest.mark.skipif(not pool.can_fork(), reason="this platform cannot fork")


def _boom() -> list[int]:
    raise RuntimeError("a worker that fails")


def _fail(send: Any, fn: object, args: object) -> None:
    send.send_bytes(b"")  # what a child sends when its work raised
    send.close()


def test_a_child_returns_its_value_or_none_when_it_fails() -> None:
    assert pool.Child(sorted, [3, 1, 2]).result() == [1, 2, 3]
    assert pool.Child(_boom).result() is None
    assert pool.Child(lambda: object()).result() is None  # not a plain value: marshal refuses it


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


def _findings(data_dir: Path, jobs: int) -> list[tuple[str, str, str, tuple[int, int]]]:
    linter = Linter(jobs=jobs)
    release = read_release(str(data_dir / "2019" / "HCPC2019_CONTR_ANWEB.txt"))
    prepared = build(release.path, release.records, linter.cat, jobs)
    prepared.format, prepared.effective = release.format, release.effective
    result = linter.run(prepared)
    assert result.checked == len(result.results)
    return [(f.rule, f.code, f.message, f.span) for f in result.findings]


def test_parse_and_rules_on_two_processes_give_the_same_findings(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _findings(data_dir, 1)
    assert len(one) > 10
    assert _findings(data_dir, 2) == one
    # Every child failing: this process parses and checks their shares itself.
    monkeypatch.setattr(pool, "_run", _fail)
    assert _findings(data_dir, 2) == one
