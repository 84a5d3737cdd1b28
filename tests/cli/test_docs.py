"""``make docs``: the README's rules table is generated from rules/*.toml and must be current."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_lint.cli.docs import (
    BEGIN,
    END,
    LAYERS_BEGIN,
    LAYERS_END,
    current,
    layers_block,
    main,
    rules_table,
    with_table,
)
from hcpcs_lint.layers import LAYERS
from hcpcs_lint.rulebook import load_rules

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_rules_table_and_layers_are_current() -> None:
    text = README.read_text("utf-8")
    assert current(text) == text, "run `make docs` and commit README.md"


def test_layer_picture_names_every_layer_top_down() -> None:
    drawn = layers_block()
    names = [line.split()[0] for line in drawn.splitlines() if line and line[0].isalpha()]
    assert names == [name for name, _, _ in LAYERS]
    assert "engine, fixes, baseline, writeback" in drawn


def test_table_has_one_row_per_rule_file_in_code_order() -> None:
    rules = load_rules()
    rows = [line for line in rules_table(rules).splitlines() if line.startswith("| HL")]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == sorted(r.code for r in rules)
    hl101 = next(row for row in rows if row.startswith("| HL101 "))
    assert "| service-inclusion | error | unsafe |" in hl101


def test_only_the_part_between_the_markers_changes(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{BEGIN}\nstale\n{END}\n\n{LAYERS_BEGIN}\n{LAYERS_END}\nAfter.\n", "utf-8")
    assert main([str(readme)]) == 0
    text = readme.read_text("utf-8")
    assert text.startswith(f"# Title\n\n{BEGIN}\n| Code |") and text.endswith(f"{LAYERS_END}\nAfter.\n")
    assert f"{LAYERS_BEGIN}\n```\ncli " in text
    assert "stale" not in text
    assert main([str(readme)]) == 0 and readme.read_text("utf-8") == text  # idempotent


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(ValueError, match="marker lines"):
        with_table("# no markers\n", "| table |\n")
