"""Reporters: each format renders the same findings faithfully and stays machine-readable."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hcpcs_lint.model import Finding, Fix, Location, Record, Related
from hcpcs_lint.report import FORMATS, Report, RuleInfo, jsonfmt, position, render, sarif
from hcpcs_lint.report import full as full_fmt
from hcpcs_lint.report import github as github_fmt
from hcpcs_lint.report.diff import unified_diff, word_diff
from tests.helpers import Q2041, Q2041_FIXED

SARIF_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "data" / "schemas" / "sarif-schema-2.1.0.json"

# Real descriptors (CMS HCPCS Jan 2026, see ../shared/data/README.md).
SPAN_TEXT = "including leukapheresis and dose preparation procedures"
J3393 = "Injection, betibeglogene autotemcel, per treatment"
J3394 = "Injection, lovotibeglogene autotemcel, per treatment"

DRAFT = "drafts/cart.csv"
ANWEB = "data/HCPC2026_JAN_ANWEB.txt"

HL101 = RuleInfo(
    code="HL101",
    name="level2-includes-cpt-service",
    group="cpt-jurisdiction",
    severity="error",
    summary="Flags Level II product codes whose descriptor includes a service in CPT jurisdiction.",
    rationale="HCPCS Level II covers items *not* in the CPT code set jurisdiction "
    "(HCPCS Level II Coding Procedures).",
    fix_safety="Unsafe: removing an inclusion changes what the code pays for.",
    help_uri="https://example.org/rules/HL101",
)
HL201 = RuleInfo(
    code="HL201",
    name="product-peer-inconsistent",
    group="consistency",
    severity="warning",
    summary="Flags descriptors worded unlike their peers.",
    rationale="Peers of one class should read alike.",
    fix_safety="No fix.",
)
HL301 = RuleInfo(
    code="HL301",
    name="short-descriptor-truncated",
    group="style",
    severity="info",
    summary="Notes short descriptors cut mid-word.",
    rationale="",
    fix_safety="",
)
RULES = {r.code: r for r in (HL101, HL201, HL301)}


def q2041_record(location: Location | None = None) -> Record:
    return Record("Q2041", Q2041, location or Location(DRAFT, line=3, column=7, offset=120))


def hl101(record: Record | None = None, fix: Fix | None = None) -> Finding:
    record = record or q2041_record()
    start = Q2041.index(SPAN_TEXT)
    return Finding(
        rule="HL101",
        name="level2-includes-cpt-service",
        group="cpt-jurisdiction",
        severity="error",
        message="Product code includes CPT-covered services: leukapheresis, dose preparation",
        record=record,
        span=(start, start + len(SPAN_TEXT)),
        cpt=("38225", "38226", "38227"),
        related=(
            Related("J3393", J3393, "clean peer: product only"),
            Related("J3394", J3394, "clean peer: product only"),
        ),
        fix=fix or Fix("unsafe", Q2041_FIXED, "Remove the CPT-covered services"),
    )


J3393_REC = Record("J3393", J3393, Location(DRAFT, line=4, column=7, offset=400))
J3394_REC = Record("J3394", J3394, Location(ANWEB, line=12, column=12))  # fixed width: no offset


def warning() -> Finding:
    return Finding(
        rule="HL201",
        name="product-peer-inconsistent",
        group="consistency",
        severity="warning",
        message='Peers say "per treatment", this says "per therapeutic dose"',
        record=J3394_REC,
        span=(J3394.index("per treatment"), len(J3394)),
    )


def info() -> Finding:
    return Finding(
        rule="HL301",
        name="short-descriptor-truncated",
        group="style",
        severity="info",
        message="Short descriptor cut mid-word",
        record=J3393_REC,
        span=(0, 0),
        fix=Fix("display-only", J3393, "Shorten by words"),
    )


def report(
    *findings: Finding, records_by_file: dict[str, list[Record]] | None = None, **kw: object
) -> Report:
    if records_by_file is None:
        records_by_file = {DRAFT: [q2041_record(), J3393_REC], ANWEB: [J3394_REC]}
    return Report(
        findings=list(findings),
        records=3,
        files=[DRAFT, ANWEB],
        rules=RULES,
        records_by_file=records_by_file,
        **kw,  # type: ignore[arg-type]
    )


ALL = report(hl101(), warning(), info())
CLEAN = report()


# --- render / shared -------------------------------------------------------------------------------


def test_render_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", ALL)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_clean_and_dirty_reports(fmt: str) -> None:
    dirty, clean = render(fmt, ALL), render(fmt, CLEAN)
    assert dirty != clean
    assert "Q2041" in dirty
    assert "Q2041" not in clean or fmt == "junit"  # junit lists passing records too


def test_position_maps_span_into_file_only_when_verbatim() -> None:
    f = hl101()
    pos = position(f)
    assert (pos.line, pos.column, pos.exact) == (3, 7 + f.span[0], True)
    assert pos.end_column == 7 + f.span[1]
    # Fixed-width records wrap over continuation lines: report where the descriptor starts, no range.
    anweb = position(hl101(record=q2041_record(Location(ANWEB, line=9, column=12))))
    assert (anweb.line, anweb.column, anweb.end_column, anweb.exact) == (9, 12, None, False)
    assert position(hl101(record=q2041_record(Location("x.xlsx")))).line is None


def test_position_follows_newlines_inside_a_verbatim_descriptor() -> None:
    text = "Injection, foo,\nincluding bar"
    record = Record("J9999", text, Location(DRAFT, line=5, column=3, offset=50))
    f = Finding("HL101", "n", "g", "error", "m", record, (text.index("bar"), len(text)))
    pos = position(f)
    assert (pos.line, pos.column, pos.end_line, pos.end_column) == (6, 11, 6, 14)


# --- concise ---------------------------------------------------------------------------------------

CONCISE_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>HL\d{3}) \[(?P<sev>\w+)\] "
    r".+ \(code (?P<code>[A-Z]\d{4})\)$"
)


def test_concise_lines_sorted_with_summary() -> None:
    lines = render("concise", report(warning(), info(), hl101())).splitlines()
    assert len(lines) == 5  # three findings, the totals, the fixes line
    parsed = [CONCISE_LINE.match(line) for line in lines[:3]]
    assert all(parsed), lines
    keys = [(m["path"], int(m["line"])) for m in parsed if m]
    assert keys == sorted(keys)
    first = lines[1]
    assert first == (
        f"{DRAFT}:3:{7 + Q2041.index(SPAN_TEXT)}: HL101 [error] "
        "Product code includes CPT-covered services: leukapheresis, dose preparation (code Q2041)"
    )
    assert lines[3:] == [
        "Found 3 findings (1 error, 1 warning, 1 info) in 3 records.",
        "Fixes available: 0 safe, 1 unsafe.",
    ]
    assert render("concise", CLEAN) == "All checks passed (3 records).\n"


def test_concise_keeps_one_line_per_finding() -> None:
    f = Finding("HL101", "n", "g", "warning", "two\nlines", J3393_REC, (0, 1))
    out = render("concise", report(f))
    assert out.splitlines()[0].endswith("two lines (code J3393)")
    assert "Found 1 finding (0 errors, 1 warning, 0 info)" in out


# --- full ------------------------------------------------------------------------------------------


def _caret_marked(out: str) -> str:
    """The characters standing above caret lines, joined: what the reader sees marked."""
    lines = out.splitlines()
    marked = []
    for above, line in itertools.pairwise(lines):
        body = line.split("| ", 1)[-1] if "| " in line else ""
        if "^" in body and set(body.strip()) == {"^"}:
            text = above.split("| ", 1)[1]
            start = body.index("^")
            marked.append(text[start : start + body.count("^")])
    return " ".join(marked)


def test_full_no_colour_marks_span_with_carets_and_shows_fix() -> None:
    out = render("full", report(hl101()), color=False, width=80)
    assert "\x1b[" not in out
    assert (
        out.splitlines()[0]
        == f"{DRAFT}:3:{7 + Q2041.index(SPAN_TEXT)} HL101 level2-includes-cpt-service [error]"
    )
    # The span wraps over two lines at width 80: the carets under both pieces spell it exactly.
    assert _caret_marked(out) == SPAN_TEXT
    assert all(len(line) <= 80 for line in out.splitlines())
    flat = " ".join(out.split())
    assert "= CPT: 38225, 38226, 38227" in flat
    assert "J3393 Injection, betibeglogene autotemcel" in flat and "J3394" in flat
    assert "= fix (unsafe): Remove the CPT-covered services" in flat
    assert f"[-{SPAN_TEXT}, -]per therapeutic dose" in flat
    assert f"new: {Q2041_FIXED}" in flat
    assert "= help: https://example.org/rules/HL101" in flat
    assert out.rstrip().endswith("Fixes available: 0 safe, 1 unsafe.")
    assert not any(line != line.rstrip() for line in out.splitlines()), "no trailing padding"


def test_full_colour_uses_styles_not_carets() -> None:
    out = render("full", report(hl101()), color=True, width=100)
    assert "\x1b[" in out
    assert _caret_marked(out) == ""
    assert "[-" not in out  # the word diff is coloured, not bracketed


def test_full_show_source_off_and_empty_span() -> None:
    out = render("full", report(hl101()), show_source=False)
    assert "Q2041 |" not in out and "^" not in out
    # An empty span (where words are missing) still gets one caret, at its place.
    out = render("full", report(info()))
    lines = out.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip().endswith("| ^"))
    assert lines[caret - 1].endswith(f"| {J3393}")
    assert lines[caret].index("^") == lines[caret - 1].index("Injection")


@pytest.mark.parametrize("width", [40, 100])
def test_full_without_colour_writes_what_rich_writes(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain console (no colour) is a shortcut: its output is rich's, byte for byte, with
    non-Latin text, a tab, a long unbroken word and summary lines longer than the width."""
    odd = Record(
        "Q9999",
        "Injection,\tnaïve – 注射 product " + "x" * 150 + ", including leukapheresis, per 1 mg",
        Location(DRAFT, line=9, column=7, offset=900),
    )
    findings = [hl101(), warning(), info(), hl101(odd), warning()]
    many = report(*findings)
    for rep in (ALL, many, CLEAN):
        plain = full_fmt.render(rep, color=False, width=width)
        monkeypatch.setattr(
            full_fmt,
            "make_console",
            lambda buf, *, color, width: full_fmt.make_rich_console(buf, color=color, width=width),
        )
        assert full_fmt.render(rep, color=False, width=width) == plain
        monkeypatch.undo()


