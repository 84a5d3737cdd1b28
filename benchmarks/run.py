"""`make bench`: parse rate, whole-release wall times, check vs bare import, REPL latency.

Numbers, not asserts: the results table is printed and written into docs/benchmarks.md between
the BEGIN/END markers, so the document always shows the last run on this machine.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASES = [
    "2019/HCPC2019_CONTR_ANWEB.txt",
    "2020/HCPC2020_ANWEB_w_disclaimer.txt",
    "2025-07/HCPC2025_JUL_ANWEB_v3.xlsx",
    "2025-10/HCPC2025_OCT_ANWEB.xlsx",
    "2026-01-excerpt/HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt",
]
OCT = "2025-10/HCPC2025_OCT_ANWEB.xlsx"


def wall(cmd: list[str], repeat: int = 3) -> float:
    """Median wall time of a whole command (a fresh interpreter each time, as a user runs it),
    with the cache off: these rows measure the work; rows.py measures what the cache saves."""
    env = dict(os.environ, HCPCS_LINT_NO_CACHE="1")
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def parse_rate(path: Path) -> tuple[int, float, float]:
    """Descriptors per second for the parser alone, medians of 5: cold (empty caches) and warm
    (segment cache full); see parse_rate.py."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import parse_rate as pr

    n, cold, warm = pr.measure(path, 5)
    return n, n / statistics.median(cold), n / statistics.median(warm)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "hcpcs"))
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / OCT).is_file():
        print(f"real CMS releases not found under {data}; pass --data", file=sys.stderr)
        return 2
    py = sys.executable
    rows: list[str] = []
    # As pip installs it, bytecode compiled (see rows.measure).
    compileall.compile_dir(ROOT / "hcpcs_lint", quiet=1)

    n, cold, warm = parse_rate(data / OCT)
    rows.append("| what | result |")
    rows.append("|---|---|")
    rows.append(
        f"| parse, Oct 2025 workbook ({n:,} descriptors), one core, cold caches | {cold:,.0f} descriptors/s |"
    )
    rows.append(f"| parse, same, segment cache warm (a second release) | {warm:,.0f} descriptors/s |")
    n, cold, warm = parse_rate(data / RELEASES[0])
    rows.append(
        f"| parse, 2019 release ({n:,} descriptors), one core, cold caches | {cold:,.0f} descriptors/s "
        f"({n / cold:.2f} s) |"
    )
    rows.append(f"| parse, same, segment cache warm | {warm:,.0f} descriptors/s ({n / warm:.2f} s) |")

    for rel in RELEASES:
        t = wall([py, "-m", "hcpcs_lint", "parse", "--format", "json", str(data / rel)])
        rows.append(f"| `hcpcs-lint parse --format json` {rel} | {t:.2f} s |")

    bare = wall([py, "-c", "import click, lark, rapidfuzz, rich, python_calamine"])
    check = wall(
        [py, "-m", "hcpcs_lint", "check", "--output-format", "concise", "--no-progress", str(data / OCT)]
    )
    rows.append(f"| bare import of click, lark, rapidfuzz, rich, python-calamine | {bare:.2f} s |")
    rows.append(
        f"| `hcpcs-lint check` whole Oct 2025 release | {check:.2f} s ({check / bare:.1f}x bare import) |"
    )

    # diff reads and lints each release once: it should take well under linting both twice.
    old19 = data / RELEASES[0]
    check19 = wall(
        [py, "-m", "hcpcs_lint", "check", "--output-format", "concise", "--no-progress", str(old19)]
    )
    diff = wall([py, "-m", "hcpcs_lint", "diff", "--output-format", "json", str(old19), str(data / OCT)])
    twice = 2 * (check19 + check)
    rows.append(f"| `hcpcs-lint check` 2019 and Oct 2025, each twice (sum of medians) | {twice:.2f} s |")
    rows.append(
        f"| `hcpcs-lint diff` 2019 → Oct 2025 | {diff:.2f} s ({diff / twice:.2f}x linting both twice) |"
    )

    repl = ROOT / "benchmarks" / "repl_latency.py"
    if repl.is_file():
        out = subprocess.run(
            [py, str(repl), str(data / OCT)], cwd=ROOT, capture_output=True, text=True, check=False
        )
        for line in out.stdout.splitlines():
            cols = line.split()
            if cols and cols[0] == "all" and len(cols) >= 5:
                rows.append(
                    f"| REPL, per pasted descriptor, Oct 2025 release as reference ({cols[1]} pastes) "
                    f"| median {cols[2]} ms, p95 {cols[3]} ms, max {cols[4]} ms |"
                )

    labelled = ROOT / "benchmarks" / "labelled.py"
    for name in ("heldout/heldout.csv", "dev/dev.csv"):
        out = subprocess.run(
            [py, str(labelled), str(ROOT / "corpora" / name)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in out.stdout.splitlines():
            _, _, scores = line.partition(": ")
            if scores:
                rows.append(
                    f"| HL101 on `corpora/{name}` (recall; traps clean; revisions exact) | {scores} |"
                )

    machine = f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {_cores()} cores"
    table = "\n".join(rows)
    print(f"Machine: {machine}\n\n{table}")
    # Issue 13's four rows: ratios to the bare import, medians of 5, cold and warm cache.
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import rows as issue_rows

    four = "\n".join(issue_rows.table(issue_rows.measure(data, 5)))
    print(f"\n{four}")
    if not args.no_write:
        doc = ROOT / "docs" / "benchmarks.md"
        _write_block(doc, "ROWS", f"Last run {time.strftime('%Y-%m-%d')} on {machine}.\n\n{four}")
        text = doc.read_text("utf-8")
        begin, end = "<!-- BEGIN RESULTS -->", "<!-- END RESULTS -->"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            _, tail = rest.split(end, 1)
            stamp = time.strftime("%Y-%m-%d")
            doc.write_text(f"{head}{begin}\nLast run {stamp} on {machine}.\n\n{table}\n{end}{tail}", "utf-8")
    return 0


def _write_block(doc: Path, name: str, body: str) -> None:
    """Replace the text between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` in ``doc``."""
    text = doc.read_text("utf-8")
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        doc.write_text(f"{head}{begin}\n{body}\n{end}{tail}", "utf-8")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
