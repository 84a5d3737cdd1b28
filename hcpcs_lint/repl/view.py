"""Rendering: every function takes the rich Console it prints to, so tests render to a string and
the screenshot in docs/ is the same code path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hcpcs_lint.model import Descriptor, Finding
from hcpcs_lint.repl.analysis import PASTE, Problem, Result
from hcpcs_lint.repl.jsonview import status_of
from hcpcs_lint.report.diff import word_diff
from hcpcs_lint.report.styles import RESIDUE_STYLE, ROLE_STYLE, SEVERITY_STYLE
from hcpcs_lint.rulebook import Rule

EXAMPLE = (
    "Q2041 Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, "
    "including leukapheresis and dose preparation procedures, per therapeutic dose"
)
DISPLAY_MAX = 5000
SHORT = 76  # width of a shortened descriptor in the nearest/peers lists
PEERS_SHOWN = 8
COMMANDS: dict[str, str] = {
    ":help": "this help",
    ":load PATH": "use another reference (a CMS release .txt/.xlsx/.zip or a CSV); the old one stays on error",
    ":rules": "table of all rules",
    ":rule CODE": "a rule's documentation: summary, why it matters, fix safety, examples",
    ":json": "toggle JSON output (one JSON object per descriptor)",
    ":parse": "toggle clauses-only mode (no findings, peers or revision)",
    ":quit": "leave (Ctrl-D does the same)",
}

SEVERITY_SPAN = {"error": "underline", "warning": "underline"}


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
