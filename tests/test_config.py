"""Config discovery, validation, CLI precedence and rule selection."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hcpcs_lint.config import (
    Config,
    effective_severity,
    fails_on,
    find_config,
    is_selected,
    load_config,
    matches,
    merge_cli,
    service_code_allowed,
    unknown_selectors,
)
from hcpcs_lint.model import InputError

RULE = ("HL101", "level2-includes-cpt-service", "bundling")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---- discovery ---------------------------------------------------------------------------------


def test_find_config_walks_up_from_nested_folder(tmp_path: Path) -> None:
    config = write(tmp_path / "hcpcs-lint.toml", "select = ['HL1']\n")
    nested = tmp_path / "drafts" / "2026" / "q1"
    nested.mkdir(parents=True)
    assert find_config(nested) == config
    draft = write(nested / "cart.md", "# draft\n")
    assert find_config(draft) == config


def test_find_config_nearest_folder_wins(tmp_path: Path) -> None:
    write(tmp_path / "hcpcs-lint.toml", "")
    inner = write(tmp_path / "drafts" / ".hcpcs-lint.toml", "")
    assert find_config(tmp_path / "drafts") == inner


def test_hcpcs_lint_toml_beats_pyproject_in_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.hcpcs-lint]\nselect = ['HL2']\n")
    own = write(tmp_path / "hcpcs-lint.toml", "select = ['HL1']\n")
    assert find_config(tmp_path) == own
    assert load_config(find_config(tmp_path)).select == ("HL1",)


def test_visible_name_beats_dotfile_in_same_folder(tmp_path: Path) -> None:
    write(tmp_path / ".hcpcs-lint.toml", "")
    own = write(tmp_path / "hcpcs-lint.toml", "")
    assert find_config(tmp_path) == own


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / "pyproject.toml", "[tool.hcpcs-lint]\nfail-on = 'warning'\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path / "pkg") == outer
    assert load_config(outer).fail_on == "warning"


def test_find_config_none_when_absent(tmp_path: Path) -> None:
    # tmp_path's ancestors might hold a config on a developer machine; only assert when they do not.
    found = find_config(tmp_path)
    assert found is None or tmp_path not in found.parents


# ---- loading -----------------------------------------------------------------------------------


def test_load_none_gives_defaults() -> None:
    assert load_config(None) == Config()


def test_full_config_top_level_and_paths_resolved(tmp_path: Path) -> None:
    (tmp_path / "packs" / "team").mkdir(parents=True)
    (tmp_path / "catalog").mkdir()
    cfg_dir = tmp_path / "conf"
    path = write(
        cfg_dir / "hcpcs-lint.toml",
        """
select = ["HL1", "level2-includes-cpt-service"]
ignore = ["HL105"]
extend-select = ["HL3"]
fail-on = "warning"
reference = "../releases/HCPC2026_JAN_ANWEB.txt"
rule-dirs = ["../packs/team"]
catalog-dirs = ["../catalog"]
allow-service-codes = ["G*", "C*"]

[per-code-ignores]
"Q20*" = ["HL101"]