def test_wrap_offsets_cover_text_and_fit() -> None:
    pieces = full_fmt.wrap_offsets(Q2041, 30)
    assert all(b - a <= 30 for a, b in pieces)
    assert " ".join(Q2041[a:b] for a, b in pieces) == Q2041  # only the spaces at breaks are dropped
    long_word = "x" * 70
    assert full_fmt.wrap_offsets(long_word, 30) == [(0, 30), (30, 60), (60, 70)]  # a word too long is cut
    assert full_fmt.wrap_offsets("", 30) == [(0, 0)]


# --- json / json-lines -----------------------------------------------------------------------------

FINDING_KEYS = [
    "path",
    "member",
    "line",
    "column",
    "end_column",
    "code",
    "rule",
    "name",
    "group",
    "severity",
    "message",
    "descriptor",
    "span",
    "cpt",
    "services",
    "related",
    "fix",
    "page",
    "request",
    "request_kind",
    "change",
    "explain",
]


def test_json_document_round_trips_with_every_key() -> None:
    out = render("json", report(warning(), info(), hl101()))
    doc = json.loads(out)
    assert doc == jsonfmt.document(report(warning(), info(), hl101()))
    assert list(doc) == ["summary", "findings", "resolved"]
    assert doc["resolved"] == []
    assert doc["summary"] == {
        "records": 3,
        "findings": 3,
        "errors": 1,
        "warnings": 1,
        "info": 1,
        "files": 2,
        "fixable": 0,
        "unsafe_fixable": 1,
        "fixed": 0,
        "by_rule": {"HL101": 1, "HL201": 1, "HL301": 1},
    }
    assert all(list(f) == FINDING_KEYS for f in doc["findings"])
    keys = [(f["path"], f["line"], f["rule"]) for f in doc["findings"]]
    assert keys == sorted(keys)
    q = next(f for f in doc["findings"] if f["code"] == "Q2041")
    assert q["rule"] == "HL101" and q["name"] == "level2-includes-cpt-service"
    assert q["descriptor"][q["span"][0] : q["span"][1]] == SPAN_TEXT
    assert q["cpt"] == ["38225", "38226", "38227"]
    assert q["related"][0] == {"code": "J3393", "descriptor": J3393, "note": "clean peer: product only"}
    assert q["fix"] == {
        "applicability": "unsafe",
        "descriptor": Q2041_FIXED,
        "message": "Remove the CPT-covered services",
    }
    assert next(f for f in doc["findings"] if f["code"] == "J3394")["fix"] is None
    assert render("json", report(hl101())) == render("json", report(hl101())), "stable output"


