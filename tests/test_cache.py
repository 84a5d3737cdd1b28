"""The persistent cache: same results with and without it and with one or two processes, damaged
entries rebuilt, nothing written outside the folder it is pointed at.

Every test points HCPCS_LINT_CACHE_DIR at its own temp folder (conftest already keeps the suite
away from the user's folders).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcpcs_lint import cache
from hcpcs_lint.cli import main
from hcpcs_lint.engine import Linter, bundled_corpus_path
from hcpcs_lint.sources import load

R2019 = Path("2019") / "HCPC2019_CONTR_ANWEB.txt"


def _check_json(path: Path, cache_dir: Path, *, jobs: int, no_cache: bool = False) -> bytes:
    """``hcpcs-lint check --output-format json`` in a fresh interpreter, as a user runs it."""
    env = dict(os.environ, HCPCS_LINT_CACHE_DIR=str(cache_dir), HCPCS_LINT_JOBS=str(jobs))
    cmd = [sys.executable, "-m", "hcpcs_lint", "check", "--output-format", "json", "--no-progress"]
    if no_cache:
        cmd.append("--no-cache")
    out = subprocess.run([*cmd, str(path)], capture_output=True, env=env, check=False)
    assert out.returncode in (0, 1), out.stderr.decode()
    return out.stdout


def _entries(cache_dir: Path, kind: str) -> list[Path]:
    return sorted(p for p in (cache_dir / kind).rglob("*") if p.is_file())


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(where))
    return where


def test_same_json_with_and_without_cache_and_with_one_or_two_processes(
    data_dir: Path, cache_dir: Path
) -> None:
    release = data_dir / R2019
    plain = _check_json(release, cache_dir, jobs=1, no_cache=True)
    assert not cache_dir.exists(), "--no-cache wrote to the cache"
    report = json.loads(plain)
    assert report["summary"]["records"] > 5000 and report["summary"]["findings"] > 10

    cold_two = _check_json(release, cache_dir, jobs=2)  # fills the cache, parsed on two processes
    assert _entries(cache_dir, "parsed") and _entries(cache_dir, "findings")
    warm = _check_json(release, cache_dir, jobs=2)  # findings from the cache
    for p in _entries(cache_dir, "findings"):
        p.unlink()
    parsed_only = _check_json(release, cache_dir, jobs=1)  # parsed records from the cache, rules run
    assert plain == cold_two == warm == parsed_only


def test_a_corrupt_and_a_truncated_entry_are_rebuilt(data_dir: Path, cache_dir: Path) -> None:
    release = data_dir / R2019
    first = _check_json(release, cache_dir, jobs=1)
    parsed = _entries(cache_dir, "parsed")
    findings = _entries(cache_dir, "findings")
    big = max(parsed, key=lambda p: p.stat().st_size)  # the release's own entry
    (found,) = findings
    data = bytearray(big.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64  # corrupt the middle
    big.write_bytes(bytes(data))
    whole = found.read_bytes()
    found.write_bytes(whole[: len(whole) // 2])  # truncate
    assert cache.read("parsed", big.name) is None and cache.read("findings", found.name) is None

    again = _check_json(release, cache_dir, jobs=1)
    assert again == first
    # Both were rewritten whole: they read back again.
    assert cache.read("parsed", big.name) is not None
    assert cache.read("findings", found.name) is not None
    assert found.stat().st_size == len(whole)


def test_foreign_files_are_ignored(cache_dir: Path) -> None:
    assert cache.write("parsed", "a" * 64, (1, 2))
    assert cache.read("parsed", "a" * 64) == (1, 2)
    target = cache_dir / "parsed" / "bb" / ("b" * 64)
    target.parent.mkdir(parents=True)
    # Another key's entry copied under this name, then plain garbage: both are misses.
    target.write_bytes((cache_dir / "parsed" / "aa" / ("a" * 64)).read_bytes())
    assert cache.read("parsed", "b" * 64) is None
    target.write_bytes(b"not a cache entry at all")
    assert cache.read("parsed", "b" * 64) is None


def test_an_unwritable_cache_folder_means_no_cache_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))
    assert cache.write("parsed", "c" * 64, (1,)) is False
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--output-format", "concise", "--no-progress"])
    assert result.exit_code in (0, 1), result.output
    assert "Found" in result.output or "All checks passed" in result.output
    # cache info says why nothing is cached (it used to show an empty cache and nothing else)
    info = json.loads(runner.invoke(main, ["cache", "info", "--json"]).output)
    assert info["unusable"] == f"{blocker} is a file, not a folder"
    assert "cannot be used" in runner.invoke(main, ["cache", "info"]).output
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "new" / "cache"))  # not there yet: fine
    assert json.loads(runner.invoke(main, ["cache", "info", "--json"]).output)["unusable"] is None


def test_xdg_cache_home_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir().is_relative_to(tmp_path / "xdg")
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"


def test_reference_is_parsed_once_per_content(cache_dir: Path) -> None:
    path = str(bundled_corpus_path())
    first = Linter(reference_path=path)
    members = [e.record.code for e in first.reference_file.members()]
    assert not first.reference_file.from_cache and members
    second = Linter(reference_path=path)
    assert second.reference_file.from_cache
    assert [e.record.code for e in second.reference_file.members()] == members
    # Same peers as a reference given as records (parsed here, no cache).
    records = list(load(path))
    direct = Linter(reference=records)
    assert [e.record.code for e in direct.reference_file.members()] == members
    assert [e.desc for e in direct.reference_file.members()] == [
        e.desc for e in second.reference_file.members()
    ]


def test_cache_info_and_clean(cache_dir: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["check", "--no-progress", "--output-format", "concise"]).exit_code in (0, 1)
    info = json.loads(runner.invoke(main, ["cache", "info", "--json"]).output)
    assert info["path"] == str(cache_dir)
    assert info["kinds"]["parsed"]["entries"] >= 1 and info["kinds"]["findings"]["entries"] == 1
    text = runner.invoke(main, ["cache", "info"]).output
    assert str(cache_dir) in text and "parsed" in text
    out = runner.invoke(main, ["cache", "clean"])
    assert out.exit_code == 0 and "Removed" in out.output
    assert (
        json.loads(runner.invoke(main, ["cache", "info", "--json"]).output)["kinds"]["parsed"]["entries"] == 0
    )


def test_no_cache_reads_and_writes_nothing(cache_dir: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--no-cache", "--no-progress", "--output-format", "concise"])
    assert result.exit_code in (0, 1), result.output
    assert not cache_dir.exists()
    assert cache.enabled()  # only for that command


def test_grammar_tables_come_from_the_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the shipped tables do not fit (another grammar or Lark), the built ones are cached."""
    from hcpcs_lint import parser
    from hcpcs_lint.grammar import tables

    monkeypatch.setattr(tables, "GRAMMAR_SHA256", "not this grammar")
    text = "Injection, somatrelagene autotemcel, including administration, per treatment"
    parser._lark.cache_clear()
    try:
        built = parser._lark()
        assert len(_entries(cache_dir, "grammar")) == 1
        parser._lark.cache_clear()
        loaded = parser._lark()
        assert loaded is not built
        assert repr(loaded.parse(text)) == repr(built.parse(text))
        (entry,) = _entries(cache_dir, "grammar")
        entry.write_bytes(entry.read_bytes()[:100])  # truncated: built again, never an error
        parser._lark.cache_clear()
        assert repr(parser._lark().parse(text)) == repr(built.parse(text))
    finally:
        parser._lark.cache_clear()


