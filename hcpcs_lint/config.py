"""Configuration: discover, parse and validate ``hcpcs-lint.toml`` or ``[tool.hcpcs-lint]``, merge CLI flags.

Modelled on ruff: the nearest config file wins (no merging of parents), keys are kebab-case,
rules are chosen by selectors (code, code prefix, kebab name, group or ``ALL``), and command-line
flags override the file. A bad config is an :class:`~hcpcs_lint.model.InputError` naming the file,
so the CLI reports it as ``path:line: message`` with exit code 2 instead of a traceback.

Over 400 lines: the file side (discovery, validation of every key, the CLI merge) and the
selection side (selectors, per-code ignores, severities, fail-on) read the same key table and
``Config``; split, the selection module and this one would import each other.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .model import SEVERITY_RANK, InputError

CONFIG_NAMES = ("hcpcs-lint.toml", ".hcpcs-lint.toml")
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "hcpcs-lint"
SEVERITIES = ("error", "warning", "info")
# What ``select`` means when neither the config nor the CLI sets it: every rule.
DEFAULT_SELECT = ("ALL",)

# A selector is ALL, a code or code prefix (letters then digits: "HL", "HL1", "HL101"), or a
# kebab-case rule or group name. Anything else is a typo worth reporting when the config loads.
_CODE_RE = re.compile(r"([A-Za-z]+)(\d*)")
_NAME_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _empty_map() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Config:
    """Settings after validation; paths are absolute, resolved against the config file's folder."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_code_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_map)
    severity: Mapping[str, str] = field(default_factory=_empty_map)
    fail_on: str = "error"
    reference: str | None = None
    rule_dirs: tuple[str, ...] = ()
    catalog_dirs: tuple[str, ...] = ()
    allow_service_codes: tuple[str, ...] = ()
    source: str | None = None


# TOML key -> (Config field, value type). The type drives validation in _convert.
_KEYS: dict[str, tuple[str, str]] = {
    "select": ("select", "selectors"),
    "ignore": ("ignore", "selectors"),
    "extend-select": ("extend_select", "selectors"),
    "per-code-ignores": ("per_code_ignores", "per-code-ignores"),
    "severity": ("severity", "severity"),
    "fail-on": ("fail_on", "fail-on"),
    "reference": ("reference", "path"),
    "rule-dirs": ("rule_dirs", "dirs"),
    "catalog-dirs": ("catalog_dirs", "dirs"),
    "allow-service-codes": ("allow_service_codes", "globs"),
}


# --------------------------------------------------------------------------------------------
# Discovery


def find_config(start: Path) -> Path | None:
    """Nearest config walking up from ``start`` to the root, as ruff does: the closest folder decides.

    In one folder ``hcpcs-lint.toml`` beats ``.hcpcs-lint.toml`` beats ``pyproject.toml``, and a
    pyproject counts only when it has a ``[tool.hcpcs-lint]`` table (so a project's unrelated
    pyproject does not hide a config further up).
    """
    start = Path(os.path.abspath(start))  # "../x" normalised: its lexical parents are not its folders
    folder = start if start.is_dir() else start.parent
    for directory in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    data, _ = _read_toml(pyproject)
    tool = data.get("tool")
    return isinstance(tool, dict) and TOOL_TABLE in tool


# --------------------------------------------------------------------------------------------
# Loading and validation


def load_config(path: Path | None) -> Config:
    """Parse and validate one config file; ``None`` gives the defaults (no config found)."""
    if path is None:
        return Config()
    path = Path(path)
    data, text = _read_toml(path)
    table = _settings_table(path, data, text)
    base = path.absolute().parent
    values: dict[str, Any] = {"source": str(path)}
    for key, value in table.items():
        if key not in _KEYS:
            raise InputError(str(path), _unknown_key_message(key, _KEYS), _line_of(text, key))
        attr, vtype = _KEYS[key]
        values[attr] = _convert(path, text, key, vtype, value, base)
    return Config(**values)


def setting_keys() -> list[tuple[str, str]]:
    """(TOML key, Config field) of every setting, in the order of the key table."""
    return [(key, attr) for key, (attr, _) in _KEYS.items()]


