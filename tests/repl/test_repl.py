"""The REPL as staff use it: keys through prompt_toolkit's pipe input, output captured as text.

Most tests drive ``run`` end to end with ``create_pipe_input`` and a DummyOutput that keeps what
rich writes; command and rendering details use a ``Repl`` on a StringIO console. One test runs the
REPL in a real terminal under tmux (skipped where tmux is missing).
"""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from hcpcs_lint.repl import Reference, Repl, ReplCompleter, default_history_path, run, run_lines
from hcpcs_lint.repl import session as session_mod
from tests.helpers import Q2041, Q2041_FIXED

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpora" / "cell-gene-therapy.csv"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
ENTER, ESC_ENTER, CTRL_C, CTRL_D = "\r", "\x1b\r", "\x03", "\x04"


class CaptureOutput(DummyOutput):
    """A DummyOutput that keeps what the REPL's rich console writes through it."""

    def __init__(self) -> None:
        self.chunks: list[str] = []

    def write_raw(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def drive(keys: str, history: Path, reference: str | None = None) -> tuple[int, str]:
    """Type ``keys`` into a fresh REPL; returns its exit status and everything it printed."""
    out = CaptureOutput()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        status = run(reference, input=pipe, output=out, history_path=str(history))
    return status, out.text


def flat(text: str) -> str:
    """Whitespace collapsed, so assertions do not depend on where the console wrapped."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference.load(None)


@pytest.fixture
def session(reference: Reference) -> Iterator[tuple[Repl, io.StringIO]]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, highlight=False, markup=False, color_system=None)
    yield Repl(reference, console), buffer


def said(s: tuple[Repl, io.StringIO], text: str) -> str:
    repl, buffer = s
    buffer.seek(0)
    buffer.truncate()
    assert repl.handle(text) is True
    return buffer.getvalue()


# -- through the prompt ----------------------------------------------------------------------------


def test_q2041_shows_finding_cpt_peers_and_revision(tmp_path: Path) -> None:
    status, out = drive(f"Q2041 {Q2041}{ENTER}{CTRL_D}", tmp_path / "h")
    assert status == 0
    assert "HL101" in out and "level2-includes-cpt-service" in out
    assert "CPT 38225, 38226, 38227" in flat(out)
    peers = out.split("Clean peers", 1)[1]
    assert "J3393" in peers and "J3394" in peers
    assert Q2041_FIXED in flat(out)
    assert "Nearest in the reference" in out and "bundles services" in out
    assert "internal error" not in out


def test_pasted_block_of_three_lines_gives_three_results(tmp_path: Path) -> None:
    block = "\n".join(
        [
            f"Q2041 {Q2041}",
            "J3393: Injection, betibeglogene autotemcel, per treatment",
            "Tisagenlecleucel, up to 600 million car-positive viable t cells, including leukapheresis, per therapeutic dose",
        ]
    )
    status, out = drive(f"{PASTE_START}{block}{PASTE_END}{ENTER}{CTRL_D}", tmp_path / "h")
    assert status == 0
    for n in (1, 2, 3):
        assert f"({n} of 3)" in out
    assert "line 3  (3 of 3)" in out  # bare text is named by its line
    assert "3 descriptors: 2 with errors" in out


def test_tab_separated_code_and_esc_enter_newline(tmp_path: Path) -> None:
    keys = f"Q2041\t{Q2041}{ESC_ENTER}J3393 Injection, betibeglogene autotemcel, per treatment{ENTER}{CTRL_D}"
    status, out = drive(keys, tmp_path / "h")
    assert status == 0
    assert "Q2041  (1 of 2)" in out and "J3393  (2 of 2)" in out


def test_ctrl_d_exits_zero_and_ctrl_c_cancels(tmp_path: Path) -> None:
    status, out = drive(f"Q2041 half typed{CTRL_C}{CTRL_D}", tmp_path / "h")
    assert status == 0
    assert "half typed" not in out  # cancelled, never linted


def test_quit_command_exits_zero(tmp_path: Path) -> None:
    status, out = drive(f":quit{ENTER}J3393 never reached{ENTER}", tmp_path / "h")
    assert status == 0 and "never reached" not in out


def test_history_file_is_written(tmp_path: Path) -> None:
    history = tmp_path / "deep" / "repl-history"
    drive(f"Q2041 {Q2041}{ENTER}:rules{ENTER}{CTRL_D}", history)
    text = history.read_text("utf-8")
    assert Q2041 in text and ":rules" in text


def test_default_history_lives_in_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_history_path() == tmp_path / "hcpcs-lint" / "repl-history"
    assert default_history_path().name == "repl-history"


def test_json_mode_prints_valid_json(tmp_path: Path) -> None:
    status, out = drive(f":json{ENTER}Q2041 {Q2041}{ENTER}{CTRL_D}", tmp_path / "h")
    assert status == 0
    objs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(objs) == 1
    obj = objs[0]
    assert obj["code"] == "Q2041"
    assert obj["findings"][0]["rule"] == "HL101"
    assert obj["findings"][0]["cpt"] == ["38225", "38226", "38227"]
    assert {"J3393", "J3394"} <= {p["code"] for p in obj["peers"]}
    assert len(obj["nearest"]) == 3 and all(
        n["status"] in ("clean", "bundles services") for n in obj["nearest"]
    )
    assert obj["fix"]["changed"] and "leukapheresis" not in obj["fix"]["descriptor"]
    assert obj["findings"][0]["fix"]["descriptor"] == Q2041_FIXED
    roles = [c["role"] for c in obj["clauses"]]
    assert roles == ["product", "amount", "inclusion", "basis"]


def test_json_mode_batch_one_object_each(session: tuple[Repl, io.StringIO]) -> None:
    said(session, ":json")
    out = said(session, f"Q2041 {Q2041}\nJ3393 Injection, betibeglogene autotemcel, per treatment\n;;;")
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o.get("code") for o in objs] == [None, "Q2041", "J3393"]
    assert objs[0]["error"] == "no descriptor recognised"


def test_parse_mode_shows_clauses_only(session: tuple[Repl, io.StringIO]) -> None:
    assert "parse mode on" in said(session, ":parse")
    assert session[0].prompt_text() == "hcpcs[parse]> "
    out = said(session, f"Q2041 {Q2041}")
    assert "inclusion" in out and "items: leukapheresis | dose preparation procedures" in out
    assert "93-148" in out
    assert "Findings" not in out and "Clean peers" not in out
    said(session, ":json")
    obj = json.loads(said(session, "Injection, betibeglogene autotemcel, per treatment"))
    assert list(obj) == [
        "code",
        "level",
        "kind",
        "source",
        "line",
        "terminated",
        "descriptor",
        "head",
        "clauses",
        "unparsed",
    ]
    assert "parse mode off" in said(session, ":parse")


# -- commands --------------------------------------------------------------------------------------


def test_rule_doc(session: tuple[Repl, io.StringIO]) -> None:
    out = said(session, ":rule HL101")
    for part in (
        "level2-includes-cpt-service",
        "Why it matters",
        "Fix safety",
        "Examples",
        "fails:",
        "fixed:",
    ):
        assert part in out
    assert "level2-includes-cpt-service" in said(session, ":rule level2-includes-cpt-service")
    assert "no rule 'HL1O1'" in said(session, ":rule HL1O1")
    assert "usage" in said(session, ":rule")


def test_rules_table(session: tuple[Repl, io.StringIO]) -> None:
    out = said(session, ":rules")
    for rule in session[0].ref.linter.rules:
        assert rule.code in out


def test_help_and_unknown_command(session: tuple[Repl, io.StringIO]) -> None:
    out = said(session, ":help")
    assert ":load PATH" in out and "Esc-Enter" in out
    assert "did you mean :json?" in said(session, ":jsn")
    assert "unknown command :frobnicate" in said(session, ":frobnicate")


def test_load_bad_path_keeps_reference(session: tuple[Repl, io.StringIO], tmp_path: Path) -> None:
    out = said(session, f":load {tmp_path / 'missing.csv'}")
    assert "no such file" in out and "keeping the reference" in out
    (tmp_path / "empty.csv").write_text("", "utf-8")
    assert "empty file" in said(session, f":load {tmp_path / 'empty.csv'}")
    out = said(session, f"Q2041 {Q2041}")
    assert "J3393" in out.split("Clean peers", 1)[1]


def test_load_switches_reference(session: tuple[Repl, io.StringIO], tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text(
        "code,long_description\n"
        'J3393,"Injection, betibeglogene autotemcel, per treatment"\n'
        'J9312,"Injection, rituximab, 10 mg"\n',
        "utf-8",
    )
    out = said(session, f":load {small}")
    assert "2 records" in out and session[0].ref.name == "small.csv"
    out = said(session, f"Q2041 {Q2041}")
    assert "small.csv" in out and "Q2042" not in out.split("Nearest", 1)[1]


def test_code_alone_shows_the_reference_descriptor(session: tuple[Repl, io.StringIO]) -> None:
    out = said(session, "q2041")
    assert "(the descriptor of Q2041 in cell-gene-therapy.csv)" in out and "HL101" in out
    assert "Z9876 is not in the reference" in said(session, "Z9876")


@pytest.mark.parametrize(
    "garbage",
    [
        ";;;(((]]]",
        "",
        "   \t ",
        "x" * 10_000,
        "injection, " * 1_000,
        "a (b [c (d " * 500,
        "\x00\x01\x07\x1b[31mred\x7f",
        "Q2041:",
        ":",
        "# just a comment",
        "per",
        "\u200b\ufeff",
    ],
)
def test_garbage_never_crashes(session: tuple[Repl, io.StringIO], garbage: str) -> None:
    out = said(session, garbage)
    assert out.strip()  # always says something
    assert "internal error" not in out


def test_punctuation_soup_says_what_to_type(session: tuple[Repl, io.StringIO]) -> None:
    out = said(session, ";;;(((]]]")
    assert "no descriptor recognised" in out and "type a descriptor such as" in out


def test_control_characters_are_removed(session: tuple[Repl, io.StringIO]) -> None:
    out = said(session, "J3393 Injection,\x07 betibeglogene\x00 autotemcel, per treatment")
    assert "removed 2 control characters" in out and "No findings." in out


def test_long_line_is_shown_shortened(session: tuple[Repl, io.StringIO]) -> None:
    out = said(session, "y" * 10_000)
    assert "showing 5,000 of 10,000 characters" in out


def test_internal_error_prints_one_line_and_goes_on(
    session: tuple[Repl, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(session_mod, "analyse", boom)
    out = said(session, f"Q2041 {Q2041}")
    assert out.count("\n") == 1 and "internal error (RuntimeError: boom second line)" in out
    monkeypatch.undo()
    assert "HL101" in said(session, f"Q2041 {Q2041}")


def test_bad_starting_reference_exits_two(tmp_path: Path) -> None:
    status, out = drive(CTRL_D, tmp_path / "h", reference=str(tmp_path / "nope.csv"))
    assert status == 2 and "nope.csv: no such file" in out


def test_completion_of_commands_and_rules(reference: Reference) -> None:
    completer = ReplCompleter(Repl(reference, Console(file=io.StringIO())))

    def complete(text: str) -> set[str]:
        return {c.text for c in completer.get_completions(Document(text), CompleteEvent())}

    assert complete(":ru") == {":rule", ":rules"}
    assert "HL101" in complete(":rule HL1")
    assert "level2-includes-cpt-service" in complete(":rule level2")
    assert complete("Q2041 Axicabtagene") == set()
    assert "-gene-therapy.csv" in complete(f":load {CORPUS.parent}/cell")  # the rest of the name


def test_piped_lines_batch_descriptors_and_run_commands(session: tuple[Repl, io.StringIO]) -> None:
    repl, buffer = session
    lines = [
        f"Q2041 {Q2041}\n",
        "J3393 Injection, betibeglogene autotemcel, per treatment\n",
        ":json\n",
        "J3393\n",
    ]
    assert run_lines(repl, lines) == 0
    out = buffer.getvalue()
    assert "(2 of 2)" in out and "2 descriptors: 1 with errors" in out
    assert json.loads(out.splitlines()[-1])["code"] == "J3393"


def test_project_config_is_respected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Reference
) -> None:
    (tmp_path / "hcpcs-lint.toml").write_text('ignore = ["HL301"]\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    status, out = drive(f"Q2041 {Q2041}{ENTER}{CTRL_D}", tmp_path / "h", reference=str(CORPUS))
    assert status == 0 and "HL101" in out and "HL301" not in out
    assert f"config: {tmp_path / 'hcpcs-lint.toml'}" in flat(out)
    (tmp_path / "hcpcs-lint.toml").write_text("no-such-key = 1\n", "utf-8")
    status, out = drive(CTRL_D, tmp_path / "h", reference=str(CORPUS))
    assert status == 2 and "no-such-key" in out


# -- a real terminal ---------------------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed; the real-terminal test needs it"
)
def test_real_terminal_under_tmux(tmp_path: Path) -> None:
    tmux = ["tmux", "-L", f"hcpcs-lint-test-{os.getpid()}", "-f", "/dev/null"]
    venv = REPO / ".venv" / "bin" / "python"
    python = str(venv) if venv.exists() else sys.executable
    script = "import sys; from hcpcs_lint.repl import run; sys.exit(run('corpora/cell-gene-therapy.csv'))"
    command = (
        f"cd {shlex.quote(str(REPO))} && XDG_DATA_HOME={shlex.quote(str(tmp_path))} "
        f"{shlex.quote(python)} -c {shlex.quote(script)}; echo EXIT=$?"
    )

    def tm(*args: str) -> str:
        return subprocess.run([*tmux, *args], check=True, capture_output=True, text=True, timeout=20).stdout

    def screen() -> str:
        return tm("capture-pane", "-p", "-J", "-S", "-500", "-t", "repl")

    def wait_for(text: str, count: int = 1, timeout: float = 40.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = screen()
            if shown.count(text) >= count:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{screen()}")

    env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "repl", "-x", "220", "-y", "100", "bash --norc --noprofile"],
        check=True,
        env=env,
        timeout=20,
    )
    try:
        tm("send-keys", "-t", "repl", "-l", command)
        tm("send-keys", "-t", "repl", "Enter")
        wait_for("hcpcs>")  # capture-pane drops trailing spaces
        tm("send-keys", "-t", "repl", "-l", f"Q2041 {Q2041}")
        tm("send-keys", "-t", "repl", "Enter")
        shown = wait_for("J3394  Injection")
        assert "CPT 38225, 38226, 38227" in shown
        assert "J3393" in shown.split("Clean peers", 1)[1]
        assert Q2041_FIXED in shown
        # A real bracketed paste of two lines arrives as one input: two results.
        tm(
            "set-buffer",
            "-b",
            "two",
            f"Q2041 {Q2041}\nJ3393 Injection, betibeglogene autotemcel, per treatment",
        )
        tm("paste-buffer", "-p", "-d", "-b", "two", "-t", "repl")
        tm("send-keys", "-t", "repl", "Enter")
        wait_for("(2 of 2)")
        tm("send-keys", "-t", "repl", "C-d")
        wait_for("EXIT=0")
        history = tmp_path / "hcpcs-lint" / "repl-history"
        assert Q2041 in history.read_text("utf-8")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=20)
