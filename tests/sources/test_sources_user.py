"""User-written inputs: CSV/TSV tables, Markdown/plain drafts, stdin lines, and the code-token rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_lint.model import InputError, Record
from hcpcs_lint.sources import codes
from hcpcs_lint.sources.draft import read_draft
from hcpcs_lint.sources.lines import read_lines
from hcpcs_lint.sources.table import read_table

REPO_ROOT = Path(__file__).resolve().parents[2]
DRAFT = REPO_ROOT / "corpora" / "drafts" / "car-t-coding-recommendation.md"


def spliceable(text: str, record: Record) -> bool:
    """The record's offset points at its descriptor exactly."""
    offset = record.location.offset
    return offset is not None and text[offset : offset + len(record.long)] == record.long


def line_col(text: str, record: Record) -> str:
    """The text of the record's line from its column on (CR/LF/CRLF all end a line)."""
    assert record.location.line is not None and record.location.column is not None
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return physical[record.location.line - 1][record.location.column - 1 :]


# ---------------------------------------------------------------- code tokens


@pytest.mark.parametrize(
    "token", ["Q2041", "q2041", "38225", "0537T", "3X018", "Q20XX", "JXXXX", "X9001", "J33XX", "xxxxx"]
)
def test_code_tokens_accept_real_codes_and_placeholders(token: str) -> None:
    assert codes.is_code(token)
    assert codes.normalize_code(token) == token.upper()


@pytest.mark.parametrize("token", ["cells", "Q204", "Q20411", "20250101", "CD19", "ABXXX", "tcell"])
def test_code_tokens_reject_words_and_wrong_lengths(token: str) -> None:
    assert not codes.is_code(token)


def test_code_regex_finds_tokens_only_at_word_boundaries() -> None:
    found = [
        m.group() for m in codes.CODE_RE.finditer("Q2041, anti-cd19 and 150 million; 0537T–0540T (J33XX)")
    ]
    assert found == ["Q2041", "0537T", "0540T", "J33XX"]


@pytest.mark.parametrize(
    ("code", "level"), [("Q2041", "II"), ("38225", "I"), ("0537T", "I"), ("3X018", "I"), ("JXXXX", "II")]
)
def test_level_of(code: str, level: str) -> None:
    assert codes.level_of(code) == level


def test_selectors_normalise_and_default_to_all() -> None:
    assert codes.parse_selectors(" hl101, Level2-Includes-CPT-Service  HL2 ") == (
        "HL101",
        "level2-includes-cpt-service",
        "HL2",
    )
    assert codes.parse_selectors("  ") == ("all",)
    assert codes.merge_noqa(("HL101",), ("all",)) == ("all",)


# ---------------------------------------------------------------- tables


def test_csv_multiline_quoted_field_keeps_later_line_numbers_right() -> None:
    text = (
        "HCPCS Code,Long Description,Short Description\n"
        'Q2041,"Axicabtagene ciloleucel, wrapped\nover two lines",Axi\n'
        "Q2042,Tisagenlecleucel per dose,Tisa\n"
        '"Q2053","Brexucabtagene autoleucel, per dose",Brexu\n'
    )
    records = list(read_table("t.csv", text))
    assert [r.code for r in records] == ["Q2041", "Q2042", "Q2053"]
    assert [r.location.line for r in records] == [2, 4, 5]
    wrapped, plain, quoted = records
    assert wrapped.long == "Axicabtagene ciloleucel, wrapped over two lines"
    assert wrapped.location.offset is None  # a folded line break cannot be spliced
    assert wrapped.location.column == 8
    assert plain.location.column == 7 and spliceable(text, plain)
    assert quoted.location.column == 10 and spliceable(text, quoted)
    assert plain.short == "Tisa"


def test_csv_doubled_quotes_have_no_offset_but_a_position() -> None:
    text = 'code,descriptor\nJ9999,"Injection, ""brand"" drug, 1 mg"\n'
    (record,) = read_table("t.csv", text)
    assert record.long == 'Injection, "brand" drug, 1 mg'
    assert record.location.offset is None
    assert (record.location.line, record.location.column) == (2, 8)


