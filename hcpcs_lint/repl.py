"""``hcpcs-lint repl``: policy staff paste descriptors and see everything about each at once.

For every descriptor: its clauses as coloured spans, the findings with their CPT codes, the
proposed revision (word diff, then the full text), the three nearest descriptors of the reference
and the clean peers of the same class. The REPL only calls the library (``load``, ``Linter``,
``clean_peers``); it decides nothing a linter run would not.

The reference and its fuzzy index are built once (at start and on ``:load``) so each paste costs
milliseconds. Printing lives in functions that take a rich ``Console`` so tests render to a string
and the screenshot in docs/ is the same code path.
"""

from __future__ import annotations

import difflib
import io
import json
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
from prompt_toolkit.application import get_app
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.output.base import DummyOutput
from rapidfuzz import fuzz, process, utils
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hcpcs_lint import config as cfg
from hcpcs_lint.checks.context import Entry, make_entry
from hcpcs_lint.checks.peers import clean_peers
from hcpcs_lint.engine import Linter, bundled_corpus_path
from hcpcs_lint.fixes import FixOutcome
from hcpcs_lint.model import Descriptor, Finding, InputError, Location, Record
from hcpcs_lint.report.diff import word_diff
from hcpcs_lint.rulebook import Rule, find_rule
from hcpcs_lint.sources import codes, load
from hcpcs_lint.sources.lines import read_lines

PASTE = "<paste>"
EXAMPLE = (
    "Q2041 Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, "
    "including leukapheresis and dose preparation procedures, per therapeutic dose"
)
NEAREST = 3
SHORTLIST = 48  # candidates kept by the fast ratio pass before token_set_ratio rescoring
QUERY_MAX = 5000  # the longest CMS long descriptor is ~4,500 characters
DISPLAY_MAX = 5000
SHORT = 76  # width of a shortened descriptor in the nearest/peers lists
PEERS_SHOWN = 8

ROLE_STYLE: dict[str, str] = {
    "product": "bold cyan",
    "service": "bold bright_magenta",
    "route": "magenta",
    "amount": "green",
    "basis": "blue",
    "inclusion": "yellow",
    "exclusion": "bright_green",
    "qualifier": "bright_blue",
    "parenthetical": "italic bright_black",
}
RESIDUE_STYLE = "white on red"
SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
SEVERITY_SPAN = {"error": "underline", "warning": "underline"}

COMMANDS: dict[str, str] = {
    ":help": "this help",
    ":load PATH": "use another reference (a CMS release .txt/.xlsx/.zip or a CSV); the old one stays on error",
    ":rules": "table of all rules",
    ":rule CODE": "a rule's documentation: summary, why it matters, fix safety, examples",
    ":json": "toggle JSON output (one JSON object per descriptor)",
    ":parse": "toggle clauses-only mode (no findings, peers or revision)",
    ":quit": "leave (Ctrl-D does the same)",
}
COMMAND_NAMES = tuple(c.split()[0] for c in COMMANDS)
ALIASES = {":q": ":quit", ":exit": ":quit", ":h": ":help", ":?": ":help", "quit": ":quit", "exit": ":quit"}


def default_history_path() -> Path:
    """History lives in the user's data dir so it survives upgrades and is shared by every checkout."""
    import platformdirs

    return Path(platformdirs.user_data_dir("hcpcs-lint")) / "repl-history"


# -- the reference and its fuzzy index ------------------------------------------------------------


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


# -- one pasted descriptor, analysed ----------------------------------------------------------------


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
    for n, line in enumerate(text.split("\n"), 1):
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
        except InputError as e:
            problems.append(Problem(n, stripped, e.message))
            continue
        for rec in got:
            code = f"#{n}" if rec.code.startswith("#") else rec.code
            records.append(replace(rec, code=code, location=Location(PASTE, n, rec.location.column)))
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


# -- rendering (every function takes the Console it prints to) ----------------------------------------


