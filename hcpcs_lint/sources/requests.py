"""The requests of a CMS-style document: their numbers (``19.001``, ``26.015``) and what each asks for.

CMS's "HCPCS Application Summaries and Coding Recommendations" number each request and say what it
asks: establish a new code ("Applicant's suggested language: JXXXX …", "establish a new HCPCS Level
II code"), revise one ("revise existing code Q2041, which currently reads: … to instead read: …"), or
discontinue one. A quoted descriptor takes the kind its own sentence states; failing that, the first
kind its request's text names before it.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from hcpcs_lint.model import RequestKind

# "Request #26.015", "HCPCS Request No. 19.001:", or the number alone opening a line ("26.015 Topic").
_REQUEST_RE = re.compile(
    r"""^[ \t>#*_|]*(?:
        (?i:(?:HCPCS[ \t]+)?(?:application|request)[ \t]*(?:\#|no\.?|number)?[ \t]*:?[ \t]*)(?P<a>\d{2}\.\d{3})
      | (?P<b>\d{2}\.\d{3})(?=[ \t]*(?:[:.\-–—][ \t]*)?(?:$|[A-Z*_\r]))
    )\b""",
    re.MULTILINE | re.VERBOSE,
)
_KIND_RES: tuple[tuple[RequestKind, re.Pattern[str]], ...] = (
    ("discontinue", re.compile(r"\b(?:discontinu\w*|delet\w*|terminat\w*)\b", re.IGNORECASE)),
    (
        "revise",
        re.compile(r"\b(?:revis\w*|currently\s+reads|to\s+instead\s+read|modify|modif\w+)\b", re.IGNORECASE),
    ),
    (
        "new",
        re.compile(
            r"\b(?:establish\w*|new\s+(?:hcpcs\s+)?(?:level\s+ii\s+)?code|suggested\s+language|add\s+a\s+code)\b",
            re.IGNORECASE,
        ),
    ),
)
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s)|\n[ \t]*\n")


class Requests:
    """Where each request starts in a document, to answer "which request is this offset in"."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.numbers: list[str] = []
        for m in _REQUEST_RE.finditer(text):
            self.starts.append(m.start())
            self.numbers.append(m["a"] or m["b"])

    def at(self, offset: int) -> tuple[str | None, int]:
        """The request number that ``offset`` lies in and where its text starts (0 before any)."""
        i = bisect_right(self.starts, offset) - 1
        return (self.numbers[i], self.starts[i]) if i >= 0 else (None, 0)

    def kind(self, quote_start: int, block_start: int) -> RequestKind | None:
        """The kind the quote's own sentence names, else the first its request names before the quote."""
        number, request_start = self.at(quote_start)
        before = self.text[block_start:quote_start]
        ends = list(_SENTENCE_END_RE.finditer(before))
        sentence = before[ends[-1].end() :] if ends else before
        if found := _first_kind(sentence):
            return found
        if number is None:
            return None
        return _first_kind(self.text[request_start:quote_start])


def _first_kind(text: str) -> RequestKind | None:
    best: tuple[int, RequestKind] | None = None
    for kind, pattern in _KIND_RES:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else None
