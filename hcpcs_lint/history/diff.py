"""What changed between two releases: codes added and terminated, descriptors revised (word and clause
diffs), descriptors only reworded (case, spacing, punctuation), and findings that appeared or were resolved.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hcpcs_lint.history.release import CodeState, FindingNote, Plain, ReleaseInfo, Snapshot, normalise

_TOKEN = re.compile(r"\w+(?:[-'+/]\w+)*\+?|[^\w\s]")


@dataclass(frozen=True, slots=True)
class WordOp(Plain):
    """One run of a word diff: ``equal``, ``delete`` (old text only) or ``insert`` (new text only)."""

    op: str
    text: str


@dataclass(frozen=True, slots=True)
class ClauseChange(Plain):
    """A clause that ``appeared``, ``vanished`` or ``changed`` (same role, other words)."""

    change: str
    role: str
    old: str | None = None
    new: str | None = None


def word_diff(old: str, new: str) -> list[WordOp]:
    """Words and punctuation compared as tokens; each run keeps its original spacing."""

    def runs(text: str) -> tuple[list[str], list[int]]:
        found = list(_TOKEN.finditer(text))
        return [m.group() for m in found], [m.start() for m in found] + [len(text)]

    a, a_at = runs(old)
    b, b_at = runs(new)
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in _slide(
        difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), a, b
    ):
        if tag == "equal":
            ops.append(WordOp("equal", new[b_at[j1] : b_at[j2]]))
            continue
        if i2 > i1:
            ops.append(WordOp("delete", old[a_at[i1] : a_at[i2]]))
        if j2 > j1:
            ops.append(WordOp("insert", new[b_at[j1] : b_at[j2]]))
    return ops


def _slide(codes: Sequence[tuple[str, int, int, int, int]], a: list[str], b: list[str]) -> list[list[Any]]:
    """Move a removed or added run that starts with punctuation one token right when the same mark
    follows it, so "Cells, [-including x,-] per dose" reads as a removed phrase with its comma."""
    ops: list[tuple[str, list[int]]] = [(tag, [i1, i2, j1, j2]) for tag, i1, i2, j1, j2 in codes]
    for k in range(1, len(ops) - 1):
        (ptag, prev), (tag, cur), (ntag, nxt) = ops[k - 1], ops[k], ops[k + 1]
        if ptag != "equal" or ntag != "equal" or tag not in ("delete", "insert") or nxt[1] - nxt[0] < 2:
            continue
        seq, lo, hi = (a, 0, 1) if tag == "delete" else (b, 2, 3)
        if seq[cur[lo]] == seq[cur[hi]] and not seq[cur[lo]][0].isalnum():
            for op, shift in ((prev, (0, 1, 0, 1)), (cur, (1, 1, 1, 1)), (nxt, (1, 0, 1, 0))):
                op[:] = [v + dv for v, dv in zip(op, shift, strict=True)]
    return [[tag, *span] for tag, span in ops]


def render_words(ops: list[WordOp]) -> str:
    """Plain text as ``git diff --word-diff=plain``: ``[-removed-]{+added+}``."""
    out = []
    for op in ops:
        text = op.text
        if op.op == "equal":
            out.append(text)
            continue
        core = text.rstrip()
        mark = f"[-{core}-]" if op.op == "delete" else f"{{+{core}+}}"
        if out and out[-1] and not out[-1][-1].isspace() and core[:1].isalnum():
            mark = " " + mark  # "(ivig) [-demonstration-]", not "(ivig)[-demonstration-]"
        out.append(mark + text[len(core) :])
    return "".join(out).rstrip()


def clause_diff(old: tuple[tuple[str, str], ...], new: tuple[tuple[str, str], ...]) -> list[ClauseChange]:
    """Clauses matched first by identical wording (any position), then by role in order."""
    left = list(old)
    right = list(new)
    for clause in list(right):
        hit = next((c for c in left if c[0] == clause[0] and normalise(c[1]) == normalise(clause[1])), None)
        if hit is not None:
            left.remove(hit)
            right.remove(clause)
    out: list[ClauseChange] = []
    for role, text in list(right):
        hit = next((c for c in left if c[0] == role), None)
        if hit is not None:
            left.remove(hit)
            right.remove((role, text))
            out.append(ClauseChange("changed", role, hit[1], text))
    out += [ClauseChange("vanished", k, t, None) for k, t in left]
    out += [ClauseChange("appeared", k, None, t) for k, t in right]
    return out


@dataclass(frozen=True, slots=True)
class Added(Plain):
    code: str
    kind: str
    descriptor: str
    added: str | None
    findings: tuple[FindingNote, ...]
    reactivated: bool = False


@dataclass(frozen=True, slots=True)
class Terminated(Plain):
    code: str
    kind: str
    descriptor: str
    terminated: str | None  # the NEW file's termination date; None when the code is simply absent
    reason: str  # "termination date" | "absent"


@dataclass(frozen=True, slots=True)
class Revised:
    code: str
    old: str
    new: str
    words: tuple[WordOp, ...]
    clauses: tuple[ClauseChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "old": self.old,
            "new": self.new,
            "word_diff": render_words(list(self.words)),
            "words": [w.to_json() for w in self.words],
            "clauses": [c.to_json() for c in self.clauses],
        }


@dataclass(frozen=True, slots=True)
class FindingChange(Plain):
    code: str
    rule: str
    name: str
    severity: str
    message: str
    why: str = ""  # for a resolved finding: "terminated", "revised", "peers changed" ...


@dataclass
class ReleaseDiff:
    old: ReleaseInfo
    new: ReleaseInfo
    added: list[Added] = field(default_factory=list)
    terminated: list[Terminated] = field(default_factory=list)
    revised: list[Revised] = field(default_factory=list)
    reworded: list[Revised] = field(default_factory=list)
    came_and_went: list[Terminated] = field(default_factory=list)  # added after OLD, terminated in NEW
    findings_new: list[FindingChange] = field(default_factory=list)
    findings_resolved: list[FindingChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "terminated": len(self.terminated),
            "revised": len(self.revised),
            "reworded": len(self.reworded),
            "came_and_went": len(self.came_and_went),
            "findings_new": len(self.findings_new),
            "findings_resolved": len(self.findings_resolved),
        }

    def only(self, patterns: Sequence[str]) -> ReleaseDiff:
        """The same diff restricted to codes matching any of ``patterns`` (``Q205*``, ``J3391``)."""
        keep = code_filter(patterns)
        return ReleaseDiff(
            self.old,
            self.new,
            [a for a in self.added if keep(a.code)],
            [t for t in self.terminated if keep(t.code)],
            [r for r in self.revised if keep(r.code)],
            [r for r in self.reworded if keep(r.code)],
            [t for t in self.came_and_went if keep(t.code)],
            [f for f in self.findings_new if keep(f.code)],
            [f for f in self.findings_resolved if keep(f.code)],
            list(self.notes),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "counts": self.counts(),
            "added": [a.to_json() for a in self.added],
            "terminated": [t.to_json() for t in self.terminated],
            "revised": [r.to_json() for r in self.revised],
            "reworded": [r.to_json() for r in self.reworded],
            "came_and_went": [t.to_json() for t in self.came_and_went],
            "findings_new": [f.to_json() for f in self.findings_new],
            "findings_resolved": [f.to_json() for f in self.findings_resolved],
            "notes": self.notes,
        }


def code_filter(patterns: Sequence[str]) -> Callable[[str], bool]:
    """A test for codes: shell-style patterns, case-insensitive; no patterns keeps every code."""
    wanted = [p.strip().upper() for p in patterns if p.strip()]
    if not wanted:
        return lambda code: True
    return lambda code: any(fnmatch.fnmatchcase(code.upper(), p) for p in wanted)


def _revision(code: str, before: CodeState, after: CodeState) -> Revised:
    return Revised(
        code,
        before.descriptor,
        after.descriptor,
        tuple(word_diff(before.descriptor, after.descriptor)),
        tuple(clause_diff(before.clauses, after.clauses)),
    )


def diff_snapshots(old: Snapshot, new: Snapshot) -> ReleaseDiff:
    """Compare two linted releases. A code counts as terminated when NEW gives it a termination date
    or leaves it out; a code present in NEW only as terminated "came and went" between the two."""
    out = ReleaseDiff(old.release, new.release)
    if not new.has_dates:
        out.notes.append(f"{new.release.path} has no termination dates: terminated means absent only")
    for code, after in new.codes.items():
        before = old.codes.get(code)
        was_active = before is not None and before.active
        if after.terminated is not None:
            if before is None:
                out.came_and_went.append(
                    Terminated(code, after.kind, after.descriptor, after.terminated, "termination date")
                )
            elif was_active:
                out.terminated.append(
                    Terminated(code, after.kind, before.descriptor, after.terminated, "termination date")
                )
            continue
        if not was_active:
            out.added.append(
                Added(code, after.kind, after.descriptor, after.added, after.findings, before is not None)
            )
            continue
        assert before is not None
        if before.descriptor != after.descriptor:
            rev = _revision(code, before, after)
            same = normalise(before.descriptor) == normalise(after.descriptor)
            (out.reworded if same else out.revised).append(rev)
    for code, before in old.codes.items():
        if before.active and code not in new.codes:
            out.terminated.append(Terminated(code, before.kind, before.descriptor, None, "absent"))
    _findings(old, new, out)
    return out


def _findings(old: Snapshot, new: Snapshot, out: ReleaseDiff) -> None:
    """Findings keyed by (code, rule): new ones in NEW, resolved ones gone from OLD, with why."""
    revised = {r.code for r in out.revised} | {r.code for r in out.reworded}
    ended = {t.code for t in out.terminated}
    came = {a.code: "reactivated" if a.reactivated else "added" for a in out.added}

    def keyed(snap: Snapshot) -> dict[tuple[str, str], FindingNote]:
        found: dict[tuple[str, str], FindingNote] = {}
        for state in snap.codes.values():
            for f in state.findings:
                found.setdefault((state.code, f.rule), f)
        return found

    before, after = keyed(old), keyed(new)
    for (code, rule), f in after.items():
        if (code, rule) not in before:
            why = came.get(code) or ("revised" if code in revised else "peers changed")
            out.findings_new.append(FindingChange(code, rule, f.name, f.severity, f.message, why))
    for (code, rule), f in before.items():
        if (code, rule) not in after:
            why = "terminated" if code in ended else "revised" if code in revised else "peers changed"
            out.findings_resolved.append(FindingChange(code, rule, f.name, f.severity, f.message, why))
