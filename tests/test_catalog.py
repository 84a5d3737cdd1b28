"""The catalog (hcpcs_lint/catalog.py, rules/catalog/*.toml): product classes from INN/USAN stems,
inclusion items matched to CPT services, things (kits, bags) never taken for services."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hcpcs_lint.catalog import _WORDS, Catalog, _any_of, load_catalog
from hcpcs_lint.model import InputError
from hcpcs_lint.parser import parse
from hcpcs_lint.services import read_item
from tests.helpers import catalog

CAR_T = (
    "Axicabtagene ciloleucel, up to 200 million autologous anti-cd19 car positive viable t cells, "
    "including leukapheresis and dose preparation procedures, per therapeutic dose"
)
GENE = "Injection, betibeglogene autotemcel, per treatment"


def classes(text: str) -> frozenset[str]:
    return catalog().classify(parse(text))


def test_stems_give_classes_with_their_ancestors() -> None:
    car_t = classes(CAR_T)
    assert {"leucel", "autologous-cell-therapy", "cell-therapy", "any-product"} <= car_t
    assert "autotemcel" in classes(GENE)
    assert catalog().ancestors("leucel") == ["leucel", "autologous-cell-therapy", "cell-therapy"]
    assert catalog().depth("leucel") == 3


def test_peer_group_is_the_broadest_and_specific_class_the_narrowest() -> None:
    cat = catalog()
    assert cat.peer_group(classes(CAR_T)) == cat.peer_group(classes(GENE)) == "autologous-cell-therapy"
    specific = cat.specific_class(classes(CAR_T))
    assert specific is not None and cat.depth(specific) >= cat.depth("leucel")


def test_a_word_that_only_ends_like_a_stem_is_no_product_class() -> None:
    assert classes("Amnioexcel, per square centimeter") & {"cell-therapy", "leucel"} == set()


def test_service_items_match_cpt_services_for_the_product_class() -> None:
    reading = read_item("leukapheresis", catalog(), classes(CAR_T))
    assert reading.is_service and reading.cpt == ("38225",)
    # The same item on a product outside the combination's classes: a service, but no family.
    other = read_item("leukapheresis", catalog(), frozenset({"any-product"}))
    assert other.is_service and other.cpt == ()


@pytest.mark.parametrize("item", ["dose preparation kit", "the infusion bag", "administration set tubing"])
def test_things_are_not_services(item: str) -> None:
    reading = read_item(item, catalog(), classes(CAR_T))
    assert reading.what == "thing" and not reading.is_service


def test_hedges_and_generic_tails_are_trimmed() -> None:
    reading = read_item("all other preparatory procedures", catalog(), classes(CAR_T))
    assert (reading.word, reading.action, reading.is_service) == ("preparatory", "preparation", True)
    assert read_item("harvesting of t cells", catalog()).word == "harvesting"


def test_classes_are_computed_once_per_text() -> None:
    first = catalog().classify(parse(GENE))
    assert catalog().classify(parse(GENE)) is first
    assert catalog().level1 is None  # no licensed CPT file unless the user gives one (--cpt)


def test_missing_catalog_folder_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="catalog directory not found") as err:
        load_catalog([tmp_path / "nope"])
    assert str(tmp_path / "nope") in str(err.value)


def _head_classes_by_scan(cat: Catalog, head: str) -> frozenset[str]:
    """What a head names, by the plain definition: every class against every word of it."""
    words = _WORDS.findall(head)
    found = set()
    for c in cat.classes.values():
        if c.head_words.intersection(words):
            found.add(c.id)
        for w in words:
            parts = [p for p in w.split("-") if p]
            if w not in c.not_words and any(p.endswith(c.stems) and len(p) > 4 for p in parts):
                found.add(c.id)
    return frozenset(found)


@pytest.mark.parametrize(
    "head",
    [
        "axicabtagene ciloleucel",
        "betibeglogene autotemcel",
        "amnioexcel",  # ends like "-cel" but is ruled out by name
        "cel",  # too short to be a stem match
        "lovo-cel autoleucel",  # hyphenated: each part is tested
        "skin substitute, dermal matrix",  # head words
        "onasemnogene abeparvovec-xioi",
        "oncogene cartilage",
        "injection, drug",
        "",
    ],
)
def test_head_classes_are_the_union_of_what_each_word_names(head: str) -> None:
    """Heads are classified word by word (each word's classes found once, by its endings): the
    result is what testing every class against every word gives, cold and from the memo."""
    cat = load_catalog()
    assert cat._head_classes(head) == _head_classes_by_scan(cat, head)
    assert cat._head_classes(head) == _head_classes_by_scan(cat, head)  # memoised


def test_two_descriptors_with_the_same_head_classify_the_same() -> None:
    """The head's classes are memoised per head text; the rest of each descriptor still counts."""
    cat = load_catalog()
    plain = cat.classify(parse("Injection, betibeglogene autotemcel, per treatment"))
    other = cat.classify(parse("Injection, betibeglogene autotemcel, per dose"))
    with_term = cat.classify(parse("Injection, betibeglogene autotemcel, allogeneic, per dose"))
    assert plain == other and "autotemcel" in plain
    assert cat._head_classes("betibeglogene autotemcel") == _head_classes_by_scan(
        cat, "betibeglogene autotemcel"
    )
    assert with_term != plain  # "allogeneic" (a term) rules out the autologous classes


def test_any_term_finds_every_term_and_nothing_else() -> None:
    """The one-scan term filter matches exactly the texts that contain some class term."""
    cat = load_catalog()
    terms = {t for t, _ in cat._term_pairs}
    assert terms
    for t in terms:
        assert cat._any_term.search(f"x {t} y") is not None, t
        assert cat._any_term.search(t[:-1] + "\x00") is None or any(u in t[:-1] for u in terms), t
    trie = re.compile(_any_of({"car", "car+", "cd34", "(prp)"}))
    assert [bool(trie.search(t)) for t in ("a car", "cd34+", "(prp)", "cd3", "ca r", "prp")] == [
        True, True, True, False, False, False,
    ]  # fmt: skip
    assert re.compile(_any_of({""})).search("anything") is not None
