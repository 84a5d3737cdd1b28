"""Peers as of a date (issue 10 item 3): a release is its own peers, as of its effective date;
terminated and later codes are never peers; autologous and allogeneic are different classes;
style rules need a real majority. The invented descriptors below are written by us."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hcpcs_lint.engine import Linter, bundled_corpus_path
from hcpcs_lint.model import Finding, Location, Record
from hcpcs_lint.sources import load, read_release

LINTER = Linter()
BUNDLED = list(load(str(bundled_corpus_path())))

BUNDLES = "Examplabtagene autoleucel, up to 100 million autologous car-positive viable t cells, including leukapheresis and dose preparation procedures, per therapeutic dose"
CLEAN = "Injection, {name} autotemcel, per treatment"


def _rec(code: str, text: str, **dates: str) -> Record:
    return Record(code=code, long=text, location=Location("x.txt", 1, 1), **dates)


def _named(findings: list[Finding]) -> set[str]:
    return {r.code for f in findings for r in f.related}


# The clean-peer contrast is carried by HL101 where HL101 reports the code (one problem, one
# finding), by HL201 where HL101 is silenced.
PEER_CONTRAST = ("HL101", "HL201")


def test_peer_added_after_the_release_date_or_terminated_before_it_is_no_peer() -> None:
    release = [
        _rec("Q9001", BUNDLES, added="20180101", effective="20200101"),
        _rec("J9001", CLEAN.format(name="alphagene"), added="20190101", effective="20200101"),
        _rec("J9002", CLEAN.format(name="betagene"), added="20210101", effective="20200101"),  # later
        _rec("J9003", CLEAN.format(name="gammagene"), added="20150101", terminated="20181231", effective="20200101"),
    ]  # fmt: skip
    found = [f for f in LINTER.run(release).findings if f.rule in PEER_CONTRAST]
    assert _named(found) == {"J9001"}
    # Ask for 2021: J9002 now exists; still never the terminated J9003.
    later = [f for f in LINTER.run(release, as_of="20210601").findings if f.rule in PEER_CONTRAST]
    assert _named(later) == {"J9001", "J9002"}


def test_a_release_is_its_own_reference_unless_one_is_named(
    tmp_path: Path, make_anweb_line: Callable[..., str]
) -> None:
    path = tmp_path / "HCPC2026_APR_ANWEB.txt"
    path.write_text(
        make_anweb_line("Q9001", BUNDLES[:80])
        + "\n"
        + make_anweb_line("Q9001", BUNDLES[80:].strip(), seq=2, ric="4")
        + "\n"
    )
    release = read_release(str(path))
    assert release.is_release and release.effective == "20260401"
    alone = Linter(reference=BUNDLED).run(release).findings
    assert not _named(alone)  # the bundled corpus's gene therapies are not in it
    named = Linter(reference=BUNDLED, reference_explicit=True).run(release).findings
    peers = _named([f for f in named if f.rule in PEER_CONTRAST])
    assert {"J3391", "J3392", "J3393", "J3394", "J3387"} <= peers  # all added by 2026-04-01
    assert "Q2040" not in peers and "C9073" not in peers  # terminated


def test_a_draft_as_of_2019_has_no_gene_therapy_peers() -> None:
    draft = [_rec("Q99X1", BUNDLES)]
    now = Linter(reference=BUNDLED).run(draft).findings
    assert {"J3391", "J3387"} <= _named([f for f in now if f.rule in PEER_CONTRAST])
    then = Linter(reference=BUNDLED).run(draft, as_of="20190101").findings
    assert not _named(then)


def test_allogeneic_draft_product_is_not_an_autologous_peer() -> None:
    allo = "Injection, examplecabtagene donoleucel, allogeneic anti-cd19 car-positive t cells, per therapeutic dose"
    linter = Linter(reference=BUNDLED)
    result = linter.run([_rec("Q99X2", allo), _rec("Q99X1", BUNDLES)])
    by_code = {e.record.code: e for e in result.entries}
    assert by_code["Q99X2"].peer_group == "allogeneic-cell-therapy"
    assert by_code["Q99X1"].peer_group == "autologous-cell-therapy"
    named = _named([f for f in result.findings if f.record.code == "Q99X1"])
    assert named and "Q99X2" not in named
    # A cell therapy that names both sources keeps both classes; a transplant global code that says
    # "allogeneic" without naming a cell therapy gets neither.
    assert "allogeneic-cell-therapy" not in by_code["Q99X1"].classes


def test_hl301_on_a_one_to_one_tie_reports_nothing() -> None:
    tie = [
        _rec("Q9001", "Examplabtagene autoleucel, up to 100 million autologous anti-cd19 car positive viable t cells, per therapeutic dose"),
        _rec("Q9002", "Otherlabtagene autoleucel, up to 200 million autologous anti-cd19 car-positive viable t cells, per therapeutic dose"),
    ]  # fmt: skip
    assert not [f for f in Linter(reference=[]).run(tie).findings if f.rule.startswith("HL30")]
    more = [
        _rec(f"Q900{n}", f"{word}labtagene autoleucel, up to 300 million autologous anti-cd19 car-positive viable t cells, per therapeutic dose")
        for n, word in ((3, "Third"), (4, "Fourth"))
    ]  # fmt: skip
    # Two peers against one: too few voters (fewer than 3 peers), still nothing.
    assert not [f for f in Linter(reference=[]).run([*tie, more[0]]).findings if f.rule == "HL301"]
    # Three peers, all "car-positive": a real majority; only the odd one out is told.
    hl301 = [f for f in Linter(reference=[]).run([*tie, *more]).findings if f.rule == "HL301"]
    assert [f.record.code for f in hl301] == ["Q9001"]
    assert hl301[0].fix is not None and "car-positive" in hl301[0].fix.descriptor


TXT_2019 = "2019/HCPC2019_CONTR_ANWEB.txt"


@pytest.mark.parametrize("explicit", [False, True])
def test_2019_release_names_no_code_added_after_2019(data_dir: Path, explicit: bool) -> None:
    release = read_release(str(data_dir / TXT_2019))
    assert release.effective == "20190101"
    linter = Linter(reference=BUNDLED, reference_explicit=explicit)
    findings = linter.run(release).findings
    in_2019 = {r.code: r for r in release.records}
    for code in _named(findings):
        rec = in_2019.get(code) or next(r for r in BUNDLED if r.code == code)
        assert rec.active_on("20190101"), f"{code} is named as a peer but was not active on 2019-01-01"
    # Q2041 and Q2042 are the 2019 CAR-T codes: one writes "car positive", the other "car-positive".
    # A 1-to-1 tie is no majority: no style finding tells either to follow the other.
    assert not [f for f in findings if f.rule.startswith("HL30")]


def test_cli_effective_option(tmp_path: Path) -> None:
    (tmp_path / "draft.csv").write_text(f'code,descriptor\nQ99X1,"{BUNDLES}"\n', "utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hcpcs_lint", "check", "draft.csv", "--select", "HL201", "--output-format", "json", *args],
            cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip

    now = run()
    assert [f["rule"] for f in json.loads(now.stdout)["findings"]] == ["HL201"]
    then = run("--effective", "2019-01-01")
    assert then.returncode == 0 and json.loads(then.stdout)["findings"] == []
    bad = run("--effective", "2019-02-30")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "hcpcs-lint: error: --effective: '2019-02-30' is not a date; write YYYY-MM-DD, e.g. 2019-01-01"
    ]


def test_undated_release_borrows_add_and_termination_dates() -> None:
    from hcpcs_lint.sources.release import borrow_dates

    trimmed = [_rec("Q9001", BUNDLES, effective="20250701"), _rec("Q9002", BUNDLES, effective="20250701")]
    known = [
        _rec("Q9001", BUNDLES, added="20180101", terminated="20210331"),
        _rec("Q9002", BUNDLES, added="20260101"),  # a number reused after this release: not borrowed
    ]
    got = borrow_dates(trimmed, known)
    assert [(r.added, r.terminated, r.active) for r in got] == [
        ("20180101", "20210331", False),
        (None, None, True),
    ]
    dated = [_rec("Q9001", BUNDLES, added="20200101", effective="20250701")]
    assert borrow_dates(dated, known) == dated  # a release with dates of its own keeps them


JUL_2025 = "2025-07/HCPC2025_JUL_ANWEB_v3.xlsx"
OCT_2025 = "2025-10/HCPC2025_OCT_ANWEB.xlsx"


def test_trimmed_jul_2025_names_no_terminated_peer(data_dir: Path) -> None:
    """The Jul 2025 copy has no date columns; the CAR-T C-codes and Q2040 in it were terminated
    years before (the Oct 2025 workbook says when). They are neither checked nor named as peers."""
    result = Linter(reference=BUNDLED).run(read_release(str(data_dir / JUL_2025)))
    oct_dates = {r.code: r for r in load(str(data_dir / OCT_2025))}
    named = _named(result.findings)
    assert named, "the CAR-T codes still have peers in Jul 2025"
    for code in named:
        assert oct_dates[code].active_on("20250701"), f"{code} named as a peer in Jul 2025"
    checked = {f.record.code for f in result.findings}
    assert not checked & {"Q2040", "C9073", "C9076", "C9081", "C9098", "C9301"}


def test_oct_2025_names_only_its_own_active_codes(data_dir: Path) -> None:
    """J3387 (added 2026-01-01, in the bundled corpus) was named as a clean peer of the Oct 2025
    CAR-T codes before releases were dated; now every named peer is an active code of that release."""
    release = read_release(str(data_dir / OCT_2025))
    findings = Linter(reference=BUNDLED).run(release).findings
    active = {r.code for r in release.records if r.active_on("20251001")}
    named = _named(findings)
    assert {"J3391", "J3392", "J3393", "J3394", "Q2042"} <= named
    assert named <= active and "J3387" not in named
