"""Release history: what changed between CMS releases, and since when each code bundles a service.

The library API the ``diff`` and ``history`` commands and the report call; everything returned is
plain dataclasses with ``to_json()``:

- ``diff_releases(old, new, linter)`` -> ``ReleaseDiff`` (added, terminated, revised, reworded,
  findings new and resolved);
- ``release_history(paths, linter, rule=..., codes=...)`` -> ``History`` (per release the codes a rule
  flags, by product class; per code its descriptor timeline and each clause's first release);
  ``History.chart_series()`` feeds ``hcpcs_lint.charts``.

Each release is linted by the same lint ``check`` runs, reduced to a ``Snapshot`` and its parsed
entries dropped before the next is read, so memory stays near one release.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from hcpcs_lint.history.diff import ClauseChange, ReleaseDiff, Revised, WordOp, diff_snapshots, render_words
from hcpcs_lint.history.release import CodeState, FindingNote, ReleaseInfo, Snapshot, release_info, snapshot
from hcpcs_lint.history.timeline import CodeTimeline, Event, History, ReleaseCount, build_history

if TYPE_CHECKING:
    from hcpcs_lint.engine import Linter

__all__ = [
    "ClauseChange",
    "CodeState",
    "CodeTimeline",
    "Event",
    "FindingNote",
    "History",
    "ReleaseCount",
    "ReleaseDiff",
    "ReleaseInfo",
    "Revised",
    "Snapshot",
    "WordOp",
    "build_history",
    "diff_releases",
    "diff_snapshots",
    "in_release_order",
    "release_history",
    "release_info",
    "render_words",
    "snapshot",
]


def diff_releases(old: str, new: str, linter: Linter) -> ReleaseDiff:
    """Lint OLD, keep its snapshot, lint NEW, compare."""
    before = snapshot(old, linter)
    return diff_snapshots(before, snapshot(new, linter))


def in_release_order(paths: Sequence[str]) -> list[str]:
    """Paths sorted by the date their names give (sources.release), before any is read; files whose
    name has no date keep their place at the end."""
    from hcpcs_lint.sources.release import date_from_name

    dated = [(date_from_name(p), i, p) for i, p in enumerate(paths)]
    return [p for _, _, p in sorted(dated, key=lambda d: (d[0] is None, d[0] or "", d[1]))]


def snapshots(paths: Sequence[str], linter: Linter) -> Iterator[Snapshot]:
    """One snapshot at a time, in release order."""
    for path in in_release_order(paths):
        yield snapshot(path, linter)


def release_history(
    paths: Sequence[str], linter: Linter, *, rule: str = "HL101", codes: Sequence[str] | None = None
) -> History:
    labels = {c.id: c.label for c in linter.cat.classes.values()}
    return build_history(snapshots(paths, linter), rule=rule, codes=codes, class_labels=labels)
