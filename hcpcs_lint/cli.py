"""Command line: a thin layer over the library (sources → parser → engine → fixes → reporters).

Exit codes, as ruff: 0 no findings at or above the fail-on level, 1 findings, 2 usage or input
error. Bad input never shows a traceback: one line ``hcpcs-lint: error: path:line: message``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from hcpcs_lint import __version__
from hcpcs_lint import config as cfg
from hcpcs_lint.model import Descriptor, Finding, InputError, Record

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "junit")
FIXABLE_KINDS = ("table", "draft")


def _selectors(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def _records(path: str) -> list[Record]:
    from hcpcs_lint.sources import load

    return list(load(path, stdin=sys.stdin.buffer if path == "-" else None))


# -- parse ---------------------------------------------------------------------------------------


def descriptor_json(rec: Record, d: Descriptor) -> dict[str, Any]:
    def clauses(desc: Descriptor, shift: int = 0) -> list[dict[str, Any]]:
        out = []
        for c in desc.clauses:
            obj: dict[str, Any] = {"kind": c.kind, "text": c.text, "span": [c.start + shift, c.end + shift]}
            if c.kind in ("inclusion", "exclusion"):
                obj["items"] = [{"text": i.text, "span": [i.start + shift, i.end + shift]} for i in c.items]
            out.append(obj)
        return out

    obj: dict[str, Any] = {
        "code": rec.code,
        "level": rec.level,
        "kind": rec.kind,
        "source": str(rec.location),
        "terminated": rec.terminated,
        "descriptor": rec.long,
        "head_kind": d.head_kind,
        "clauses": clauses(d),
        "unparsed": [list(u) for u in d.unparsed],
    }
    if d.stem is not None and d.specific is not None:
        obj["stem"] = {"text": d.stem.text, "span": [0, len(d.stem.text)], "clauses": clauses(d.stem)}
        obj["specific"] = {
            "text": d.specific.text,
            "span": [d.specific_offset, d.specific_offset + len(d.specific.text)],
            "clauses": clauses(d.specific, d.specific_offset),
        }
    return obj


STYLES = {
    "route": "magenta",
    "product": "bold cyan",
    "service": "bold yellow",
    "amount": "green",
    "basis": "blue",
    "inclusion": "bold red",
    "exclusion": "red",
    "qualifier": "white",
    "parenthetical": "dim",
}


# -- the command group -----------------------------------------------------------------------------


class _Group(click.Group):
    """Turns InputError into one line and exit 2, wherever it is raised."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"hcpcs-lint: error: {e.render()}", err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("hcpcs-lint: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(EXIT_OK)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hcpcs-lint")
