"""``hcpcs-lint check``: lint inputs and report, or fix them (``--fix``) or show the fixes (``--diff``).

Everything decided here is about talking to the user; the lint loop is ``Linter.run`` and which
files may be rewritten is ``writeback.write_revisions``.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any

import click

from hcpcs_lint import __version__, cache
from hcpcs_lint import config as cfg
from hcpcs_lint.atomic import locked
from hcpcs_lint.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    display,
    effective_option,
    expand,
    find_config,
    make_linter,
    output,
    read_input,
    selectors,
    stderr_console,
    stdin_bytes,
    terminal_width,
)
from hcpcs_lint.model import Finding, InputError, NoDescriptors, Record
from hcpcs_lint.report import FORMATS


def _statistics(findings: Sequence[Finding]) -> str:
    counts = Counter((f.rule, f.name) for f in findings)
    fixable = Counter((f.rule, f.name) for f in findings if f.fix is not None)
    lines = []
    for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[(code, name)] else "   "
        lines.append(f"{n:>6}  {code}  {mark} {name}")
    return "\n".join(lines) + ("\n" if lines else "")


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--output-format", "fmt", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option("-o", "--output-file", help="Write the report to a file (atomic).")
@click.option("--select", multiple=True, help="Rules to run: code, prefix, name or group (comma-separated).")
@click.option("--extend-select", multiple=True, help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, help="Rules to skip: code, prefix, name or group.")
@click.option(
    "--reference",
    help="Release or corpus that peers come from (default: a release is its own; drafts: the bundled corpus).",
)
@click.option(
    "--effective",
    metavar="YYYY-MM-DD",
    help="The date the input is as of (default: read from the release; drafts: today). Peers must be active then.",
)
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
@click.option(
    "--show-settings", is_flag=True, help="Print the settings for the first PATH and their sources."
)
@click.option("--allow-empty", is_flag=True, help="A file with no HCPCS descriptors in it is not an error.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache (parse everything again).")
@click.option("--explain", is_flag=True, help="Show how each item was read (action, object, route; thing).")
def check(
    paths: tuple[str, ...],
    fmt: str,
    output_file: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    reference: str | None,
    effective: str | None,
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
    allow_empty: bool,
    no_cache: bool,
    show_settings: bool,
    explain: bool,
) -> None:
    """Check descriptors (no PATH: the bundled corpus; - reads stdin)."""
    from hcpcs_lint.baseline import load_baseline
    from hcpcs_lint.baseline import write_baseline as save_baseline
    from hcpcs_lint.engine import bundled_corpus_path
    from hcpcs_lint.report import Report, render
    from hcpcs_lint.requests import assess

    if no_cache:
        cache.disable()
        click.get_current_context().call_on_close(cache.enable)  # for this command only
    in_folders: set[str] = set()
    targets = expand(paths, in_folders) if paths else [display(bundled_corpus_path())]
    config = find_config(targets, config_path)
    overrides: dict[str, Any] = {}
    if select:
        overrides["select"] = selectors(select)
    if extend_select:
        overrides["extend_select"] = selectors(extend_select)
    if ignore:
        overrides["ignore"] = selectors(ignore)
    if fail_on:
        overrides["fail_on"] = fail_on
    if reference:
        overrides["reference"] = reference
    config = cfg.merge_cli(config, **overrides)
    if show_settings:
        from hcpcs_lint.cli.settings import show_settings as render_settings

        click.echo(render_settings(targets[0], config, set(overrides), explicit=bool(config_path)), nl=False)
        sys.exit(EXIT_OK)

    linter = make_linter(config, reference, include_terminated, cpt)
    unknown = cfg.unknown_selectors(config, [(r.code, r.name, r.group) for r in linter.rules])
    if unknown:
        raise InputError(config.source or "command line", unknown[0])

    findings: list[Finding] = []
    resolved: list[Finding] = []
    checked = 0
    by_file: dict[str, Sequence[Record]] = {}
    revisions: dict[str, list[tuple[Record, str]]] = {}
    fixed = 0
    err = sys.stderr
    as_of = effective_option(effective)
    for path in list(targets):
        # --fix reads, lints and rewrites each file under a lock: concurrent runs take turns,
        # each fixing what the one before it wrote.
        with locked(path) if do_fix and path != "-" else nullcontext():
            src = linter.locate(path, effective=as_of)
            # The same bytes under the same linter: last run's findings, nothing parsed (as ruff).
            fkey = "" if do_fix or show_diff else linter.findings_key(src)
            hit = cache.findings_from(cache.read("findings", fkey), path) if fkey else None
            if hit is not None:
                (file_findings, file_resolved), n = hit
                checked += n
                resolved.extend(file_resolved)
                findings.extend(file_findings)
                by_file[path] = _Wanted(partial(_records_of, linter, src), linter.wanted)
                continue
            try:
                prepared = linter.prepare(
                    src, stdin=stdin_bytes() if path == "-" else None, allow_empty=allow_empty, defer=True
                )
            except NoDescriptors as exc:
                if path not in in_folders:
                    raise
                click.echo(f"hcpcs-lint: notice: {exc.message}; skipped (found inside a folder)", err=True)
                targets.remove(path)
                continue
            with _progress(path, show=not no_progress and err.isatty()) as advance:
                result = linter.run(prepared, fix=do_fix or show_diff, unsafe=unsafe_fixes, progress=advance)
            by_file[path] = [e.record for e in result.entries if linter.wanted(e.record)]
            checked += result.checked
            assessed = assess(linter, result)
            file_findings = assessed.findings
            resolved.extend(assessed.resolved)
            if fkey and len(prepared):  # an empty file stays an error (or not) as --allow-empty says
                cache.write(
                    "findings", fkey, cache.findings_plain([file_findings, assessed.resolved], result.checked)
                )
            # A code a request discontinues is not revised: it goes away.
            revs = [(r, new) for r, new in result.revisions if r.request_kind != "discontinue"]
            if revs:
                revisions[path] = revs
            if do_fix and revs:
                written = _write(path, revs)
                fixed += written
                if written:  # report what is left in the rewritten file, nothing else
                    file_findings = assess(linter, linter.run(read_input(path, as_of))).findings
            findings.extend(file_findings)
    held_back = 0 if unsafe_fixes else sum(1 for f in findings if f.fix and f.fix.applicability == "unsafe")

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
        with output(output_file) as out:
            for path, revs in revisions.items():
                out.write(_diff(path, revs))
        n = sum(len(r) for r in revisions.values())
        click.echo(f"Would fix {n} descriptor{'s' if n != 1 else ''}.", err=True)
        _held_back(held_back)
        sys.exit(EXIT_FINDINGS if n and not exit_zero else EXIT_OK)
    if do_fix:
        _held_back(held_back)

    rules_info = {r.code: r.info() for r in linter.rules}
    report = Report(
        findings=findings,
        records=checked,
        files=targets,
        rules=rules_info,
        records_by_file=by_file,
        fixed=fixed,
        tool_version=__version__,
        resolved=resolved,
        explain=explain,
    )
    use_color = color if color is not None else (output_file is None and sys.stdout.isatty())
    with output(output_file) as out:
        if statistics:
            out.write(_statistics(findings))
        else:
            width = 100
            if use_color:
                width = min(120, max(60, terminal_width()))
            out.write(render(fmt, report, color=use_color, width=width))
    if exit_zero:
        sys.exit(EXIT_OK)
    failing = any(cfg.fails_on(config, f.severity) for f in findings)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


@contextmanager
def _progress(path: str, *, show: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr in a terminal (records checked; a cached run has nothing to show)."""
    if not show:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=stderr_console()) as bar:
        task = bar.add_task(f"checking {Path(path).name}", total=None)
        yield lambda n: bar.advance(task, n)


