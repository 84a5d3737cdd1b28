"""Score HL101 (level2-includes-cpt-service) on a labelled set: recall, traps clean, fix exactness.

A labelled set is a CSV with columns code, long_description, expect ("flag" or "clean"), fixed
(the exact revision expected for a "flag" row) and kind/note (why the row is there). The held-out
set (corpora/heldout/) is only ever scored, never developed on; the development set (corpora/dev/)
is what the rule is tuned on. Usage: ``python benchmarks/labelled.py corpora/heldout/heldout.csv [-v]``.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Scores:
    bundling: int = 0
    found: int = 0
    traps: int = 0
    traps_clean: int = 0
    proposed: int = 0
    exact: int = 0
    misses: list[str] = field(default_factory=list)
    noisy: list[str] = field(default_factory=list)
    wrong_fix: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.bundling if self.bundling else 1.0

    @property
    def clean_rate(self) -> float:
        return self.traps_clean / self.traps if self.traps else 1.0

    @property
    def fix_accuracy(self) -> float:
        return self.exact / self.proposed if self.proposed else 0.0

    def line(self) -> str:
        return (
            f"recall {self.found}/{self.bundling} = {self.recall:.2f}; "
            f"traps clean {self.traps_clean}/{self.traps} = {self.clean_rate:.2f}; "
            f"revisions exact {self.exact}/{self.proposed} = {self.fix_accuracy:.2f}"
        )


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def score(path: Path) -> Scores:
    from hcpcs_lint.engine import Linter

    base = Linter()
    linter = Linter(rules=[r for r in base.rules if r.code == "HL101"], catalog=base.catalog)
    s = Scores()
    for row in rows(path):
        text, code = row["long_description"], row["code"]
        _, findings = linter.lint_text(code, text)
        hit = [f for f in findings if f.rule == "HL101"]
        if row["expect"] == "flag":
            s.bundling += 1
            if not hit:
                s.misses.append(f"{code}: {text}")
                continue
            s.found += 1
            fix = hit[0].fix
            if fix is not None:
                s.proposed += 1
                if fix.descriptor == row["fixed"]:
                    s.exact += 1
                else:
                    s.wrong_fix.append(f"{code}: {fix.descriptor!r} (expected {row['fixed']!r})")
            else:
                s.wrong_fix.append(f"{code}: no revision proposed")
        else:
            s.traps += 1
            if hit:
                s.noisy.append(f"{code}: {text}")
            else:
                s.traps_clean += 1
    return s


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [Path(a) for a in argv if a != "-v"] or [ROOT / "corpora" / "heldout" / "heldout.csv"]
    for p in paths:
        s = score(p)
        print(f"{p.name}: {s.line()}")
        if verbose:
            for title, items in (("missed", s.misses), ("trap flagged", s.noisy), ("revision", s.wrong_fix)):
                for it in items:
                    print(f"  {title}: {it}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