def test_crlf_and_padding_offsets_are_exact() -> None:
    text = (
        "hcpcs_code , LONG DESCRIPTION\r\n\r\n"
        'J3391,   "Injection, x autotemcel, per treatment"   \r\n'
        "j3392,y\r\n"
    )
    records = list(read_table("t.csv", text))
    assert [r.code for r in records] == ["J3391", "J3392"]
    assert records[0].long == "Injection, x autotemcel, per treatment"
    assert all(spliceable(text, r) for r in records)
    assert [r.location.line for r in records] == [3, 4]
    assert line_col(text, records[0]).startswith("Injection, x")


@pytest.mark.parametrize("delimiter", ["\t", ";", "|", ","])
def test_delimiter_is_sniffed(delimiter: str) -> None:
    header = delimiter.join(["HCPC", "LONG DESCRIPTION", "TERM DT", "ACTION CD"])
    descriptor = "Sipuleucel-t, minimum of 50 million cells, per infusion"
    field = f'"{descriptor}"' if delimiter == "," else descriptor
    row = delimiter.join(["Q2043", field, "20251231", "D"])
    text = f"{header}\n{row}\n"
    (record,) = read_table("t.txt", text)
    assert record.long == "Sipuleucel-t, minimum of 50 million cells, per infusion"
    assert record.terminated == "20251231" and record.action_code == "D" and not record.active
    assert spliceable(text, record)


def test_long_description_preferred_over_description_and_modifiers_and_cpt() -> None:
    text = (
        "Description,HCPCS,Long Description,RECID\n"
        "short one,38225,T-cell collection service written by us,3\n"
        "mod,   GA,Waiver of liability statement on file,7\n"
    )
    cpt, modifier = read_table("t.csv", text)
    assert cpt.long == "T-cell collection service written by us" and cpt.level == "I"
    assert modifier.code == "GA" and modifier.kind == "modifier"


def test_csv_without_recognisable_columns_names_path_and_columns() -> None:
    with pytest.raises(InputError) as info:
        list(read_table("drugs.csv", "name,price\nfoo,1\n"))
    err = info.value
    assert err.path == "drugs.csv"
    assert "'name'" in err.message and "'price'" in err.message and "descriptor" in err.message
    assert str(err).startswith("drugs.csv:1:")


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("code,descriptor\nQ2041,Injection, x, 1 mg\n", 2, "fields"),
        ("code,descriptor\nhello,Injection x\n", 2, "not a HCPCS"),
        ("code,descriptor\n,Injection x\n", 2, "no code"),
        ("code,descriptor\n\nQ2041\n", 3, "no descriptor"),
    ],
)
def test_bad_rows_are_input_errors_with_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(InputError) as info:
        list(read_table("t.csv", text))
    assert info.value.line == line and needle in info.value.message


def test_csv_row_marker_is_noqa_and_not_descriptor() -> None:
    text = "code,descriptor\nQ2041,Axi per dose # hcpcs-lint: ignore HL101\nQ2042,Tisa,# hcpcs-lint: ignore\n"
    first, second = read_table("t.csv", text)
    assert first.long == "Axi per dose" and first.noqa == ("HL101",) and spliceable(text, first)
    assert second.noqa == ("all",)


def test_title_rows_above_header_and_empty_descriptors() -> None:
    text = "HCPCS export 2026\n\ncode;descriptor\nQ2041;\nQ2042;Tisa per dose\n"
    (record,) = read_table("t.csv", text)
    assert record.code == "Q2042" and record.location.line == 5


# ---------------------------------------------------------------- stdin lines