def _records_of(linter: Any, src: Any) -> list[Record]:
    records: list[Record] = linter.prepare(src).records()
    return records


class _Wanted(Sequence[Record]):
    """The records a report lists for a file, read only when a format asks (JUnit does)."""

    def __init__(self, read: Callable[[], list[Record]], wanted: Callable[[Record], bool]) -> None:
        self._read, self._wanted = read, wanted
        self._got: list[Record] | None = None

    def _all(self) -> list[Record]:
        if self._got is None:
            self._got = [r for r in self._read() if self._wanted(r)]
        return self._got

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, i: Any) -> Any:
        return self._all()[i]


def _held_back(count: int) -> None:
    if count:
        click.echo(
            f"hcpcs-lint: {count} unsafe fix{'es' if count != 1 else ''} held back;"
            " add --unsafe-fixes to include them.",
            err=True,
        )


def _diff(path: str, revisions: list[tuple[Record, str]]) -> str:
    """A patch of the file's own lines where the file may be rewritten (``git apply``/``patch -p1``
    take it); for a release, a PDF or standard input, the descriptors' revisions for review."""
    from hcpcs_lint.report.diff import file_patch, unified_diff
    from hcpcs_lint.writeback import plan_revisions

    plan = plan_revisions(path, revisions) if path != "-" else None
    if plan is None or plan.refused:
        if plan is not None:
            click.echo(f"hcpcs-lint: {plan.refused}; showing the revised descriptors, not a patch.", err=True)
        return unified_diff(path, revisions)
    if plan.skipped:
        click.echo(
            f"hcpcs-lint: {path}: {plan.skipped} descriptor(s) not found in the file as read", err=True
        )
    return file_patch(path, plan.text, plan.new_text)


def _write(path: str, revisions: list[tuple[Record, str]]) -> int:
    """Write the revisions by the library's policy and tell the user what was not written."""
    from hcpcs_lint.writeback import write_revisions

    result = write_revisions(path, revisions)
    if result.refused:
        click.echo(f"hcpcs-lint: {result.refused}. Use --diff to see the revisions.", err=True)
    if result.skipped:
        click.echo(
            f"hcpcs-lint: {path}: {result.skipped} descriptor(s) not found in the file as read; fix them by hand",
            err=True,
        )
    return result.written
