"""`hcpcs-lint report`: the case file (HTML, Markdown, Word) from the same lint run as `check`.

The command lints with the linter `check` builds, turns the findings into check's JSON
(``jsonfmt.finding_dict``) and adds the facts a reader needs around them; ``casefile.build`` and a
renderer do the rest. It decides nothing of its own about what is a finding or what the fix is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from hcpcs_lint.casefile import EXTENSIONS, FORMATS
from hcpcs_lint.cli.common import display, expand, find_config, make_linter, read_input
from hcpcs_lint.model import Finding, InputError


@click.command("report")
@click.argument("paths", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="html, md or docx (default: from each -o file's extension).",
)
@click.option(
    "-o",
    "--output-file",
    "outputs",
    multiple=True,
    required=True,
    help="File to write (atomic); repeat for more formats.",
)
@click.option("--reference", help="Release or corpus that peers come from (default: the bundled corpus).")
@click.option("--history", multiple=True, help="Earlier releases: since when each code bundles services.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file to use.")
def report_cmd(
    paths: tuple[str, ...],
    fmt: str | None,
    outputs: tuple[str, ...],
    reference: str | None,
    history: tuple[str, ...],
    config_path: str | None,
) -> None:
    """Write the case for revised descriptors: summary, a section per code, sources and charts
    (no PATH: the bundled corpus)."""
    from hcpcs_lint import __version__
    from hcpcs_lint import config as cfg
    from hcpcs_lint.atomic import atomic_open, describe
    from hcpcs_lint.casefile import render
    from hcpcs_lint.casefile.case import build
    from hcpcs_lint.engine import bundled_corpus_path

    plan = _formats(fmt, outputs)
    targets = expand(paths) if paths else [display(bundled_corpus_path())]
    config = find_config(targets, config_path)
    if reference:
        config = cfg.merge_cli(config, reference=reference)
    linter = make_linter(config, reference)
    doc = report_document(linter, targets, reference=reference, tool_version=__version__)
    if history:
        doc["history"] = history_facts(linter, [*history, *targets], doc["findings"])
    case = build(doc)
    n = len(case.sections)
    for output_file, out_fmt in plan:
        data = render(out_fmt, case)
        try:
            with atomic_open(output_file, "wb") as fh:
                fh.write(data)
        except OSError as e:
            raise InputError(output_file, f"cannot write the report: {describe(e)}") from None
        click.echo(f"Wrote {output_file} ({out_fmt}; {n} code{'s' if n != 1 else ''} to revise).", err=True)


def _formats(fmt: str | None, outputs: Sequence[str]) -> list[tuple[str, str]]:
    """(file, format) for each -o: ``--format`` for a single file, else each file's extension."""
    if fmt is not None:
        if len(outputs) > 1:
            raise click.UsageError(
                "--format names one format: give one -o, or let each file's extension choose"
            )
        return [(outputs[0], fmt)]
    plan = []
    for out in outputs:
        found = EXTENSIONS.get(Path(out).suffix.lower())
        if found is None:
            raise click.UsageError(
                f"cannot tell the format of {out!r} from its extension "
                f"({', '.join(sorted(EXTENSIONS))}); give --format"
            )
        plan.append((out, found))
    return plan


def report_document(
    linter: Any,
    paths: Sequence[str],
    *,
    reference: str | None,
    tool_version: str = "",
) -> dict[str, Any]:
    """Everything ``casefile.build`` needs, with the findings exactly as ``check`` gives them."""
    from hcpcs_lint.report import sorted_findings
    from hcpcs_lint.report.jsonfmt import finding_dict

    findings: list[Finding] = []
    checked = 0
    entries: list[Any] = []
    effective: str | None = None
    for path in paths:
        release = read_input(path)  # a whole release is its own peers, as check lints it
        effective = effective or release.effective
        result = linter.run(release)
        findings.extend(result.findings)
        checked += result.checked
        entries.extend(result.entries)
    corpus = linter.corpus_for(entries)
    codes = {f.code for f in findings} | {r.code for f in findings for r in f.related}
    day = dt.date(int(effective[:4]), int(effective[4:6]), int(effective[6:8])) if effective else None
    return {
        "findings": [finding_dict(f) for f in sorted_findings(findings)],
        "release": {
            "path": ", ".join(paths),
            "label": day.strftime("%B %Y") if day else "",
            "effective": day.isoformat() if day else None,
            "records": checked,
        },
        "reference": reference,
        "tool_version": tool_version,
        "rules": {
            r.code: {
                "name": r.name,
                "summary": r.summary,
                "rationale": r.rationale,
                "citations": list(r.citations),
            }
            for r in linter.rules
        },
        "services": [
            {
                "label": s.label,
                "cpt": list(s.cpt),
                "cpt_since": s.cpt_since,
                "category_iii": [{"code": c, "until": u} for c, u in s.category_iii],
            }
            for s in linter.cat.services
        ],
        "classes": {code: _class_label(linter.cat, corpus.entries.get(code)) for code in sorted(codes)},
        "history": None,
    }


def _class_label(catalog: Any, entry: Any) -> str:
    if entry is None:
        return ""
    cls = entry.specific_class
    if cls is None or cls == "any-product":
        return ""
    c = catalog.classes.get(cls)
    return c.label if c is not None else str(cls)


def history_facts(linter: Any, paths: Sequence[str], findings: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per release (in date order) the codes HL101 flags and their class; per flagged code, the
    first release whose descriptor carries the clause that is flagged now."""
    from hcpcs_lint.history import release_history
    from hcpcs_lint.history.release import normalise

    flagged = [f for f in findings if f["rule"] == "HL101"]
    hist = release_history(
        list(dict.fromkeys(paths)), linter, rule="HL101", codes=[f["code"] for f in flagged]
    )

    def label(cls: str) -> str:
        return "" if cls == "unclassified" else hist.classes.get(cls, cls)

    releases = [
        {
            "label": c.release.label,
            "effective": c.release.effective,
            "path": c.release.path,
            "codes": {code: label(cls) for cls, codes in c.by_class.items() for code in codes},
        }
        for c in hist.counts
    ]
    oldest = hist.releases[0].label if hist.releases else ""
    since: dict[str, str] = {}
    for tl in hist.timelines:
        now = {
            normalise(f["descriptor"][f["span"][0] : f["span"][1]]) for f in flagged if f["code"] == tl.code
        }
        firsts = [c.first_seen for c in tl.clauses if normalise(c.text) in now]
        if not firsts:
            continue
        first = firsts[0]
        added = next((e.date for e in tl.events if e.event == "first seen" and e.release == first), None)
        if first == oldest:
            since[tl.code] = f"{first} at least ({first} is the oldest release given)"
        elif added:
            since[tl.code] = (
                f"{first} at least ({first} is the first release given that has the code, added {added})"
            )
        else:
            since[tl.code] = first
    return {"releases": releases, "since": since}
