"""Fuzzing shared by the property tests (hypothesis, in ``make test``) and ``make fuzz`` (plain
random generation, millions of inputs on every core).

What is checked on every input:
- the parser returns a Descriptor whose spans hold (``span_problems``) or raises
  ``limits.LimitError``; nothing else;
- a reader yields records or raises ``model.InputError``; nothing else.

The fragments are words and shapes met in real Level II descriptors (written here, not copied
from any file), plus the hostile ones: unbalanced brackets, control characters, odd whitespace,
non-ASCII letters, very long tokens.

Run ``python -m tests.fuzzing --parser N --readers N --jobs J`` (``make fuzz``).
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import random
import re
import sys
import time
import traceback
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hcpcs_lint.limits import LimitError
from hcpcs_lint.model import Descriptor, InputError
from hcpcs_lint.parser import _CONNECTORS, parse

FRAGMENTS = (
    "Injection", "injection", "Infusion", "Tisagenlecleucel", "up to 600 million", "car-positive",
    "viable t cells", "including", "includes", "including but not limited to:", "inclusive of",
    "may include", "excluding", "excludes", "except for", "per", "for", "and", "or", "and/or",
    "per therapeutic dose", "per 1 mg", "10 mg", "0.5 ml", "1 unit", "each", "e.g.", "i.e.",
    "leukapheresis", "dose preparation procedures", "all other preparatory procedures",
    "administration set", "biopsy needle", "(bcma)", "(e.g. thermometer)", "[female]", "(s)",
    "up to and including 300 pounds", "autotemcel", "per treatment", "hcpcs", "q2041", "99490",
    "1/2", "50%", "=", "= 1 unit", "-", "/", "'", '"', "ó", "é", "ß", "µg", "ñ", "Ⅻ", "中文", "٣",
    "\u00a0", "\u2003", "\u2028", "\x0b", "\x0c", "\x1c", "\x85", "\t", "\r\n", "\n", "\x00",
    "\x01", "\x1b", "\ufeff", "\ud800", "(", ")", "[", "]", "((", "))", ",", ";", ", ", "; ", ":",
    ".", "..", " ", "  ",
)  # fmt: skip
SEPARATORS = (" ", " ", " ", "", ", ", "; ", " (", ") ", "[", "]")

_UNCOVERED = re.compile("\x00+")
_MUST_COVER = re.compile(r"[^\W_]|[()\[\]]")  # a letter or digit (str.isalnum), or a bracket


def span_problems(desc: Descriptor) -> list[str]:
    """The parser's span invariants, as messages (empty: all hold).

    Each clause and item slices its own text; two clause spans are nested or disjoint, never
    crossing and never equal; residue spans are disjoint and overlap no clause; clauses plus
    residue cover every letter and digit (ASCII or not) and every bracket, except a bare
    connector ("and", "or", "and/or") between two clauses, which the parser leaves out on purpose.
    """
    text = desc.text
    out: list[str] = []
    spans = sorted(((c.start, c.end, c.role) for c in desc.clauses), key=lambda s: (s[0], -s[1]))
    covered = bytearray(len(text) + 1)
    for c in desc.clauses:
        if not 0 <= c.start < c.end <= len(text) or text[c.start : c.end] != c.text:
            out.append(f"clause {c.role} {c.start}:{c.end} does not slice its text {c.text!r}")
        out.extend(
            f"item {it.start}:{it.end} of {c.role} does not slice its text {it.text!r}"
            for it in c.items
            if text[it.start : it.end] != it.text or not c.start <= it.start <= it.end <= c.end
        )
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    stack: list[tuple[int, int, str]] = []
    previous: tuple[int, int, str] | None = None
    for s in spans:
        if previous is not None and previous[:2] == s[:2]:
            out.append(f"clauses {previous[2]} and {s[2]} share the span {s[0]}:{s[1]}")
        previous = s
        while stack and stack[-1][1] <= s[0]:
            stack.pop()
        if stack and stack[-1][1] < s[1]:
            out.append(f"clause {s[2]} {s[0]}:{s[1]} crosses {stack[-1][2]} {stack[-1][0]}:{stack[-1][1]}")
        stack.append(s)
    last_end = -1
    for a, b in sorted(desc.unparsed):
        if not 0 <= a < b <= len(text):
            out.append(f"residue {a}:{b} is empty or outside the text")
            continue
        if a < last_end:
            out.append(f"residue {a}:{b} overlaps other residue")
        last_end = max(last_end, b)
        if any(covered[a:b]):
            out.append(f"residue {a}:{b} {text[a:b]!r} overlaps a clause")
        covered[a:b] = b"\x02" * (b - a)
    for run in _UNCOVERED.finditer(covered.decode("latin-1"), 0, len(text)):
        if text[run.start() : run.end()].strip(" \t\r\n,;.:()[]").lower() in _CONNECTORS:
            continue  # a bare "and"/"or" between two clauses is left out on purpose (parser._residue)
        if m := _MUST_COVER.search(text, *run.span()):
            out.append(f"{m.group(0)!r} at {m.start()} is in no clause and no residue")
            break
    return out


def parser_problems(text: str, levels: tuple[str, ...] = ("II", "I")) -> list[str]:
    """Parse as Level II and as Level I; any exception but LimitError is a problem."""
    out: list[str] = []
    for level in levels:
        try:
            desc = parse(text, level)  # type: ignore[arg-type]
        except LimitError:
            continue
        except Exception:
            return [f"level {level}: {traceback.format_exc(limit=-3)}"]
        out.extend(f"level {level}: {p}" for p in span_problems(desc))
        for part in (desc.stem, desc.specific):
            if part is not None:
                out.extend(f"level {level} part: {p}" for p in span_problems(part))
    return out


# -- random generation for make fuzz -------------------------------------------------------------


def random_descriptor(rng: random.Random) -> str:
    """Descriptor-like text: fragments and separators, now and then junk or a very long token."""
    roll = rng.random()
    if roll < 0.05:
        return "".join(chr(rng.choice((rng.randrange(32, 127), rng.randrange(0, 0x3000)))) for _ in range(40))
    parts: list[str] = []
    for _ in range(rng.randrange(1, 24)):
        parts.append(rng.choice(FRAGMENTS))
        parts.append(rng.choice(SEPARATORS))
    if roll > 0.995:
        parts.insert(rng.randrange(len(parts)), rng.choice("ax(,") * rng.randrange(1000, 20000))
    return "".join(parts)


# -- readers -------------------------------------------------------------------------------------


def read_all(name: str, data: bytes, tmp: Path) -> list[str]:
    """Load ``data`` saved as ``name``: records or InputError, anything else is a problem."""
    from hcpcs_lint.sources import load

    path = tmp / name
    path.write_bytes(data)
    try:
        for _ in load(str(path)):
            pass
    except InputError as error:
        rendered = error.render()
        if "\n" in rendered or str(path) not in rendered:
            return [f"{name}: InputError not one line naming the file: {rendered[:200]!r}"]
    except Exception:
        return [f"{name} ({len(data)} bytes): {traceback.format_exc(limit=-4)}"]
    return []


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One damage a file meets on its way: truncation, bit flips, a wrong encoding, a BOM..."""
    choice = rng.randrange(9)
    if choice == 0 and data:
        return data[: rng.randrange(len(data))]
    if choice in (1, 2) and data:
        out = bytearray(data)
        for _ in range(rng.randrange(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)
    if choice == 3 and data:
        i = rng.randrange(len(data))
        return data[:i] + rng.randbytes(rng.randrange(1, 16)) + data[i + rng.randrange(16) :]
    if choice == 4:
        text = data.decode("utf-8", "replace")
        return text.encode(rng.choice(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1")), "replace")
    if choice == 5:
        return rng.choice((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) + data
    if choice == 6 and data:
        # Mixed encodings: one line re-encoded as cp1252.
        lines = data.split(b"\n")
        k = rng.randrange(len(lines))
        lines[k] = lines[k].decode("utf-8", "replace").encode("cp1252", "replace") + "é".encode("cp1252")
        return b"\n".join(lines)
    if choice == 7 and data:
        i = rng.randrange(len(data))
        return data[:i] + data[i:][: rng.randrange(1, 200)] * rng.randrange(2, 50) + data[i:]
    return rng.randbytes(rng.randrange(0, 512))


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def reader_seeds(data_root: Path | None) -> list[tuple[str, bytes]]:
    """Small valid inputs of every kind (file name, bytes); real release excerpts when present."""
    from tests.conftest import anweb_line, xlsx_bytes

    fixed = "\r\n".join(
        [
            "HCPCS disclaimer line",
            anweb_line(
                "Q2041",
                "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car",
                added="20180101",
            ),
            anweb_line(
                "Q2041", "positive t cells, including leukapheresis and dose preparation", seq=2, ric="4"
            ),
            anweb_line("A1", "Dressing for one wound", ric="7"),
        ]
    ).encode("cp1252")
    seeds = [
        ("release.txt", fixed),
        ("release.zip", _zip("HCPC2030_ANWEB.txt", fixed)),
        ("codes.csv", b'code,descriptor\nQ2041,"Injection, thing, per 1 mg"\nJ3391,"Infusion, x (y), per dose"\n'),
        ("codes.tsv", b"HCPC\tLONG DESCRIPTION\nQ2041\tInjection, thing, per 1 mg\n"),
        ("draft.md", "# Draft\n\n| HCPCS | Descriptor |\n|---|---|\n| Q2041 | Injection, thing, per 1 mg |\n\n> J3391 \u201cInfusion, x\u201d\n".encode()),
        ("lines.txt", b"Q2041 Injection, thing, per 1 mg\nJ3391: Infusion (x\n# comment\nno code here, per dose\n"),
        ("book.xlsx", xlsx_bytes([["HCPC", "RECID", "LONG DESCRIPTION", "ADD DT"], ["Q2041", 3, "Injection, thing", 20180101], ["Q2041", 4, "per 1 mg", None]])),
    ]  # fmt: skip
    if data_root is not None:
        excerpt = data_root / "2026-01-excerpt" / "HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt"
        if excerpt.is_file():
            seeds.append(("excerpt.txt", excerpt.read_bytes()))
            seeds.append(("excerpt.zip", _zip("HCPC2026_JAN_ANWEB.txt", excerpt.read_bytes())))
    return seeds


# -- make fuzz -----------------------------------------------------------------------------------


def _fuzz_parser(seed: int, count: int) -> tuple[int, list[str]]:
    rng = random.Random(seed)
    problems: list[str] = []
    for n in range(count):
        text = random_descriptor(rng)
        found = parser_problems(text, ("II", "I") if n % 4 == 0 else ("II",))
        if found:
            problems.append(f"{text[:300]!r}: {found[0]}")
    return count, problems[:20]


def _fuzz_readers(seed: int, count: int, data_root: str | None) -> tuple[int, list[str]]:
    import tempfile

    rng = random.Random(seed)
    seeds = reader_seeds(Path(data_root) if data_root else None)
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(count):
            name, data = rng.choice(seeds)
            for _ in range(rng.choice((1, 1, 2, 3))):
                data = mutate(rng, data)
            problems.extend(
                read_all(rng.choice((name, name, "input.txt", "x.csv", "x.xlsx", "x.zip")), data, Path(tmp))
            )
    return count, problems[:20]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parser", type=int, default=1_000_000, help="parser inputs")
    ap.add_argument("--readers", type=int, default=100_000, help="reader inputs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument(
        "--data",
        default=os.environ.get(
            "HCPCS_LINT_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data" / "hcpcs")
        ),
    )
    args = ap.parse_args(argv)
    data = args.data if Path(args.data).is_dir() else None
    chunks = max(args.jobs * 8, 1)
    started = time.perf_counter()
    totals = {"parser": 0, "readers": 0}
    problems: dict[str, list[str]] = {"parser": [], "readers": []}
    with ProcessPoolExecutor(args.jobs) as pool:
        jobs = [
            ("parser", pool.submit(_fuzz_parser, args.seed * 1000 + i, n))
            for i, n in enumerate(_split(args.parser, chunks))
        ]
        jobs += [
            ("readers", pool.submit(_fuzz_readers, args.seed * 1000 + 500 + i, n, data))
            for i, n in enumerate(_split(args.readers, chunks))
        ]
        for kind, job in jobs:
            done, found = job.result()
            totals[kind] += done
            problems[kind].extend(found)
    elapsed = time.perf_counter() - started
    print(f"fuzz seed {args.seed}: {args.jobs} processes, {elapsed:.0f} s")
    print(
        f"parser inputs: {totals['parser']:,} (each as Level II, every fourth also as Level I), unexpected: {len(problems['parser'])}"
    )
    print(
        f"reader inputs: {totals['readers']:,} (real release excerpt among the seeds: {'yes' if data else 'no'}), unexpected: {len(problems['readers'])}"
    )
    for p in [*problems["parser"], *problems["readers"]][:20]:
        print("  " + p.replace("\n", "\n    "))
    problems_found = problems["parser"] + problems["readers"]
    return 1 if problems_found else 0


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts) if base + (i < extra)]


if __name__ == "__main__":
    sys.exit(main())