def file_settings(path: str | Path) -> dict[str, str]:
    """The keys a config file sets, each with where: ``pyproject.toml:7 [tool.hcpcs-lint]``."""
    path = Path(path)
    data, text = _read_toml(path)
    table = _settings_table(path, data, text)
    where = f" [tool.{TOOL_TABLE}]" if table is not data else ""
    return {key: f"{path}:{_line_of(text, key) or '?'}{where}" for key in table}


def origin(config: Config, key: str) -> tuple[str, int | None, str]:
    """Where ``config`` got ``key``: its file, the line, and the table to name in a message
    (``[tool.hcpcs-lint] ``, or empty for a top-level key). For errors found after loading."""
    path = Path(config.source or "")
    data, text = _read_toml(path)
    table = _settings_table(path, data, text)
    return str(path), _line_of(text, key), f"[tool.{TOOL_TABLE}] " if table is not data else ""


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read config: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"config is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 puts the position only in the message: "... (at line 3, column 9)".
        message = str(exc)
        line = None
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if found:
            line = int(found.group(1))
            message = f"{message[: found.start()].rstrip()} (column {found.group(2)})"
        elif "end of document" in message:
            line = text.count("\n") + 1
        raise InputError(str(path), f"invalid TOML: {message}", line) from exc


def _settings_table(path: Path, data: dict[str, Any], text: str) -> dict[str, Any]:
    """The table holding our keys: ``[tool.hcpcs-lint]`` in pyproject, top level or that table elsewhere."""
    tool = data.get("tool")
    nested = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
    if nested is not None and not isinstance(nested, dict):
        raise InputError(str(path), "[tool.hcpcs-lint] must be a table", _line_of(text, "tool"))
    if path.name == PYPROJECT:
        # An explicit pyproject without our table means "defaults", as for ruff.
        return nested or {}
    if nested is None:
        return data
    others = [key for key in data if key != "tool"]
    if others:
        raise InputError(
            str(path),
            f"settings both at top level ({', '.join(others)}) and under [tool.hcpcs-lint]; keep one place",
            _line_of(text, others[0]),
        )
    return nested


