"""The command loop's state: one input in, output to a Console; knows nothing of the terminal."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.text import Text

from hcpcs_lint.model import InputError
from hcpcs_lint.repl.analysis import Result, analyse, sanitize, split_input
from hcpcs_lint.repl.jsonview import emit_json, result_json
from hcpcs_lint.repl.reference import Reference
from hcpcs_lint.repl.view import (
    COMMANDS,
    render_help,
    render_parse,
    render_problem,
    render_result,
    render_rule,
    render_rules,
    shorten,
)
from hcpcs_lint.rulebook import find_rule

COMMAND_NAMES = tuple(c.split()[0] for c in COMMANDS)
ALIASES = {":q": ":quit", ":exit": ":quit", ":h": ":help", ":?": ":help", "quit": ":quit", "exit": ":quit"}


class Repl:
    """The command loop's state and its handling of one input; knows nothing of the terminal."""

    def __init__(self, reference: Reference, console: Console, *, history: str = "(in memory)") -> None:
        self.ref = reference
        self.console = console
        self.history = history
        self.json_mode = False
        self.parse_mode = False

    # The prompt shows the modes, so a user never wonders why output looks different.
    def prompt_text(self) -> str:
        modes = [m for m, on in (("json", self.json_mode), ("parse", self.parse_mode)) if on]
        return f"hcpcs[{','.join(modes)}]> " if modes else "hcpcs> "

    def banner(self) -> None:
        self.console.print(
            Text.assemble(
                (f"hcpcs-lint repl · reference {self.ref.name}: ", "bold"), self.describe_reference()
            )
        )
        source = self.ref.linter.config.source
        if source:
            self.console.print(Text(f"config: {source}", style="dim"))
        self.console.print(Text("Paste descriptors (one a line), or :help. Ctrl-D quits.", style="dim"))

    def describe_reference(self) -> str:
        r = self.ref
        return f"{r.records:,} records, {len(r.entries):,} active codes indexed, loaded in {r.seconds:.2f} s"

    def handle(self, text: str) -> bool:
        """Handle one input; False means quit. Nothing a user types ends the session but :quit/Ctrl-D."""
        try:
            return self._handle(text)
        except KeyboardInterrupt:
            self.console.print(Text("cancelled", style="yellow"))
        except Exception as e:  # a bug must not cost the user their session
            msg = " ".join(f"{type(e).__name__}: {e}".split())
            self.console.print(
                Text(f"internal error ({shorten(msg, 160)}); the session goes on", style="red")
            )
        return True

    def _handle(self, raw: str) -> bool:
        text, removed = sanitize(raw)
        stripped = text.strip()
        if not stripped:
            self.console.print(Text("Paste a descriptor, or :help for commands.", style="dim"))
            return True
        if "\n" not in stripped and (stripped.startswith(":") or stripped.lower() in ALIASES):
            return self.command(stripped)
        if removed:
            self.console.print(
                Text(f"(removed {removed} control character{'s' * (removed != 1)})", style="dim")
            )
        records, problems = split_input(text, self.ref)
        alone = len(records) + len(problems) == 1
        for p in problems:
            if self.json_mode:
                emit_json(self.console, {"line": p.line, "input": p.text, "error": p.message})
            else:
                render_problem(self.console, p, alone=alone)
        if not records:
            if not problems:
                self.console.print(Text("Nothing to lint: '#' lines are comments.", style="dim"))
            return True
        results = analyse(self.ref, records, clauses_only=self.parse_mode)
        for n, res in enumerate(results, 1):
            if self.json_mode:
                emit_json(self.console, result_json(res, clauses_only=self.parse_mode))
            elif self.parse_mode:
                render_parse(self.console, res, index=n, total=len(results))
            else:
                render_result(self.console, res, index=n, total=len(results), ref_name=self.ref.name)
        if len(results) > 1 and not self.json_mode and not self.parse_mode:
            self.render_summary(results)
        return True

    def render_summary(self, results: Sequence[Result]) -> None:
        errors = sum(any(f.severity == "error" for f in r.findings) for r in results)
        flagged = sum(bool(r.findings) for r in results)
        self.console.rule(style="dim")
        self.console.print(
            Text(
                f"{len(results)} descriptors: {errors} with errors, {flagged - errors} with warnings or notes only, "
                f"{len(results) - flagged} clean",
                style="bold",
            )
        )

    def command(self, line: str) -> bool:
        name, _, arg = line.partition(" ")
        name = ALIASES.get(name.lower(), name.lower())
        arg = arg.strip()
        handlers: dict[str, Callable[[str], bool]] = {
            ":help": self.cmd_help,
            ":load": self.cmd_load,
            ":rules": self.cmd_rules,
            ":rule": self.cmd_rule,
            ":json": self.cmd_json,
            ":parse": self.cmd_parse,
            ":quit": lambda _: False,
        }
        handler = handlers.get(name)
        if handler is None:
            close = difflib.get_close_matches(name, COMMAND_NAMES, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]}? " if close else ""
            self.console.print(
                Text(f"unknown command {name}: {hint}commands are {', '.join(COMMAND_NAMES)}", style="yellow")
            )
            return True
        return handler(arg)

    def cmd_help(self, _: str) -> bool:
        render_help(self.console, self.history)
        return True

    def cmd_load(self, arg: str) -> bool:
        if not arg:
            self.console.print(
                Text(f"usage: :load PATH  (now: {self.ref.path}; {self.describe_reference()})")
            )
            return True
        try:
            ref = Reference.load(arg, self.ref.linter.config)
        except InputError as e:
            self.console.print(Text(e.render(), style="red"), soft_wrap=True)
            self.console.print(Text(f"keeping the reference {self.ref.path}", style="dim"))
            return True
        self.ref = ref
        self.console.print(Text(f"reference {ref.path}: {self.describe_reference()}", style="green"))
        return True

    def cmd_rules(self, _: str) -> bool:
        render_rules(self.console, self.ref.linter.rules)
        return True

    def cmd_rule(self, arg: str) -> bool:
        rules = self.ref.linter.rules
        if not arg:
            self.console.print(Text("usage: :rule CODE or NAME (for example :rule HL101); :rules lists them"))
            return True
        rule = find_rule(rules, arg)
        if rule is None:
            keys = [r.code for r in rules] + [r.name for r in rules]
            close = difflib.get_close_matches(
                arg.upper() if arg[:2].isalpha() else arg, keys, n=2, cutoff=0.5
            )
            hint = f"; did you mean {' or '.join(close)}?" if close else "; :rules lists them"
            self.console.print(Text(f"no rule {arg!r}{hint}", style="yellow"))
            return True
        render_rule(self.console, rule)
        return True

    def cmd_json(self, _: str) -> bool:
        self.json_mode = not self.json_mode
        state = "on: one JSON object per descriptor, one a line" if self.json_mode else "off"
        self.console.print(Text(f"JSON output {state}", style="dim"))
        return True

    def cmd_parse(self, _: str) -> bool:
        self.parse_mode = not self.parse_mode
        state = "on: clauses only" if self.parse_mode else "off: full results"
        self.console.print(Text(f"parse mode {state}", style="dim"))
        return True
