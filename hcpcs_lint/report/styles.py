"""The one source of colours: clause roles, unparsed residue and severities, for every view
(``parse`` trees, the REPL, the full report) so the same clause never shows in two colours."""

from __future__ import annotations

ROLE_STYLE: dict[str, str] = {
    "product": "bold cyan",
    "service": "bold bright_magenta",
    "route": "magenta",
    "amount": "green",
    "basis": "blue",
    "inclusion": "yellow",
    "exclusion": "bright_green",
    "qualifier": "bright_blue",
    "parenthetical": "italic bright_black",
    "add-on": "italic cyan",
}
RESIDUE_STYLE = "white on red"
SEVERITY_STYLE: dict[str, str] = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
SPAN_STYLE: dict[str, str] = {
    "error": "red underline",
    "warning": "yellow underline",
    "info": "cyan underline",
}