def _unknown_key_message(key: str, valid: Iterable[str]) -> str:
    choices = sorted(valid)
    import difflib  # only for a key that is not known

    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    if not close:
        # Snake or camel case is the usual slip: "extend_select", "failOn".
        kebab = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).replace("_", "-").lower()
        close = difflib.get_close_matches(kebab, choices, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else f"; valid keys: {', '.join(choices)}"
    return f"unknown key '{key}'{hint}"


def _convert(path: Path, text: str, key: str, vtype: str, value: Any, base: Path) -> Any:
    def fail(message: str, at: str = key) -> InputError:
        return InputError(str(path), f"'{key}' {message}", _line_of(text, at))

    if vtype == "selectors":
        return _selectors(value, fail)
    if vtype == "globs":
        return _strings(value, fail, what="glob")
    if vtype == "fail-on":
        if not isinstance(value, str):
            raise fail(f"must be a string, got {_type_name(value)}")
        if value not in SEVERITIES:
            raise fail(f"must be one of {', '.join(SEVERITIES)}, got '{value}'")
        return value
    if vtype == "path":
        if not isinstance(value, str) or not value:
            raise fail(f"must be a path string, got {_type_name(value)}")
        return _resolve(base, value)
    if vtype == "dirs":
        resolved = tuple(_resolve(base, item) for item in _strings(value, fail, what="path"))
        for raw, full in zip(value, resolved, strict=True):
            if not Path(full).is_dir():
                raise fail(f"names '{raw}', which is not a directory ({full})")
        return resolved
    if vtype == "severity":
        if not isinstance(value, dict):
            raise fail(f"must be a table of selector = severity, got {_type_name(value)}")
        levels: dict[str, str] = {}
        for selector, level in value.items():
            _check_selector(selector, lambda m, s=selector: fail(m, at=s))
            if level not in SEVERITIES:
                raise fail(
                    f"sets '{selector}' to {level!r}; use one of {', '.join(SEVERITIES)}",
                    at=selector,
                )
            levels[selector] = level
        return MappingProxyType(levels)
    if vtype == "per-code-ignores":
        if not isinstance(value, dict):
            raise fail(f"must be a table of code glob = [selectors], got {_type_name(value)}")
        table: dict[str, tuple[str, ...]] = {}
        for glob, selectors in value.items():
            if not glob.strip():
                raise fail("has an empty code glob")
            table[glob] = _selectors(
                selectors, lambda m, g=glob: InputError(str(path), f"'{key}.{g}' {m}", _line_of(text, g))
            )
        return MappingProxyType(table)
    raise AssertionError(f"unhandled value type {vtype}")  # pragma: no cover


def _strings(value: Any, fail: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise fail(f"must be a list of strings, e.g. [{value!r}]")
    if not isinstance(value, list):
        raise fail(f"must be a list of strings, got {_type_name(value)}")
    for item in value:
        if not isinstance(item, str) or not item:
            raise fail(f"must be a list of strings; found {_type_name(item)} {item!r} where a {what} belongs")
    return tuple(value)


def _selectors(value: Any, fail: Any) -> tuple[str, ...]:
    items = _strings(value, fail, what="rule selector")
    for item in items:
        _check_selector(item, fail)
    return items


def _check_selector(selector: str, fail: Any) -> None:
    if selector.upper() == "ALL" or _CODE_RE.fullmatch(selector) or _NAME_RE.fullmatch(selector):
        return
    raise fail(f"has '{selector}', which is not a rule code, prefix, kebab-case name, group or ALL")


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _resolve(base: Path, value: str) -> str:
    """Relative to the config file's folder, so the config means the same from any working directory."""
    target = Path(value).expanduser()
    return os.path.normpath(target if target.is_absolute() else base / target)


def _line_of(text: str, key: str) -> int | None:
    """Best-effort line of ``key = ...``, since tomllib keeps no positions: at a line start, then anywhere."""
    quoted = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
    for pattern in (rf"^\s*{quoted}\s*=", rf"(?:^|[\s{{,]){quoted}\s*=", rf"^\s*\[\s*{quoted}"):
        found = re.search(pattern, text, flags=re.MULTILINE)
        if found:
            return text.count("\n", 0, found.end()) + 1
    return None


# --------------------------------------------------------------------------------------------
# Command line


_REPLACE = ("select", "fail_on", "reference")
_EXTEND = ("ignore", "extend_select", "rule_dirs", "catalog_dirs", "allow_service_codes")


def merge_cli(config: Config, **overrides: Any) -> Config:
    """Apply command-line flags on top of the file, the way ruff layers CLI over config.

    ``None`` or an empty sequence means "flag not given" (what click passes for absent options).
    ``select``, ``fail_on`` and ``reference`` replace; ``ignore``, ``extend_select`` and the
    directory/glob lists add; ``severity`` entries override the file's one by one. As in ruff, a
    CLI ``--select`` starts the selection afresh, so the file's ``extend-select`` is dropped with
    its ``select``; the file's ``ignore`` and ``per-code-ignores`` still apply (ignore always wins,
    see :func:`is_selected`). CLI paths are taken as given: they are relative to the working
    directory, not to the config file.
    """
    unknown = set(overrides) - {*_REPLACE, *_EXTEND, "severity"}
    if unknown:
        raise TypeError(f"merge_cli() got unknown overrides: {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    for name in _REPLACE:
        value = overrides.get(name)
        if value is None or (name == "select" and not value):
            continue
        if name == "select":
            changes["select"] = tuple(value)
            changes["extend_select"] = ()
        elif name == "fail_on" and value not in SEVERITIES:
            raise InputError("<command line>", f"--fail-on must be one of {', '.join(SEVERITIES)}")
        else:
            changes[name] = value
    for name in _EXTEND:
        value = overrides.get(name)
        if value:
            current = changes.get(name, getattr(config, name))
            changes[name] = (*current, *value)
    if overrides.get("severity"):
        changes["severity"] = MappingProxyType({**config.severity, **overrides["severity"]})
    return replace(config, **changes) if changes else config


# --------------------------------------------------------------------------------------------
# Selection and severity


def matches(selector: str, code: str, name: str, group: str) -> bool:
    """Does ``selector`` pick the rule ``code``/``name``/``group``?

    ``ALL`` picks every rule; a code selector matches the exact code or a prefix within the same
    letter family (``HL1`` matches ``HL101``, ``H`` does not match ``HL101``, as ruff's ``E`` does
    not match ``ERA001``); otherwise the selector must equal the kebab name or the group. Case is
    ignored so that an inline ``all`` or ``hl101`` behaves like the canonical spelling.
    """
    if selector.upper() == "ALL":
        return True
    folded = selector.casefold()
    if folded in (name.casefold(), group.casefold()):
        return True
    sel = _CODE_RE.fullmatch(selector)
    rule = _CODE_RE.fullmatch(code)
    if sel is None or rule is None:
        return selector.upper() == code.upper()
    return sel.group(1).upper() == rule.group(1).upper() and rule.group(2).startswith(sel.group(2))


def _any(selectors: Iterable[str], code: str, name: str, group: str) -> bool:
    return any(matches(s, code, name, group) for s in selectors)


def is_selected(config: Config, code: str, name: str, group: str, hcpcs_code: str) -> bool:
    """Does rule ``code`` run on the record ``hcpcs_code``?

    Ruff's simple model, without "most specific selector wins": a rule runs when ``select``
    (default ``ALL``) or ``extend-select`` picks it, and no ``ignore`` selector and no
    ``per-code-ignores`` entry whose glob matches the HCPCS code picks it. Ignores always win, so
    ``select = ["HL101"]`` with ``ignore = ["HL1"]`` runs nothing; narrow the ignore instead.
    """
    select = DEFAULT_SELECT if config.select is None else config.select
    if not _any((*select, *config.extend_select), code, name, group):
        return False
    if _any(config.ignore, code, name, group):
        return False
    return not any(
        _code_glob(glob, hcpcs_code) and _any(selectors, code, name, group)
        for glob, selectors in config.per_code_ignores.items()
    )


def _code_glob(glob: str, hcpcs_code: str) -> bool:
    # HCPCS codes are upper case by definition; compare so that "q20*" still means Q20*.
    return fnmatchcase(hcpcs_code.strip().upper(), glob.strip().upper())


def _specificity(selector: str, code: str, name: str, group: str) -> int:
    if selector.upper() == "ALL":
        return 0
    if selector.casefold() == group.casefold():
        return 1
    if selector.upper() == code.upper() or selector.casefold() == name.casefold():
        return 1000
    return 10 + len(selector)  # a code prefix: longer is narrower


def effective_severity(config: Config, code: str, name: str, group: str, default: str) -> str:
    """The severity a rule reports at: the most specific matching ``severity`` entry, else its default.

    Unlike selection, severity needs a deterministic winner when several selectors match
    (``ALL = "warning"`` with ``HL101 = "error"``): exact code or name beats a longer prefix beats a
    shorter prefix beats a group beats ``ALL``; on a tie the later entry wins.
    """
    best: tuple[int, str] | None = None
    for selector, level in config.severity.items():
        if matches(selector, code, name, group):
            rank = _specificity(selector, code, name, group)
            if best is None or rank >= best[0]:
                best = (rank, level)
    return default if best is None else best[1]


def fails_on(config: Config, severity: str) -> bool:
    """Whether a finding of ``severity`` makes the run exit 1 under ``fail-on``."""
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[config.fail_on]


def service_code_allowed(config: Config, hcpcs_code: str) -> bool:
    """Whether a service-headed Level II code was created on purpose (``allow-service-codes`` globs)."""
    return any(_code_glob(glob, hcpcs_code) for glob in config.allow_service_codes)


def unknown_selectors(config: Config, rules: Sequence[tuple[str, str, str]]) -> list[str]:
    """Messages for selectors that pick no known rule, with a suggestion, so typos do not silently no-op.

    ``rules`` holds ``(code, name, group)`` of every loaded rule; the engine calls this once the rule
    packs are loaded (the config alone cannot know which rules exist).
    """
    vocabulary = sorted({part for rule in rules for part in rule})
    used: list[tuple[str, str]] = [
        *((s, "select") for s in config.select or ()),
        *((s, "extend-select") for s in config.extend_select),
        *((s, "ignore") for s in config.ignore),
        *((s, "severity") for s in config.severity),
        *((s, f"per-code-ignores.{g}") for g, sels in config.per_code_ignores.items() for s in sels),
    ]
    messages = []
    for selector, where in used:
        if any(matches(selector, *rule) for rule in rules):
            continue
        import difflib  # only for a selector that is not known

        close = difflib.get_close_matches(selector, vocabulary, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        messages.append(f"{where}: '{selector}' matches no rule{hint}")
    return messages