def test_json_lines_one_object_per_finding() -> None:
    out = render("json-lines", ALL)
    assert out.endswith("\n")
    objects = [json.loads(line) for line in out.splitlines()]
    assert objects == json.loads(render("json", ALL))["findings"]
    assert render("json-lines", CLEAN) == ""


# --- sarif -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> object:
    jsonschema = pytest.importorskip("jsonschema")
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"OASIS SARIF schema not found at {SARIF_SCHEMA} (shared test data not present)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def _errors(validator: object, log: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]  # type: ignore[attr-defined]


def test_sarif_validates_against_oasis_schema(sarif_validator: object) -> None:
    log = json.loads(render("sarif", ALL))
    assert _errors(sarif_validator, log) == []
    assert _errors(sarif_validator, json.loads(render("sarif", CLEAN))) == []
    broken = json.loads(render("sarif", ALL))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert _errors(sarif_validator, broken), "the validator really checks"


def test_sarif_content() -> None:
    log = json.loads(render("sarif", ALL))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "hcpcs-lint" and driver["version"] == "0.1.0"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["HL101", "HL201", "HL301"]
    assert rules[0]["properties"]["tags"] == ["cpt-jurisdiction"]
    assert rules[0]["helpUri"] == "https://example.org/rules/HL101"
    assert "## Why it matters" in rules[0]["help"]["markdown"]
    assert [r["defaultConfiguration"]["level"] for r in rules] == ["error", "warning", "note"]
    results = {r["properties"]["hcpcsCode"]: r for r in run["results"]}
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    q = results["Q2041"]
    region = q["locations"][0]["physicalLocation"]["region"]
    start = Q2041.index(SPAN_TEXT)
    assert region == {"startLine": 3, "startColumn": 7 + start, "endColumn": 7 + start + len(SPAN_TEXT)}
    assert q["properties"]["cpt"] == ["38225", "38226", "38227"]
    assert [r["code"] for r in q["properties"]["related"]] == ["J3393", "J3394"]
    replacement = q["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement == {
        "deletedRegion": {"charOffset": 120, "charLength": len(Q2041)},
        "insertedContent": {"text": Q2041_FIXED},
    }
    # No offset (fixed width): no fix to splice, a start line and column only.
    j = results["J3394"]
    assert "fixes" not in j and j["level"] == "warning"
    assert j["locations"][0]["physicalLocation"]["region"] == {"startLine": 12, "startColumn": 12}
    # Display-only fixes are never offered as applicable.
    assert "fixes" not in results["J3393"] and results["J3393"]["properties"]["fix"]["applicability"] == (
        "display-only"
    )
    assert results["J3393"]["level"] == "note"


