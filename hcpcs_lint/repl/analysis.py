"""One pasted batch, analysed: pasted text → records → the one lint loop → what the REPL shows."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from hcpcs_lint.checks.context import Entry, make_entry
from hcpcs_lint.checks.peers import clean_peers
from hcpcs_lint.fixes import FixOutcome
from hcpcs_lint.limits import descriptor_problem
from hcpcs_lint.model import Finding, InputError, Location, Record
from hcpcs_lint.repl.reference import Reference
from hcpcs_lint.sources import codes
from hcpcs_lint.sources.lines import read_lines

PASTE = "-"  # pasted lines are standard input, as for ``hcpcs-lint check -``


@dataclass
class Result:
    """Everything the REPL shows for one descriptor."""

    record: Record
    entry: Entry
    findings: list[Finding] = field(default_factory=list)
    outcome: FixOutcome | None = None
    nearest: list[tuple[Entry, float]] = field(default_factory=list)
    peers: list[Entry] = field(default_factory=list)
    group_label: str | None = None
    class_label: str | None = None


@dataclass
class Problem:
    """A pasted line that holds no descriptor, with the reason shown to the user."""

    line: int
    text: str
    message: str


def sanitize(text: str) -> tuple[str, int]:
    """Drop control and zero-width characters a paste can carry; newlines and tabs stay (they separate)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = [
        ch
        for ch in text
        if ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ch not in "\ufeff\u200b\u200c\u200d\u2060")
    ]
    return "".join(kept), len(text) - len(kept)


def split_input(text: str, ref: Reference) -> tuple[list[Record], list[Problem]]:
    """Pasted lines → records. Each line is "CODE text", "CODE: text", "CODE<TAB>text" or bare text.

    A line that is only a code present in the reference is that reference descriptor (look one up
    by typing its code). Lines without a letter are no descriptor at all.
    """
    records: list[Record] = []
    problems: list[Problem] = []
    start = 0  # offset of the line in the paste, so positions are exact as in ``check -``
    for n, line in enumerate(text.split("\n"), 1):
        line_start, start = start, start + len(line) + 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if codes.is_code(stripped.rstrip(":")):
            code = codes.normalize_code(stripped.rstrip(":"))
            hit = ref.by_code.get(code)
            if hit is None:
                problems.append(
                    Problem(
                        n, stripped, f"{code} is not in the reference; paste its descriptor after the code"
                    )
                )
            else:
                records.append(replace(hit.record, location=Location(ref.name, n, 1), terminated=None))
            continue
        if not any(ch.isalpha() for ch in stripped):
            problems.append(Problem(n, stripped, "no descriptor recognised"))
            continue
        if stripped.startswith(":"):
            problems.append(Problem(n, stripped, "commands go on a line of their own"))
            continue
        try:
            got = list(read_lines(PASTE, line))
            for rec in got:
                if problem := descriptor_problem(rec.long):  # past a limit: say so, parse nothing
                    raise InputError(PASTE, problem, n)
        except InputError as e:
            problems.append(Problem(n, stripped, e.message))
            continue
        for rec in got:
            code = f"#{n}" if rec.code.startswith("#") else rec.code
            off = None if rec.location.offset is None else line_start + rec.location.offset
            where = Location(PASTE, n, rec.location.column, off)
            records.append(replace(rec, code=code, location=where))
    return records, problems


def analyse(ref: Reference, records: Sequence[Record], *, clauses_only: bool = False) -> list[Result]:
    """Lint a pasted batch as ``hcpcs-lint check`` would (the one lint loop, ``Linter.run``, with
    unsafe fixes shown for review): the batch first, then the reference, as peers."""
    linter = ref.linter
    if clauses_only:
        return [Result(e.record, e) for e in (make_entry(r, linter.cat) for r in records)]
    run = linter.run(records, fix=True, unsafe=True)
    assert run.context is not None
    classes = linter.cat.classes
    out: list[Result] = []
    for r in run.results:
        e = r.entry
        group = e.peer_group
        specific = e.specific_class
        out.append(
            Result(
                record=e.record,
                entry=e,
                findings=r.findings,
                outcome=r.outcome,
                nearest=ref.nearest(e.record.long, exclude=e.record.code),
                peers=clean_peers(e, run.context),
                group_label=classes[group].label if group in classes else group,
                class_label=classes[specific].label if specific in classes else specific,
            )
        )
    return out