[severity]
HL101 = "warning"
""",
    )
    config = load_config(path)
    assert config.select == ("HL1", "level2-includes-cpt-service")
    assert config.ignore == ("HL105",)
    assert config.extend_select == ("HL3",)
    assert config.fail_on == "warning"
    assert dict(config.per_code_ignores) == {"Q20*": ("HL101",)}
    assert dict(config.severity) == {"HL101": "warning"}
    assert config.allow_service_codes == ("G*", "C*")
    assert config.source == str(path)
    # Relative to the config file's folder, not the working directory.
    assert config.reference == str(tmp_path / "releases" / "HCPC2026_JAN_ANWEB.txt")
    assert config.rule_dirs == (str(tmp_path / "packs" / "team"),)
    assert config.catalog_dirs == (str(tmp_path / "catalog"),)


def test_relative_paths_do_not_depend_on_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "repo" / "hcpcs-lint.toml", "reference = 'rel/ref.txt'\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(Path(os.path.relpath(path))).reference == str(tmp_path / "repo" / "rel" / "ref.txt")


def test_tool_table_accepted_in_hcpcs_lint_toml(tmp_path: Path) -> None:
    path = write(tmp_path / "hcpcs-lint.toml", "[tool.hcpcs-lint]\nignore = ['HL2']\n")
    assert load_config(path).ignore == ("HL2",)


def test_settings_in_both_places_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "hcpcs-lint.toml", "ignore = ['HL1']\n[tool.hcpcs-lint]\nignore = ['HL2']\n")
    with pytest.raises(InputError, match="keep one place") as err:
        load_config(path)
    assert err.value.line == 1


def test_pyproject_reads_only_tool_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n[tool.hcpcs-lint]\nselect = ['ALL']\n")
    assert load_config(path).select == ("ALL",)


# ---- errors ------------------------------------------------------------------------------------


def test_unknown_key_names_file_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path / "hcpcs-lint.toml", "select = ['HL1']\nextend-selct = ['HL2']\n")
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.path == str(path)
    assert err.value.line == 2
    assert "extend-selct" in err.value.message
    assert "did you mean 'extend-select'" in err.value.message
    assert err.value.render().startswith(f"{path}:2: ")


def test_snake_case_key_suggests_kebab(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.hcpcs-lint]\nper_code_ignores = {}\n")
    with pytest.raises(InputError, match="did you mean 'per-code-ignores'") as err:
        load_config(path)
    assert err.value.line == 2


def test_toml_syntax_error_reports_line(tmp_path: Path) -> None:
    path = write(tmp_path / "hcpcs-lint.toml", "select = ['HL1']\n\nignore = [HL2]\n")
    with pytest.raises(InputError, match="invalid TOML") as err:
        load_config(path)
    assert err.value.path == str(path)
    assert err.value.line == 3


def test_broken_pyproject_during_discovery_is_input_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.hcpcs-lint\n")
    with pytest.raises(InputError) as err:
        find_config(tmp_path)
    assert err.value.line == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("select = 'HL1'\n", "must be a list of strings"),
        ("ignore = [1]\n", "must be a list of strings"),
        ("fail-on = 'fatal'\n", "must be one of error, warning, info"),
        ("fail-on = 2\n", "must be a string"),
        ("reference = ['a']\n", "must be a path string"),
        ("[severity]\nHL101 = 'critical'\n", "use one of error, warning, info"),
        ("severity = ['HL101']\n", "must be a table"),
        ("[per-code-ignores]\n'Q20*' = 'HL101'\n", "must be a list of strings"),
        ("select = ['HL 101']\n", "not a rule code"),
    ],
)
def test_bad_values_rejected(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path / "hcpcs-lint.toml", text)
    with pytest.raises(InputError, match=fragment) as err:
        load_config(path)
    assert err.value.path == str(path)
    assert err.value.line is not None


def test_bad_severity_reports_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "hcpcs-lint.toml", "select = ['ALL']\n[severity]\nHL2 = 'info'\nHL101 = 'loud'\n")
    with pytest.raises(InputError) as err:
        load_config(path)
    assert err.value.line == 4


def test_missing_rule_dir_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "hcpcs-lint.toml", "\nrule-dirs = ['packs/missing']\n")
    with pytest.raises(InputError, match="not a directory") as err:
        load_config(path)
    assert err.value.path == str(path)
    assert err.value.line == 2


# ---- command line ------------------------------------------------------------------------------


def test_cli_select_replaces_and_ignore_extends() -> None:
    base = Config(select=("HL1",), ignore=("HL105",), extend_select=("HL3",), fail_on="error")
    merged = merge_cli(base, select=("HL2",), ignore=("HL201",), fail_on="info")
    assert merged.select == ("HL2",)
    assert merged.extend_select == ()  # a CLI --select starts afresh, as in ruff
    assert merged.ignore == ("HL105", "HL201")
    assert merged.fail_on == "info"


def test_cli_extend_select_adds_to_config() -> None:
    base = Config(select=("HL1",), extend_select=("HL3",))
    merged = merge_cli(base, extend_select=("HL4",), select=None, ignore=())
    assert merged.select == ("HL1",)
    assert merged.extend_select == ("HL3", "HL4")
    assert is_selected(merged, "HL401", "x", "g", "J3391")
    assert not is_selected(merged, "HL201", "x", "g", "J3391")


def test_cli_absent_flags_change_nothing() -> None:
    base = Config(select=("HL1",), reference="/ref.txt", fail_on="warning")
    assert merge_cli(base, select=(), ignore=(), extend_select=(), fail_on=None, reference=None) == base


def test_cli_reference_and_severity_override() -> None:
    base = Config(reference="/a.txt", severity={"HL101": "error", "HL2": "info"})
    merged = merge_cli(base, reference="b.txt", severity={"HL101": "warning"})
    assert merged.reference == "b.txt"
    assert dict(merged.severity) == {"HL101": "warning", "HL2": "info"}


def test_cli_bad_fail_on_and_unknown_override() -> None:
    with pytest.raises(InputError, match="--fail-on"):
        merge_cli(Config(), fail_on="fatal")
    with pytest.raises(TypeError, match="selekt"):
        merge_cli(Config(), selekt=("HL1",))


# ---- selection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("ALL", True),
        ("all", True),
        ("HL101", True),
        ("hl101", True),
        ("HL1", True),
        ("HL10", True),
        ("HL", True),
        ("HL102", False),
        ("HL2", False),
        ("H", False),  # a prefix stays inside its letter family
        ("HL1011", False),
        ("level2-includes-cpt-service", True),
        ("level2-includes", False),
        ("bundling", True),
        ("naming", False),
    ],
)
def test_matches(selector: str, expected: bool) -> None:
    assert matches(selector, *RULE) is expected


def test_default_selects_all() -> None:
    assert is_selected(Config(), *RULE, "Q2041")


def test_ignore_wins_over_select() -> None:
    config = Config(select=("HL101",), ignore=("HL1",))
    assert not is_selected(config, *RULE, "Q2041")
    assert not is_selected(Config(extend_select=("HL101",), ignore=("bundling",)), *RULE, "Q2041")


def test_select_limits_rules() -> None:
    config = Config(select=("HL2",), extend_select=("level2-includes-cpt-service",))
    assert is_selected(config, *RULE, "Q2041")
    assert not is_selected(config, "HL105", "other-rule", "bundling", "Q2041")
    assert is_selected(config, "HL201", "other-rule", "naming", "Q2041")


def test_per_code_ignores_globs() -> None:
    config = Config(per_code_ignores={"Q20*": ("HL101",), "G0???": ("bundling",)})
    assert not is_selected(config, *RULE, "Q2041")
    assert not is_selected(config, *RULE, "q2053")  # codes compare upper case
    assert is_selected(config, *RULE, "Q2143")
    assert is_selected(config, "HL201", "other", "naming", "Q2041")
    assert not is_selected(config, *RULE, "G0001")
    assert is_selected(config, *RULE, "G00011")


def test_effective_severity_most_specific_wins() -> None:
    config = Config(severity={"HL101": "error", "ALL": "info", "HL1": "warning"})
    assert effective_severity(config, *RULE, default="info") == "error"
    assert effective_severity(config, "HL105", "x", "bundling", default="error") == "warning"
    assert effective_severity(config, "HL201", "x", "naming", default="error") == "info"
    assert effective_severity(Config(), *RULE, default="warning") == "warning"
    by_group = Config(severity={"bundling": "info", "HL": "warning"})
    assert effective_severity(by_group, *RULE, default="error") == "warning"


def test_fails_on_threshold() -> None:
    assert fails_on(Config(), "error")
    assert not fails_on(Config(), "warning")
    assert fails_on(Config(fail_on="warning"), "warning")
    assert not fails_on(Config(fail_on="warning"), "info")


def test_service_code_allowed() -> None:
    config = Config(allow_service_codes=("G*", "C97??"))
    assert service_code_allowed(config, "G0555")
    assert service_code_allowed(config, "C9754")
    assert not service_code_allowed(config, "Q2041")


def test_unknown_selectors_suggest() -> None:
    rules = [RULE, ("HL201", "other-rule", "naming")]
    config = Config(select=("HL1",), ignore=("HL109", "nameing"))
    messages = unknown_selectors(config, rules)
    assert len(messages) == 2
    assert "'HL109' matches no rule; did you mean 'HL101'?" in messages[0]
    assert "did you mean 'naming'?" in messages[1]