def test_sarif_start_line_and_uri_when_location_is_thin(sarif_validator: object) -> None:
    record = Record("Q2041", Q2041, Location("/abs/dir with space/HCPC.xlsx"))
    log = json.loads(render("sarif", report(hl101(record=record))))
    assert _errors(sarif_validator, log) == []
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 1}
    assert " " not in location["artifactLocation"]["uri"]
    assert not location["artifactLocation"]["uri"].startswith("/")


def test_sarif_lists_rules_the_engine_forgot(sarif_validator: object) -> None:
    stray = Finding("HL999", "stray-rule", "misc", "warning", "m", J3393_REC, (0, 4))
    log = json.loads(render("sarif", report(stray)))
    assert _errors(sarif_validator, log) == []
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    result = log["runs"][0]["results"][0]
    assert rules[result["ruleIndex"]]["id"] == "HL999"


def test_sarif_fingerprint_is_stable_and_discriminating() -> None:
    base = sarif.fingerprint(hl101())
    moved = hl101(record=Record("Q2041", "  " + Q2041.upper() + " ", Location(DRAFT, line=99)))
    assert sarif.fingerprint(moved) == base
    other_rule = Finding("HL201", "n", "g", "error", "m", q2041_record(), (0, 1))
    assert sarif.fingerprint(other_rule) != base
    assert sarif.fingerprint(hl101(record=Record("Q2042", Q2041, Location(DRAFT)))) != base


