"""Property tests of every reader: arbitrary bytes and mutated real files (truncation, bit flips,
wrong encodings, UTF-16, BOMs, mixed encodings) give records or ``InputError``, never anything
else. ``make fuzz`` runs the same on 10^5 inputs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import data_root
from tests.fuzzing import mutate, read_all, reader_seeds

SEEDS = reader_seeds(data_root() if data_root().is_dir() else None)
NAMES = ("input.txt", "codes.csv", "codes.tsv", "draft.md", "book.xlsx", "book.xls", "release.zip", "noext")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("readers")


@settings(max_examples=1000)
@given(data=st.binary(max_size=1500), name=st.sampled_from(NAMES))
def test_arbitrary_bytes(folder: Path, data: bytes, name: str) -> None:
    assert read_all(name, data, folder) == []


@settings(max_examples=2000)
@given(seed=st.sampled_from(SEEDS), rng=st.randoms(use_true_random=False), rounds=st.integers(1, 3))
def test_mutated_files(folder: Path, seed: tuple[str, bytes], rng: random.Random, rounds: int) -> None:
    name, data = seed
    for _ in range(rounds):
        data = mutate(rng, data)
    assert read_all(name, data, folder) == []


@settings(max_examples=300)
@given(
    seed=st.sampled_from([s for s in SEEDS if not s[0].endswith((".xlsx", ".zip"))]),
    encoding=st.sampled_from(
        ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "cp1252", "latin-1"]
    ),
)
def test_text_in_other_encodings(folder: Path, seed: tuple[str, bytes], encoding: str) -> None:
    name, data = seed
    text = data.decode("utf-8", "replace") if not name.endswith(".txt") else data.decode("cp1252", "replace")
    assert read_all(name, text.encode(encoding, "replace"), folder) == []


def test_the_seeds_themselves_read(folder: Path) -> None:
    """The mutations start from files that read cleanly (else the test above proves little)."""
    from hcpcs_lint.sources import load

    for name, data in SEEDS:
        path = folder / name
        path.write_bytes(data)
        assert list(load(str(path))), name
