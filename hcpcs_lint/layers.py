"""The architecture as data: hcpcs_lint's import layers, highest first.

A module may import its own layer or any layer below, never one above, and nothing may import in a
circle; ``tests/test_imports.py`` checks every import statement against this list, and ``make
docs`` draws it in the README. A new module goes into the layer whose modules it imports.
"""

from __future__ import annotations

# (layer, module prefixes, what it holds). "hcpcs_lint" itself (the version) matches only itself.
LAYERS: list[tuple[str, tuple[str, ...], str]] = [
    ("cli", ("hcpcs_lint.cli", "hcpcs_lint.__main__"), "one module per command"),
    ("repl", ("hcpcs_lint.repl",), "reference, analysis, view, jsonview, session, terminal"),
    ("commands", ("hcpcs_lint.history", "hcpcs_lint.requests"), "diff and history of releases, CMS requests"),
    (
        "engine",
        (
            "hcpcs_lint.engine",
            "hcpcs_lint.fixes",
            "hcpcs_lint.baseline",
            "hcpcs_lint.writeback",
            "hcpcs_lint.prepared",
            "hcpcs_lint.halves",
        ),
        "Linter.run: lint, fix to a fixed point; what may be rewritten",
    ),
    ("rulebook", ("hcpcs_lint.rulebook",), "rules/*.toml validated against the registry"),
    ("checks", ("hcpcs_lint.checks",), "the registry (CHECKS) and context.py (Rule, Entry, Context)"),
    (
        "catalog",
        ("hcpcs_lint.catalog", "hcpcs_lint.families", "hcpcs_lint.services", "hcpcs_lint.bundling"),
        "items read as action, object, route or thing; CPT families",
    ),
    ("parser", ("hcpcs_lint.parser", "hcpcs_lint.grammar"), "Lark grammar → typed clauses"),
    ("sources", ("hcpcs_lint.sources",), "readers"),
    ("report", ("hcpcs_lint.report", "hcpcs_lint.casefile", "hcpcs_lint.charts"), "render only"),
    (
        "model",
        (
            "hcpcs_lint.model",
            "hcpcs_lint.config",
            "hcpcs_lint.limits",
            "hcpcs_lint.atomic",
            "hcpcs_lint.splice",
            "hcpcs_lint.cache",
            "hcpcs_lint.pool",
            "hcpcs_lint.layers",
            "hcpcs_lint",
        ),
        "records, findings; configuration; atomic writer; cache; forked workers",
    ),
]
# Reporters render what they are given: hcpcs_lint.report imports the model and itself, nothing else.
REPORT_MAY_IMPORT = ("hcpcs_lint.model", "hcpcs_lint.report")


def layer_of(module: str) -> int:
    """Index in LAYERS (0 is the top) of the longest prefix naming ``module`` or its package; -1 if none."""
    best, rank = -1, -1
    for i, (_, prefixes, _) in enumerate(LAYERS):
        for p in prefixes:
            inside = module == p or (
                p != "hcpcs_lint" and module.startswith(p + ".")
            )  # the root is itself only
            if inside and len(p) > best:
                best, rank = len(p), i
    return rank


def picture() -> str:
    """The layers as the README draws them, highest first, an arrow for "may import"."""
    rows = [
        (name, ", ".join(p.removeprefix("hcpcs_lint.") for p in prefixes if p != "hcpcs_lint"), note)
        for name, prefixes, note in LAYERS
    ]
    width = max(len(mods) for _, mods, _ in rows) + 2
    lines = [f"{name:<10}{mods:<{width}}{note}" for name, mods, note in rows]
    return "\n ↓\n".join(lines) + "\n"
