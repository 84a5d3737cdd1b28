"""The terminal: prompt_toolkit session, completion, key bindings, history, and the pipe mode."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from prompt_toolkit.application import get_app
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.output.base import DummyOutput
from rich.console import Console
from rich.text import Text

from hcpcs_lint import config as cfg
from hcpcs_lint.model import InputError
from hcpcs_lint.repl.reference import Reference
from hcpcs_lint.repl.session import COMMAND_NAMES, Repl


def default_history_path() -> Path:
    """History lives in the user's data dir so it survives upgrades and is shared by every checkout."""
    import platformdirs

    return Path(platformdirs.user_data_dir("hcpcs-lint")) / "repl-history"


class ReplCompleter(Completer):
    """Commands after ':', rule codes and names after ':rule ', paths after ':load '; nothing in descriptors."""

    def __init__(self, repl: Repl) -> None:
        self.repl = repl
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        before = document.text_before_cursor
        if "\n" in before or not before.startswith(":"):
            return
        if " " not in before:
            for name in COMMAND_NAMES:
                if name.startswith(before.lower()):
                    yield Completion(name, start_position=-len(before))
            return
        name, _, arg = before.partition(" ")
        if name == ":rule":
            low = arg.lower()
            for r in self.repl.ref.linter.rules:
                for key, meta in ((r.code, r.name), (r.name, r.code)):
                    if key.lower().startswith(low):
                        yield Completion(key, start_position=-len(arg), display_meta=meta)
        elif name == ":load":
            sub = Document(arg, len(arg))
            yield from self.paths.get_completions(sub, complete_event)


def key_bindings() -> KeyBindings:
    """Enter submits; Esc-Enter / Alt-Enter adds a line. A bracketed paste of many lines arrives whole
    (prompt_toolkit inserts it as one event), so a pasted block is linted as one batch."""
    kb = KeyBindings()

    @kb.add("enter")
    def _submit(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    # Tab completes commands; in a descriptor it is text ("Q2041<TAB>descriptor" is a form we accept).
    @kb.add("tab", filter=Condition(lambda: not get_app().current_buffer.text.startswith(":")))
    def _tab(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\t")

    return kb


class _OutputFile(io.TextIOBase):
    """Lets rich write through a prompt_toolkit Output (the one the prompt uses, or a test's)."""

    def __init__(self, output: Output) -> None:
        self._output = output

    def write(self, s: str) -> int:
        self._output.write_raw(s)
        self._output.flush()
        return len(s)

    def flush(self) -> None:
        self._output.flush()


def make_console(output: Output | None = None) -> Console:
    """Rich console for the REPL: stdout (the real terminal), or the prompt_toolkit Output given."""
    common: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    if output is None:
        return Console(**common)
    depth = output.get_default_color_depth()
    color = None
    if not isinstance(output, DummyOutput) and depth != ColorDepth.DEPTH_1_BIT:
        color = {ColorDepth.DEPTH_4_BIT: "standard", ColorDepth.DEPTH_8_BIT: "256"}.get(depth, "truecolor")
    return Console(
        file=cast(IO[str], _OutputFile(output)),
        width=output.get_size().columns,
        force_terminal=color is not None,
        color_system=color,  # type: ignore[arg-type]
        **common,
    )


def _history(path: str | None) -> tuple[History, str]:
    where = Path(path) if path is not None else default_history_path()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        where.touch(exist_ok=True)
    except OSError as e:
        return InMemoryHistory(), f"(in memory: cannot write {where}: {e.strerror or e})"
    return FileHistory(str(where)), str(where)


def run_lines(repl: Repl, lines: Iterable[str]) -> int:
    """Standard input is not a terminal (a pipe or file): no prompt; runs of descriptor lines are
    linted as one batch, as a paste is, and a ':' line is a command."""
    batch: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.lstrip().startswith(":"):
            batch.append(line)
            continue
        if batch and any(b.strip() for b in batch):
            repl.handle("\n".join(batch))
        batch = []
        if not repl.handle(line):
            return 0
    if any(b.strip() for b in batch):
        repl.handle("\n".join(batch))
    return 0


def run(
    reference: str | None = None,
    *,
    input: Input | None = None,
    output: Output | None = None,
    history_path: str | None = None,
) -> int:
    """Run the REPL until Ctrl-D or :quit (status 0); status 2 when the starting reference is unreadable.

    ``input``/``output`` are prompt_toolkit's (``create_pipe_input``, ``DummyOutput`` in tests);
    None means the real terminal.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory

    console = make_console(output)
    try:
        config = cfg.load_config(cfg.find_config(Path.cwd()))
        ref = Reference.load(reference or config.reference, config)
    except InputError as e:
        console.print(Text(e.render(), style="red"), soft_wrap=True)
        return 2
    history, where = _history(history_path)
    repl = Repl(ref, console, history=where)
    if input is None and not sys.stdin.isatty():
        return run_lines(repl, sys.stdin)
    repl.banner()
    session: PromptSession[str] = PromptSession(
        history=history,
        completer=ReplCompleter(repl),
        complete_while_typing=True,
        auto_suggest=AutoSuggestFromHistory(),
        key_bindings=key_bindings(),
        multiline=True,
        prompt_continuation=lambda width, line, wrap: "" if wrap else "." * (width - 1) + " ",
        bottom_toolbar=lambda: (
            f" {repl.ref.name} · Enter lints · Esc-Enter new line · Tab completes · :help · Ctrl-D quits"
        ),
        input=input,
        output=output,
    )
    while True:
        try:
            text = session.prompt(repl.prompt_text)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        if not repl.handle(text):
            return 0