def test_plain_forms_round_trip_every_field_through_marshal() -> None:
    """A draft's request record (current text quoted at its own location) and a Level I
    descriptor with stem and specific part come back equal, with the new path."""
    import marshal

    from hcpcs_lint.model import Location, Record
    from hcpcs_lint.parser import parse

    rec = Record(
        code="Q2041",
        long="Axicabtagene ciloleucel, up to 200 million car-positive t cells, per therapeutic dose",
        location=Location("old.md", line=7, column=3, offset=120),
        request="26.015",
        request_kind="revise",
        current="Axicabtagene ciloleucel, including leukapheresis, per therapeutic dose",
        current_location=Location("old.md", line=5, column=3, offset=40),
        noqa=("HL101",),
    )
    back = cache.record_from(marshal.loads(marshal.dumps(cache.record_plain(rec))), "new.md")
    assert back == Record(
        **{
            **{f: getattr(rec, f) for f in rec.__dataclass_fields__},
            "location": Location("new.md", line=7, column=3, offset=120),
            "current_location": Location("new.md", line=5, column=3, offset=40),
        }
    )
    desc = parse("Excision of lesion, trunk; with closure (list separately in addition to code)", "I")
    assert desc.stem is not None and desc.specific is not None
    assert cache.desc_from(marshal.loads(marshal.dumps(cache.desc_plain(desc)))) == desc


def test_a_deferred_entry_is_written_by_the_lint_loop_once(cache_dir: Path, tmp_path: Path) -> None:
    """``check`` only reads (defer=True): the lint loop parses and writes the entry, once."""
    rows = [
        f'X{i:04d},"Zolocabtagene autoleucel {i}, up to {100 + i} million car-positive viable t cells, '
        f'including leukapheresis, per therapeutic dose"'
        for i in range(150)
    ]
    table = tmp_path / "table.csv"
    table.write_text("code,long_description\n" + "\n".join(rows) + "\n", "utf-8")
    linter = Linter()
    path = str(table)
    prepared = linter.prepare(path, defer=True)
    assert prepared.pending is not None and prepared.unsaved and not _entries(cache_dir, "parsed")
    findings = linter.run(prepared).findings
    assert not prepared.unsaved and len(_entries(cache_dir, "parsed")) == 1
    stamp = _entries(cache_dir, "parsed")[0].stat().st_mtime_ns
    linter.run(prepared)
    assert _entries(cache_dir, "parsed")[0].stat().st_mtime_ns == stamp
    assert any(f.rule == "HL101" for f in findings)
    again = Linter().prepare(path, defer=True)
    assert again.from_cache and not again.unsaved
    assert Linter().run(again).findings == findings
