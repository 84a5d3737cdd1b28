"""End-to-end tests of the CI use (issue 5): the real CLI, run as a user runs it, on drafts and tables.

Every test starts ``python -m hcpcs_lint`` in a subprocess, in a temporary folder holding copies of the
fixture drafts in tests/data/ci (invented products, placeholder codes, CPT code numbers only). The
assertions read the tool's own machine formats (json, SARIF, JUnit) and compare them with what the
fixture files say independently: the line a product name stands on, the bytes of the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "ci"
SHAPES = "draft-shapes.md"  # four HL101 violators: table row, definition line, two prose quotes
SUPPRESSED = "draft-suppressed.md"  # three violators with an inline marker, one control
WARNINGS_ONLY = "warnings-only.md"  # HL101 silenced: one HL201 warning is all that is left
PRODUCTS = "products.csv"  # two violators and a clean gene therapy row
CLEAN_MD = "clean.md"
CLEAN_CSV = "clean.csv"
SHAPES_HL101 = {"Q20A1", "Q20B1", "JXXXX", "Q20C2"}
EXCERPT = Path("2026-01-excerpt") / "HCPC2026_JAN_ANWEB_01122026.EXCERPT.txt"

ERROR_LINE = "hcpcs-lint: error: "
GITHUB_LINE = re.compile(
    r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+(,endColumn=\d+)?,title=[^:]+::.+$"
)
CONCISE_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>HL\d{3}) \[(?P<sev>\w+)\] .+ \(code (?P<code>\w{5})\)$"
)
FINDING_KEYS = {
    "path",
    "line",
    "code",
    "rule",
    "name",
    "severity",
    "message",
    "descriptor",
    "span",
    "cpt",
    "related",
    "fix",
}
SUMMARY_KEYS = {"records", "findings", "errors", "warnings", "info"}
NEW_CART = (
    "Q20E9",
    "Sigmacabtagene autoleucel, up to 300 million autologous anti-cd19 car-positive viable t cells, "
    "including leukapheresis and dose preparation procedures, per therapeutic dose",
)


# ---------------------------------------------------------------------------------------- helpers


def run(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m hcpcs_lint ARGS`` in ``cwd``, as a user (or a CI step) runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "hcpcs_lint", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=env,
    )


# Runs that only read: the same arguments on the same files give the same answer, so a second test
# asking for it gets the first run's (keyed by every file's bytes under cwd, so nothing stale).
_READ_ONLY_RUNS: dict[tuple[object, ...], tuple[subprocess.CompletedProcess[str], dict[str, Any]]] = {}
_SIDE_EFFECTS = {"--fix", "--write-baseline", "-o", "--output-file"}
CONFIG_NAMES = ("hcpcs-lint.toml", ".hcpcs-lint.toml", "pyproject.toml")


def _tree(cwd: Path) -> tuple[tuple[str, str], ...]:
    """Every file under ``cwd``, and every configuration file above it (the nearest one applies)."""
    files = [p for p in cwd.rglob("*") if p.is_file()]
    files += [d / n for d in cwd.parents for n in CONFIG_NAMES if (d / n).is_file()]
    return tuple(sorted((str(p), sha256(p)) for p in files))


def check_json(*args: str | Path, cwd: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    key = None
    if not _SIDE_EFFECTS & {str(a) for a in args}:
        key = (tuple(map(str, args)), _tree(cwd))
        if key in _READ_ONLY_RUNS:
            return _READ_ONLY_RUNS[key]
    proc = run("check", *args, "--output-format", "json", cwd=cwd)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    result = proc, json.loads(proc.stdout)
    if key is not None:
        _READ_ONLY_RUNS[key] = result
    return result


def copy(name: str, folder: Path, as_name: str | None = None) -> Path:
    target = folder / (as_name or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DATA / name, target)
    return target


def by_rule(doc: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["rule"] == rule]


def codes_of(findings: list[dict[str, Any]]) -> set[str]:
    return {f["code"] for f in findings}


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line holding ``needle``: the fixture's own answer, not the tool's."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} on lines {hits}"
    return hits[0]


def expected_after_fix(before: str, findings: list[dict[str, Any]]) -> str:
    """``before`` with each finding's descriptor replaced by its fix: all other characters kept."""
    after = before
    for f in findings:
        assert f["fix"] is not None, f
        assert before.count(f["descriptor"]) == 1, f["descriptor"]
        after = after.replace(f["descriptor"], f["fix"]["descriptor"])
    return after


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sarif_schema(data_dir: Path) -> dict[str, Any]:
    path = data_dir.parent / "schemas" / "sarif-schema-2.1.0.json"
    if not path.is_file():
        pytest.skip(f"SARIF 2.1.0 schema not found at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------- 1. SARIF


def test_sarif_output_file_validates_against_oasis_schema(
    tmp_path: Path, sarif_schema: dict[str, Any]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    draft = copy(SHAPES, tmp_path)
    proc = run("check", SHAPES, "--output-format", "sarif", "-o", "out.sarif", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stderr  # HL101 is an error
    assert proc.stdout == ""  # -o took the report
    out = tmp_path / "out.sarif"
    assert out.is_file()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.sarif")]  # no temp file left
    log = json.loads(out.read_text(encoding="utf-8"))

    jsonschema.Draft7Validator.check_schema(sarif_schema)
    errors = sorted(jsonschema.Draft7Validator(sarif_schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert log["version"] == "2.1.0"

    run0 = log["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "HL101" in ids
    hl101 = rules[ids.index("HL101")]
    assert hl101["name"] == "level2-includes-cpt-service"
    assert hl101["shortDescription"]["text"].strip()
    assert hl101["help"]["text"].strip()
    assert hl101["defaultConfiguration"]["level"] == "error"

    results = run0["results"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    hl101_results = [r for r in results if r["ruleId"] == "HL101"]
    assert {r["properties"]["hcpcsCode"] for r in hl101_results} == SHAPES_HL101
    assert all(r["level"] == "error" for r in hl101_results)

    text = draft.read_text(encoding="utf-8")
    for r in hl101_results:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == SHAPES
        # Every HL101 descriptor of this draft stands verbatim on one line, so each result carries a fix.
        assert r.get("fixes"), f"no SARIF fix for {r['properties']['hcpcsCode']}"
        change = r["fixes"][0]["artifactChanges"][0]
        assert change["artifactLocation"]["uri"] == SHAPES
        replacement = change["replacements"][0]
        start = replacement["deletedRegion"]["charOffset"]
        old = text[start : start + replacement["deletedRegion"]["charLength"]]
        new = replacement["insertedContent"]["text"]
        assert "including leukapheresis" in old
        assert old.endswith("per therapeutic dose")
        assert "leukapheresis" not in new and new.endswith("per therapeutic dose")
        # The region's line is the line the deleted descriptor stands on.
        assert loc["region"]["startLine"] == text.count("\n", 0, start) + 1


def test_sarif_on_clean_draft_is_valid_and_empty(tmp_path: Path, sarif_schema: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    copy(CLEAN_MD, tmp_path)
    proc = run("check", CLEAN_MD, "--output-format", "sarif", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0
    log = json.loads(proc.stdout)
    assert not list(jsonschema.Draft7Validator(sarif_schema).iter_errors(log))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"]  # rules metadata even with nothing to report


# ---------------------------------------------------------------------------------------- 2. GitHub


def test_github_annotations_follow_workflow_command_syntax(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    copy(SUPPRESSED, tmp_path)
    proc = run("check", SHAPES, SUPPRESSED, "--output-format", "github", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines
    bad = [line for line in lines if not GITHUB_LINE.match(line)]
    assert not bad, bad

    _, doc = check_json(SHAPES, SUPPRESSED, cwd=tmp_path)
    assert len(lines) == len(doc["findings"])
    commands = [GITHUB_LINE.match(line).group(1) for line in lines]  # type: ignore[union-attr]
    assert commands.count("error") == doc["summary"]["errors"]
    assert commands.count("warning") == doc["summary"]["warnings"]
    # Each annotation points where the json finding points.
    annotated = {(m["file"], int(m["line"]), int(m["col"])) for m in map(_props, lines)}
    expected = {(f["path"], f["line"], f["column"]) for f in doc["findings"]}
    assert annotated == expected
    hl101 = [line for line in lines if "title=HL101 level2-includes-cpt-service::" in line]
    assert len(hl101) == len(SHAPES_HL101) + 1  # + the control of the suppressed draft
    assert all(line.startswith("::error ") for line in hl101)


def _props(line: str) -> dict[str, str]:
    head = line.split("::")[1]
    _, _, props = head.partition(" ")
    return dict(p.split("=", 1) for p in props.split(","))


# ---------------------------------------------------------------------------------------- 3. JUnit


def test_junit_xml_parses_and_counts_records_and_findings(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    copy(CLEAN_MD, tmp_path)
    proc = run("check", SHAPES, CLEAN_MD, "--output-format", "junit", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout.encode("utf-8"))
    assert root.tag == "testsuites"

    for name in (SHAPES, CLEAN_MD):
        _, doc = check_json(name, cwd=tmp_path)
        suites = [s for s in root.iter("testsuite") if s.get("name") == name]
        assert len(suites) == 1, name
        suite = suites[0]
        cases = suite.findall("testcase")
        failing_records = {(f["code"], f["line"]) for f in doc["findings"]}
        assert int(suite.get("tests", "-1")) == len(cases) == doc["summary"]["records"]
        assert int(suite.get("failures", "-1")) == len(failing_records)
        failures = [fl for case in cases for fl in case.findall("failure")]
        assert len(failures) == len(doc["findings"])
        assert sorted(fl.get("type") for fl in failures) == sorted(f["rule"] for f in doc["findings"])

    _, both = check_json(SHAPES, CLEAN_MD, cwd=tmp_path)
    assert int(root.get("tests", "-1")) == both["summary"]["records"] == 6 + 3
    assert int(root.get("failures", "-1")) == len(
        {(f["path"], f["code"], f["line"]) for f in both["findings"]}
    )
    assert int(root.get("failures", "-1")) >= len(SHAPES_HL101)
    clean_suite = next(s for s in root.iter("testsuite") if s.get("name") == CLEAN_MD)
    assert clean_suite.get("failures") == "0"


# ---------------------------------------------------------------------------------------- 4. json, json-lines, concise


def test_json_document_shape(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    proc, doc = check_json(SHAPES, cwd=tmp_path)
    assert proc.returncode == 1
    assert set(doc) >= {"summary", "findings"}
    summary = doc["summary"]
    assert set(summary) >= SUMMARY_KEYS
    assert summary["records"] == 6
    assert summary["findings"] == len(doc["findings"])
    assert summary["errors"] == len(SHAPES_HL101)
    for f in doc["findings"]:
        assert set(f) >= FINDING_KEYS, FINDING_KEYS - set(f)
        assert f["path"] == SHAPES
        assert isinstance(f["line"], int) and f["line"] > 0
        assert f["severity"] in ("error", "warning", "info")
        start, end = f["span"]
        assert 0 <= start < end <= len(f["descriptor"])
        assert isinstance(f["cpt"], list) and isinstance(f["related"], list)
        assert f["fix"] is None or (
            f["fix"]["applicability"] in ("safe", "unsafe", "display-only")
            and isinstance(f["fix"]["descriptor"], str)
        )
    hl101 = by_rule(doc, "HL101")
    assert codes_of(hl101) == SHAPES_HL101
    for f in hl101:
        assert f["name"] == "level2-includes-cpt-service"
        assert f["severity"] == "error"
        assert {"38225", "38227"} <= set(f["cpt"])
        assert "leukapheresis" in f["descriptor"][f["span"][0] : f["span"][1]]
        assert f["fix"]["applicability"] == "unsafe"
        assert "leukapheresis" not in f["fix"]["descriptor"]
    assert by_rule(doc, "HL201") == []  # one problem, one finding: HL101 carries the peers
    for f in hl101:
        peers = {r["code"] for r in f["related"]}
        assert {"J3393", "J3394"} <= peers  # clean autologous gene therapies from the bundled reference
        assert {"J33A2", "J33B2"} <= peers  # ... and from the draft itself


def test_concise_one_line_per_finding(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    proc = run("check", SHAPES, "--output-format", "concise", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    _, doc = check_json(SHAPES, cwd=tmp_path)
    matched = [m for m in map(CONCISE_LINE.match, lines) if m]
    assert len(matched) == len(doc["findings"])
    got = sorted((m["path"], int(m["line"]), int(m["col"]), m["rule"], m["sev"], m["code"]) for m in matched)
    want = sorted(
        (f["path"], f["line"], f["column"], f["rule"], f["severity"], f["code"]) for f in doc["findings"]
    )
    assert got == want
    rest = [line for line in lines if not CONCISE_LINE.match(line)]
    s = doc["summary"]
    assert rest[0] == (
        f"Found {s['findings']} findings ({s['errors']} errors, {s['warnings']} warnings, "
        f"{s['info']} info) in {s['records']} records."
    )
    assert s["errors"] == len(SHAPES_HL101) and s["records"] == 6


# ---------------------------------------------------------------------------------------- 5. exit codes


@pytest.mark.parametrize("name", [CLEAN_CSV, CLEAN_MD])
def test_exit_0_on_clean_input(tmp_path: Path, name: str) -> None:
    copy(name, tmp_path)
    proc = run("check", name, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed" in proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize("name", [SHAPES, PRODUCTS])
def test_exit_1_on_error_finding(tmp_path: Path, name: str) -> None:
    copy(name, tmp_path)
    proc = run("check", name, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "HL101" in proc.stdout


def _garbage(seed: int, size: int = 3000, low: int = 0) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(size))


# (file name, bytes or None for a directory; None name means "missing file")
BAD_INPUTS: list[tuple[str, bytes | None]] = [
    ("garbage.md", _garbage(1)),
    ("garbage.csv", _garbage(2)),
    ("garbage", _garbage(3)),
    ("high-bytes.txt", bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 200),  # neither UTF-8 nor cp1252
    ("controls.md", bytes(range(1, 32)) * 40),
    ("garbage.xlsx", _garbage(4)),
    ("truncated.xlsx", b"PK\x03\x04" + _garbage(5)),
    ("garbage.zip", b"PK\x03\x04" + _garbage(6)),
    ("ole.xls", bytes.fromhex("D0CF11E0A1B11AE1") + _garbage(7)),
    ("empty.md", b""),
    ("empty.csv", b""),
    ("blank.md", b"  \n\n\t\r\n"),
    ("no-columns.csv", b"foo,bar,baz\n1,2,3\n"),
    ("no-columns.tsv", b"alpha\tbeta\nQ2041\tsomething\n"),
    ("drafts", None),  # a folder with nothing to check in it
    ("bom-only.md", b"\xef\xbb\xbf"),
]


@pytest.mark.parametrize(("name", "content"), BAD_INPUTS, ids=[n for n, _ in BAD_INPUTS])
def test_exit_2_on_bad_input_one_error_line_no_traceback(
    tmp_path: Path, name: str, content: bytes | None
) -> None:
    if content is None:
        (tmp_path / name).mkdir()
    else:
        (tmp_path / name).write_bytes(content)
    proc = run("check", name, cwd=tmp_path)
    _assert_one_error(proc, name)


def test_exit_2_on_missing_file(tmp_path: Path) -> None:
    proc = run("check", "no-such-draft.md", cwd=tmp_path)
    _assert_one_error(proc, "no-such-draft.md")


def test_exit_2_on_missing_file_after_a_good_one(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    proc = run("check", SHAPES, "gone.csv", cwd=tmp_path)
    _assert_one_error(proc, "gone.csv")


@pytest.mark.parametrize(
    ("config_name", "text"),
    [
        ("hcpcs-lint.toml", 'selec = ["HL101"]\n'),
        ("pyproject.toml", '[project]\nname = "drafts"\n\n[tool.hcpcs-lint]\nignor = ["HL101"]\n'),
        ("hcpcs-lint.toml", 'fail-on = "fatal"\n'),
        ("hcpcs-lint.toml", "select = [\n"),  # TOML syntax error
        ("hcpcs-lint.toml", 'select = ["HL999"]\n'),  # a selector that picks no rule
    ],
    ids=["unknown-key", "pyproject-unknown-key", "bad-value", "bad-toml", "no-such-rule"],
)
def test_exit_2_on_bad_config_names_the_file(tmp_path: Path, config_name: str, text: str) -> None:
    copy(SHAPES, tmp_path)
    (tmp_path / config_name).write_text(text, encoding="utf-8")
    proc = run("check", SHAPES, cwd=tmp_path)
    line = _assert_one_error(proc, None)
    assert config_name in line, line


def test_exit_2_on_bad_baseline_file(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    proc = run("check", SHAPES, "--baseline", "b.json", cwd=tmp_path)
    _assert_one_error(proc, "b.json")


def _assert_one_error(proc: subprocess.CompletedProcess[str], path: str | None) -> str:
    no_traceback(proc)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    errors = [line for line in proc.stderr.splitlines() if line.startswith(ERROR_LINE)]
    assert len(errors) == 1, proc.stderr
    if path is not None:
        assert errors[0].startswith(ERROR_LINE + path), errors[0]
    assert proc.stdout == ""
    return errors[0]


def test_exit_zero_flag(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    proc = run("check", SHAPES, "--exit-zero", "--output-format", "concise", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0
    assert "HL101" in proc.stdout  # the findings are still reported


def test_fail_on_warning(tmp_path: Path) -> None:
    copy(WARNINGS_ONLY, tmp_path)
    _, doc = check_json(WARNINGS_ONLY, cwd=tmp_path)
    assert {f["severity"] for f in doc["findings"]} == {"warning"}
    assert run("check", WARNINGS_ONLY, cwd=tmp_path).returncode == 0  # default: fail on errors only
    proc = run("check", WARNINGS_ONLY, "--fail-on", "warning", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert run("check", WARNINGS_ONLY, "--fail-on", "warning", "--exit-zero", cwd=tmp_path).returncode == 0


def test_fail_on_from_config(tmp_path: Path) -> None:
    copy(WARNINGS_ONLY, tmp_path)
    (tmp_path / "hcpcs-lint.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert run("check", WARNINGS_ONLY, cwd=tmp_path).returncode == 1
    # The command line wins over the file.
    assert run("check", WARNINGS_ONLY, "--fail-on", "error", cwd=tmp_path).returncode == 0


# ---------------------------------------------------------------------------------------- 6. baseline


def _csv_rows(path: Path) -> tuple[str, list[str]]:
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    return header, rows


def test_baseline_round_trip_reorder_new_code_and_stale(tmp_path: Path) -> None:
    table = copy(PRODUCTS, tmp_path)
    _, before = check_json(PRODUCTS, cwd=tmp_path)
    assert codes_of(by_rule(before, "HL101")) == {"Q20E1", "Q20E3"}

    proc = run("check", PRODUCTS, "--write-baseline", "b.json", cwd=tmp_path)
    no_traceback(proc)
    baseline = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert len(baseline["entries"]) == len(before["findings"])
    assert f"Wrote {len(before['findings'])} findings" in proc.stderr

    # Same file, with the baseline: nothing new, exit 0.
    proc, doc = check_json(PRODUCTS, "--baseline", "b.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert doc["findings"] == []
    assert "no longer found" not in proc.stderr

    # Same rows reordered, plus one new violating code in the middle: exactly that one new error.
    header, rows = _csv_rows(table)
    code, text = NEW_CART
    new_row = f'{code},"{text}",new'
    reordered = tmp_path / "moved" / "reordered.csv"
    reordered.parent.mkdir()
    reordered.write_text("\n".join([header, rows[2], new_row, rows[1], rows[0]]) + "\n", encoding="utf-8")
    proc, doc = check_json(reordered, "--baseline", "b.json", cwd=tmp_path)
    assert proc.returncode == 1
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    assert [(f["code"], f["rule"]) for f in errors] == [(code, "HL101")]
    assert codes_of(doc["findings"]) == {code}  # nothing about the old, reordered rows
    assert "no longer found" not in proc.stderr

    # Only HL101 selected: exactly one finding in the json output, the new code.
    proc, doc = check_json(reordered, "--baseline", "b.json", "--select", "HL101", cwd=tmp_path)
    assert proc.returncode == 1
    assert [(f["code"], f["rule"]) for f in doc["findings"]] == [(code, "HL101")]
    assert doc["findings"][0]["line"] == 3

    # A baselined finding that disappeared (its row was removed) is reported as stale.
    trimmed = tmp_path / "trimmed.csv"
    trimmed.write_text("\n".join([header, rows[0], rows[1]]) + "\n", encoding="utf-8")
    proc, doc = check_json(trimmed, "--baseline", "b.json", cwd=tmp_path)
    assert proc.returncode == 0
    assert doc["findings"] == []
    stale = [line for line in proc.stderr.splitlines() if "no longer found" in line]
    assert any("Q20E3" in line and "HL101" in line for line in stale), proc.stderr
    assert not any("Q20E1" in line for line in stale), proc.stderr


def test_baseline_editing_the_flagged_descriptor_makes_it_new(tmp_path: Path) -> None:
    table = copy(PRODUCTS, tmp_path)
    assert run("check", PRODUCTS, "--write-baseline", "b.json", cwd=tmp_path).returncode in (0, 1)
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("Iotacabtagene", "Iotacabtagene  revised", 1), encoding="utf-8")
    proc, doc = check_json(PRODUCTS, "--baseline", "b.json", "--select", "HL101", cwd=tmp_path)
    assert proc.returncode == 1
    assert codes_of(doc["findings"]) == {"Q20E1"}
    assert any("Q20E1" in line for line in proc.stderr.splitlines() if "no longer found" in line)


# ---------------------------------------------------------------------------------------- 7. config


def test_pyproject_ignore_silences_rule_for_a_run_in_that_folder(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    configured = tmp_path / "configured"
    copy(SHAPES, plain)
    copy(SHAPES, configured)
    (configured / "pyproject.toml").write_text(
        '[project]\nname = "committee-drafts"\n\n[tool.hcpcs-lint]\nignore = ["level2-includes-cpt-service"]\n',
        encoding="utf-8",
    )
    proc, doc = check_json(SHAPES, cwd=plain)
    assert proc.returncode == 1
    assert codes_of(by_rule(doc, "HL101")) == SHAPES_HL101

    proc, doc = check_json(SHAPES, cwd=configured)
    assert by_rule(doc, "HL101") == []
    assert by_rule(doc, "HL201")  # only that rule is silenced
    assert proc.returncode == 0  # what is left are warnings


def test_pyproject_without_tool_table_is_skipped(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path / "sub")
    (tmp_path / "hcpcs-lint.toml").write_text('ignore = ["HL101"]\n', encoding="utf-8")
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    _, doc = check_json(Path("sub") / SHAPES, cwd=tmp_path)
    assert by_rule(doc, "HL101") == []  # the folder above decided


def test_hcpcs_lint_toml_select(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    (tmp_path / "hcpcs-lint.toml").write_text('select = ["HL101"]\n', encoding="utf-8")
    proc, doc = check_json(SHAPES, cwd=tmp_path)
    assert proc.returncode == 1
    assert {f["rule"] for f in doc["findings"]} == {"HL101"}
    assert codes_of(doc["findings"]) == SHAPES_HL101


def test_per_code_ignores_glob(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    (tmp_path / "hcpcs-lint.toml").write_text('[per-code-ignores]\n"Q20A*" = ["HL101"]\n', encoding="utf-8")
    _, doc = check_json(SHAPES, cwd=tmp_path)
    assert codes_of(by_rule(doc, "HL101")) == SHAPES_HL101 - {"Q20A1"}
    assert "Q20A1" in codes_of(by_rule(doc, "HL201"))  # only HL101 is ignored for that code


def test_cli_select_wins_over_config(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    (tmp_path / "hcpcs-lint.toml").write_text('select = ["HL201"]\n', encoding="utf-8")
    _, doc = check_json(SHAPES, cwd=tmp_path)
    assert {f["rule"] for f in doc["findings"]} == {"HL201"}
    _, doc = check_json(SHAPES, "--select", "HL101", cwd=tmp_path)
    assert {f["rule"] for f in doc["findings"]} == {"HL101"}


def test_explicit_config_flag(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    (tmp_path / "elsewhere.toml").write_text('ignore = ["HL1"]\n', encoding="utf-8")
    _, doc = check_json(SHAPES, "--config", "elsewhere.toml", cwd=tmp_path)
    assert by_rule(doc, "HL101") == []
    assert by_rule(doc, "HL201")


def test_config_reference_is_resolved_against_the_config_folder(tmp_path: Path) -> None:
    """Peers come from ``reference``; run from a subfolder, the path still means the config's folder."""
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "ref.csv").write_text(
        'HCPCS Code,Long Descriptor\nJ33Z9,"Injection, zetagene autotemcel, per treatment"\n',
        encoding="utf-8",
    )
    (tmp_path / "hcpcs-lint.toml").write_text('reference = "releases/ref.csv"\n', encoding="utf-8")
    drafts = tmp_path / "drafts"
    copy(WARNINGS_ONLY, drafts)
    _, doc = check_json(WARNINGS_ONLY, cwd=drafts)
    (finding,) = by_rule(doc, "HL201")
    assert [r["code"] for r in finding["related"]] == ["J33Z9"]  # not the bundled corpus's J3393...
    # --reference on the command line wins over the file.
    _, doc = check_json(WARNINGS_ONLY, "--reference", str(DATA / CLEAN_CSV), cwd=drafts)
    (finding,) = by_rule(doc, "HL201")
    assert "J33H1" in {r["code"] for r in finding["related"]}
    assert "J33Z9" not in {r["code"] for r in finding["related"]}


def test_documented_github_workflow_steps(tmp_path: Path, data_dir: Path) -> None:
    """docs/ci.md: baseline, SARIF step with --exit-zero, then the gating annotations step."""
    release = data_dir / EXCERPT
    if not release.is_file():
        pytest.skip(f"{release} not found")
    repo = tmp_path / "committee"
    (repo / "releases").mkdir(parents=True)
    shutil.copyfile(release, repo / "releases" / release.name)
    draft = copy(PRODUCTS, repo / "drafts")
    ref = ["--reference", f"releases/{release.name}"]
    base = ".hcpcs-lint-baseline.json"
    target = "drafts/" + PRODUCTS

    proc = run("check", target, *ref, "--write-baseline", base, cwd=repo)
    no_traceback(proc)
    assert (repo / base).is_file()

    code, text = NEW_CART
    draft.write_text(draft.read_text(encoding="utf-8") + f'{code},"{text}",new\n', encoding="utf-8")
    sarif = run(
        "check",
        target,
        *ref,
        "--baseline",
        base,
        "--output-format",
        "sarif",
        "-o",
        "hcpcs-lint.sarif",
        "--exit-zero",
        cwd=repo,
    )
    no_traceback(sarif)
    assert sarif.returncode == 0 and sarif.stdout == ""
    results = json.loads((repo / "hcpcs-lint.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert {r["properties"]["hcpcsCode"] for r in results} == {code}
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == target for r in results)
    related = {p["code"] for r in results for p in r["properties"]["related"]}
    assert {"J3387", "J3393", "J3394"} <= related  # peers from the Jan 2026 release

    gate = run("check", target, *ref, "--baseline", base, "--output-format", "github", cwd=repo)
    no_traceback(gate)
    assert gate.returncode == 1
    errors = [line for line in gate.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and f"file={target},line=5," in errors[0]


# ---------------------------------------------------------------------------------------- 8. Markdown lines, suppression


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_markdown_finding_line_is_where_the_descriptor_stands(tmp_path: Path, newline: str) -> None:
    text = (DATA / SHAPES).read_text(encoding="utf-8")
    (tmp_path / SHAPES).write_bytes(text.replace("\n", newline).encode("utf-8"))
    _, doc = check_json(SHAPES, cwd=tmp_path)
    lines = text.splitlines()
    hl101 = by_rule(doc, "HL101")
    assert codes_of(hl101) == SHAPES_HL101
    for f in hl101:
        product = f["descriptor"].split()[0]  # invented names, one line each in the fixture
        assert f["line"] == line_of(text, product), f
        source = lines[f["line"] - 1]
        start, end = f["span"]
        assert source[f["column"] - 1 : f["end_column"] - 1] == f["descriptor"][start:end]
    # The CMS-prose recommendation names its code on one line and quotes the text on the next:
    # the finding stands on the descriptor's line, not the code's.
    q20c2 = next(f for f in hl101 if f["code"] == "Q20C2")
    assert "Q20C2" not in lines[q20c2["line"] - 1]
    assert "Q20C2" in lines[q20c2["line"] - 2]
    assert lines[q20c2["line"] - 1].startswith("“")  # curly quotes


def test_inline_markers_silence_hl101_above_and_at_end_of_line(tmp_path: Path) -> None:
    draft = copy(SUPPRESSED, tmp_path)
    _, doc = check_json(SUPPRESSED, cwd=tmp_path)
    assert codes_of(by_rule(doc, "HL101")) == {"Q20D4"}  # the control, without a marker
    # A marker names its rule: the peer-class warning shows instead for the marked codes.
    assert codes_of(by_rule(doc, "HL201")) == {"Q20D1", "Q20D2", "Q20D3"}

    text = draft.read_text(encoding="utf-8")
    marker = "<!-- hcpcs-lint: ignore HL101 -->"
    assert text.count(marker) == 3
    draft.write_text(text.replace(marker, "<!-- a plain comment -->"), encoding="utf-8")
    _, doc = check_json(SUPPRESSED, cwd=tmp_path)
    assert codes_of(by_rule(doc, "HL101")) == {"Q20D1", "Q20D2", "Q20D3", "Q20D4"}


def test_bundled_example_draft(tmp_path: Path) -> None:
    """The example draft shipped in corpora/drafts: one HL101 error, the marked table row silenced."""
    shutil.copyfile(
        Path(__file__).resolve().parents[2] / "corpora" / "drafts" / "car-t-coding-recommendation.md",
        tmp_path / "rec.md",
    )
    proc, doc = check_json("rec.md", cwd=tmp_path)
    assert proc.returncode == 1
    hl101 = by_rule(doc, "HL101")
    assert [f["code"] for f in hl101] == ["Q20XX"]
    text = (tmp_path / "rec.md").read_text(encoding="utf-8")
    assert hl101[0]["line"] == line_of(text, "Zevocabtagene")
    assert "Q20X3" not in codes_of(hl101)


# ---------------------------------------------------------------------------------------- 9. fixes


def test_fix_rewrites_draft_descriptors_in_place_and_nothing_else(tmp_path: Path) -> None:
    """The command end to end; every encoding and line ending is tested on the library
    (tests/test_writeback.py: test_fixing_a_draft_changes_only_its_descriptors)."""
    draft = copy(SHAPES, tmp_path)
    text = draft.read_text(encoding="utf-8")
    _, doc = check_json(SHAPES, cwd=tmp_path)
    hl101 = by_rule(doc, "HL101")
    assert codes_of(hl101) == SHAPES_HL101
    expected = expected_after_fix(text, hl101)

    proc = run("check", SHAPES, "--fix", "--unsafe-fixes", "--output-format", "concise", cwd=tmp_path)
    no_traceback(proc)
    assert draft.read_bytes() == expected.encode("utf-8")
    assert "Fixed 4 descriptors." in proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr

    proc, doc = check_json(SHAPES, cwd=tmp_path)
    assert by_rule(doc, "HL101") == []
    assert proc.returncode == 0


def test_fix_rewrites_csv_descriptor_fields_only(tmp_path: Path) -> None:
    """End to end on a cp1252 table; CRLF and LF are tested on the library (tests/test_writeback.py)."""
    text = (DATA / PRODUCTS).read_text(encoding="utf-8").replace(",revised", ",révisé")
    table = tmp_path / PRODUCTS
    table.write_bytes(text.encode("cp1252"))
    _, doc = check_json(PRODUCTS, cwd=tmp_path)
    hl101 = by_rule(doc, "HL101")
    assert codes_of(hl101) == {"Q20E1", "Q20E3"}
    expected = expected_after_fix(text, hl101)

    proc = run("check", PRODUCTS, "--fix", "--unsafe-fixes", cwd=tmp_path)
    no_traceback(proc)
    assert table.read_bytes() == expected.encode("cp1252")
    assert proc.returncode == 0
    proc, doc = check_json(PRODUCTS, cwd=tmp_path)
    assert by_rule(doc, "HL101") == []


@pytest.mark.parametrize("name", [SHAPES, PRODUCTS])
def test_fix_without_unsafe_fixes_leaves_file_unchanged(tmp_path: Path, name: str) -> None:
    path = copy(name, tmp_path)
    before = path.read_bytes()
    proc = run("check", name, "--fix", "--output-format", "json", cwd=tmp_path)
    no_traceback(proc)
    assert path.read_bytes() == before
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert by_rule(doc, "HL101")
    assert all(f["fix"]["applicability"] == "unsafe" for f in by_rule(doc, "HL101"))
    assert doc["summary"]["fixed"] == 0


def test_fix_applies_safe_fixes_without_unsafe_flag(tmp_path: Path) -> None:
    """The counterpart of the test above: a safe fix (doubled space) is applied by --fix alone."""
    table = tmp_path / "spaces.csv"
    table.write_bytes(
        b'HCPCS Code,Long Descriptor\r\nJ33H9,"Injection,  rhogene autotemcel, per treatment"\r\n'
    )
    proc = run("check", "spaces.csv", "--fix", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0
    assert table.read_bytes() == (
        b'HCPCS Code,Long Descriptor\r\nJ33H9,"Injection, rhogene autotemcel, per treatment"\r\n'
    )


def test_fix_never_rewrites_the_real_cms_release(tmp_path: Path, data_dir: Path) -> None:
    release = data_dir / EXCERPT
    if not release.is_file():
        pytest.skip(f"{release} not found")
    digest, mtime = sha256(release), release.stat().st_mtime_ns
    proc = run("check", release, "--fix", "--unsafe-fixes", "--output-format", "concise", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode in (0, 1)
    assert "never rewritten" in proc.stderr and "--diff" in proc.stderr
    assert sha256(release) == digest
    assert release.stat().st_mtime_ns == mtime


def test_fix_never_rewrites_a_writable_cms_release(tmp_path: Path, data_dir: Path) -> None:
    """The real file is read-only, which would hide an attempt to write it; a writable copy does not."""
    release = data_dir / EXCERPT
    if not release.is_file():
        pytest.skip(f"{release} not found")
    local = tmp_path / release.name
    shutil.copyfile(release, local)
    local.chmod(0o644)
    before = local.read_bytes()
    proc = run("check", local.name, "--fix", "--unsafe-fixes", cwd=tmp_path)
    no_traceback(proc)
    assert "never rewritten" in proc.stderr
    assert local.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [local.name]  # no temp file left behind


@pytest.mark.parametrize("source", ["release", "wrapped-draft"])
def test_fix_that_writes_nothing_still_reports_the_errors(
    tmp_path: Path, data_dir: Path, source: str
) -> None:
    if source == "release":
        target = tmp_path / EXCERPT.name
        shutil.copyfile(data_dir / EXCERPT, target)
    else:
        target = tmp_path / "wrapped.md"
        target.write_text(
            "# Draft\n\nThe committee recommends code Q20J1 “Tauacabtagene autoleucel, up to 100 million\n"
            "autologous car-positive viable t cells, including leukapheresis and dose preparation procedures, "
            "per therapeutic dose”.\n",
            encoding="utf-8",
        )
    _, plain = check_json(target.name, "--select", "HL101", cwd=tmp_path)
    assert plain["summary"]["errors"] > 0
    before = target.read_bytes()
    proc, fixed = check_json(target.name, "--select", "HL101", "--fix", "--unsafe-fixes", cwd=tmp_path)
    if source == "wrapped-draft":
        # Since drafts splice a fix into a quote wrapped over lines (splice.wrapped_edits), the
        # wrapped draft is revised in place, its line break kept, and its error is gone.
        after = target.read_text("utf-8")
        assert "leukapheresis" not in after and "100 million\nautologous" in after
        assert fixed["summary"]["errors"] == 0
        return
    assert target.read_bytes() == before  # nothing was written ...
    assert fixed["summary"]["errors"] == plain["summary"]["errors"]  # ... so nothing was fixed
    assert proc.returncode == 1


def test_diff_prints_unified_diff_and_changes_nothing(tmp_path: Path) -> None:
    draft = copy(SHAPES, tmp_path)
    before, mtime = draft.read_bytes(), draft.stat().st_mtime_ns
    proc = run("check", SHAPES, "--diff", "--unsafe-fixes", cwd=tmp_path)
    no_traceback(proc)
    assert draft.read_bytes() == before and draft.stat().st_mtime_ns == mtime
    out = proc.stdout.splitlines()
    # A patch of the file's own lines: a/ and b/ prefixes, hunks at the lines that change.
    assert out[:2] == [f"--- a/{SHAPES}", f"+++ b/{SHAPES}"]
    hunks = [line for line in out if line.startswith("@@")]
    assert hunks and all(re.match(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@$", h) for h in hunks), hunks
    removed = [line for line in out if line.startswith("-") and not line.startswith("---")]
    added = [line for line in out if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 4
    assert all("including leukapheresis" in line for line in removed)
    assert not any("leukapheresis" in line for line in added)
    text = before.decode("utf-8")
    for product in ("Alphacabtagene", "Deltacabtagene"):
        (old,) = [line for line in removed if product in line]
        assert old[1:] == text.splitlines()[line_of(text, product) - 1]
    assert "Would fix 4 descriptors." in proc.stderr
    assert proc.returncode == 1

    # Without --unsafe-fixes there is nothing to show (HL101's fix is unsafe), and still no change.
    proc = run("check", SHAPES, "--diff", cwd=tmp_path)
    assert proc.stdout == ""
    assert draft.read_bytes() == before


# ---------------------------------------------------------------------------------------- 10. statistics


def test_statistics_counts_per_rule(tmp_path: Path) -> None:
    copy(SHAPES, tmp_path)
    copy(SUPPRESSED, tmp_path)
    proc = run("check", SHAPES, SUPPRESSED, "--statistics", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    _, doc = check_json(SHAPES, SUPPRESSED, cwd=tmp_path)
    pattern = re.compile(r"^\s*(\d+)\s+(HL\d{3})\s+(\[\*\])?\s*([a-z0-9-]+)$")
    rows = [pattern.match(line) for line in proc.stdout.splitlines() if line.strip()]
    assert all(rows), proc.stdout
    counts = {m[2]: int(m[1]) for m in rows}  # type: ignore[index]
    assert counts == doc["summary"]["by_rule"]
    assert counts["HL101"] == 5 and counts["HL201"] == 3  # HL201 only where HL101 is silenced
    names = {m[2]: (m[4], bool(m[3])) for m in rows}  # type: ignore[index]
    assert names["HL101"] == ("level2-includes-cpt-service", True)  # has a fix
    assert names["HL201"] == ("peer-class-inconsistency", False)
    assert SHAPES not in proc.stdout  # counts instead of the findings


def test_a_folder_is_checked_file_by_file(tmp_path: Path) -> None:
    """As ruff: `check drafts/` lints every draft and table in the folder (docs/ci.md relies on it)."""
    folder = tmp_path / "drafts"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    copy(SHAPES, folder / "sub")
    (folder / ".hidden" / "skip.md").write_text(
        "Q20Z1: Zcabtagene autoleucel, including leukapheresis\n", "utf-8"
    )
    (folder / "notes.json").write_text("{}", "utf-8")
    proc, report = check_json("drafts", "--select", "HL101", cwd=tmp_path)
    assert proc.returncode == 1
    paths = {f["path"] for f in report["findings"]}
    assert paths == {str(Path("drafts") / "sub" / Path(SHAPES).name)}
