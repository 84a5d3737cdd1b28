"""Full format: each finding with its descriptor, the offending words marked, CPT codes, peers and fix.

Laid out like ruff's full output: a ``path:line:col`` header, then the source with the span
highlighted. Without colour (CI logs, pipes, tests) the span is marked by a ``^^^`` line under it and
the fix's word diff by git's ``[-old-]{+new+}`` brackets, so nothing depends on escape codes. The
descriptor is wrapped here rather than by rich so each caret line stays under the words it marks.
"""

from __future__ import annotations

import io
import re

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from hcpcs_lint.model import Finding
from hcpcs_lint.report.base import Report, display_path, position, rule_info, sorted_findings, summary_lines
from hcpcs_lint.report.diff import word_diff
from hcpcs_lint.report.styles import SEVERITY_STYLE, SPAN_STYLE

INDENT = 2
MIN_WRAP = 20
_ODD = re.compile(r"[^\x20-\x7e\u00a0-\u02ff]")  # outside printable ASCII and Latin letters
_PLAIN_ASCII = re.compile(r"[\x20-\x7e\n]*")


class PlainConsole:
    """What ``render`` needs of a rich Console when there is no colour (pipes, CI logs, files):
    lines are already wrapped here, so each is written as it is. rich's print pipeline cost
    0.2 s for the 80 findings of the 2019 release; the output is the same byte for byte."""

    def __init__(self, buffer: io.StringIO, width: int) -> None:
        self.file = buffer
        self.width = width

    def print(self, text: Text | None = None, **options: object) -> None:
        if text is None:
            self.file.write("\n")
            return
        plain = text.plain
        if _ODD.search(plain) or (options.get("no_wrap") is not True and cell_len(plain) > self.width):
            # tabs, control characters or a line rich would wrap: let rich do what it does
            make_rich_console(self.file, color=False, width=self.width).print(text, **options)  # type: ignore[arg-type]
            return
        self.file.write(plain + "\n")


def make_console(buffer: io.StringIO, *, color: bool, width: int) -> Console | PlainConsole:
    """A console that writes to ``buffer``; only ``color`` decides escape codes, never the environment."""
    if not color:
        return PlainConsole(buffer, width)
    return make_rich_console(buffer, color=color, width=width)


