"""diff and history on the real CMS releases (read from ../shared/data/hcpcs; skipped when absent).

Each release is linted once per session and the snapshots are shared by every test here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hcpcs_lint import config as cfg
from hcpcs_lint.cli import main
from hcpcs_lint.cli.common import make_linter
from hcpcs_lint.history import Snapshot, build_history, diff_snapshots, in_release_order, snapshot

RELEASES = {
    "2019": "2019/HCPC2019_CONTR_ANWEB.txt",
    "2020": "2020/HCPC2020_ANWEB_w_disclaimer.txt",
    "Jul 2025": "2025-07/HCPC2025_JUL_ANWEB_v3.xlsx",
    "Oct 2025": "2025-10/HCPC2025_OCT_ANWEB.xlsx",
}


@pytest.fixture(scope="module")
def snaps(data_dir: Path) -> dict[str, Snapshot]:
    linter = make_linter(cfg.Config(), None)  # what check builds with no options
    return {label: snapshot(str(data_dir / rel), linter) for label, rel in RELEASES.items()}


def test_release_labels_and_dates(snaps: dict[str, Snapshot]) -> None:
    assert {k: (s.release.label, s.release.effective) for k, s in snaps.items()} == {
        "2019": ("2019", "2019-01-01"),
        "2020": ("2020", "2020-01-01"),
        "Jul 2025": ("Jul 2025", "2025-07-01"),
        "Oct 2025": ("Oct 2025", "2025-10-01"),
    }
    shuffled = [snaps[k].release.path for k in ("Oct 2025", "2019", "Jul 2025", "2020")]
    assert in_release_order(shuffled) == [snaps[k].release.path for k in RELEASES]


def test_findings_are_those_of_check(snaps: dict[str, Snapshot], data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(data_dir / RELEASES["2020"]), "--output-format", "json"])
    from_check = {(f["code"], f["rule"]) for f in json.loads(result.output)["findings"]}
    from_snapshot = {(s.code, f.rule) for s in snaps["2020"].codes.values() for f in s.findings}
    assert from_check and from_snapshot == from_check


def test_diff_2020_to_october_2025(snaps: dict[str, Snapshot]) -> None:
    d = diff_snapshots(snaps["2020"], snaps["Oct 2025"])
    counts = d.counts()
    assert (counts["added"], counts["terminated"], counts["revised"], counts["reworded"]) == (
        1557,
        400,
        288,
        13,
    )
    added = {a.code: a for a in d.added}
    for code in ("Q2053", "Q2054", "Q2055", "Q2056", "Q2057", "Q2058"):
        assert code in added, code
        assert "HL101" in {f.rule for f in added[code].findings}, code
        assert ("HL101", code) in {(f.rule, f.code) for f in d.findings_new}
    # Terminated: 2020 codes that Oct 2025 dates as terminated, or leaves out.
    old = snaps["2020"].codes
    assert all(old[t.code].active for t in d.terminated)
    by_date = [t for t in d.terminated if t.reason == "termination date"]
    assert by_date and all(t.terminated and t.terminated < "2025-10-02" for t in by_date)
    # A code whose text is identical is never a revision; reworded ones differ in case/spacing/punctuation only.
    new = snaps["Oct 2025"].codes
    assert "Q2041" not in {r.code for r in d.revised + d.reworded}
    assert all(old[r.code].descriptor != new[r.code].descriptor for r in d.revised + d.reworded)
    identical = sum(1 for c, s in new.items() if c in old and old[c].descriptor == s.descriptor)
    assert identical > 5000
    doc = d.to_json()
    assert set(doc) >= {"old", "new", "added", "terminated", "revised", "findings_new", "findings_resolved"}
    assert doc["new"]["effective"] == "2025-10-01"
    assert all({"code", "old", "new", "clauses"} <= set(r) for r in doc["revised"])


def test_diff_2019_to_2020(snaps: dict[str, Snapshot]) -> None:
    d = diff_snapshots(snaps["2019"], snaps["2020"])
    counts = d.counts()
    assert (counts["added"], counts["terminated"], counts["revised"], counts["reworded"]) == (268, 89, 70, 0)
    assert not d.notes


def test_history_over_four_releases(snaps: dict[str, Snapshot]) -> None:
    h = build_history(snaps.values(), rule="HL101", codes=["Q2041", "Q2053"])
    assert [c.release.label for c in h.counts] == list(RELEASES)
    for c in h.counts:
        assert c.count == len(c.codes) > 0
        assert {"Q2041", "Q2042"} <= set(c.codes), c.release.label
    assert {"Q2053", "Q2058"} <= set(h.counts[-1].codes)
    q2041, q2053 = h.timelines
    assert q2041.present_in == list(RELEASES) and q2041.flagged_in == list(RELEASES)
    assert q2041.unchanged and [e.event for e in q2041.events] == ["first seen"]
    assert q2041.events[0].date == "2018-04-01"
    inclusion = next(c for c in q2041.clauses if c.role == "inclusion")
    assert inclusion.text == "including leukapheresis and dose preparation procedures"
    assert inclusion.first_seen == "2019" and list(inclusion.releases) == list(RELEASES)
    assert q2053.present_in == ["Jul 2025", "Oct 2025"] and q2053.events[0].event == "first seen"
    # The Jul 2025 workbook has no dates: codes the other releases date as terminated are left out.
    assert "Q2040" not in h.counts[2].codes and h.notes
