"""``hcpcs-lint repl``: policy staff paste descriptors and see everything about each at once.

For every descriptor: its clauses as coloured spans, the findings with their CPT codes, the
proposed revision (word diff, then the full text), the three nearest descriptors of the reference
and the clean peers of the same class. The REPL only calls the library (``load``, ``Linter.run``,
``clean_peers``); it decides nothing a linter run would not.

Split by concern, as Vale's ``cmd/vale``: ``reference`` (the loaded release and its fuzzy index),
``analysis`` (pasted text → records → the one lint loop), ``view`` (rendering to a rich Console),
``jsonview`` (``:json``), ``session`` (the commands), ``terminal`` (prompt_toolkit and pipes).
"""

from __future__ import annotations

from hcpcs_lint.repl.analysis import PASTE, Problem, Result, analyse, sanitize, split_input
from hcpcs_lint.repl.jsonview import emit_json, result_json
from hcpcs_lint.repl.reference import Reference
from hcpcs_lint.repl.session import ALIASES, COMMAND_NAMES, COMMANDS, Repl
from hcpcs_lint.repl.terminal import (
    ReplCompleter,
    default_history_path,
    key_bindings,
    make_console,
    run,
    run_lines,
)
from hcpcs_lint.repl.view import EXAMPLE, render_result

__all__ = [
    "ALIASES",
    "COMMANDS",
    "COMMAND_NAMES",
    "EXAMPLE",
    "PASTE",
    "Problem",
    "Reference",
    "Repl",
    "ReplCompleter",
    "Result",
    "analyse",
    "default_history_path",
    "emit_json",
    "key_bindings",
    "make_console",
    "render_result",
    "result_json",
    "run",
    "run_lines",
    "sanitize",
    "split_input",
]
