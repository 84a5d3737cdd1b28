"""Diffs and histories as a person reads them: the terminal (rich) and Markdown (pastes into a comment box).

JSON is ``to_json()``; nothing here decides anything, it only lays out what the library found.
Without colour, word diffs keep git's ``[-removed-]{+added+}`` marks so they survive a pipe.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from hcpcs_lint.charts import text_bars
from hcpcs_lint.history.diff import ClauseChange, ReleaseDiff, WordOp, render_words
from hcpcs_lint.history.timeline import History

_DEL, _INS = "red strike", "bold green"


def _console(color: bool, width: int) -> Any:
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        soft_wrap=False,
    )


def _trimmed(con: Any) -> str:
    """The console's text without the blanks rich pads each line with."""
    return "\n".join(line.rstrip(" ") for line in str(con.file.getvalue()).split("\n"))


def _words(ops: Sequence[WordOp], color: bool) -> Any:
    from rich.text import Text

    if all(op.op == "equal" for op in ops):
        return Text.assemble("".join(op.text for op in ops), ("  (spacing only)", "dim"))
    if not color:
        return Text(render_words(list(ops)))
    text = Text()
    for op in ops:
        text.append(op.text, style=_DEL if op.op == "delete" else _INS if op.op == "insert" else "")
    return text


def _summary(counts: dict[str, int]) -> str:
    names = {
        "came_and_went": "came and went",
        "findings_new": "findings new",
        "findings_resolved": "resolved",
    }
    return " · ".join(f"{n} {names.get(k, k)}" for k, n in counts.items())