def test_lines_all_separators() -> None:
    text = (
        "# comment\n"
        "Q2041 Axi per dose\n"
        "Q2042: Tisa per dose\n"
        "q2043\tSipuleucel per infusion\n"
        "Q2053 - Brexu per dose\n"
        "Q2054 — Lisocabtagene per dose\n"
        "\n"
        "Injection, something without a code\n"
        "J3391 Injection, atidarsagene autotemcel, per treatment  # hcpcs-lint: ignore HL102, HL101\n"
    )
    records = list(read_lines("-", text))
    assert [r.code for r in records] == ["Q2041", "Q2042", "Q2043", "Q2053", "Q2054", "#8", "J3391"]
    assert [r.location.line for r in records] == [2, 3, 4, 5, 6, 8, 9]
    assert records[1].long == "Tisa per dose" and records[4].long == "Lisocabtagene per dose"
    assert records[5].long == "Injection, something without a code" and records[5].level == "II"
    assert records[6].long == "Injection, atidarsagene autotemcel, per treatment"
    assert records[6].noqa == ("HL102", "HL101")
    assert all(spliceable(text, r) for r in records)
    assert all(line_col(text, r).startswith(r.long) for r in records)


def test_lines_crlf_offsets_and_code_only_line() -> None:
    text = "Q2041 Axi\r\nQ2042 Tisa\r\n"
    records = list(read_lines("-", text))
    assert [r.long for r in records] == ["Axi", "Tisa"]
    assert all(spliceable(text, r) for r in records)
    with pytest.raises(InputError) as info:
        list(read_lines("-", "Q2041 Axi\nQ2042\n"))
    assert info.value.line == 2


# ---------------------------------------------------------------- drafts


def test_cms_suggested_language_curly_quotes_placeholder() -> None:
    text = (
        "Applicant's suggested language: JXXXX “Injection, examplumab-abcd, 45 mg”.\n"
        "\n"
        'CMS established new code Q2042 "Tisagenlecleucel, up to 600 million car-positive viable t cells, '
        'per therapeutic dose."\n'
    )
    first, second = read_draft("d.md", text)
    assert (first.code, first.long) == ("JXXXX", "Injection, examplumab-abcd, 45 mg")
    assert first.location.line == 1 and first.location.column == 40
    assert second.code == "Q2042" and second.long.endswith("per therapeutic dose")  # sentence period dropped
    assert spliceable(text, first) and spliceable(text, second)


def test_revision_yields_only_the_revised_text() -> None:
    text = (
        "We revise existing code Q2040, which currently reads: “Old text, including leukapheresis,"
        " per dose”, to instead read: “New text, per dose”.\n"
    )
    (record,) = read_draft("d.txt", text)
    assert (record.code, record.long) == ("Q2040", "New text, per dose")
    assert spliceable(text, record)


def test_current_text_dropped_when_revision_follows_in_later_sentence() -> None:
    text = (
        'Code Q2040 currently reads "Old text, per dose". '
        'CMS will revise Q2040 to read "New text, per dose".\n'
        '\nCode Q2041 currently reads "Kept text, per dose". No change.\n'
    )
    records = list(read_draft("d.txt", text))
    assert [(r.code, r.long) for r in records] == [
        ("Q2040", "New text, per dose"),
        ("Q2041", "Kept text, per dose"),
    ]


def test_quote_wrapped_over_a_line_break_is_folded_and_not_spliceable() -> None:
    text = 'New code Q20XX "Zevocabtagene autoleucel, up to 150 million cells,\n    per therapeutic dose".\n'
    (record,) = read_draft("d.md", text)
    assert record.long == "Zevocabtagene autoleucel, up to 150 million cells, per therapeutic dose"
    assert record.location.offset is None
    assert (record.location.line, record.location.column) == (1, 17)


def test_quotes_far_from_a_code_or_in_another_paragraph_are_not_descriptors() -> None:
    text = (
        "Code Q2041 is discussed here.\n\n"
        'The applicant called it "a first in class product".\n'
        'Q2042 was reviewed. The committee said "this is not a descriptor".\n'
        "- Q2043 was approved last year.\n"
    )
    assert list(read_draft("d.md", text)) == []


