"""The parser alone on a whole release, one core: cold (empty caches) and warm (segment cache full).

    python benchmarks/parse_rate.py [--repeat N] [--data DIR] [release ...]

Releases are paths under ``--data`` (default: 2019 and October 2025). Each repetition empties
``parse``'s cache and the segment cache, parses every long descriptor (``read_release(path)
.records``, ``.long`` at its ``.level``), then parses them again with the segment cache full, as a
second release in one process would. Wall times, median of the repetitions (``min`` shown too:
on a shared machine it is the steadier figure). ``run.py`` (``make bench``) uses ``measure``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ["2019/HCPC2019_CONTR_ANWEB.txt", "2025-10/HCPC2025_OCT_ANWEB.xlsx"]


def measure(path: Path, repeat: int = 5) -> tuple[int, list[float], list[float]]:
    """(descriptors, cold seconds per repetition, warm seconds per repetition)."""
    from hcpcs_lint import parser
    from hcpcs_lint.sources import read_release

    items = [(r.long, r.level) for r in read_release(str(path)).records if r.long]
    parser.parse.__wrapped__("Injection, example, 10 mg")  # Lark's tables, vocabulary, RUN regex
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(repeat):
        parser._SEG_CACHE.clear()
        parser.parse.cache_clear()
        t = time.perf_counter()
        for text, level in items:
            parser.parse(text, level)
        cold.append(time.perf_counter() - t)
        parser.parse.cache_clear()
        t = time.perf_counter()
        for text, level in items:
            parser.parse(text, level)
        warm.append(time.perf_counter() - t)
    return len(items), cold, warm


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("releases", nargs="*", default=DEFAULT)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "hcpcs"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    for rel in args.releases:
        path = Path(args.data) / rel
        if not path.is_file():
            print(f"{rel}: not found under {args.data}", file=sys.stderr)
            return 2
        n, cold, warm = measure(path, args.repeat)
        c, w = statistics.median(cold), statistics.median(warm)
        print(
            f"{rel}: {n:,} descriptors; cold {c:.3f} s (min {min(cold):.3f}) = {n / c:,.0f}/s; "
            f"warm {w:.3f} s (min {min(warm):.3f}) = {n / w:,.0f}/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
