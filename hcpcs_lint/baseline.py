"""Baselines: adopt the linter on a draft that already has findings and fail only on new ones.

A finding is remembered by a fingerprint of what it is about (HCPCS code, rule, descriptor text),
never by where it stands, so reordering rows, moving a draft or editing a neighbour leaves the
baseline valid. Editing the flagged descriptor itself changes the fingerprint on purpose: changed
text deserves a fresh look.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import describe, write_text
from .model import Finding, InputError

VERSION = 1
TOOL = "hcpcs-lint"
_FIELDS = ("code", "rule", "fingerprint")


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def fingerprint(finding: Finding) -> str:
    """16 hex chars of sha256 over code, rule and the normalised descriptor; location-free by design.

    The key is the one the SARIF reporter hashes for ``partialFingerprints``, so a baseline entry and
    a code-scanning alert name the same finding by the same digits.
    """
    parts = (finding.code, finding.rule, _normalise(finding.record.long))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _entry(finding: Finding) -> dict[str, str]:
    return {
        "code": finding.code,
        "rule": finding.rule,
        "fingerprint": fingerprint(finding),
        "descriptor": finding.record.long,  # for the reviewer reading a diff of the baseline; not matched
    }


def write_baseline(path: Path, findings: Sequence[Finding]) -> int:
    """Write every finding as a baseline entry and return how many were written.

    Entries are sorted so the file diffs cleanly in review, and duplicates are kept (two identical
    findings need two entries). The write is atomic, via a temporary file in the same folder and
    ``os.replace``, so an interrupted run never leaves a half-written baseline that would let every
    finding through or fail every build.
    """
    path = Path(path)
    entries = sorted((_entry(f) for f in findings), key=lambda e: (e["code"], e["rule"], e["fingerprint"]))
    document = {"version": VERSION, "tool": TOOL, "entries": entries}
    payload = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        # A baseline is committed and shared: an existing file keeps its bits, a new one gets the umask's.
        write_text(path, payload)
    except OSError as exc:
        raise InputError(
            str(path), f"cannot write the baseline: {describe(exc)}; the file is left as it was"
        ) from None
    return len(entries)


def load_baseline(path: Path) -> Baseline:
    """Read and check a baseline; any problem is an InputError naming the file (exit code 2)."""
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(where, "baseline file not found (create it with --write-baseline)") from exc
    except OSError as exc:
        raise InputError(where, f"cannot read baseline: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(where, f"baseline is not UTF-8 ({exc.reason})") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            where, f"baseline is not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno
        ) from exc
    if not isinstance(document, dict):
        raise InputError(where, "baseline must be a JSON object with 'version' and 'entries'")
    if document.get("tool", TOOL) != TOOL:
        raise InputError(where, f"baseline was written by {document.get('tool')!r}, not {TOOL}")
    version = document.get("version")
    if version != VERSION:
        message = f"unsupported baseline version {version!r} (expected {VERSION})"
        raise InputError(where, f"{message}; rewrite it with --write-baseline")
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        raise InputError(where, "baseline 'entries' must be a list")
    entries: list[dict[str, Any]] = []
    for number, entry in enumerate(raw_entries, start=1):
        if not isinstance(entry, dict):
            raise InputError(where, f"baseline entry {number} is not an object")
        missing = [name for name in _FIELDS if not isinstance(entry.get(name), str)]
        if missing:
            raise InputError(where, f"baseline entry {number} lacks {', '.join(missing)}")
        entries.append(entry)
    return Baseline(entries=entries, path=where)


@dataclass
class Baseline:
    """The accepted findings of a draft, matched by fingerprint with multiplicity."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    path: str | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def filter(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[dict[str, Any]]]:
        """Split into (new findings, stale entries).

        Each entry absorbs at most one finding, so a second identical finding is new. Stale entries
        are the ones no finding claimed: the problem was fixed or its descriptor changed, and the
        baseline can be rewritten to shrink.
        """
        remaining = Counter(entry["fingerprint"] for entry in self.entries)
        new: list[Finding] = []
        for finding in findings:
            key = fingerprint(finding)
            if remaining[key] > 0:
                remaining[key] -= 1
            else:
                new.append(finding)
        stale: list[dict[str, Any]] = []
        for entry in self.entries:
            key = entry["fingerprint"]
            if remaining[key] > 0:
                remaining[key] -= 1
                stale.append(entry)
        return new, stale
