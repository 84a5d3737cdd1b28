"""Release history: per release, which product codes a rule flags (by class); per code, its descriptor's
timeline and the release where each clause first appeared.

Snapshots arrive one at a time, oldest first; only what changed is kept between them, so memory
grows with the changes, not with the number of releases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hcpcs_lint.history.diff import code_filter, render_words, word_diff
from hcpcs_lint.history.release import CodeState, Plain, ReleaseInfo, Snapshot, normalise


@dataclass(frozen=True, slots=True)
class ReleaseCount:
    """The codes a rule flags in one release, and the same codes grouped by product class."""

    release: ReleaseInfo
    rule: str
    codes: tuple[str, ...]
    by_class: dict[str, tuple[str, ...]]

    @property
    def count(self) -> int:
        return len(self.codes)

    def to_json(self) -> dict[str, Any]:
        return {
            "release": self.release.to_json(),
            "rule": self.rule,
            "count": self.count,
            "codes": list(self.codes),
            "by_class": {k: list(v) for k, v in self.by_class.items()},
        }


@dataclass(frozen=True, slots=True)
class Event(Plain):
    """``first seen``, ``revised``, ``reworded``, ``terminated``, ``absent`` or ``reactivated``."""

    release: str
    effective: str | None
    event: str
    descriptor: str
    date: str | None = None  # the add or termination date the file gives
    word_diff: str | None = None


@dataclass(frozen=True, slots=True)
class ClauseOrigin(Plain):
    """A clause of the code's descriptor and the releases that carried it."""

    role: str
    text: str
    first_seen: str
    releases: tuple[str, ...]


@dataclass
class CodeTimeline:
    code: str
    events: list[Event] = field(default_factory=list)
    clauses: list[ClauseOrigin] = field(default_factory=list)
    present_in: list[str] = field(default_factory=list)
    flagged_in: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """Present with the same words in every release it appears in."""
        return not any(e.event in ("revised", "reworded") for e in self.events)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "present_in": self.present_in,
            "flagged_in": self.flagged_in,
            "unchanged": self.unchanged,
            "events": [e.to_json() for e in self.events],
            "clauses": [c.to_json() for c in self.clauses],
        }


@dataclass
class History:
    releases: list[ReleaseInfo]
    rule: str
    counts: list[ReleaseCount]
    timelines: list[CodeTimeline]
    classes: dict[str, str] = field(default_factory=dict)  # class id -> label
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "releases": [r.to_json() for r in self.releases],
            "counts": [c.to_json() for c in self.counts],
            "codes": [t.to_json() for t in self.timelines],
            "classes": self.classes,
            "notes": self.notes,
        }

    def chart_series(self) -> tuple[list[str], list[tuple[str, list[int]]]]:
        """Release labels and, per product class, the flagged codes in each release (for charts.py)."""
        labels = [c.release.label for c in self.counts]
        names = sorted({k for c in self.counts for k in c.by_class})
        series = [(self.classes.get(n, n), [len(c.by_class.get(n, ())) for c in self.counts]) for n in names]
        return labels, series


@dataclass
class _Track:
    """What is kept of one code between snapshots: its last state and its timeline so far."""

    last: CodeState | None = None
    timeline: CodeTimeline | None = None
    clause_first: dict[tuple[str, str], tuple[str, str, list[str]]] = field(default_factory=dict)
    added: str | None = None