def main() -> None:
    """Lint HCPCS Level II descriptors: find product codes that bundle CPT-covered services,
    contrast them with clean peers of the same class, and propose revised text."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["tree", "json"]), default="tree", show_default=True)
def parse(paths: tuple[str, ...], fmt: str) -> None:
    """Parse descriptors into typed clauses (PATH is a CMS release, CSV/TSV, draft, or - for stdin)."""
    from hcpcs_lint.parser import parse as parse_text

    out = sys.stdout
    if fmt == "json":
        for path in paths:
            for rec in _records(path):
                d = parse_text(rec.long, rec.level)
                out.write(json.dumps(descriptor_json(rec, d), ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree

    console = Console()
    for path in paths:
        for rec in _records(path):
            d = parse_text(rec.long, rec.level)
            tree = Tree(
                Text.assemble((rec.code, "bold"), f"  {d.head_kind}-headed  ", (str(rec.location), "dim"))
            )
            for c in d.clauses:
                node = tree.add(Text.assemble((f"{c.kind:<13}", STYLES.get(c.kind, "")), c.text))
                for it in c.items:
                    node.add(Text.assemble(("item ", "dim"), it.text))
            for s, e in d.unparsed:
                tree.add(Text.assemble(("unparsed     ", "reverse red"), d.text[s:e]))
            console.print(tree)


# -- check -----------------------------------------------------------------------------------------


def _make_linter(config: cfg.Config, reference: str | None, include_terminated: bool, cpt: str | None) -> Any:
    from hcpcs_lint.engine import Linter, bundled_corpus_path

    ref_path = reference or config.reference or str(bundled_corpus_path())
    ref = _records(ref_path)
    extra = []
    if cpt:
        extra = [replace(r, level="I") for r in _records(cpt)]
    return Linter(config=config, reference=ref, include_terminated=include_terminated, extra_cpt=extra)


@contextmanager
def _output(path: str | None) -> Iterator[Any]:
    """stdout, or a file written atomically (temp file + rename) so a failed run leaves no half file."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent or Path(".")))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _statistics(findings: Sequence[Finding]) -> str:
    counts = Counter((f.rule, f.name) for f in findings)
    fixable = Counter((f.rule, f.name) for f in findings if f.fix is not None)
    lines = []
    for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[(code, name)] else "   "
        lines.append(f"{n:>6}  {code}  {mark} {name}")
    return "\n".join(lines) + ("\n" if lines else "")


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--output-format", "fmt", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option("-o", "--output-file", help="Write the report to a file (atomic).")
@click.option("--select", multiple=True, help="Rules to run: code, prefix, name or group (comma-separated).")
@click.option("--extend-select", multiple=True, help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, help="Rules to skip: code, prefix, name or group.")
@click.option("--reference", help="Release or corpus that peers come from (default: the bundled corpus).")
@click.option("--include-terminated", is_flag=True, help="Also check terminated codes and modifiers.")
@click.option("--fix", "do_fix", is_flag=True, help="Rewrite CSV/TSV and draft inputs in place (safe fixes).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (with --fix or --diff).")
@click.option(
    "--diff", "show_diff", is_flag=True, help="Print the revisions as a unified diff; change nothing."
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of each finding.")
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), help="Lowest severity that fails."
)
@click.option(
    "--baseline", type=click.Path(dir_okay=False), help="Report only findings not in this baseline."
)
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Write the findings as a baseline.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file to use.")
@click.option("--cpt", type=click.Path(dir_okay=False), help="Your licensed CPT file (CSV: code,descriptor).")
@click.option("--color/--no-color", default=None, help="Colour the full output (default: when a terminal).")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
def check(
    paths: tuple[str, ...],
    fmt: str,
    output_file: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    reference: str | None,
    include_terminated: bool,
    do_fix: bool,
    unsafe_fixes: bool,
    show_diff: bool,
    exit_zero: bool,
    statistics: bool,
    fail_on: str | None,
    baseline: str | None,
    write_baseline: str | None,
    config_path: str | None,
    cpt: str | None,
    color: bool | None,
    no_progress: bool,
) -> None:
    """Check descriptors (no PATH: the bundled corpus; - reads stdin)."""
    from hcpcs_lint.baseline import load_baseline
    from hcpcs_lint.baseline import write_baseline as save_baseline
    from hcpcs_lint.engine import bundled_corpus_path
    from hcpcs_lint.report import Report, render

    targets = _expand(paths) if paths else [_display(bundled_corpus_path())]
    if config_path:
        conf_file: Path | None = Path(config_path)
    else:
        first = Path(targets[0]) if targets[0] != "-" else Path.cwd()
        conf_file = cfg.find_config(first if first.is_dir() else first.parent)
    config = cfg.load_config(conf_file)
    overrides: dict[str, Any] = {}
    if select:
        overrides["select"] = _selectors(select)
    if extend_select:
        overrides["extend_select"] = _selectors(extend_select)
    if ignore:
        overrides["ignore"] = _selectors(ignore)
    if fail_on:
        overrides["fail_on"] = fail_on
    if reference:
        overrides["reference"] = reference
    config = cfg.merge_cli(config, **overrides)

    linter = _make_linter(config, reference, include_terminated, cpt)
    unknown = cfg.unknown_selectors(config, [(r.code, r.name, r.group) for r in linter.rules])
    if unknown:
        raise InputError(config.source or "command line", unknown[0])

    findings: list[Finding] = []
    checked = 0
    by_file: dict[str, list[Record]] = {}
    revisions: dict[str, list[tuple[Record, str]]] = {}
    fixed = 0
    err = sys.stderr
    for path in targets:
        records = _records(path)
        by_file[path] = [r for r in records if linter.wanted(r)]
        result = _lint_with_progress(linter, records, path, show=not no_progress and err.isatty())
        checked += result.checked
        file_findings = result.findings
        if do_fix or show_diff:
            revs = _fixes(linter, result, unsafe=unsafe_fixes)
            if revs:
                revisions[path] = revs
            if do_fix and revs:
                written = _write_fixes(path, revs)
                fixed += written
                if written:  # report what is left in the rewritten file, nothing else
                    file_findings = _relint_after_fix(linter, path)
        findings.extend(file_findings)

    if write_baseline:
        n = save_baseline(Path(write_baseline), findings)
        click.echo(f"Wrote {n} findings to baseline {write_baseline}.", err=True)
    if baseline:
        base = load_baseline(Path(baseline))
        findings, stale = base.filter(findings)
        for entry in stale:
            click.echo(
                f"hcpcs-lint: baseline entry no longer found: {entry.get('code')} {entry.get('rule')} "
                f"(remove it with --write-baseline)",
                err=True,
            )

    if show_diff and not do_fix:
        from hcpcs_lint.report.diff import unified_diff

        with _output(output_file) as out:
            for path, revs in revisions.items():
                out.write(unified_diff(path, revs))
        n = sum(len(r) for r in revisions.values())
        click.echo(f"Would fix {n} descriptor{'s' if n != 1 else ''}.", err=True)
        sys.exit(EXIT_FINDINGS if n and not exit_zero else EXIT_OK)

    rules_info = {r.code: r.info() for r in linter.rules}
    report = Report(
        findings=findings,
        records=checked,
        files=targets,
        rules=rules_info,
        records_by_file=by_file,
        fixed=fixed,
        tool_version=__version__,
    )
    use_color = color if color is not None else (output_file is None and sys.stdout.isatty())
    with _output(output_file) as out:
        if statistics:
            out.write(_statistics(findings))
        else:
            width = 100
            if use_color:
                width = min(120, max(60, _terminal_width()))
            out.write(render(fmt, report, color=use_color, width=width))
    if exit_zero:
        sys.exit(EXIT_OK)
    failing = any(cfg.fails_on(config, f.severity) for f in findings)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


