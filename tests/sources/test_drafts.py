"""Drafts as people have them: detected by content, CMS requests, text pulled out of print, table headers."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from hcpcs_lint.model import InputError, NoDescriptors, Record
from hcpcs_lint.sources import detect_format, load
from hcpcs_lint.sources.reflow import Vocabulary, blank_repeated_runs, fold
from tests.helpers import Q2041

REPO = Path(__file__).resolve().parents[2]
SUMMARY = REPO / "corpora" / "drafts" / "application-summary.txt"


def facts(records: Sequence[Record]) -> list[tuple[object, ...]]:
    return [(r.code, r.long, r.request, r.request_kind, r.current) for r in records]


def test_application_summary_reads_the_same_as_txt_md_text_and_stdin(tmp_path: Path) -> None:
    md = tmp_path / "summary.md"
    text = tmp_path / "summary.text"
    shutil.copy(SUMMARY, md)
    shutil.copy(SUMMARY, text)
    from_txt = list(load(str(SUMMARY)))
    assert detect_format(str(SUMMARY), SUMMARY.read_bytes()) == "draft"
    assert facts(from_txt) == facts(list(load(str(md))))
    assert facts(from_txt) == facts(list(load(str(text))))
    assert facts(from_txt) == facts(list(load("-", stdin=io.BytesIO(SUMMARY.read_bytes()))))
    assert [(r.location.line, r.location.column) for r in from_txt] == [
        (r.location.line, r.location.column) for r in load(str(md))
    ]
    assert [r.code for r in from_txt] == ["Q2041", "Q2042", "QXXXX", "Q2058", "JXXXX", "Q2040"]


def test_application_summary_descriptors_are_whole_and_units_outside_quotes() -> None:
    by_code = {r.code: r for r in load(str(SUMMARY))}
    q2041 = by_code["Q2041"]
    assert q2041.long == (
        "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car-positive viable t cells, "
        "per therapeutic dose"
    )
    assert q2041.current == Q2041
    assert q2041.current_location is not None
    assert (q2041.current_location.line, q2041.current_location.column) == (17, 2)  # after the “
    assert by_code["JXXXX"].long == "Injection, elivaldogene autotemcel, per treatment"  # "treat-" + "ment"
    assert all(not r.long.endswith(('"', "”", ".")) for r in by_code.values())
    assert not any(r.code.startswith("#") for r in by_code.values())


def test_requests_numbers_and_kinds() -> None:
    got = [(r.code, r.request, r.request_kind) for r in load(str(SUMMARY))]
    assert got == [
        ("Q2041", "26.015", "revise"),
        ("Q2042", "26.016", "revise"),
        ("QXXXX", "26.021", "new"),
        ("Q2058", "26.021", "new"),
        ("JXXXX", "26.022", "new"),
        ("Q2040", "26.030", "discontinue"),
    ]


def test_request_numbers_in_the_forms_cms_writes(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text(
        "HCPCS Request No. 19.001: new product\n\n"
        'Establish a new HCPCS Level II code J9999 "Injection, examplemab, 10 mg".\n\n'
        "19.002 Topic: a revision\n\n"
        'Revise code J9998 "Injection, othermab, 5 mg" to instead read "Injection, othermab, 1 mg".\n\n'
        "Request #19.003\n\n"
        'Delete code J9997 "Injection, oldmab, 1 mg".\n\n'
        "12.500 mg per vial is a dose, not a request number;\n"
        'Q9990 "Some product, per unit" stays in request 19.003.\n'
    )
    got = [(r.code, r.request, r.request_kind, r.current) for r in load(str(path))]
    assert got == [
        ("J9999", "19.001", "new", None),
        ("J9998", "19.002", "revise", "Injection, othermab, 5 mg"),
        ("J9997", "19.003", "discontinue", None),
        ("Q9990", "19.003", "discontinue", None),  # its own sentence names no kind: its request's
    ]


def test_no_request_no_kind_in_a_plain_draft() -> None:
    draft = REPO / "corpora" / "drafts" / "car-t-coding-recommendation.md"
    records = list(load(str(draft)))
    assert all(r.request is None for r in records)
    assert {r.request_kind for r in records} >= {None, "new", "revise"}


# ---------------------------------------------------------------- text pulled out of print


def test_hyphen_breaks_use_the_documents_own_spelling() -> None:
    vocabulary = Vocabulary("car-positive cells; leukapheresis was done")
    assert fold("car-\npositive", vocabulary) == "car-positive"
    assert fold("leukaphe-\r\nresis and", vocabulary) == "leukapheresis and"
    assert fold("per treat-\n  ment", Vocabulary("")) == "per treatment"
    assert fold("anti-\ncd19 car", Vocabulary("")) == "anti-cd19 car"
    assert fold("up to\n   200", Vocabulary("")) == "up to 200"


def test_a_line_holding_the_same_run_twice_is_read_once() -> None:
    line = '"Injection, exagamglogene autotemcel,     "Injection, exagamglogene autotemcel,\n'
    blanked = blank_repeated_runs(line)
    assert len(blanked) == len(line)
    assert blanked.rstrip() == '"Injection, exagamglogene autotemcel,'
    different = "left column says one thing    right column says another\n"
    assert blank_repeated_runs(different) == different
    assert blank_repeated_runs("per dose per dose\n") == "per dose per dose\n"  # too short to be columns


def test_two_columns_run_together_give_each_descriptor_once(tmp_path: Path) -> None:
    left = [
        "Request #26.042",
        "",
        "Applicant's suggested language: JXXXX        Applicant's suggested language: JXXXX",
        "“Injection, exagamglogene autotemcel, per    “Injection, exagamglogene autotemcel, per",
        "treatment”.                                  treatment”.",
    ]
    path = tmp_path / "pasted.txt"
    path.write_text("\n".join(left) + "\n")
    (record,) = load(str(path))
    assert (record.code, record.long, record.request) == (
        "JXXXX",
        "Injection, exagamglogene autotemcel, per treatment",
        "26.042",
    )
    assert (record.location.line, record.location.column) == (4, 2)


def test_same_descriptor_twice_in_one_request_is_one_record_but_not_across_requests(tmp_path: Path) -> None:
    body = (
        "Request #26.041\n\n"
        "Applicant's suggested language: QXXXX \"Tisagenlecleucel, up to 600 million car-positive viable\n"
        't cells, per therapeutic dose".\n\n'
        'Preliminary recommendation: establish new code QXXXX "Tisagenlecleucel, up to 600 million\n'
        'car-positive viable t cells, per therapeutic dose".\n\n'
        "Request #26.044\n\n"
        "Applicant's suggested language: QXXXX \"Tisagenlecleucel, up to 600 million car-positive viable\n"
        't cells, per therapeutic dose".\n'
    )
    path = tmp_path / "twice.txt"
    path.write_text(body)
    assert [(r.request, r.location.line) for r in load(str(path))] == [("26.041", 3), ("26.044", 11)]


# ---------------------------------------------------------------- releases and other documents


def test_a_draft_is_never_mistaken_for_a_release(make_anweb_line: Callable[..., str]) -> None:
    draft = b'Q2041001003 is a line that starts like a record.\nJXXXX "Injection, foo, per dose".\n'
    assert detect_format("notes.txt", draft) == "draft"
    release = (make_anweb_line("Q2041", "Axi, per dose") + "\r\n").encode()
    assert detect_format("notes.txt", release) == "anweb"
    assert detect_format("-", release) == "anweb"


def test_record_layout_and_readme_are_neither_release_nor_draft(tmp_path: Path) -> None:
    readme = tmp_path / "README.txt"
    readme.write_text(
        "About this folder\n\nThe files here were downloaded from CMS.\nSee the record layout for columns.\n"
    )
    with pytest.raises(NoDescriptors) as info:
        list(load(str(readme)))
    message = info.value.render()
    assert message.startswith(f"{readme} is neither a CMS release nor a draft (0 of its 3 lines")
    assert "looked for CMS fixed-width records" in message


def test_real_record_layout_is_refused(data_dir: Path) -> None:
    layout = data_dir / "2019" / "HCPCS2019_recordlayout.txt"
    if not layout.is_file():
        pytest.skip(f"{layout} not found")
    with pytest.raises(NoDescriptors, match="is neither a CMS release nor a draft"):
        list(load(str(layout)))


def test_fixed_width_lines_cut_short_are_named(tmp_path: Path, make_anweb_line: Callable[..., str]) -> None:
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(make_anweb_line(c, "Axi")[:120] for c in ("Q2041", "Q2042")) + "\n")
    with pytest.raises(
        NoDescriptors, match="first is 120 columns long, not the 320 of the CMS record layout"
    ):
        list(load(str(path)))


def test_bare_descriptors_still_read_from_stdin() -> None:
    (record,) = load("-", stdin=io.StringIO("Injection, lovotibeglogene autotemcel, per treatment\n"))
    assert record.code == "#1"


@pytest.mark.parametrize(
    ("name", "body", "looked_for"),
    [
        ("empty.md", "# Minutes\n\nNothing was decided.\n", "quoted descriptors after a code"),
        ("rows.csv", "code,descriptor\nQ2041,\n", "rows with a code and a descriptor"),
        ("table.md", "| HCPCS | Descriptor |\n|---|---|\n| Q2041 | |\n", "Markdown tables"),
    ],
)
def test_nothing_found_is_an_error_unless_allowed(
    tmp_path: Path, name: str, body: str, looked_for: str
) -> None:
    path = tmp_path / name
    path.write_text(body)
    with pytest.raises(NoDescriptors) as info:
        list(load(str(path)))
    assert info.value.render().startswith(f"no HCPCS descriptors found in {path}: looked for ")
    assert looked_for in info.value.message
    assert list(load(str(path), allow_empty=True)) == []


# ---------------------------------------------------------------- table headers


def write_tables(
    folder: Path,
    make_xlsx: Callable[[Sequence[Sequence[object]]], bytes],
    header: list[str],
    row: list[str],
    *,
    intro: str = "",
) -> list[Path]:
    """The same one-row table as Markdown (after ``intro``), CSV, TSV and xlsx."""
    quoted = [f'"{cell}"' if "," in cell else cell for cell in row]
    bodies = {
        "t.md": f"{intro}| {' | '.join(header)} |\n|{'---|' * len(header)}\n| {' | '.join(row)} |\n",
        "t.csv": f"{','.join(header)}\n{','.join(quoted)}\n",
        "t.tsv": f"{chr(9).join(header)}\n{chr(9).join(row)}\n",
    }
    for name, body in bodies.items():
        (folder / name).write_text(body)
    (folder / "t.xlsx").write_bytes(make_xlsx([header, row]))
    return [folder / name for name in [*bodies, "t.xlsx"]]


HEADERS = [
    ("HCPCS", "HCPCS Code Descriptor"),
    ("HCPCS Code", "Long Description"),
    ("Code", "Descriptor"),
    ("HCPC", "Long Descriptor"),
    ("hcpcs  code", "description"),
    ("HCPCS_CODE", "LONG_DESCRIPTION"),
]


@pytest.mark.parametrize(("code", "descriptor"), HEADERS)
def test_header_names_people_use_in_markdown_csv_tsv_and_xlsx(
    tmp_path: Path, make_xlsx: Callable[[Sequence[Sequence[object]]], bytes], code: str, descriptor: str
) -> None:
    text = "Injection, betibeglogene autotemcel, per treatment"
    for path in write_tables(tmp_path, make_xlsx, [code, descriptor, "Note"], ["J3393", text, "ok"]):
        got = [(r.code, r.long) for r in load(str(path))]
        assert got == [("J3393", text)], path.name


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (("HCPCS", "Status"), "table has a code column ('HCPCS') but no descriptor column"),
        (
            ("Item", "HCPCS Code Descriptor"),
            "table has a descriptor column ('HCPCS Code Descriptor') but no code",
        ),
    ],
)
def test_half_a_table_is_a_named_error_in_every_table_format(
    tmp_path: Path,
    make_xlsx: Callable[[Sequence[Sequence[object]]], bytes],
    headers: tuple[str, str],
    message: str,
) -> None:
    for path in write_tables(tmp_path, make_xlsx, list(headers), ["J3393", "x y"], intro="Intro.\n\n"):
        with pytest.raises(InputError) as info:
            list(load(str(path)))
        assert message in info.value.message, path.name
        assert info.value.line == (3 if path.suffix == ".md" else 1), path.name


def test_unterminated_csv_quote_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    path.write_text(
        'code,descriptor\nJ3393,"Injection, betibeglogene autotemcel, per treatment"\n'
        'J3394,"Injection, lovotibeglogene autotemcel, per treatment\nJ3391,"Injection, x, per treatment"\n'
    )
    with pytest.raises(InputError) as info:
        list(load(str(path)))
    assert info.value.line == 3
    assert "unterminated quote" in info.value.message
    at_end = tmp_path / "end.csv"
    at_end.write_text('code,descriptor\nJ3393,"Injection, betibeglogene\nJ3394,Injection\n')
    with pytest.raises(InputError, match="unterminated quote") as info:
        list(load(str(at_end)))
    assert info.value.line == 2
    closed = tmp_path / "closed.csv"
    closed.write_text('code,descriptor\nJ3394,"Injection, lovotibeglogene,\nper treatment"\n')
    assert [r.long for r in load(str(closed))] == ["Injection, lovotibeglogene, per treatment"]


def test_two_columns_laid_out_side_by_side_are_read_column_by_column(tmp_path: Path) -> None:
    """Text copied from a two-column page with its layout: each column wraps the quote differently."""
    left = [
        "Applicant's suggested language: QXXXX",
        '"Tisagenlecleucel, up to 600 million car-',
        "positive viable t cells, including leukaphe-",
        "resis and dose preparation procedures, per",
        'therapeutic dose".',
    ]
    right = [
        "Preliminary recommendation: establish",
        'new code QXXXX "Tisagenlecleucel, up to 600',
        "million car-positive viable t cells, including",
        "leukapheresis and dose preparation proce-",
        'dures, per therapeutic dose".',
    ]
    rows = [f"{a:<60}{b}" for a, b in zip(left, right, strict=True)]
    path = tmp_path / "layout.txt"
    path.write_text("Request #26.041\n" + "\n".join(rows) + "\n\nRequest #26.042\n\nNothing else.\n")
    (record,) = load(str(path))
    assert (record.code, record.request, record.request_kind) == ("QXXXX", "26.041", "new")
    assert record.long == (
        "Tisagenlecleucel, up to 600 million car-positive viable t cells, including leukapheresis and "
        "dose preparation procedures, per therapeutic dose"
    )
    assert (record.location.line, record.location.column) == (3, 2)
    # A code column beside its descriptors is no second column of text.
    listing = tmp_path / "codes.txt"
    listing.write_text("".join(f"Q204{i}    Some product, per dose {i}\n" for i in range(5)))
    assert len(list(load(str(listing)))) == 5