# --- github ----------------------------------------------------------------------------------------

GITHUB_LINE = re.compile(
    r"^::(?P<cmd>error|warning|notice) "
    r"(?P<props>file=[^,:]+(,line=\d+)?(,col=\d+)?(,endColumn=\d+)?,title=[^,:]+)"
    r"::(?P<data>[^\r\n]*)$"
)


def test_github_workflow_command_syntax() -> None:
    lines = render("github", ALL).splitlines()
    assert len(lines) == 3
    matches = [GITHUB_LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [m["cmd"] for m in matches if m] == ["warning", "error", "notice"]  # sorted by path, line
    start = Q2041.index(SPAN_TEXT)
    assert lines[1] == (
        f"::error file={DRAFT},line=3,col={7 + start},endColumn={7 + start + len(SPAN_TEXT)},"
        "title=HL101 level2-includes-cpt-service"
        "::Product code includes CPT-covered services: leukapheresis, dose preparation (code Q2041)"
    )
    assert render("github", CLEAN) == ""


def test_github_escaping() -> None:
    assert github_fmt.escape_data("100%\r\nnext: a, b") == "100%25%0D%0Anext: a, b"
    assert github_fmt.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    record = Record("J3393", J3393, Location("dir,1/a:b.csv", line=2))
    f = Finding("HL101", "n", "g", "error", "50% of\nit", record, (0, 1))
    line = render("github", report(f)).rstrip("\n")
    assert line == "::error file=dir%2C1/a%3Ab.csv,line=2,title=HL101 n::50%25 of%0Ait (code J3393)"
    assert GITHUB_LINE.match(line)


# --- junit -----------------------------------------------------------------------------------------


def _junit(rep: Report) -> ET.Element:
    return ET.fromstring(render("junit", rep))


def test_junit_one_testcase_per_record() -> None:
    second = Finding("HL201", "n", "consistency", "warning", "second finding", q2041_record(), (0, 5))
    root = _junit(report(hl101(), second, warning()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("3", "2")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    draft = suites[DRAFT]
    assert (draft.get("tests"), draft.get("failures")) == ("2", "1")  # Q2041 fails twice, J3393 passes
    cases = {c.get("name"): c for c in draft.iter("testcase")}
    assert set(cases) == {"Q2041", "J3393"}
    assert cases["Q2041"].get("classname") == DRAFT
    failures = cases["Q2041"].findall("failure")
    assert [f.get("type") for f in failures] == ["HL201", "HL101"]  # in column order
    assert failures[1].get("message", "").startswith("Product code includes CPT-covered services")
    assert Q2041_FIXED in (failures[1].text or "")
    assert "CPT: 38225, 38226, 38227" in (failures[1].text or "")
    assert cases["J3393"].find("failure") is None
    assert (suites[ANWEB].get("tests"), suites[ANWEB].get("failures")) == ("1", "1")


def test_junit_falls_back_to_one_testcase_per_finding() -> None:
    root = _junit(report(hl101(), warning(), records_by_file={}))
    assert (root.get("tests"), root.get("failures")) == ("2", "2")
    assert sorted(c.get("name") or "" for c in root.iter("testcase")) == ["J3394", "Q2041"]
    clean = _junit(report(records_by_file={}))
    assert (clean.get("tests"), clean.get("failures")) == ("2", "0")  # each checked file shows as passing


def test_junit_survives_control_characters() -> None:
    record = Record("J3393", "Injection,\x0c bad byte", Location(DRAFT, line=1))
    f = Finding("HL101", "n", "g", "error", "bell \x07", record, (0, 3))
    root = _junit(report(f, records_by_file={DRAFT: [record]}))
    assert root.find(".//failure") is not None
    assert "\x07" not in (root.find(".//failure").get("message") or "")  # type: ignore[union-attr]


# --- diff ------------------------------------------------------------------------------------------

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ (.*)$")


def _apply(old: list[str], patch: str) -> list[str]:
    """Apply a unified diff to a list of lines, checking every context and deleted line."""
    lines = patch.splitlines()
    assert lines[0].startswith("--- ") and lines[1].startswith("+++ ")
    out: list[str] = []
    cursor = 0
    i = 2
    while i < len(lines):
        m = HUNK.match(lines[i])
        assert m, lines[i]
        o_start, o_len = int(m[1]), int(m[2] or 1)
        n_start, n_len = int(m[3]), int(m[4] or 1)
        begin = o_start - 1 if o_len else o_start
        out.extend(old[cursor:begin])
        assert len(out) + 1 == n_start or (n_len == 0 and len(out) == n_start), "new-side line numbers"
        cursor = begin
        i += 1
        seen_old = seen_new = 0
        while i < len(lines) and not lines[i].startswith("@@"):
            tag, text = lines[i][0], lines[i][1:]
            if tag in " -":
                assert old[cursor] == text
                cursor += 1
                seen_old += 1
            if tag in " +":
                out.append(text)
                seen_new += 1
            i += 1
        assert (seen_old, seen_new) == (o_len, n_len)
    return out + old[cursor:]


def test_unified_diff_one_hunk_per_record() -> None:
    q = q2041_record()
    j = J3393_REC
    patch = unified_diff(DRAFT, [(j, j.long + ", each"), (q, Q2041_FIXED), (j, j.long)])
    assert patch.startswith(f"--- {DRAFT}\n+++ {DRAFT}\n")
    headers = [line for line in patch.splitlines() if line.startswith("@@")]
    assert headers == ["@@ -3 +3 @@ Q2041 line 3", "@@ -4 +4 @@ J3393 line 4"]
    old = ["head 1", "head 2", Q2041, J3393, "tail"]
    assert _apply(old, patch) == ["head 1", "head 2", Q2041_FIXED, J3393 + ", each", "tail"]
    assert unified_diff(DRAFT, [(q, Q2041)]) == "", "no change, no diff"


def test_unified_diff_multiline_descriptors_shift_later_hunks() -> None:
    a = Record("Q0001", "one\ntwo\nthree", Location(DRAFT, line=2))
    b = Record("Q0002", "four", Location(DRAFT, line=6))
    c = Record("Q0003", "five", Location(DRAFT))  # no line: placed after the previous hunk
    patch = unified_diff(DRAFT, [(a, "one\nthree"), (b, "FOUR\nfour-b"), (c, "FIVE")])
    old = ["x", "one", "two", "three", "y", "four", "five", "z"]
    assert _apply(old, patch) == ["x", "one", "three", "y", "FOUR", "four-b", "FIVE", "z"]
    assert "@@ -2,3 +2,2 @@ Q0001 line 2" in patch
    assert "@@ -6 +5,2 @@ Q0002 line 6" in patch


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch not installed")
def test_unified_diff_is_accepted_by_patch(tmp_path: Path) -> None:
    target = tmp_path / "descriptors.txt"
    target.write_text(f"head\nhead\n{Q2041}\n{J3393}\n", encoding="utf-8")
    patch = unified_diff("descriptors.txt", [(q2041_record(), Q2041_FIXED)])
    done = subprocess.run(
        ["patch", "--batch", "--forward", str(target)],
        input=patch,
        text=True,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert target.read_text(encoding="utf-8") == f"head\nhead\n{Q2041_FIXED}\n{J3393}\n"


def test_word_diff_styles_deletions_and_insertions() -> None:
    text = word_diff(Q2041, Q2041_FIXED)
    deleted = "".join(text.plain[s.start : s.end] for s in text.spans if "strike" in str(s.style))
    assert deleted == SPAN_TEXT + ", "
    assert all("red" in str(s.style) for s in text.spans if "strike" in str(s.style))
    changed = word_diff("per therapeutic dose", "per treatment")
    inserted = [changed.plain[s.start : s.end] for s in changed.spans if str(s.style) == "green"]
    assert inserted == ["treatment"]
    assert changed.plain == "per therapeutic dosetreatment"
    assert word_diff("per therapeutic dose", "per treatment", markers=True).plain == (
        "per [-therapeutic dose-]{+treatment+}"
    )
