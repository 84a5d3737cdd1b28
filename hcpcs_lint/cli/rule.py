"""``hcpcs-lint rule``: a rule's documentation (ruff's four parts), as text, Markdown or JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

import click


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


@click.command("rule")
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