def shorten(text: str, width: int = SHORT) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width - 1)
    return text[: cut if cut > width // 2 else width - 1].rstrip(" ,;") + "…"


def code_label(code: str) -> str:
    return f"line {code[1:]}" if code.startswith("#") else code


def clause_text(desc: Descriptor, findings: Iterable[Finding] = ()) -> Text:
    """The descriptor with each clause coloured by its role; inner clauses are styled last, so they win."""
    text = Text(desc.text[:DISPLAY_MAX])
    for c in desc.clauses:  # sorted by (start, -end): a nested clause comes after its container
        text.stylize(ROLE_STYLE.get(c.role, ""), c.start, c.end)
    for a, b in desc.unparsed:
        text.stylize(RESIDUE_STYLE, a, b)
    for f in findings:
        if f.severity in SEVERITY_SPAN:
            text.stylize(SEVERITY_SPAN[f.severity], *f.span)
    return text


def legend(desc: Descriptor) -> Text:
    roles = list(dict.fromkeys(c.role for c in desc.clauses))
    out = Text()
    for k in roles:
        out.append(k, style=ROLE_STYLE.get(k, ""))
        out.append("  ")
    if desc.unparsed:
        out.append("unrecognised", style=RESIDUE_STYLE)
        out.append("  ")
    out.append(f"head: {desc.head}", style="dim")
    return out


def render_clauses(console: Console, desc: Descriptor) -> None:
    """Clauses one per row with spans and items, then the residue: what :parse mode shows."""
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold", pad_edge=False)
    table.add_column("role", no_wrap=True)
    table.add_column("span", no_wrap=True, justify="right")
    table.add_column("text")
    for c in desc.clauses:
        body = Text.assemble((c.text, ROLE_STYLE.get(c.role, "")))
        if c.items:
            body.append("\n  items: " + " | ".join(it.text for it in c.items), style="dim")
        table.add_row(Text(c.role, style=ROLE_STYLE.get(c.role, "")), f"{c.start}-{c.end}", body)
    for a, b in desc.unparsed:
        table.add_row(Text("residue", style=RESIDUE_STYLE), f"{a}-{b}", desc.text[a:b])
    if not desc.clauses and not desc.unparsed:
        console.print(Text("  no clauses", style="dim"))
        return
    console.print(table)


def _indent(console: Console, body: Text, left: int = 2) -> None:
    """Wrap to the console and indent every line, so a long message still reads as one block
    (done here, not with rich's Padding, which pads each line with trailing spaces)."""
    pad = " " * left
    for line in body.wrap(console, max(console.width - left, 20)):
        line.rstrip()
        console.print(Text(pad).append_text(line), soft_wrap=True)


def _section(console: Console, title: str, note: str = "") -> None:
    head = Text.assemble((title, "bold underline"))
    if note:
        head.append("  " + note, style="dim")
    console.print(head)


def render_header(console: Console, res: Result, index: int, total: int) -> None:
    where = f"  ({index} of {total})" if total > 1 else ""
    console.rule(Text.assemble((code_label(res.record.code) + where, "bold")), align="left", style="dim")
    desc = res.entry.desc
    console.print(clause_text(desc, res.findings))
    if len(desc.text) > DISPLAY_MAX:
        console.print(Text(f"  (showing {DISPLAY_MAX:,} of {len(desc.text):,} characters)", style="dim"))
    console.print(legend(desc))
    if res.record.location.path != PASTE:
        console.print(
            Text(f"(the descriptor of {res.record.code} in {res.record.location.path})", style="dim")
        )


def render_findings(console: Console, findings: Sequence[Finding]) -> None:
    if not findings:
        console.print(Text("No findings.", style="bold green"))
        return
    _section(console, "Findings", f"{len(findings)}")
    for f in findings:
        line = Text("  ")
        line.append(f"{f.severity:<7}", style=SEVERITY_STYLE.get(f.severity, ""))
        line.append(f" {f.rule} ", style="bold")
        line.append(f.name)
        console.print(line)
        _indent(console, Text(f.message), 10)
        if f.cpt:
            _indent(console, Text("CPT " + ", ".join(f.cpt), style="bold magenta"), 10)


def render_revision(console: Console, res: Result) -> None:
    out = res.outcome
    fixable = [f for f in res.findings if f.fix is not None]
    if out is None or not out.changed:
        if fixable:
            _section(console, "Revision", "no revision could be applied")
            for f, why in out.refused if out is not None else []:
                _indent(console, Text(f"{f.rule} refused: {why}", style="dim"))
        elif res.findings:
            console.print(Text("No automatic revision for these findings.", style="dim"))
        return
    unsafe = any(f.fix is not None and f.fix.applicability == "unsafe" for f in out.applied)
    note = "unsafe: it changes what the code describes; for committee review" if unsafe else "safe"
    _section(console, "Revision", note)
    markers = console.color_system is None or console.no_color  # git's [-old-]{+new+} where colour is off
    _indent(console, word_diff(out.record.long[:DISPLAY_MAX], out.text[:DISPLAY_MAX], markers=markers))
    if len(out.applied) > 1:
        for f in out.applied:
            assert f.fix is not None
            _indent(
                console,
                Text.assemble((f"after {f.rule}: ", "dim"), f.fix.descriptor[:DISPLAY_MAX]),
            )
    for f, why in out.refused:
        _indent(console, Text(f"{f.rule} refused: {why}", style="dim"))
    # The revised text on one logical line (the terminal wraps it) so it copies whole.
    console.print(Text.assemble(("  new: ", "bold green"), out.text[:DISPLAY_MAX]), soft_wrap=True)


def status_of(e: Entry) -> str:
    """ "bundles services" when the descriptor folds CPT services into the product, else "clean"."""
    return "bundles services" if e.bundled else "clean"


def render_nearest(console: Console, res: Result, ref_name: str) -> None:
    _section(console, "Nearest in the reference", ref_name)
    if not res.nearest:
        console.print(Text("  none", style="dim"))
        return
    for e, score in res.nearest:
        status = status_of(e)
        width = max(console.width - 15 - len(status) - 2, 20)
        row = Text(f"  {e.record.code:<6} {score:>3.0f}  ")
        row.append(shorten(e.record.long, width).ljust(width) + "  ")
        row.append(status, style="yellow" if e.bundled else "green")
        console.print(row, soft_wrap=True)


def render_peers(console: Console, res: Result) -> None:
    if res.entry.peer_group is None:
        _section(console, "Clean peers", "no product class recognised, so no peers to compare")
        return
    if not res.peers:
        _section(console, "Clean peers", f"none in the reference for {res.group_label}")
        return
    _section(console, "Clean peers", f"{len(res.peers)} of {res.group_label}")
    width = max(console.width - 10, 20)
    for p in res.peers[:PEERS_SHOWN]:
        label = code_label(p.record.code)  # a bare line of the same paste can be a peer too
        console.print(Text(f"  {label:<6} {shorten(p.record.long, width)}"), soft_wrap=True)
    if len(res.peers) > PEERS_SHOWN:
        rest = ", ".join(p.record.code for p in res.peers[PEERS_SHOWN:])
        _indent(console, Text(f"and {len(res.peers) - PEERS_SHOWN} more: {rest}", style="dim"))


def render_result(
    console: Console, res: Result, *, index: int = 1, total: int = 1, ref_name: str = ""
) -> None:
    """The five parts, in the order a reviewer reads them."""
    render_header(console, res, index, total)
    if res.class_label:
        console.print(Text(f"class: {res.class_label}", style="dim"))
    render_findings(console, res.findings)
    render_revision(console, res)
    render_nearest(console, res, ref_name)
    render_peers(console, res)


def render_parse(console: Console, res: Result, *, index: int = 1, total: int = 1) -> None:
    render_header(console, res, index, total)
    render_clauses(console, res.entry.desc)


def render_problem(console: Console, p: Problem, *, alone: bool) -> None:
    where = "" if alone else f"line {p.line}: "
    if p.message != "no descriptor recognised":
        console.print(Text(f"{where}{p.message}: {shorten(p.text, 60)}", style="yellow"))
        return
    console.print(
        Text(
            f"{where}no descriptor recognised in {shorten(p.text, 40)!r}: type a descriptor such as",
            style="yellow",
        )
    )
    _indent(console, Text(EXAMPLE))
    console.print(Text("or :help for commands", style="yellow"))


# -- JSON ------------------------------------------------------------------------------------------------


def clauses_json(desc: Descriptor) -> list[dict[str, Any]]:
    return [
        {
            "role": c.role,
            "text": c.text,
            "span": [c.start, c.end],
            "keyword": c.keyword,
            "items": [{"text": it.text, "span": [it.start, it.end]} for it in c.items],
        }
        for c in desc.clauses
    ]


def result_json(res: Result, *, clauses_only: bool = False) -> dict[str, Any]:
    """One object per descriptor with every part the terminal view shows."""
    desc = res.entry.desc
    obj: dict[str, Any] = {
        "code": None if res.record.code.startswith("#") else res.record.code,
        "line": res.record.location.line,
        "descriptor": desc.text,
        "head": desc.head,
        "clauses": clauses_json(desc),
        "unparsed": [{"text": desc.text[a:b], "span": [a, b]} for a, b in desc.unparsed],
    }
    if clauses_only:
        return obj
    out = res.outcome
    obj["findings"] = [
        {
            "rule": f.rule,
            "name": f.name,
            "severity": f.severity,
            "message": f.message,
            "span": list(f.span),
            "cpt": list(f.cpt),
            "fix": None
            if f.fix is None
            else {"applicability": f.fix.applicability, "descriptor": f.fix.descriptor},
        }
        for f in res.findings
    ]
    obj["fix"] = (
        None
        if out is None
        else {
            "descriptor": out.text,
            "changed": out.changed,
            "applied": [f.rule for f in out.applied],
            "refused": [{"rule": f.rule, "reason": why} for f, why in out.refused],
        }
    )
    obj["nearest"] = [
        {"code": e.record.code, "score": round(s, 1), "descriptor": e.record.long, "status": status_of(e)}
        for e, s in res.nearest
    ]
    obj["peer_group"] = res.group_label
    obj["peers"] = [
        {"code": p.record.code, "descriptor": p.record.long, "class": p.specific_class} for p in res.peers
    ]
    return obj


def emit_json(console: Console, obj: dict[str, Any]) -> None:
    """One line per object (no wrapping, no markup) so the stream can be piped or copied whole."""
    console.out(json.dumps(obj, ensure_ascii=False), highlight=False)


# -- commands --------------------------------------------------------------------------------------------


def render_help(console: Console, history: str) -> None:
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for cmd, what in COMMANDS.items():
        table.add_row(cmd, what)
    console.print(table)
    console.print(
        Text(
            "Paste one descriptor or many (one a line): 'Q2041 text', 'Q2041: text', 'Q2041<TAB>text' or bare text.\n"
            "Type a code alone (Q2041) to see the reference's descriptor for it.\n"
            "Enter lints; Esc-Enter (Alt-Enter) adds a line; Tab completes commands and rule codes; "
            "Ctrl-C clears the input; Ctrl-D quits.\n"
            f"History: {history}"
        )
    )


def render_rules(console: Console, rules: Sequence[Rule]) -> None:
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for col in ("code", "name", "severity", "fix"):
        table.add_column(col, no_wrap=True)
    table.add_column("summary")
    for r in rules:
        table.add_row(
            r.code, r.name, Text(r.severity, style=SEVERITY_STYLE.get(r.severity, "")), r.fix, r.summary
        )
    console.print(table)


def render_rule(console: Console, rule: Rule) -> None:
    info = rule.info()
    head = Text.assemble((f"{rule.code} {rule.name}", "bold"))
    head.append(f"  ({rule.group}; {rule.severity}; fix: {rule.fix})", style="dim")
    console.print(head)
    console.print(Text(info.summary))
    for title, body in (("Why it matters", info.rationale), ("Fix safety", info.fix_safety)):
        console.print()
        _section(console, title)
        console.print(Text(body))
    if rule.failing or rule.passing:
        console.print()
        _section(console, "Examples")
    for ex in rule.failing:
        console.print(Text.assemble(("  fails: ", "red"), ex.descriptor))
        if ex.fixed is not None:
            console.print(Text.assemble(("  fixed: ", "green"), ex.fixed))
    for ex in rule.passing:
        console.print(Text.assemble(("  passes: ", "green"), ex.descriptor))


class Repl:
    """The command loop's state and its handling of one input; knows nothing of the terminal."""

    def __init__(self, reference: Reference, console: Console, *, history: str = "(in memory)") -> None:
        self.ref = reference
        self.console = console
        self.history = history
        self.json_mode = False
        self.parse_mode = False

    # The prompt shows the modes, so a user never wonders why output looks different.
    def prompt_text(self) -> str:
        modes = [m for m, on in (("json", self.json_mode), ("parse", self.parse_mode)) if on]
        return f"hcpcs[{','.join(modes)}]> " if modes else "hcpcs> "

    def banner(self) -> None:
        self.console.print(
            Text.assemble(
                (f"hcpcs-lint repl · reference {self.ref.name}: ", "bold"), self.describe_reference()
            )
        )
        source = self.ref.linter.config.source
        if source:
            self.console.print(Text(f"config: {source}", style="dim"))
        self.console.print(Text("Paste descriptors (one a line), or :help. Ctrl-D quits.", style="dim"))

    def describe_reference(self) -> str:
        r = self.ref
        return f"{r.records:,} records, {len(r.entries):,} active codes indexed, loaded in {r.seconds:.2f} s"

    def handle(self, text: str) -> bool:
        """Handle one input; False means quit. Nothing a user types ends the session but :quit/Ctrl-D."""
        try:
            return self._handle(text)
        except KeyboardInterrupt:
            self.console.print(Text("cancelled", style="yellow"))
        except Exception as e:  # a bug must not cost the user their session
            msg = " ".join(f"{type(e).__name__}: {e}".split())
            self.console.print(
                Text(f"internal error ({shorten(msg, 160)}); the session goes on", style="red")
            )
        return True

    def _handle(self, raw: str) -> bool:
        text, removed = sanitize(raw)
        stripped = text.strip()
        if not stripped:
            self.console.print(Text("Paste a descriptor, or :help for commands.", style="dim"))
            return True
        if "\n" not in stripped and (stripped.startswith(":") or stripped.lower() in ALIASES):
            return self.command(stripped)
        if removed:
            self.console.print(
                Text(f"(removed {removed} control character{'s' * (removed != 1)})", style="dim")
            )
        records, problems = split_input(text, self.ref)
        alone = len(records) + len(problems) == 1
        for p in problems:
            if self.json_mode:
                emit_json(self.console, {"line": p.line, "input": p.text, "error": p.message})
            else:
                render_problem(self.console, p, alone=alone)
        if not records:
            if not problems:
                self.console.print(Text("Nothing to lint: '#' lines are comments.", style="dim"))
            return True
        results = analyse(self.ref, records, clauses_only=self.parse_mode)
        for n, res in enumerate(results, 1):
            if self.json_mode:
                emit_json(self.console, result_json(res, clauses_only=self.parse_mode))
            elif self.parse_mode:
                render_parse(self.console, res, index=n, total=len(results))
            else:
                render_result(self.console, res, index=n, total=len(results), ref_name=self.ref.name)
        if len(results) > 1 and not self.json_mode and not self.parse_mode:
            self.render_summary(results)
        return True

    def render_summary(self, results: Sequence[Result]) -> None:
        errors = sum(any(f.severity == "error" for f in r.findings) for r in results)
        flagged = sum(bool(r.findings) for r in results)
        self.console.rule(style="dim")
        self.console.print(
            Text(
                f"{len(results)} descriptors: {errors} with errors, {flagged - errors} with warnings or notes only, "
                f"{len(results) - flagged} clean",
                style="bold",
            )
        )

    def command(self, line: str) -> bool:
        name, _, arg = line.partition(" ")
        name = ALIASES.get(name.lower(), name.lower())
        arg = arg.strip()
        handlers: dict[str, Callable[[str], bool]] = {
            ":help": self.cmd_help,
            ":load": self.cmd_load,
            ":rules": self.cmd_rules,
            ":rule": self.cmd_rule,
            ":json": self.cmd_json,
            ":parse": self.cmd_parse,
            ":quit": lambda _: False,
        }
        handler = handlers.get(name)
        if handler is None:
            close = difflib.get_close_matches(name, COMMAND_NAMES, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]}? " if close else ""
            self.console.print(
                Text(f"unknown command {name}: {hint}commands are {', '.join(COMMAND_NAMES)}", style="yellow")
            )
            return True
        return handler(arg)

    def cmd_help(self, _: str) -> bool:
        render_help(self.console, self.history)
        return True

    def cmd_load(self, arg: str) -> bool:
        if not arg:
            self.console.print(
                Text(f"usage: :load PATH  (now: {self.ref.path}; {self.describe_reference()})")
            )
            return True
        try:
            ref = Reference.load(arg, self.ref.linter.config)
        except InputError as e:
            self.console.print(Text(e.render(), style="red"), soft_wrap=True)
            self.console.print(Text(f"keeping the reference {self.ref.path}", style="dim"))
            return True
        self.ref = ref
        self.console.print(Text(f"reference {ref.path}: {self.describe_reference()}", style="green"))
        return True

    def cmd_rules(self, _: str) -> bool:
        render_rules(self.console, self.ref.linter.rules)
        return True

    def cmd_rule(self, arg: str) -> bool:
        rules = self.ref.linter.rules
        if not arg:
            self.console.print(Text("usage: :rule CODE or NAME (for example :rule HL101); :rules lists them"))
            return True
        rule = find_rule(rules, arg)
        if rule is None:
            keys = [r.code for r in rules] + [r.name for r in rules]
            close = difflib.get_close_matches(
                arg.upper() if arg[:2].isalpha() else arg, keys, n=2, cutoff=0.5
            )
            hint = f"; did you mean {' or '.join(close)}?" if close else "; :rules lists them"
            self.console.print(Text(f"no rule {arg!r}{hint}", style="yellow"))
            return True
        render_rule(self.console, rule)
        return True

    def cmd_json(self, _: str) -> bool:
        self.json_mode = not self.json_mode
        state = "on: one JSON object per descriptor, one a line" if self.json_mode else "off"
        self.console.print(Text(f"JSON output {state}", style="dim"))
        return True

    def cmd_parse(self, _: str) -> bool:
        self.parse_mode = not self.parse_mode
        state = "on: clauses only" if self.parse_mode else "off: full results"
        self.console.print(Text(f"parse mode {state}", style="dim"))
        return True


