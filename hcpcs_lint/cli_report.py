"""`hcpcs-lint report`: the case file (HTML, Markdown, Word) from the same lint run as `check`.

The command lints with the same linter `check` builds, turns the findings into check's JSON
(``jsonfmt.finding_dict``) and adds the facts around them; ``casefile.build`` and a renderer do
the rest. It decides nothing of its own about what is a finding or what the fix is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hcpcs_lint.model import Finding


def report_document(
    linter: Any,
    paths: Sequence[str],
    records_of: Any,
    *,
    reference: str | None,
    history: Sequence[str] = (),
    tool_version: str = "",
) -> dict[str, Any]:
    """Everything ``casefile.build`` needs, with the findings exactly as ``check`` gives them."""
    from hcpcs_lint.report import sorted_findings
    from hcpcs_lint.report.jsonfmt import finding_dict

    findings: list[Finding] = []
    checked = 0
    entries: list[Any] = []
    for path in paths:
        result = linter.lint(records_of(path))
        findings.extend(result.findings)
        checked += result.checked
        entries.extend(result.entries)
    corpus = linter.corpus_for(entries)
    codes = {f.code for f in findings} | {r.code for f in findings for r in f.related}
    return {
        "findings": [finding_dict(f) for f in sorted_findings(findings)],
        "release": {
            "path": ", ".join(paths),
            "label": _label(paths),
            "effective": None,
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


def _label(paths: Sequence[str]) -> str:
    return ", ".join(Path(p).name for p in paths)