def make_rich_console(buffer: io.StringIO, *, color: bool, width: int) -> Console:
    return Console(
        file=buffer,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        markup=False,  # "[error]" in a header is text, not rich markup
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Split ``text`` into lines of at most ``width`` cells, at spaces where possible.

    Returns ``(start, end)`` offsets into ``text`` (not copies) so a span can be drawn under each piece.
    """
    width = max(width, MIN_WRAP)
    ascii_only = _PLAIN_ASCII.fullmatch(text) is not None
    pieces: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        newline = text.find("\n", start)
        stop = n if newline == -1 else newline
        # The furthest end that fits in width cells (printable ASCII: one cell a character).
        if ascii_only:
            end = min(stop, start + width)
        else:
            end, cells = start, 0
            while end < stop and cells + cell_len(text[end]) <= width:
                cells += cell_len(text[end])
                end += 1
        if end >= stop:
            pieces.append((start, stop))
            start = stop + 1
            continue
        brk = max(text.rfind(" ", start, end + 1), text.rfind("\t", start, end + 1))
        if brk > start:
            cut = brk
            while cut > start and text[cut - 1] in " \t":
                cut -= 1
            pieces.append((start, cut))
            start = brk
            while start < stop and text[start] in " \t":
                start += 1
        else:  # one word longer than the line: cut it
            end = max(end, start + 1)
            pieces.append((start, end))
            start = end
    return pieces or [(0, 0)]


def emit(console: Console | PlainConsole, text: Text, indent: int) -> None:
    """Print ``text`` wrapped under an indent, without the trailing padding rich's Padding adds."""
    for a, b in wrap_offsets(text.plain, console.width - indent):
        console.print(Text(" " * indent) + text[a:b], no_wrap=True, overflow="ignore", crop=False)


def source_lines(finding: Finding, *, color: bool, width: int) -> list[Text]:
    """The descriptor in a gutter named by the HCPCS code, wrapped, with the span marked."""
    text = finding.record.long
    n = len(text)
    s = min(max(finding.span[0], 0), n)
    e = min(max(finding.span[1], s), n)
    gutter = f"{' ' * INDENT}{finding.code} | "
    blank = " " * (len(gutter) - 2) + "| "
    style = SPAN_STYLE.get(finding.severity, "underline")
    lines: list[Text] = []
    marked_empty = False
    for i, (a, b) in enumerate(wrap_offsets(text, width - len(gutter))):
        piece = Text(text[a:b])
        lo, hi = max(s, a), min(e, b)
        if lo < hi:
            piece.stylize(style, lo - a, hi - a)
        lines.append(Text.assemble((gutter if i == 0 else blank, "dim"), piece))
        if color:
            continue
        if lo < hi:
            pad, mark = cell_len(text[a:lo]), cell_len(text[lo:hi])
            lines.append(Text(blank + " " * pad + "^" * max(mark, 1)))
        elif s == e and a <= s <= b and not marked_empty:
            # An empty span (a place where words are missing) still gets one caret.
            lines.append(Text(blank + " " * cell_len(text[a:s]) + "^"))
            marked_empty = True
    return lines


def shorten(text: str, limit: int) -> str:
    limit = max(limit, MIN_WRAP)
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;") + "..."


def header(finding: Finding) -> Text:
    pos = position(finding)
    where = display_path(finding.record.location)
    if pos.line is not None:
        where += f":{pos.line}" + (f":{pos.column}" if pos.column is not None else "")
    severity = SEVERITY_STYLE.get(finding.severity, "bold")
    return Text.assemble(
        (where, "bold"),
        " ",
        (finding.rule, severity),
        f" {finding.name} ",
        (f"[{finding.severity}]", severity),
    )


def render_finding(
    console: Console | PlainConsole, report: Report, finding: Finding, *, color: bool, show_source: bool
) -> None:
    width = console.width
    emit(console, header(finding), 0)
    emit(console, Text(finding.message), INDENT)
    if show_source:
        for line in source_lines(finding, color=color, width=width):
            console.print(line, no_wrap=True, overflow="ignore", crop=False)
    if finding.cpt:
        emit(console, Text(f"= CPT: {', '.join(finding.cpt)}"), INDENT)
    lines = finding.extra.get("explain") if report.explain else None
    if isinstance(lines, list) and lines:
        emit(console, Text("= how each item was read:"), INDENT)
        for line in lines:
            emit(console, Text(f"- {line}"), 2 * INDENT)
    if finding.related:
        emit(console, Text("= related:"), INDENT)
        for r in finding.related:
            note = f" ({r.note})" if r.note else ""
            room = width - 2 * INDENT - len(r.code) - 1 - len(note)
            emit(
                console,
                Text.assemble((r.code, "bold"), " ", shorten(r.descriptor, room), (note, "dim")),
                2 * INDENT,
            )
    fix = finding.fix
    if fix is not None:
        applicability = (f"({fix.applicability})", "bold green" if fix.applicability == "safe" else "bold")
        emit(
            console, Text.assemble("= fix ", applicability, f": {fix.message}" if fix.message else ""), INDENT
        )
        emit(console, word_diff(finding.record.long, fix.descriptor, markers=not color), 2 * INDENT)
        emit(console, Text.assemble(("new: ", "bold"), fix.descriptor), 2 * INDENT)
    info = rule_info(report, finding)
    if info.help_uri:
        emit(console, Text(f"= help: {info.help_uri}", style="dim"), INDENT)


def render(report: Report, *, color: bool = False, width: int = 100, show_source: bool = True) -> str:
    buffer = io.StringIO()
    console = make_console(buffer, color=color, width=width)
    for finding in sorted_findings(report.findings):
        render_finding(console, report, finding, color=color, show_source=show_source)
        console.print()
    for line in summary_lines(report):
        console.print(Text(line, style="bold"), crop=False)
    return buffer.getvalue()