# -- the terminal ------------------------------------------------------------------------------------------


class ReplCompleter(Completer):
    """Commands after ':', rule codes and names after ':rule ', paths after ':load '; nothing in descriptors."""

    def __init__(self, repl: Repl) -> None:
        self.repl = repl
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor
        if "\n" in before or not before.startswith(":"):
            return
        if " " not in before:
            for name in COMMAND_NAMES:
                if name.startswith(before.lower()):
                    yield Completion(name, start_position=-len(before))
            return
        name, _, arg = before.partition(" ")
        if name == ":rule":
            low = arg.lower()
            for r in self.repl.ref.linter.rules:
                for key, meta in ((r.code, r.name), (r.name, r.code)):
                    if key.lower().startswith(low):
                        yield Completion(key, start_position=-len(arg), display_meta=meta)
        elif name == ":load":
            sub = Document(arg, len(arg))
            yield from self.paths.get_completions(sub, complete_event)


def key_bindings() -> KeyBindings:
    """Enter submits; Esc-Enter / Alt-Enter adds a line. A bracketed paste of many lines arrives whole
    (prompt_toolkit inserts it as one event), so a pasted block is linted as one batch."""
    kb = KeyBindings()

    @kb.add("enter")
    def _submit(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    # Tab completes commands; in a descriptor it is text ("Q2041<TAB>descriptor" is a form we accept).
    @kb.add("tab", filter=Condition(lambda: not get_app().current_buffer.text.startswith(":")))
    def _tab(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\t")

    return kb


class _OutputFile(io.TextIOBase):
    """Lets rich write through a prompt_toolkit Output (the one the prompt uses, or a test's)."""

    def __init__(self, output: Output) -> None:
        self._output = output

    def write(self, s: str) -> int:
        self._output.write_raw(s)
        self._output.flush()
        return len(s)

    def flush(self) -> None:
        self._output.flush()


def make_console(output: Output | None = None) -> Console:
    """Rich console for the REPL: stdout (the real terminal), or the prompt_toolkit Output given."""
    common: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    if output is None:
        return Console(**common)
    depth = output.get_default_color_depth()
    color = None
    if not isinstance(output, DummyOutput) and depth != ColorDepth.DEPTH_1_BIT:
        color = {ColorDepth.DEPTH_4_BIT: "standard", ColorDepth.DEPTH_8_BIT: "256"}.get(depth, "truecolor")
    return Console(
        file=cast(IO[str], _OutputFile(output)),
        width=output.get_size().columns,
        force_terminal=color is not None,
        color_system=color,  # type: ignore[arg-type]
        **common,
    )


def _history(path: str | None) -> tuple[History, str]:
    where = Path(path) if path is not None else default_history_path()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        where.touch(exist_ok=True)
    except OSError as e:
        return InMemoryHistory(), f"(in memory: cannot write {where}: {e.strerror or e})"
    return FileHistory(str(where)), str(where)


def run_lines(repl: Repl, lines: Iterable[str]) -> int:
    """Standard input is not a terminal (a pipe or file): no prompt; runs of descriptor lines are
    linted as one batch, as a paste is, and a ':' line is a command."""
    batch: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.lstrip().startswith(":"):
            batch.append(line)
            continue
        if batch and any(b.strip() for b in batch):
            repl.handle("\n".join(batch))
        batch = []
        if not repl.handle(line):
            return 0
    if any(b.strip() for b in batch):
        repl.handle("\n".join(batch))
    return 0


def run(
    reference: str | None = None,
    *,
    input: Input | None = None,
    output: Output | None = None,
    history_path: str | None = None,
) -> int:
    """Run the REPL until Ctrl-D or :quit (status 0); status 2 when the starting reference is unreadable.

    ``input``/``output`` are prompt_toolkit's (``create_pipe_input``, ``DummyOutput`` in tests);
    None means the real terminal.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory

    console = make_console(output)
    try:
        config = cfg.load_config(cfg.find_config(Path.cwd()))
        ref = Reference.load(reference or config.reference, config)
    except InputError as e:
        console.print(Text(e.render(), style="red"), soft_wrap=True)
        return 2
    history, where = _history(history_path)
    repl = Repl(ref, console, history=where)
    if input is None and not sys.stdin.isatty():
        return run_lines(repl, sys.stdin)
    repl.banner()
    session: PromptSession[str] = PromptSession(
        history=history,
        completer=ReplCompleter(repl),
        complete_while_typing=True,
        auto_suggest=AutoSuggestFromHistory(),
        key_bindings=key_bindings(),
        multiline=True,
        prompt_continuation=lambda width, line, wrap: "" if wrap else "." * (width - 1) + " ",
        bottom_toolbar=lambda: (
            f" {repl.ref.name} · Enter lints · Esc-Enter new line · Tab completes · :help · Ctrl-D quits"
        ),
        input=input,
        output=output,
    )
    while True:
        try:
            text = session.prompt(repl.prompt_text)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        if not repl.handle(text):
            return 0
