"""``check --show-settings``: the configuration that applies to a path, and where each value came from.

A value comes from the command line, from the configuration file (with its line), or is the
default; the file is the nearest one above the checked path (or ``--config``), as ruff decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hcpcs_lint import config as cfg

_FLAGS = {
    "select": "--select",
    "extend_select": "--extend-select",
    "ignore": "--ignore",
    "fail_on": "--fail-on",
    "reference": "--reference",
}


def _toml(value: Any) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items())
        return "{" + (f" {inner} " if inner else "") + "}"
    if isinstance(value, tuple | list):
        return json.dumps(list(value))
    return json.dumps(value)


def show_settings(target: str, config: cfg.Config, from_cli: set[str], *, explicit: bool) -> str:
    """The settings for ``target`` as TOML lines, each with a comment saying where it came from."""
    if config.source:
        how = "given with --config" if explicit else f"the nearest configuration above {target}"
        lines = [f"# settings for {target}", f"# config: {config.source} ({how})"]
    else:
        lines = [f"# settings for {target}", f"# config: none found above {target}; defaults apply"]
    in_file = cfg.file_settings(config.source) if config.source else {}
    rows = []
    for key, attr in cfg.setting_keys():
        value = getattr(config, attr)
        if attr == "select" and value is None:
            value = cfg.DEFAULT_SELECT
        if attr in from_cli:
            origin = f"command line ({_FLAGS.get(attr, attr)})"
        elif key in in_file:
            origin = in_file[key]
        else:
            origin = "default"
        rows.append((f"{key} = {_toml(value)}" if value is not None else f"# {key}: not set", origin))
    width = max(len(text) for text, _ in rows)
    lines += [f"{text:<{width}}  # {origin}" for text, origin in rows]
    return "\n".join(lines) + "\n"
