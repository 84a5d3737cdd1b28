"""Acceptance on the real October 2025 CMS release: level2-includes-cpt-service finds exactly the
labelled true cases (docs/labelling.md), with exact revised text and the right CPT families, and
none of the traps."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcpcs_lint.engine import Linter, bundled_corpus_path
from hcpcs_lint.fixes import fix_record
from hcpcs_lint.model import Finding
from hcpcs_lint.sources import load

CAR_T_FIXED = {
    "Q2041": "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, per therapeutic dose",
    "Q2042": "Tisagenlecleucel, up to 600 million car-positive viable t cells, per therapeutic dose",
    "Q2043": "Sipuleucel-t, minimum of 50 million autologous cd54+ cells activated with pap-gm-csf, per infusion",
    "Q2053": "Brexucabtagene autoleucel, up to 200 million autologous anti-cd19 car positive viable t cells, per therapeutic dose",
    "Q2054": "Lisocabtagene maraleucel, up to 110 million autologous anti-cd19 car-positive viable t cells, per therapeutic dose",
    "Q2055": "Idecabtagene vicleucel, up to 510 million autologous b-cell maturation antigen (bcma) directed car-positive t cells, per therapeutic dose",
    "Q2056": "Ciltacabtagene autoleucel, up to 100 million autologous b-cell maturation antigen (bcma) directed car-positive t cells, per therapeutic dose",
    "Q2057": "Afamitresgene autoleucel, per therapeutic dose",
    "Q2058": "Obecabtagene autoleucel, 10 up to 400 million cd19 car-positive viable t cells, per infusion",
}
# Other active product codes whose inclusion clause names a CPT service (see docs/labelling.md),
# with the exact revision: the whole clause goes when every item is a service, the rest stays.
OTHER_FIXED = {
    "G0460": "Autologous platelet rich plasma or other blood-derived product for non-diabetic chronic wounds/ulcers, including as applicable dressings, per treatment",
    "G0465": "Autologous platelet rich plasma (prp) or other blood-derived product for diabetic chronic wounds/ulcers, using an fda-cleared device for this indication, (includes as applicable dressings, per treatment)",
    "C1832": "Autograft suspension, including all system components",
    "Q4226": "Myown skin, per square centimeter",  # the Q4 skin range: a brand name, no INN stem
}
OTHER_TRUE = set(OTHER_FIXED)
# Service-headed: "Intravenous infusion, <antibody>, ..., includes infusion and monitoring".
SERVICE_HEADED = ["M0224", "M0235", "M0236", "M0237", "M0238", "M0249", "M0250"]
TRAPS = [
    "J3391",
    "J3392",
    "J3393",
    "J3394",  # gene therapies: product only
    "J3401",  # "for topical administration"
    "B4034",
    "B4035",  # "administration set tubing"
    "A7048",  # "collection unit"
    "P9034",
    "P9035",
    "P9052",  # "platelets, pheresis"
    "A4566",
    "L0458",  # DMEPOS "includes fitting and adjustment"
    "B4189",
    "B5000",  # parenteral nutrition "including preparation"
    "J7306",
    "J7307",  # "including implants and supplies"
    "J1811",  # insulin "for administration through dme"
    "C1762",  # "(includes fascia lata)"
    "C1735",
    "C1737",  # "including all system components"
    "B4150",
    "B4161",  # enteral formula "administered through an enteral feeding tube"
    "C1725",  # "(may include guidance, infusion/perfusion capability)"
    "G2206",  # a quality measure "including both chemotherapy and her2-targeted therapy"
]


@pytest.fixture(scope="module")
def october(data_dir: Path) -> tuple[Linter, list[Finding], dict[str, object]]:
    records = list(load(str(data_dir / "2025-10" / "HCPC2025_OCT_ANWEB.xlsx")))
    linter = Linter(reference=list(load(str(bundled_corpus_path()))))
    result = linter.lint(records)
    return linter, result.findings, {"result": result}


def test_precision_and_recall_of_hl101(october) -> None:  # type: ignore[no-untyped-def]
    _, findings, _ = october
    flagged = {f.record.code for f in findings if f.rule == "HL101"}
    labelled = set(CAR_T_FIXED) | set(OTHER_TRUE)
    assert flagged == labelled, f"missed {sorted(labelled - flagged)}, extra {sorted(flagged - labelled)}"


def test_revised_text_is_exact(october) -> None:  # type: ignore[no-untyped-def]
    linter, findings, extra = october
    from hcpcs_lint.engine import Context

    result = extra["result"]
    ctx = Context(linter.cat, linter.config, linter.corpus_for(result.entries))  # type: ignore[attr-defined]
    by_code = {f.record.code: f for f in findings if f.rule == "HL101"}
    only_hl101 = Linter(rules=[r for r in linter.rules if r.code == "HL101"], catalog=linter.cat)
    for code, expected in {**CAR_T_FIXED, **OTHER_FIXED}.items():
        f = by_code[code]
        assert f.fix is not None and f.fix.descriptor == expected
        assert f.fix.applicability == "unsafe"
        assert fix_record(only_hl101, f.record, ctx, unsafe=True).text == expected
    assert set(by_code["Q2041"].cpt) == {"38225", "38226", "38227"}


def test_cpt_families_are_the_combinations_never_a_guess(october) -> None:  # type: ignore[no-untyped-def]
    _, findings, _ = october
    hl101 = {f.record.code: f for f in findings if f.rule == "HL101"}
    hl102 = {f.record.code: f for f in findings if f.rule == "HL102"}
    # Sipuleucel-T and a TCR-T product are not CAR-T: their services are named without a family.
    for code in ("Q2043", "Q2057", "Q4226"):
        assert hl101[code].cpt == () and "CPT code not identified" in hl101[code].message
    assert {"0232T", "36415"} <= set(hl101["G0460"].cpt) and not set(hl101["G0460"].cpt) & {"96365", "96413"}
    assert set(hl102["C8002"].cpt) == {"15013", "15014"}  # preparing a suspension, not harvesting skin
    assert set(hl102["G0008"].cpt) == {"90471", "90472", "90473", "90474"}
    for code in ("S4025", "G0259", "G0260", "S9061", "C9776"):  # the wrong families of issue 10
        assert code not in hl102


def test_service_headed_codes_get_no_product_message(october) -> None:  # type: ignore[no-untyped-def]
    _, findings, _ = october
    for code in SERVICE_HEADED:
        rules = {f.rule for f in findings if f.record.code == code}
        assert "HL101" not in rules and "HL102" in rules, code


def test_traps_stay_clean(october) -> None:  # type: ignore[no-untyped-def]
    _, findings, _ = october
    noisy = {f.record.code for f in findings if f.rule in ("HL101", "HL201")} & set(TRAPS)
    assert noisy == set()


def test_q2041_lists_gene_therapy_peers_in_its_one_finding(october) -> None:  # type: ignore[no-untyped-def]
    _, findings, _ = october
    mine = [f for f in findings if f.record.code == "Q2041"]
    assert [f.rule for f in mine if f.rule in ("HL101", "HL201")] == ["HL101"]  # HL201 does not repeat it
    related = {r.code for r in mine[0].related}
    assert {"J3393", "J3394"} <= related
    assert not related & set(CAR_T_FIXED)  # a peer that bundles services is not a clean peer
    assert all("describes only the product" in r.note for r in mine[0].related)


def test_terminated_codes_only_with_include_terminated(data_dir: Path) -> None:
    records = list(load(str(data_dir / "2025-10" / "HCPC2025_OCT_ANWEB.xlsx")))
    linter = Linter(include_terminated=True, config=Linter().config)
    flagged = {f.record.code for f in linter.lint(records).findings if f.rule == "HL101"}
    assert {"Q2040", "C9073", "C9076", "C9081", "C9098", "C9301"} <= flagged


UNSEEN = [
    (
        "Novacabtagene autoleucel, up to 300 million car-positive viable t cells, inclusive of leukopheresis and dose preparation, per infusion",
        "Novacabtagene autoleucel, up to 300 million car-positive viable t cells, per infusion",
    ),
    (
        "Examplecel, per therapeutic dose, including cell harvesting, cryopreservation, and administration",
        "Examplecel, per therapeutic dose",
    ),
    (
        "Fooleucel-t, minimum of 40 million autologous cells, including leucapheresis and all other preparatory procedures, per infusion",
        "Fooleucel-t, minimum of 40 million autologous cells, per infusion",
    ),
    (
        "Injection, zetagene autotemcel, per treatment, includes stem cell collection, cell processing and the infusion bag",
        "Injection, zetagene autotemcel, per treatment, includes the infusion bag",
    ),
]


@pytest.mark.parametrize(("text", "fixed"), UNSEEN)
def test_reworded_unseen_descriptors_are_flagged(text: str, fixed: str) -> None:
    """New products, misspellings, "inclusive of", three-item lists, services at the end."""
    linter = Linter(rules=[r for r in Linter().rules if r.code == "HL101"])
    _, findings = linter.lint_text("Q99XX", text)
    assert [f.rule for f in findings] == ["HL101"], text
    assert findings[0].fix is not None and findings[0].fix.descriptor == fixed
