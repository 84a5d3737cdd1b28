"""What every format needs the same way: the :class:`Report` a reporter is handed, sort order,
positions in the file, counts and the summary line, so the formats cannot drift apart.

Formats import this module, never the package ``__init__`` (which imports the formats)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from hcpcs_lint.model import Finding, Location, Record, RuleInfo


@dataclass(frozen=True)
class Report:
    """Everything one run produced: the single input of every reporter."""

    findings: Sequence[Finding]
    records: int  # records checked
    files: Sequence[str]  # paths checked
    rules: Mapping[str, RuleInfo]  # by code, every rule that ran (for SARIF rules metadata)
    # For JUnit: one testcase per record. Empty means "not known": JUnit falls back to one per finding.
    records_by_file: Mapping[str, Sequence[Record]] = field(default_factory=dict)
    fixed: int = 0  # descriptors fixed (for --fix summaries)
    tool_version: str = "0.1.0"
    # Findings of a revision's current text (or a discontinued code) that the request takes away.
    resolved: Sequence[Finding] = ()
    # check --explain: the full format shows, under each finding, how the check read each item.
    explain: bool = False


# --- helpers shared by the formats -------------------------------------------------------------


def display_path(location: Location) -> str:
    """The path a human reads: ``archive.zip!member.txt`` for a zip member, ``file.pdf:page 2`` for a PDF."""
    where = location.path if location.member is None else f"{location.path}!{location.member}"
    return where if location.page is None else f"{where}:page {location.page}"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a finding's span stands in its file, 1-based; ``end_column`` is exclusive (as in SARIF).

    ``exact`` is true only when the descriptor stands verbatim in the file (``Location.offset``
    known), so the span can be mapped onto file columns and a fix can be spliced in. Otherwise the
    column, if any, is where the descriptor starts: fixed-width records wrap long descriptors over
    continuation lines, and a workbook cell has no character columns, so adding the span would lie.
    """

    line: int | None
    column: int | None
    end_line: int | None = None
    end_column: int | None = None
    exact: bool = False


def clamp_span(finding: Finding) -> tuple[int, int]:
    """The finding's span clipped to its descriptor, so a bad span from a rule never crashes a reporter."""
    n = len(finding.record.long)
    start = min(max(finding.span[0], 0), n)
    end = min(max(finding.span[1], start), n)
    return start, end


def _line_col(text: str, index: int, line: int, column: int) -> tuple[int, int]:
    """Line and column of ``text[index]`` when ``text`` starts at ``line``:``column`` in the file."""
    newlines = text.count("\n", 0, index)
    if newlines == 0:
        return line, column + index
    return line + newlines, index - text.rfind("\n", 0, index)


def position(finding: Finding) -> Position:
    """Map the finding's span onto the file as far as the source allows (see :class:`Position`)."""
    loc = finding.record.location
    if loc.line is None:
        return Position(None, None)
    if loc.offset is None or loc.column is None:
        return Position(loc.line, loc.column)
    start, end = clamp_span(finding)
    text = finding.record.long
    line, column = _line_col(text, start, loc.line, loc.column)
    end_line, end_column = _line_col(text, end, loc.line, loc.column)
    return Position(line, column, end_line, end_column, exact=True)


def sort_key(finding: Finding) -> tuple[str, str, int, int, int, str, str, int, str]:
    """Order by path, page, line, column, rule: stable across runs whatever order the engine produced."""
    loc = finding.record.location
    pos = position(finding)
    return (
        loc.path,
        loc.member or "",
        loc.page or 0,
        pos.line or 0,
        pos.column or 0,
        finding.rule,
        finding.code,
        finding.span[0],
        finding.message,
    )


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=sort_key)


def rule_info(report: Report, finding: Finding) -> RuleInfo:
    """The rule's metadata; synthesised from the finding when the engine did not list the rule."""
    info = report.rules.get(finding.rule)
    if info is not None:
        return info
    # Positional, in RuleInfo's field order: code, name, group, severity, summary, rationale, fix safety.
    return RuleInfo(finding.rule, finding.name, finding.group, finding.severity, finding.name, "", "")


@dataclass(frozen=True, slots=True)
class Counts:
    findings: int
    errors: int
    warnings: int
    info: int
    fixable: int  # findings with a safe fix
    unsafe_fixable: int  # findings with an unsafe fix
    by_rule: dict[str, int]


def counts(report: Report) -> Counts:
    severities = Counter(f.severity for f in report.findings)
    applicability = Counter(f.fix.applicability for f in report.findings if f.fix is not None)
    by_rule = Counter(f.rule for f in report.findings)
    return Counts(
        findings=len(report.findings),
        errors=severities["error"],
        warnings=severities["warning"],
        info=severities["info"],
        fixable=applicability["safe"],
        unsafe_fixable=applicability["unsafe"],
        by_rule={code: by_rule[code] for code in sorted(by_rule)},
    )


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def summary_lines(report: Report) -> list[str]:
    """The closing lines of the human formats: totals, then fixes available or applied."""
    c = counts(report)
    records = plural(report.records, "record")
    if c.findings == 0:
        lines = [f"All checks passed ({records})."]
    else:
        lines = [
            f"Found {plural(c.findings, 'finding')} ({plural(c.errors, 'error')}, "
            f"{plural(c.warnings, 'warning')}, {c.info} info) in {records}."
        ]
    if c.fixable or c.unsafe_fixable:
        lines.append(f"Fixes available: {c.fixable} safe, {c.unsafe_fixable} unsafe.")
    if report.fixed:
        lines.append(f"Fixed {plural(report.fixed, 'descriptor')}.")
    if report.resolved:
        lines.append(f"Resolved by the document's requests: {plural(len(report.resolved), 'finding')}.")
    return [resolved_line(f) for f in sorted_findings(report.resolved)] + lines


def resolved_line(f: Finding) -> str:
    """A finding that a request takes away, on one line: where, which request, which rule, what it said."""
    loc = f.record.location
    where = display_path(loc) + (f":{loc.line}" if loc.line is not None else "")
    request, kind = f.extra.get("request"), f.extra.get("request_kind")
    by = f"request {request} ({kind} {f.code})" if request else f"this {kind} request ({f.code})"
    return f"{where}: resolved by {by}: {f.rule} {f.name}: {' '.join(f.message.split())}"