def build_history(
    snapshots: Iterable[Snapshot],
    *,
    rule: str = "HL101",
    codes: Sequence[str] | None = None,
    class_labels: dict[str, str] | None = None,
) -> History:
    """Fold snapshots (oldest first) into counts per release and timelines per code.

    ``codes`` are codes or shell-style patterns (``Q205*``); without them, timelines are given for
    every code the rule flags in any release. A release
    without termination dates (a trimmed workbook) takes them from the other releases.
    """
    wants = code_filter(codes or ())
    releases: list[ReleaseInfo] = []
    flagged: list[dict[str, str | None]] = []  # per release: code -> product class
    undated: list[int] = []
    ended: dict[str, str] = {}  # code -> earliest termination date any release gives
    tracks: dict[str, _Track] = {}
    for snap in snapshots:
        idx = len(releases)
        releases.append(snap.release)
        if not snap.has_dates:
            undated.append(idx)
        hits: dict[str, str | None] = {}
        for state in snap.codes.values():
            if state.terminated and (state.code not in ended or state.terminated < ended[state.code]):
                ended[state.code] = state.terminated
            if state.active and any(f.rule == rule for f in state.findings):
                hits[state.code] = state.product_class
            if wants(state.code):
                _step(tracks.setdefault(state.code, _Track()), state, snap.release)
        for code, track in tracks.items():
            if code not in snap.codes and track.last is not None:
                _gone(track, snap.release)
        flagged.append(hits)

    notes = []
    for idx in undated:
        when = releases[idx].effective
        late = [c for c in flagged[idx] if c in ended and (when is None or ended[c] <= when)]
        for c in late:
            del flagged[idx][c]
        notes.append(
            f"{releases[idx].path} has no termination dates; {len(late)} flagged code(s) that other "
            "releases date as terminated by then are not counted"
        )
    counts = [_count(r, rule, hits) for r, hits in zip(releases, flagged, strict=True)]
    wanted = set(tracks) if codes else {c for hits in flagged for c in hits}
    for pattern in codes or ():
        if not any(code_filter([pattern])(c) for c in tracks):
            notes.append(f"no release given has a code {pattern}")
    timelines = []
    for code in sorted(wanted):
        kept = tracks.get(code)
        if kept is None or kept.timeline is None:
            continue
        tl = kept.timeline
        if kept.added:  # a trimmed workbook has no add dates: take the one another release gives
            tl.events = [
                replace(e, date=e.date or kept.added) if e.event == "first seen" else e for e in tl.events
            ]
        tl.flagged_in = [r.label for r, hits in zip(releases, flagged, strict=True) if code in hits]
        tl.clauses = [
            ClauseOrigin(k, t, first, tuple(seen)) for (k, _), (t, first, seen) in kept.clause_first.items()
        ]
        timelines.append(tl)
    used = {k for c in counts for k in c.by_class}
    labels = {k: (class_labels or {}).get(k, k) for k in sorted(used)}
    return History(releases, rule, counts, timelines, labels, notes)


def _count(release: ReleaseInfo, rule: str, hits: dict[str, str | None]) -> ReleaseCount:
    by_class: dict[str, list[str]] = {}
    for code, cls in sorted(hits.items()):
        by_class.setdefault(cls or "unclassified", []).append(code)
    return ReleaseCount(release, rule, tuple(sorted(hits)), {k: tuple(v) for k, v in by_class.items()})


def _step(track: _Track, state: CodeState, release: ReleaseInfo) -> None:
    if track.timeline is None:
        track.timeline = CodeTimeline(state.code)
    tl = track.timeline
    tl.present_in.append(release.label)
    track.added = track.added or state.added
    last = track.last

    def event(kind: str, date: str | None = None, words: str | None = None) -> None:
        tl.events.append(Event(release.label, release.effective, kind, state.descriptor, date, words))

    if last is None:
        event("reappeared" if tl.events else "first seen", state.added)
    elif last.terminated and not state.terminated:
        event("reactivated", state.added)
    if last is not None and last.descriptor != state.descriptor:
        same = normalise(last.descriptor) == normalise(state.descriptor)
        event(
            "reworded" if same else "revised",
            words=render_words(word_diff(last.descriptor, state.descriptor)),
        )
    if state.terminated and (last is None or not last.terminated):
        event("terminated", state.terminated)
    for role, text in state.clauses:
        key = (role, normalise(text))
        if key not in track.clause_first:
            track.clause_first[key] = (text, release.label, [])
        seen = track.clause_first[key][2]
        if release.label not in seen:
            seen.append(release.label)
    track.last = state


def _gone(track: _Track, release: ReleaseInfo) -> None:
    last = track.last
    assert last is not None and track.timeline is not None
    if not last.terminated:
        track.timeline.events.append(Event(release.label, release.effective, "absent", last.descriptor))
    track.last = None