LINTABLE = (".md", ".markdown", ".txt", ".csv", ".tsv", ".xlsx", ".xls", ".zip")


def _expand(paths: Sequence[str]) -> list[str]:
    """Folders become the lintable files in them (recursively, sorted, hidden folders skipped)."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p == "-" or not path.is_dir():
            out.append(p)
            continue
        found = sorted(
            str(f)
            for f in path.rglob("*")
            if f.is_file()
            and f.suffix.lower() in LINTABLE
            and not any(part.startswith(".") for part in f.relative_to(path).parts)
        )
        if not found:
            raise InputError(p, f"no files to check in this folder (looked for {', '.join(LINTABLE)})")
        out.extend(found)
    return out


def _display(path: Path) -> str:
    """A path relative to the working folder when it is inside it (shorter, stable in reports)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100


def _lint_with_progress(linter: Any, records: list[Record], path: str, *, show: bool) -> Any:
    if not show or len(records) < 2000:
        return linter.lint(records)
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console()) as progress:
        task = progress.add_task(f"checking {Path(path).name}", total=len(records))
        return linter.lint(records, progress=lambda n: progress.advance(task, n))


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _fixes(linter: Any, result: Any, *, unsafe: bool) -> list[tuple[Record, str]]:
    """The revised descriptor of every record that has applicable fixes."""
    from hcpcs_lint.engine import Context
    from hcpcs_lint.fixes import applicable, fix_record

    fixable = {
        (f.record.code, f.record.location.line) for f in result.findings if applicable(f, unsafe=unsafe)
    }
    ctx = Context(linter.cat, linter.config, linter.corpus_for(result.entries))
    revisions: list[tuple[Record, str]] = []
    for e in result.entries:
        if (e.record.code, e.record.location.line) not in fixable:
            continue
        outcome = fix_record(linter, e.record, ctx, unsafe=unsafe)
        if outcome.changed:
            revisions.append((e.record, outcome.text))
    return revisions


