"""Level I (CPT) families: codes whose descriptors share the text before the semicolon.

CPT writes a family once ("<stem>; <own part>") and each sibling adds its own part after the
semicolon; the AMA's long-descriptor file repeats the stem in every sibling. ``group_families``
finds those groups in a file, and ``LevelOne`` matches Level II wording against a user's licensed
CPT file by content words, so an inclusion item written in other words ("harvest of skin from a
donor site") still names the exact codes of the family it describes. hcpcs-lint ships no CPT
text: the descriptors come from the user's own file and stay in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hcpcs_lint.model import Descriptor, Record
from hcpcs_lint.parser import parse

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Words that carry no meaning of their own when comparing what two descriptors describe.
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "as",
        "at",
        "be",
        "by",
        "each",
        "either",
        "first",
        "for",
        "from",
        "in",
        "including",
        "includes",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "other",
        "per",
        "same",
        "than",
        "that",
        "the",
        "their",
        "this",
        "to",
        "up",
        "using",
        "via",
        "when",
        "which",
        "with",
        "without",
        "patient",
        "patients",
        "code",
        "codes",
        "procedure",
        "procedures",
        "service",
        "services",
        "separately",
        "list",
        "addition",
        "primary",
        "additional",
    ]
)
_MIN_SHARED = 2  # an item must share at least this many content words with a code
_MIN_COVER = 0.75  # ... and this share of its own content words


def stem_key(text: str) -> str:
    """Stems compare ignoring case, spacing and trailing punctuation."""
    return " ".join(text.lower().split()).strip(" ,.;:")


def _norm(word: str) -> str:
    """A crude stem, enough to meet "cells"/"cell" and "harvesting"/"harvest"."""
    for suffix in ("ings", "ing", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            return word + "y" if suffix == "ies" else word
    return word


def content_words(text: str) -> frozenset[str]:
    """The meaningful words of a descriptor or item, normalised."""
    out = set()
    for w in _WORD.findall(text.lower().replace("'s", "")):
        for part in w.split("-") if "-" in w else (w,):
            if part not in _STOP and not part.isdigit() and len(part) > 1:
                out.add(_norm(part))
    return frozenset(out)


def _without_add_on(desc: Descriptor) -> str:
    """The text without its add-on marker, whose words are the same in every add-on code."""
    text = desc.text
    for c in reversed(desc.of_role("add-on")):
        text = text[: c.start] + " " * (c.end - c.start) + text[c.end :]
    return text


@dataclass(frozen=True)
class Family:
    """Sibling codes sharing a stem, in file order."""

    stem: str
    codes: tuple[str, ...]


def group_families(records: Iterable[Record]) -> dict[str, Family]:
    """Each Level I code's family (only codes with a stem, or whose whole text is a known stem)."""
    by_key: dict[str, list[str]] = {}
    stems: dict[str, str] = {}
    whole: list[tuple[str, str]] = []
    for rec in records:
        if rec.level != "I":
            continue
        desc = parse(rec.long, "I")
        if desc.stem is None:
            whole.append((stem_key(rec.long), rec.code))
            continue
        key = stem_key(desc.stem.text)
        stems.setdefault(key, desc.stem.text.strip())
        by_key.setdefault(key, []).append(rec.code)
    for key, code in whole:  # a parent written without a semicolon heads its family
        if key in by_key:
            by_key[key].insert(0, code)
    out: dict[str, Family] = {}
    for key, codes in by_key.items():
        fam = Family(stems[key], tuple(dict.fromkeys(codes)))
        for code in fam.codes:
            out[code] = fam
    return out


@dataclass(frozen=True)
class LevelOneMatch:
    codes: tuple[str, ...]
    stem: str
    score: float


@dataclass(frozen=True)
class _Code:
    code: str
    stem_key: str
    stem_words: frozenset[str]
    own_words: frozenset[str]


class LevelOne:
    """A user's CPT file as families, matched against Level II wording by shared content words."""

    def __init__(self, records: Iterable[Record]) -> None:
        records = list(records)
        self.codes: list[_Code] = []
        self.stems: dict[str, str] = {}
        for rec in records:
            desc = parse(rec.long, "I")
            if desc.stem is not None and desc.specific is not None:
                stem_text = desc.stem.text
                stem_w = content_words(stem_text)
                own_w = content_words(_without_add_on(desc.specific)) - stem_w
            else:
                stem_text = rec.long
                stem_w = content_words(_without_add_on(desc))
                own_w = frozenset()
            key = stem_key(stem_text)
            self.stems.setdefault(key, stem_text.strip())
            self.codes.append(_Code(rec.code, key, stem_w, own_w))
        self.families = group_families(records)

    def __len__(self) -> int:
        return len(self.codes)

    def match(self, text: str) -> LevelOneMatch | None:
        """The codes ``text`` describes: the best-covered family, narrowed to the siblings whose own
        part it names too; None when no code shares enough of its words."""
        item = content_words(text)
        if len(item) < _MIN_SHARED:
            return None
        best: list[tuple[int, _Code]] = []
        best_cover = 0.0
        for c in self.codes:
            shared = item & (c.stem_words | c.own_words)
            if len(shared) < _MIN_SHARED:
                continue
            cover = len(shared) / len(item)
            if cover < _MIN_COVER or cover < best_cover:
                continue
            own = len(item & c.own_words)
            if cover > best_cover:
                best, best_cover = [], cover
            best.append((own, c))
        if not best:
            return None
        top_own = max(own for own, _ in best)
        chosen = [c for own, c in best if own == top_own]
        stems = {c.stem_key for c in chosen}
        if len(stems) > 1 and top_own == 0:
            return None  # the words fit several families equally: naming one would be a guess
        codes = tuple(dict.fromkeys(c.code for c in chosen))
        return LevelOneMatch(codes, self.stems[chosen[0].stem_key], round(best_cover * 100, 1))