def test_markdown_table_cells_with_quotes_backticks_and_escapes() -> None:
    text = (
        "| # | HCPCS | Descriptor |\n"
        "|---|:-----:|------------|\n"
        '| 1 | Q20X1 | "Tovalimcel, per infusion" |\n'
        "| 2 | `J33X2` | `Injection, corlagene vectorcel, per treatment` |\n"
        "| 3 | **Q20X3** | Product a \\| b, per dose |\n"
        "| 4 | total | ignored row |\n"
    )
    records = list(read_draft("d.md", text))
    assert [r.code for r in records] == ["Q20X1", "J33X2", "Q20X3"]
    assert [r.location.line for r in records] == [3, 4, 5]
    assert records[0].long == "Tovalimcel, per infusion" and spliceable(text, records[0])
    assert records[1].long == "Injection, corlagene vectorcel, per treatment" and spliceable(text, records[1])
    assert records[2].long == "Product a | b, per dose" and records[2].location.offset is None
    assert line_col(text, records[0]).startswith("Tovalimcel")


def test_table_without_code_column_falls_back_to_prose() -> None:
    text = '| Item | Note |\n|---|---|\n| a | code Q2041 "Axi text, per dose" |\n'
    (record,) = read_draft("d.md", text)
    assert record.code == "Q2041" and record.long == "Axi text, per dose"


def test_definition_lines() -> None:
    text = (
        "Q2059: Descriptor one, per dose\n"
        '- Q2058 — "Descriptor two, per dose"\n'
        "* **Q2057** Descriptor three, per dose\n"
        "1. `Q2056` – Descriptor four, per dose\n"
        "**Q2055:** Descriptor five, per dose\n"
        "## Q2054: a heading, not a descriptor\n"
    )
    records = list(read_draft("d.md", text))
    assert [(r.code, r.long) for r in records] == [
        ("Q2059", "Descriptor one, per dose"),
        ("Q2058", "Descriptor two, per dose"),
        ("Q2057", "Descriptor three, per dose"),
        ("Q2056", "Descriptor four, per dose"),
        ("Q2055", "Descriptor five, per dose"),
    ]
    assert [r.location.line for r in records] == [1, 2, 3, 4, 5]
    assert all(spliceable(text, r) for r in records)


def test_suppression_markers_same_line_line_above_and_all() -> None:
    text = (
        "<!-- hcpcs-lint: ignore HL101, level2-includes-cpt-service -->\n"
        "\n"
        'New code Q20X1 "First product, per dose".\n'
        'New code Q20X2 "Second product, per dose". <!-- hcpcs-lint: ignore -->\n'
        'New code Q20X3 "Third product, per dose".\n'
        '<!-- an ordinary comment: Q20X4 "Hidden product, per dose" -->\n'
    )
    records = list(read_draft("d.md", text))
    assert [r.code for r in records] == ["Q20X1", "Q20X2", "Q20X3"]
    assert records[0].noqa == ("HL101", "level2-includes-cpt-service")
    assert records[1].noqa == ("all",)
    assert records[2].noqa == ()


def test_example_draft_corpus() -> None:
    text = DRAFT.read_text(encoding="utf-8")
    records = {r.code: r for r in read_draft(str(DRAFT), text)}
    assert set(records) == {"Q20XX", "J33XX", "Q2041", "Q20X1", "J33X2", "Q20X3", "Q20X4"}
    assert "including leukapheresis and dose preparation procedures" in records["Q20XX"].long
    assert "leukapheresis" not in records["Q2041"].long  # the revised text, not the current one
    assert records["Q2041"].location.offset is None  # wrapped over lines in the draft
    assert records["Q20X3"].noqa == ("HL101",)
    assert all(spliceable(text, r) for code, r in records.items() if code != "Q2041")
    for record in records.values():
        if record.location.offset is not None:
            assert line_col(text, record).startswith(record.long[:20])
