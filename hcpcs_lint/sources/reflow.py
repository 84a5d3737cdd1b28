"""Repairs for text that was laid out for print: lines broken mid-word, two columns run together.

Text copied out of a PDF keeps the typesetter's line breaks (``leukaphe-`` / ``resis``) and, from a
two-column page read across, puts the left and right column on one line. Where both columns say the
same thing (the applicant's language and the recommendation quoting it) that line holds the same run
twice. These helpers undo both without moving any character, so offsets into the file stay exact.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD_RE = re.compile(r"[a-z]+(?:-[a-z0-9]+)*")
_BREAK_RE = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*")
# A hyphen at the end of a line between letters: "leukaphe-\nresis", "car-\npositive".
_HYPHEN_BREAK_RE = re.compile(r"([A-Za-z]+)-[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*(?=([a-z]+))")
_WHITESPACE_RUN_RE = re.compile(r"[ \t]+")
_MIN_REPEATED_RUN = 12  # shorter repeats ("per dose per dose") are left alone
# First parts that keep their hyphen when the document gives no evidence either way.
_HYPHEN_PREFIXES = frozenset({
    "anti", "non", "car", "self", "co", "pre", "post", "multi", "semi", "sub", "inter", "intra",
    "extra", "bi", "tri", "mono", "poly", "cd", "t", "b", "ex", "re", "all", "well",
})  # fmt: skip


class Vocabulary:
    """How often the document writes a word joined (``leukapheresis``) or hyphenated (``car-positive``)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._counts: Counter[str] | None = None

    def count(self, word: str) -> int:
        if self._counts is None:
            self._counts = Counter(_WORD_RE.findall(self._text.lower()))
        return self._counts[word.lower()]

    def keeps_hyphen(self, left: str, right: str) -> bool:
        """Whether ``left-`` + line break + ``right`` is a hyphenated word rather than a broken one."""
        hyphenated, joined = self.count(f"{left}-{right}"), self.count(left + right)
        if hyphenated != joined:
            return hyphenated > joined
        return left.lower() in _HYPHEN_PREFIXES or len(left) <= 2


def fold(raw: str, vocabulary: Vocabulary) -> str:
    """``raw`` on one line: hyphen breaks joined (or kept, for a hyphenated word), other breaks one space."""

    def hyphen(m: re.Match[str]) -> str:
        return m[1] + ("-" if vocabulary.keeps_hyphen(m[1], m[2]) else "")

    return _BREAK_RE.sub(" ", _HYPHEN_BREAK_RE.sub(hyphen, raw))


def blank_repeated_runs(text: str) -> str:
    """Blank the second copy on lines that hold the same run twice (``A<spaces>A``), keeping length.

    Only whole-line repeats of at least 12 characters count: the two columns printed the same text.
    """
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append(_blank_second_run(body) + line[len(body) :])
    return "".join(out)


def _blank_second_run(body: str) -> str:
    stripped = body.strip()
    if len(stripped) < 2 * _MIN_REPEATED_RUN + 1:
        return body
    for m in _WHITESPACE_RUN_RE.finditer(body):
        left, right = body[: m.start()].strip(), body[m.end() :].strip()
        if len(left) > len(right):
            break
        if left == right:
            return body[: m.start()] + " " * (len(body) - m.start())
    return body
