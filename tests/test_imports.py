"""The import graph of hcpcs_lint, built from the modules' own import statements (every one: top
level, inside functions, under TYPE_CHECKING), has no cycle and no upward edge.

Layers, highest first; a module may import its own layer or any layer below, never one above.
The layers are hcpcs_lint/layers.py (``make docs`` draws them in the README).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from hcpcs_lint.layers import LAYERS, REPORT_MAY_IMPORT, layer_of

PACKAGE = Path(__file__).resolve().parents[1] / "hcpcs_lint"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The hcpcs_lint modules ``name`` imports; ``from pkg import sub`` counts as importing ``pkg.sub``."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "hcpcs_lint":
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "hcpcs_lint":
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            if subs:
                yield from subs
            if len(subs) < len(node.names):
                yield target


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: {t for t in imports(m, p, known) if t != m} for m, p in mods.items()}


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(g.get(m, ())):
            if state.get(t) == 1:
                return [*stack[stack.index(t) :], t]
            if t not in state and (found := visit(t)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(g):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_graph_is_built_from_real_imports() -> None:
    g = graph()
    assert "hcpcs_lint.checks.context" in g["hcpcs_lint.engine"]
    assert "hcpcs_lint.config" in g["hcpcs_lint.checks.inclusion"]  # "from hcpcs_lint import config"
    assert (
        "hcpcs_lint.checks.inclusion" in g["hcpcs_lint.checks"]
    )  # "from hcpcs_lint.checks import inclusion"
    assert len(g) > 40


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in graph() if layer_of(m) < 0)
    assert missing == [], f"add these modules to LAYERS in hcpcs_lint/layers.py: {missing}"


def test_no_import_cycle() -> None:
    assert find_cycle(graph()) is None, " -> ".join(find_cycle(graph()) or [])


def test_no_upward_import() -> None:
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, targets in sorted(graph().items())
        for t in sorted(targets)
        if layer_of(t) < layer_of(m)
    ]
    assert upward == [], "\n".join(upward)


def test_reporters_import_only_the_model() -> None:
    bad = [
        f"{m} imports {t}"
        for m, targets in sorted(graph().items())
        if m == "hcpcs_lint.report" or m.startswith("hcpcs_lint.report.")
        for t in sorted(targets)
        if not any(t == ok or t.startswith(ok + ".") for ok in REPORT_MAY_IMPORT)
    ]
    assert bad == [], "\n".join(bad)


def test_the_checker_finds_a_cycle_and_an_upward_edge() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert layer_of("hcpcs_lint.checks.peers") > layer_of("hcpcs_lint.engine")
    assert layer_of("hcpcs_lint.report.full") > layer_of("hcpcs_lint.repl.view")
    assert layer_of("hcpcs_lint.something_new") == -1  # a new module must be placed in LAYERS
