"""The four rows of issue 13, as ratios to the bare import of the card's libraries.

Each case runs ``hcpcs-lint check`` in a fresh interpreter (as a user or a pre-commit hook does),
five times, and the median is divided by the median of ``python -c "import click, lark, rapidfuzz,
rich"`` measured in the same run. "Cold" points the cache at an empty folder before every run;
"warm" runs once to fill it and then times the next five runs.

    python benchmarks/rows.py [--data DIR] [--repeat 5]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
R2019 = "2019/HCPC2019_CONTR_ANWEB.txt"
OCT = "2025-10/HCPC2025_OCT_ANWEB.xlsx"
BARE = "import click, lark, rapidfuzz, rich"

# The pre-commit case: a committee's two-row draft (invented products, our wording).
DRAFT = """# Draft descriptors for the next cycle

Q20X1 "Velocabtagene autoleucel, up to 150 million autologous anti-cd19 car positive viable t cells, \
including leukapheresis and dose preparation procedures, per therapeutic dose"

J33X2 "Injection, somatrelagene autotemcel, per treatment"
"""

_SYLLABLES = ("ba", "co", "di", "fe", "gu", "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "xe", "zo")


def _name(i: int) -> str:
    """A distinct invented product name per row (base-16 digits spelled as syllables)."""
    out = ""
    n = i + 4096
    while n:
        n, d = divmod(n, 16)
        out += _SYLLABLES[d]
    return out.capitalize()


def class_table(n: int) -> str:
    """n CAR-T rows sharing one product class, written the way a big local table mixes styles:
    most say "car-positive", some "car positive"; most bill per therapeutic dose; a quarter
    still bundle leukapheresis (so peer and style rules all have work)."""
    lines = ["code,long_description"]
    for i in range(n):
        car = "car positive" if i % 3 == 0 else "car-positive"
        basis = "per infusion" if i % 7 == 0 else "per therapeutic dose"
        bundle = ", including leukapheresis and dose preparation procedures" if i % 4 == 0 else ""
        text = (
            f"{_name(i)}cabtagene autoleucel, up to {100 + i % 500} million autologous anti-cd19 "
            f"{car} viable t cells{bundle}, {basis}"
        )
        lines.append(f'X{i:04d},"{text}"')
    return "\n".join(lines) + "\n"


def timed(cmd: list[str], env: dict[str, str], before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t


def median_of(
    repeat: int, cmd: list[str], env: dict[str, str], before: Callable[[], None] | None = None
) -> float:
    return statistics.median(timed(cmd, env, before) for _ in range(repeat))


def measure(
    data: Path, repeat: int, class_repeat: int | None = None, cold_only: bool = False
) -> dict[str, float]:
    """Seconds (medians) for every case; keys name the case."""
    py = sys.executable
    # Measure the package as pip installs it, bytecode compiled: an editable install under
    # PYTHONDONTWRITEBYTECODE=1 (this machine) would compile every module again on every run.
    compileall.compile_dir(ROOT / "hcpcs_lint", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="hcpcs-bench-"))
    cache = work / "cache"
    env = dict(os.environ, HCPCS_LINT_CACHE_DIR=str(cache))

    def empty() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    lint = [py, "-m", "hcpcs_lint", "check", "--output-format", "concise", "--no-progress"]
    draft = work / "draft.md"
    draft.write_text(DRAFT, "utf-8")
    t1k, t4k = work / "class-1000.csv", work / "class-4000.csv"
    t1k.write_text(class_table(1000), "utf-8")
    t4k.write_text(class_table(4000), "utf-8")
    cases: dict[str, list[str]] = {
        "2019": [*lint, str(data / R2019)],
        "draft": [*lint, "--reference", str(data / OCT), str(draft)],
        "class-1000": [*lint, str(t1k)],
        "class-4000": [*lint, str(t4k)],
    }
    out: dict[str, float] = {"bare": median_of(repeat, [py, "-c", BARE], env)}
    try:
        for name, cmd in cases.items():
            n = repeat if class_repeat is None or not name.startswith("class") else class_repeat
            out[f"{name} cold"] = median_of(n, cmd, env, empty)
            if cold_only:
                out[f"{name} warm"] = float("nan")
                continue
            empty()
            timed(cmd, env)  # fill the cache
            out[f"{name} warm"] = median_of(n, cmd, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def table(t: dict[str, float]) -> list[str]:
    """The issue's four rows as Markdown, seconds and ratios to the bare import."""
    bare = t["bare"]

    def r(key: str) -> str:
        return f"{t[key]:.2f} s = {t[key] / bare:.1f}x"

    ratio_cold = t["class-4000 cold"] / t["class-1000 cold"]
    ratio_warm = t["class-4000 warm"] / t["class-1000 warm"]
    return [
        f"Bare `{BARE}`: {bare:.3f} s (median of the run).",
        "",
        "| case | result | must reach | goal |",
        "|---|---|---|---|",
        f"| whole 2019 release (6,800 codes), empty cache | {r('2019 cold')} | <= 8x | 3x |",
        f"| the same, second run | {r('2019 warm')} | <= 2.5x | 1.5x |",
        f"| 2-row Markdown draft, `--reference` Oct 2025 workbook, warm cache | {r('draft warm')} | <= 3x | 2x |",
        f"| the same draft, empty cache | {r('draft cold')} | | |",
        f"| 1,000 vs 4,000 rows of one class, empty cache | {t['class-1000 cold']:.2f} s vs "
        f"{t['class-4000 cold']:.2f} s: {ratio_cold:.1f} for 4x the rows | <= 5 | 4 |",
        f"| the same, warm cache | {t['class-1000 warm']:.2f} s vs {t['class-4000 warm']:.2f} s: "
        f"{ratio_warm:.1f} | | |",
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "hcpcs"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cold-only", action="store_true", help="skip the warm runs (before a cache exists)")
    ap.add_argument("--class-repeat", type=int, help="runs of the 1,000/4,000-row cases (default: --repeat)")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / OCT).is_file():
        print(f"real CMS releases not found under {data}; pass --data", file=sys.stderr)
        return 2
    print("\n".join(table(measure(data, args.repeat, args.class_repeat, args.cold_only))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
