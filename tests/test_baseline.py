"""Baselines: fingerprints ignore location, filtering counts duplicates, writes are atomic."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from hcpcs_lint.baseline import Baseline, fingerprint, load_baseline, write_baseline
from hcpcs_lint.model import Finding, InputError, Location, Record

CART = "Tisagenlecleucel, up to 600 million car-positive viable t cells, including leukapheresis and dose preparation procedures, per therapeutic dose"
SIPULEUCEL = "Sipuleucel-t, minimum of 50 million autologous cd54+ cells activated with pap-gm-csf, including leukapheresis and all other preparatory procedures, per infusion"
AXICEL = "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, including leukapheresis and dose preparation procedures, per therapeutic dose"


def finding(code: str, text: str, rule: str = "HL101", path: str = "drafts/a.md", line: int = 1) -> Finding:
    record = Record(code=code, long=text, location=Location(path=path, line=line))
    return Finding(
        rule=rule,
        name="level2-includes-cpt-service",
        group="bundling",
        severity="error",
        message="bundles a CPT service",
        record=record,
        span=(0, len(text)),
    )


@pytest.fixture
def findings() -> list[Finding]:
    return [
        finding("Q2041", AXICEL, line=3),
        finding("Q2042", CART, line=7),
        finding("Q2043", SIPULEUCEL, line=11),
        finding("Q2043", SIPULEUCEL, rule="HL102", line=11),
    ]


def test_fingerprint_ignores_location_case_and_whitespace() -> None:
    a = finding("Q2042", CART, path="drafts/a.md", line=7)
    b = finding("Q2042", "  " + CART.upper().replace(", ", ",\n   ") + " ", path="other/b.csv", line=99)
    assert fingerprint(a) == fingerprint(b)
    assert len(fingerprint(a)) == 16
    int(fingerprint(a), 16)


def test_fingerprint_is_prefix_of_sarif_fingerprint() -> None:
    sarif = pytest.importorskip("hcpcs_lint.report.sarif")
    one = finding("Q2042", CART)
    assert sarif.fingerprint(one).startswith(fingerprint(one))


def test_fingerprint_depends_on_code_rule_and_text() -> None:
    base = finding("Q2042", CART)
    assert fingerprint(base) != fingerprint(finding("Q2041", CART))
    assert fingerprint(base) != fingerprint(finding("Q2042", CART, rule="HL102"))
    assert fingerprint(base) != fingerprint(finding("Q2042", CART.replace("600", "500")))


def test_roundtrip_yields_no_new_findings(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline(path, findings) == 4
    new, stale = load_baseline(path).filter(findings)
    assert new == []
    assert stale == []


def test_file_shape_sorted_and_readable(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, list(reversed(findings)))
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert document["tool"] == "hcpcs-lint"
    keys = [(e["code"], e["rule"]) for e in document["entries"]]
    assert keys == [("Q2041", "HL101"), ("Q2042", "HL101"), ("Q2043", "HL101"), ("Q2043", "HL102")]
    assert set(document["entries"][0]) == {"code", "rule", "fingerprint", "descriptor"}
    assert document["entries"][1]["descriptor"] == CART
    # Same findings in another order write the same bytes: the file diffs cleanly.
    first = path.read_bytes()
    write_baseline(path, findings)
    assert path.read_bytes() == first


def test_reordered_plus_one_new(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, findings)
    extra = finding("J3391", "Injection, atidarsagene autotemcel, per treatment, including cell collection")
    moved = [
        replace(f, record=replace(f.record, location=Location("drafts/b.md", 40 + i)))
        for i, f in enumerate(findings)
    ]
    new, stale = load_baseline(path).filter([extra, *reversed(moved)])
    assert new == [extra]
    assert stale == []


def test_editing_another_descriptor_leaves_others_baselined(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, findings)
    edited = finding("Q2041", AXICEL.replace("200 million", "250 million"))
    current = [edited, *findings[1:]]
    new, stale = load_baseline(path).filter(current)
    assert new == [edited]
    assert [e["code"] for e in stale] == ["Q2041"]


def test_stale_when_finding_disappears(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, findings)
    new, stale = load_baseline(path).filter(findings[:2])
    assert new == []
    assert sorted((e["code"], e["rule"]) for e in stale) == [("Q2043", "HL101"), ("Q2043", "HL102")]


def test_multiplicity_counts(tmp_path: Path) -> None:
    one = finding("Q2042", CART)
    twin = replace(one, span=(10, 20), message="second service")
    path = tmp_path / "baseline.json"
    write_baseline(path, [one])
    new, stale = load_baseline(path).filter([one, twin])
    assert new == [twin]
    assert stale == []
    # The other way round: two entries, one finding left, one entry stale.
    write_baseline(path, [one, twin])
    new, stale = load_baseline(path).filter([twin])
    assert new == []
    assert len(stale) == 1


def test_empty_baseline_lets_everything_through(findings: list[Finding]) -> None:
    new, stale = Baseline().filter(findings)
    assert new == findings
    assert stale == []


def test_atomic_write_leaves_no_temp_file(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o644)
    write_baseline(path, findings)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]
    assert path.stat().st_mode & 0o777 == 0o644  # replacing keeps the file's permissions
    assert len(load_baseline(path)) == 4


def test_failed_write_keeps_old_file_and_no_temp(
    tmp_path: Path, findings: list[Finding], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, findings[:1])
    before = path.read_bytes()

    def boom(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(InputError, match="the disk is full"):
        write_baseline(path, findings)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]


def test_new_file_is_not_private(tmp_path: Path, findings: list[Finding]) -> None:
    path = tmp_path / "fresh.json"
    write_baseline(path, findings)
    assert path.stat().st_mode & 0o044  # group/other can read a file meant to be committed


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"version": 2, "entries": []}', "unsupported baseline version 2"),
        ('{"version": 1, "tool": "ruff", "entries": []}', "written by 'ruff'"),
        ('{"version": 1, "entries": {}}', "'entries' must be a list"),
        ('{"version": 1, "entries": [{"code": "Q2041", "rule": "HL101"}]}', "entry 1 lacks fingerprint"),
    ],
)
def test_load_rejects_bad_files(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as err:
        load_baseline(path)
    assert err.value.path == str(path)


def test_load_reports_json_line(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text('{\n  "version": 1,\n  "entries": [,]\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(path)
    assert err.value.line == 3


def test_load_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(InputError, match="not found") as err:
        load_baseline(path)
    assert err.value.path == str(path)
