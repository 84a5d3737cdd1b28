"""Word and clause diffs, release dates from file names, and diffs/timelines of hand-made snapshots."""

from __future__ import annotations

from hcpcs_lint.history import (
    CodeState,
    FindingNote,
    ReleaseInfo,
    Snapshot,
    build_history,
    diff_snapshots,
    in_release_order,
    release_info,
    render_words,
)
from hcpcs_lint.history.diff import clause_diff, word_diff

HL101 = FindingNote("HL101", "level2-includes-cpt-service", "error", "bundles leukapheresis")


def test_word_diff_marks_only_changed_words() -> None:
    old = "Injection, drug x, 10 mg, including dose preparation, per dose"
    new = "Injection, drug x, 20 mg, per dose"
    ops = word_diff(old, new)
    assert "".join(o.text for o in ops if o.op != "delete") == new
    assert "".join(o.text for o in ops if o.op != "insert") == old
    assert (
        render_words(ops) == "Injection, drug x, [-10-] {+20+} mg, [-including dose preparation,-] per dose"
    )


def test_word_diff_sees_case_changes() -> None:
    assert render_words(word_diff("Anti-CD19 car", "anti-cd19 car")) == "[-Anti-CD19-] {+anti-cd19+} car"


def test_clause_diff_pairs_by_wording_then_role() -> None:
    old = (("product", "Drug x"), ("inclusion", "including leukapheresis"), ("basis", "per dose"))
    new = (("product", "Drug x"), ("basis", "per infusion"), ("amount", "up to 5 million cells"))
    changes = {(c.change, c.role, c.old, c.new) for c in clause_diff(old, new)}
    assert changes == {
        ("changed", "basis", "per dose", "per infusion"),
        ("vanished", "inclusion", "including leukapheresis", None),
        ("appeared", "amount", None, "up to 5 million cells"),
    }
    assert clause_diff(old, tuple(reversed(old))) == []


def test_release_labels() -> None:
    assert release_info("x/HCPC2025_OCT_ANWEB.xlsx", "20251001") == ReleaseInfo(
        "x/HCPC2025_OCT_ANWEB.xlsx", "2025-10-01", "Oct 2025"
    )
    assert release_info("HCPC2019_CONTR_ANWEB.txt", "20190101").label == "2019"
    assert release_info("codes.csv", None) == ReleaseInfo("codes.csv", None, "codes.csv")
    assert in_release_order(["HCPC2025_OCT.xlsx", "codes.csv", "HCPC2019.txt", "HCPC2025_JUL.xlsx"]) == [
        "HCPC2019.txt",
        "HCPC2025_JUL.xlsx",
        "HCPC2025_OCT.xlsx",
        "codes.csv",
    ]


def _snap(label: str, effective: str, *states: CodeState, dated: bool = True) -> Snapshot:
    snap = Snapshot(ReleaseInfo(f"{label}.txt", effective, label), has_dates=dated)
    for s in states:
        snap.codes[s.code] = s
    return snap


def _code(code: str, text: str, *, terminated: str | None = None, flagged: bool = False) -> CodeState:
    clauses = tuple(("clause", part.strip()) for part in text.split(","))
    return CodeState(
        code,
        "procedure",
        text,
        terminated is None,
        terminated=terminated,
        clauses=clauses,
        findings=(HL101,) if flagged else (),
    )


OLD = _snap(
    "2020",
    "2020-01-01",
    _code("A0001", "Same text, per unit"),
    _code("A0002", "Ended by date"),
    _code("A0003", "Ended by absence"),
    _code("A0004", "Car positive t cells, per dose"),
    _code("A0005", "Cells, including leukapheresis, per dose", flagged=True),
    _code("A0006", "Old and gone", terminated="2018-12-31"),
)
NEW = _snap(
    "Oct 2025",
    "2025-10-01",
    _code("A0001", "Same text, per unit"),
    _code("A0002", "Ended by date", terminated="2023-06-30"),
    _code("A0004", "Car-positive T cells, per dose"),
    _code("A0005", "Cells, per dose"),
    _code("A0006", "Old and gone, back again", flagged=True),
    _code("B0001", "Brand new cells, including leukapheresis", flagged=True),
    _code("B0002", "Came and went", terminated="2024-03-31"),
)


def test_diff_sorts_every_kind_of_change() -> None:
    d = diff_snapshots(OLD, NEW)
    assert [(a.code, a.reactivated) for a in d.added] == [("A0006", True), ("B0001", False)]
    assert [f.rule for f in d.added[1].findings] == ["HL101"]
    assert [(t.code, t.reason, t.terminated) for t in d.terminated] == [
        ("A0002", "termination date", "2023-06-30"),
        ("A0003", "absent", None),
    ]
    assert [r.code for r in d.revised] == ["A0005"]
    assert [c.change for c in d.revised[0].clauses] == ["vanished"]
    assert [r.code for r in d.reworded] == ["A0004"]
    assert [t.code for t in d.came_and_went] == ["B0002"]
    assert {(f.code, f.rule, f.why) for f in d.findings_new} == {
        ("A0006", "HL101", "reactivated"),
        ("B0001", "HL101", "added"),
    }
    assert [(f.code, f.why) for f in d.findings_resolved] == [("A0005", "revised")]
    doc = d.to_json()
    assert doc["old"] == {"path": "2020.txt", "effective": "2020-01-01", "label": "2020"}
    assert doc["counts"]["added"] == 2 and doc["counts"]["terminated"] == 2
    assert doc["revised"][0]["word_diff"] == "Cells, [-including leukapheresis,-] per dose"


def test_history_counts_and_timelines() -> None:
    mid = _snap(
        "Jul 2025",
        "2025-07-01",
        _code("A0005", "Cells, including leukapheresis, per dose", flagged=True),
        _code("A0006", "Old and gone, back again", flagged=True),
        dated=False,
    )
    h = build_history([OLD, mid, NEW], codes=["a0005", "A0003", "Z9*"])
    assert h.notes[-1] == "no release given has a code Z9*"
    assert [(c.release.label, c.codes) for c in h.counts] == [
        ("2020", ("A0005",)),
        # A0006 terminated 2018-12-31 per the 2020 file: the undated Jul 2025 file does not count it
        ("Jul 2025", ("A0005",)),
        ("Oct 2025", ("A0006", "B0001")),
    ]
    assert "no termination dates" in h.notes[0]
    by_code = {t.code: t for t in h.timelines}
    a5 = by_code["A0005"]
    assert [(e.release, e.event) for e in a5.events] == [("2020", "first seen"), ("Oct 2025", "revised")]
    assert a5.flagged_in == ["2020", "Jul 2025"] and not a5.unchanged
    inclusion = next(c for c in a5.clauses if c.text == "including leukapheresis")
    assert inclusion.first_seen == "2020" and inclusion.releases == ("2020", "Jul 2025")
    assert [(e.release, e.event) for e in by_code["A0003"].events] == [
        ("2020", "first seen"),
        ("Jul 2025", "absent"),
    ]
    labels, series = h.chart_series()
    assert labels == ["2020", "Jul 2025", "Oct 2025"]
    assert series == [("unclassified", [1, 1, 2])]


def test_history_without_codes_follows_every_flagged_code() -> None:
    h = build_history([OLD, NEW])
    assert [t.code for t in h.timelines] == ["A0005", "A0006", "B0001"]
    assert [e.event for e in h.timelines[1].events] == ["first seen", "terminated", "reactivated", "revised"]
    assert h.timelines[1].events[1].date == "2018-12-31"
