"""How long a pasted descriptor takes in ``hcpcs-lint repl`` with a full CMS release as reference.

Loads the reference once (as the REPL does at start), then times the whole per-descriptor work of
``Repl.handle`` (split the paste, lint, fix to a fixed point, nearest descriptors, clean peers and
rendering to a string in colour) over ~200 descriptors: real ones from the release, which staff
paste most, and reworded ones, which miss the parser's cache. Target: under 50 ms each.

    python benchmarks/repl_latency.py [RELEASE.xlsx | DATA_DIR] [--json]
"""

from __future__ import annotations

import io
import json
import re
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console

from hcpcs_lint.model import Record
from hcpcs_lint.repl import Reference, Repl

TARGET_MS = 50.0
RELEASE = Path("2025-10") / "HCPC2025_OCT_ANWEB.xlsx"
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "hcpcs" / RELEASE
SAMPLE = 100
# Codes staff look at most; always in the sample when the release has them.
FOCUS = ("Q2041", "Q2042", "Q2043", "Q2053", "Q2054", "Q2055", "Q2056", "Q2058", "J3391", "J3393", "J3394")


def reworded(rec: Record, n: int) -> str:
    """A deterministic rewording, one of five, as a committee draft might differ from the release."""
    text = rec.long
    way = n % 5
    if way == 0:
        return text.lower().replace("including", "inclusive of").replace("per ", "each ")
    if way == 1:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) > 2:
            parts[1], parts[2] = parts[2], parts[1]
        return ", ".join(parts)
    if way == 2:
        return f"{text}, including cell collection, preparation and administration"
    if way == 3:
        words = text.split()
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        w = words[longest]
        if len(w) > 3:
            words[longest] = w[:1] + w[2] + w[1] + w[3:]  # a transposition typo
        return " ".join(words)
    return re.sub(r",[^,]*$", "", text) or text


def sample(records: list[Record]) -> list[tuple[str, str]]:
    active = [r for r in records if r.active and r.kind == "procedure" and r.long.strip()]
    by_code = {r.code: r for r in active}
    step = max(len(active) // SAMPLE, 1)
    chosen = [by_code[c] for c in FOCUS if c in by_code]
    chosen += [r for r in active[::step] if r.code not in FOCUS][: SAMPLE - len(chosen)]
    lines = [("real", f"{r.code} {r.long}") for r in chosen]
    lines += [("reworded", f"{r.code} {reworded(r, n)}") for n, r in enumerate(chosen)]
    return lines


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    if path.is_dir():
        path = path / RELEASE
    if not path.is_file():
        print(f"release not found: {path} (pass a release file or the shared data folder)", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    ref = Reference.load(str(path))
    load_s = time.perf_counter() - t0
    buffer = io.StringIO()
    console = Console(file=buffer, width=110, force_terminal=True, color_system="truecolor", highlight=False)
    repl = Repl(ref, console)
    lines = sample([e.record for e in ref.linter.reference_by_code().values()])
    repl.handle(lines[0][1])  # warm-up: first-use imports and lazily built indexes
    times: dict[str, list[float]] = {"real": [], "reworded": []}
    for kind, line in lines:
        buffer.seek(0)
        buffer.truncate()
        start = time.perf_counter()
        repl.handle(line)
        times[kind].append((time.perf_counter() - start) * 1000)
        if "internal error" in buffer.getvalue():
            print(f"internal error on: {line[:80]}", file=sys.stderr)
            return 1
    times["all"] = times["real"] + times["reworded"]
    rows = {
        k: {
            "n": len(v),
            "median_ms": round(statistics.median(v), 1),
            "p95_ms": round(percentile(v, 0.95), 1),
            "max_ms": round(max(v), 1),
        }
        for k, v in times.items()
    }
    if "--json" in argv:
        print(json.dumps({"reference": str(path), "load_s": round(load_s, 2), "latency": rows}))
    else:
        print(
            f"reference {path.name}: {ref.records:,} records, {len(ref.entries):,} indexed, loaded in {load_s:.2f} s"
        )
        print(f"{'descriptors':<12} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
        for k, r in rows.items():
            print(f"{k:<12} {r['n']:>4} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} {r['max_ms']:>8.1f}")
        verdict = "meets" if rows["all"]["p95_ms"] < TARGET_MS else "misses"
        print(f"p95 {rows['all']['p95_ms']:.1f} ms {verdict} the {TARGET_MS:.0f} ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
