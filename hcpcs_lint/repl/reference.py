"""The reference release and its fuzzy index, built once per ``:load`` so each paste costs milliseconds."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

from hcpcs_lint import config as cfg
from hcpcs_lint.checks.context import Entry
from hcpcs_lint.engine import Linter, bundled_corpus_path
from hcpcs_lint.sources import load

NEAREST = 3
SHORTLIST = 48  # candidates kept by the fast ratio pass before token_set_ratio rescoring
QUERY_MAX = 5000  # the longest CMS long descriptor is ~4,500 characters


@dataclass
class Reference:
    """A loaded reference release: its Linter and a rapidfuzz index of its active procedure codes."""

    path: str
    linter: Linter
    records: int
    entries: list[Entry]  # indexed entries, in the order of ``choices``
    choices: list[str]  # their descriptors through utils.default_process, computed once
    by_code: dict[str, Entry]
    seconds: float

    @classmethod
    def load(cls, path: str | None = None, config: cfg.Config | None = None) -> Reference:
        """Read and index ``path`` (the bundled corpus when None); InputError for anything unreadable.

        ``config`` is the project's (select/ignore, severities, team rule and catalog dirs), so the
        REPL judges a descriptor as ``hcpcs-lint check`` run in the same folder would.
        """
        start = time.perf_counter()
        where = str(bundled_corpus_path()) if path is None else str(Path(path).expanduser())
        records = list(load(where))
        linter = Linter(config=config or cfg.Config(), reference=records)
        by_code = linter.reference_by_code()
        entries = [e for e in by_code.values() if e.record.active and e.record.kind == "procedure"]
        choices = [utils.default_process(e.record.long) for e in entries]
        return cls(where, linter, len(records), entries, choices, by_code, time.perf_counter() - start)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def nearest(self, text: str, *, exclude: str = "", limit: int = NEAREST) -> list[tuple[Entry, float]]:
        """The closest reference descriptors: a fast ``ratio`` shortlist, rescored by token_set_ratio."""
        query = utils.default_process(text[:QUERY_MAX])
        if not query or not self.choices:
            return []
        row = process.cdist([query], self.choices, scorer=fuzz.ratio, processor=None, dtype=np.uint8)[0]
        k = min(SHORTLIST, len(row))
        shortlist = np.argpartition(row, len(row) - k)[len(row) - k :]
        scored: list[tuple[float, int, Entry]] = []
        for i in shortlist.tolist():
            e = self.entries[i]
            if e.record.code == exclude:
                continue
            scored.append((fuzz.token_set_ratio(query, self.choices[i], processor=None), int(row[i]), e))
        scored.sort(key=lambda t: (-t[0], -t[1], t[2].record.code))
        return [(e, score) for score, _, e in scored[:limit]]