def _write_fixes(path: str, revisions: list[tuple[Record, str]]) -> int:
    """Splice revised descriptors into a CSV/TSV or draft; CMS releases are never rewritten."""
    from hcpcs_lint.sources import decode_text, detect_kind
    from hcpcs_lint.writeback import apply_edits, csv_field_edit

    if path == "-":
        raise InputError(path, "--fix cannot rewrite standard input; use --diff to see the revisions")
    data = Path(path).read_bytes()
    kind = detect_kind(path, data[:65536])
    if kind not in FIXABLE_KINDS:
        click.echo(
            f"hcpcs-lint: {path} is a CMS release ({kind}); it is never rewritten. "
            "Use --diff to see the revisions.",
            err=True,
        )
        return 0
    text, encoding = decode_text(path, data)
    edits: list[tuple[int, int, str]] = []
    skipped = 0
    for rec, new in revisions:
        off = rec.location.offset
        if off is None or text[off : off + len(rec.long)] != rec.long:
            skipped += 1
            continue
        if kind == "table":
            edits.append(csv_field_edit(text, off, rec.long, new))
        else:
            edits.append((off, off + len(rec.long), new))
    if skipped:
        click.echo(
            f"hcpcs-lint: {path}: {skipped} descriptor(s) span lines or are quoted; fix them by hand",
            err=True,
        )
    if edits:
        apply_edits(path, edits, encoding=encoding, expect=text)
    return len(edits)


def _relint_after_fix(linter: Any, path: str) -> list[Finding]:
    findings: list[Finding] = linter.lint(_records(path)).findings
    return findings


# -- rule ------------------------------------------------------------------------------------------


def rule_markdown(rule: Any) -> str:
    """A rule's documentation in four parts, as ruff: What it does / Why it matters / Example / Fix safety."""
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"Group: `{rule.group}` · severity: `{rule.severity}` · fix: `{rule.fix}`",
    ]
    lines += ["", "## What it does", "", rule.summary, "", "## Why it matters", "", rule.rationale.strip()]
    if rule.citations:
        lines += ["", "Citations:", ""] + [f"- {c}" for c in rule.citations]
    lines += ["", "## Example", ""]
    for ex in rule.failing[:2]:
        lines += [f"Flagged: `{ex.descriptor}`", ""]
        if ex.fixed:
            lines += [f"Revised: `{ex.fixed}`", ""]
    for ex in rule.passing[:2]:
        lines += [f"Not flagged: `{ex.descriptor}`", ""]
    lines += ["## Fix safety", "", rule.fix_safety.strip(), ""]
    return "\n".join(lines)


@main.command("rule")
@click.argument("key", required=False)
@click.option("--all", "show_all", is_flag=True, help="Document every rule.")
@click.option("--output-format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
def rule_cmd(key: str | None, show_all: bool, fmt: str) -> None:
    """Explain a rule (by code or name), or every rule with --all."""
    from hcpcs_lint.rulebook import find_rule, load_rules

    rules = load_rules()
    if show_all:
        chosen = rules
    elif key:
        found = find_rule(rules, key)
        if found is None:
            names = ", ".join(f"{r.code} ({r.name})" for r in rules)
            raise click.UsageError(f"no rule {key!r}; rules: {names}")
        chosen = [found]
    else:
        raise click.UsageError("give a rule code or name, or --all")
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "group": r.group,
                        "severity": r.severity,
                        "fix": r.fix,
                        "summary": r.summary,
                        "rationale": r.rationale.strip(),
                        "citations": list(r.citations),
                        "fix_safety": r.fix_safety.strip(),
                    }
                    for r in chosen
                ],
                indent=2,
            )
        )
        return
    text = "\n".join(rule_markdown(r) for r in chosen)
    if fmt == "markdown" or not sys.stdout.isatty():
        click.echo(text)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))


# -- repl ------------------------------------------------------------------------------------------


@main.command()
@click.option("--reference", help="Release or corpus to compare with (default: the bundled corpus).")
def repl(reference: str | None) -> None:
    """Paste descriptors and see clauses, findings, peers and the proposed text at once."""
    from hcpcs_lint.repl import run

    sys.exit(run(reference))


if __name__ == "__main__":  # pragma: no cover
    main()


from hcpcs_lint.cli_report import report_cmd  # noqa: E402

main.add_command(report_cmd)
