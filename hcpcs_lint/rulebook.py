"""Rules are data: one TOML file per rule in rules/ (and in a team's rule directories).

A rule file names the Python *check* it configures (``check = "service-inclusion"``,
``"peer-contrast"``, ...), as Vale's ``extends`` does. Files are validated when loaded against the registry in
:mod:`hcpcs_lint.checks` (which kinds exist, which options each takes): an unknown key, a missing field,
a bad severity or a bad regular expression is an InputError naming the file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hcpcs_lint.catalog import rules_dir
from hcpcs_lint.checks import CHECKS
from hcpcs_lint.checks.context import Example, Rule
from hcpcs_lint.model import InputError

__all__ = ["CHECK_NAMES", "Example", "Rule", "find_rule", "load_rule", "load_rules"]

CHECK_NAMES = tuple(CHECKS)
_REQUIRED = ("code", "name", "group", "check", "severity", "summary", "message", "rationale", "fix_safety")
_ALLOWED = {*_REQUIRED, "fix", "citations", "options", "examples"}
_EXAMPLE_KEYS = {"descriptor", "code", "fixed", "cpt", "related", "context", "noqa"}
_CODE = re.compile(r"^[A-Z]{2}\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def _example(path: Path, raw: Any) -> Example:
    if not isinstance(raw, dict) or "descriptor" not in raw:
        raise InputError(str(path), "each example needs a 'descriptor'")
    unknown = set(raw) - _EXAMPLE_KEYS
    if unknown:
        raise InputError(str(path), f"unknown example key {sorted(unknown)[0]!r}")
    ctx = tuple((str(c["code"]), str(c["descriptor"])) for c in raw.get("context", ()))
    return Example(
        descriptor=str(raw["descriptor"]),
        code=str(raw.get("code", "X0000")),
        fixed=raw.get("fixed"),
        cpt=tuple(raw.get("cpt", ())),
        related=tuple(raw.get("related", ())),
        context=ctx,
        noqa=tuple(raw.get("noqa", ())),
    )


def load_rule(path: Path) -> Rule:
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(str(path), f"invalid TOML: {e}", getattr(e, "lineno", None)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(str(path), f"cannot read rule file: {e}") from None
    if "kind" in data and "check" not in data:  # 0.1.0 rule packs said `kind =`: still read them
        data["check"] = data.pop("kind")
    unknown = sorted(set(data) - _ALLOWED)
    if unknown:
        raise InputError(
            str(path), f"unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(_ALLOWED))}"
        )
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise InputError(str(path), f"missing required key {missing[0]!r}")
    if not _CODE.match(str(data["code"])):
        raise InputError(
            str(path), f"rule code {data['code']!r} is not two capitals and three digits (HL101)"
        )
    if not _NAME.match(str(data["name"])):
        raise InputError(str(path), f"rule name {data['name']!r} is not kebab-case")
    if data["check"] not in CHECKS:
        raise InputError(
            str(path), f"unknown check {data['check']!r}; known checks: {', '.join(CHECK_NAMES)}"
        )
    if data["severity"] not in ("error", "warning", "info"):
        raise InputError(str(path), f"severity {data['severity']!r} is not error, warning or info")
    fix = data.get("fix", "none")
    if fix not in ("safe", "unsafe", "display-only", "none"):
        raise InputError(str(path), f"fix {fix!r} is not safe, unsafe, display-only or none")
    options = dict(data.get("options", {}))
    check = CHECKS[data["check"]]
    bad = sorted(set(options) - check.options)
    if bad:
        allowed = ", ".join(sorted(check.options)) or "none"
        raise InputError(
            str(path), f"unknown option {bad[0]!r} for check {data['check']!r}; allowed: {allowed}"
        )
    for key in ("pattern",):
        if key in options:
            try:
                re.compile(options[key])
            except re.error as e:
                raise InputError(str(path), f"bad regular expression in options.{key}: {e}") from None
    needed = sorted(check.required - set(options))
    if needed:
        raise InputError(str(path), f"an {data['check']!r} rule needs options.{needed[0]}")
    examples = data.get("examples", {})
    return Rule(
        code=data["code"],
        name=data["name"],
        group=data["group"],
        check=data["check"],
        severity=data["severity"],
        summary=data["summary"].strip(),
        message=data["message"].strip(),
        rationale=data["rationale"],
        fix_safety=data["fix_safety"],
        path=str(path),
        fix=fix,
        citations=tuple(data.get("citations", ())),
        options=options,
        passing=tuple(_example(path, e) for e in examples.get("pass", ())),
        failing=tuple(_example(path, e) for e in examples.get("fail", ())),
    )


def load_rules(extra_dirs: Sequence[str | Path] = ()) -> list[Rule]:
    """The bundled rules plus a team's rule packs; a code or name defined twice is an error."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for d in [rules_dir(), *map(Path, extra_dirs)]:
        if not d.is_dir():
            raise InputError(str(d), "rule directory not found")
        for path in sorted(d.glob("*.toml")):
            rule = load_rule(path)
            for key in (rule.code, rule.name):
                if key in seen:
                    raise InputError(str(path), f"rule {key} is already defined in {seen[key]}")
                seen[key] = str(path)
            rules.append(rule)
    return rules


def find_rule(rules: Sequence[Rule], key: str) -> Rule | None:
    low = key.strip().lower()
    for r in rules:
        if r.code.lower() == low or r.name == low:
            return r
    return None