def diff_terminal(d: ReleaseDiff, *, color: bool = False, width: int = 100) -> str:
    from rich.table import Table
    from rich.text import Text

    con = _console(color, width)
    con.print(
        Text(
            f"{d.old.label} ({d.old.effective or 'no date'}) → {d.new.label} ({d.new.effective or 'no date'})",
            style="bold",
        )
    )
    con.print(Text(f"old: {d.old.path}\nnew: {d.new.path}", style="dim"))
    con.print(_summary(d.counts()))
    for note in d.notes:
        con.print(Text(f"note: {note}", style="yellow"))

    def section(title: str, n: int) -> Any:
        con.print()
        con.print(Text(f"{title} ({n})", style="bold underline"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        return grid

    if d.added:
        grid = section("Added", len(d.added))
        for a in d.added:
            body = Text(a.descriptor + (" (reactivated)" if a.reactivated else ""))
            for f in a.findings:
                body.append(
                    f"\n{f.rule} {f.severity}: {f.message}",
                    style="red" if f.severity == "error" else "yellow",
                )
            grid.add_row(a.code, body)
        con.print(grid)
    for title, items in (("Terminated", d.terminated), ("Came and went", d.came_and_went)):
        if items:
            grid = section(title, len(items))
            for t in items:
                when = t.terminated or "absent from the new release"
                grid.add_row(t.code, Text.assemble((when, "magenta"), "  ", t.descriptor))
            con.print(grid)
    for title, revs in (("Revised", d.revised), ("Reworded: case, spacing or punctuation only", d.reworded)):
        if revs:
            grid = section(title, len(revs))
            for r in revs:
                grid.add_row(r.code, _words(r.words, color))
                for c in r.clauses:
                    grid.add_row("", Text(_clause_line(c), style="dim"))
            con.print(grid)
    for title, changes in (("Findings new", d.findings_new), ("Findings resolved", d.findings_resolved)):
        if changes:
            grid = section(title, len(changes))
            for ch in changes:
                grid.add_row(f"{ch.code} {ch.rule}", Text.assemble((f"({ch.why}) ", "dim"), ch.message))
            con.print(grid)
    return _trimmed(con)


def _clause_line(c: ClauseChange) -> str:
    if c.change == "changed":
        return f"{c.role} changed: “{c.old}” → “{c.new}”"
    return f"{c.role} {c.change}: “{c.old if c.change == 'vanished' else c.new}”"


def _cell(text: str) -> str:
    for mark, escaped in (("\\", "\\\\"), ("|", "\\|"), ("*", "\\*"), ("<", "&lt;"), ("\n", " ")):
        text = text.replace(mark, escaped)
    return text


def _md_words(ops: Sequence[WordOp]) -> str:
    out = []
    for op in ops:
        core = op.text.rstrip()
        tail = op.text[len(core) :]
        if op.op == "equal" or not core:
            out.append(_cell(op.text))
            continue
        mark = "~~" if op.op == "delete" else "**"
        gap = " " if out and out[-1] and not out[-1][-1].isspace() and core[:1].isalnum() else ""
        out.append(f"{gap}{mark}{_cell(core)}{mark}{tail}")
    if all(op.op == "equal" for op in ops):
        out.append(" *(spacing only)*")
    return "".join(out).rstrip()


def diff_markdown(d: ReleaseDiff) -> str:
    lines = [
        f"# HCPCS changes: {d.old.label} → {d.new.label}",
        "",
        f"From `{d.old.path}` (effective {d.old.effective}) to `{d.new.path}` (effective {d.new.effective}).",
        "",
        _summary(d.counts()) + ".",
    ]
    lines += [f"\n> {note}" for note in d.notes]
    if d.added:
        lines += ["", f"## Added ({len(d.added)})", "", "| Code | Descriptor | Findings |", "|---|---|---|"]
        for a in d.added:
            found = "<br>".join(f"**{f.rule}** {_cell(f.message)}" for f in a.findings)
            lines.append(f"| {a.code} | {_cell(a.descriptor)} | {found} |")
    for title, items in (("Terminated", d.terminated), ("Came and went", d.came_and_went)):
        if items:
            lines += _md_table_head(f"{title} ({len(items)})", "Code", "Terminated", "Descriptor")
            lines += [f"| {t.code} | {t.terminated or 'absent'} | {_cell(t.descriptor)} |" for t in items]
    for title, revs in (("Revised", d.revised), ("Reworded (case, spacing or punctuation only)", d.reworded)):
        if revs:
            lines += _md_table_head(
                f"{title} ({len(revs)})", "Code", "Change (~~removed~~ **added**)", "Clauses"
            )
            for r in revs:
                clauses = "<br>".join(
                    f"{c.role} {c.change}: " + _cell(" → ".join(t for t in (c.old, c.new) if t))
                    for c in r.clauses
                )
                lines.append(f"| {r.code} | {_md_words(r.words)} | {clauses} |")
    for title, changes in (("Findings new", d.findings_new), ("Findings resolved", d.findings_resolved)):
        if changes:
            lines += _md_table_head(f"{title} ({len(changes)})", "Code", "Rule", "Why", "Message")
            lines += [f"| {f.code} | {f.rule} | {f.why} | {_cell(f.message)} |" for f in changes]
    return "\n".join(lines) + "\n"


def history_terminal(h: History, *, color: bool = False, width: int = 100) -> str:
    from rich.table import Table
    from rich.text import Text

    con = _console(color, width)
    table = Table(title=f"Product codes flagged by {h.rule}, per release", title_justify="left", expand=False)
    for name in ("Release", "Effective", "Codes", "Which (by class)"):
        table.add_column(name, justify="right" if name == "Codes" else "left")
    for c in h.counts:
        which = "\n".join(f"{h.classes.get(k, k)}: {', '.join(v)}" for k, v in c.by_class.items())
        table.add_row(c.release.label, c.release.effective or "?", str(c.count), which)
    con.print(table)
    con.print()
    for line in text_bars([c.release.label for c in h.counts], [c.count for c in h.counts], width=40):
        con.print(Text(line, style="cyan"))
    for note in h.notes:
        con.print(Text(f"note: {note}", style="yellow"))
    for tl in h.timelines:
        con.print()
        state = "unchanged" if tl.unchanged else "revised"
        con.print(Text.assemble((tl.code, "bold"), f"  present in {', '.join(tl.present_in)}; text {state}"))
        flagged = ", ".join(tl.flagged_in) if tl.flagged_in else "none"
        con.print(Text(f"  flagged by {h.rule} in: {flagged}", style="dim"))
        events = Table.grid(padding=(0, 2))
        for _ in range(3):
            events.add_column()
        for e in tl.events:
            what = e.event
            if e.date:
                what += (
                    f" (added {e.date})"
                    if e.event in ("first seen", "reappeared", "reactivated")
                    else f" {e.date}"
                )
            if e.word_diff is not None:
                body = Text(e.word_diff)
            elif e.event in ("first seen", "reappeared", "reactivated"):
                body = Text(e.descriptor)
            else:
                body = Text("")
            events.add_row(Text(f"  {e.release}", style="bold"), what, body)
        con.print(events)
        grid = Table.grid(padding=(0, 2))
        for name in ("role", "clause", "first seen", "releases"):
            grid.add_column(name, style="dim" if name == "role" else "")
        grid.add_row("  clause", "", "first seen", "in", style="bold")
        for cl in tl.clauses:
            grid.add_row(f"  {cl.role}", cl.text, cl.first_seen, ", ".join(cl.releases))
        con.print(grid)
    return _trimmed(con)


def _md_table_head(title: str, *columns: str) -> list[str]:
    """A Markdown section title and the head of its table."""
    return ["", f"## {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
