"""The data every layer passes along: records from sources, parsed descriptors, findings and fixes.

All are frozen dataclasses so a rule can never change what a reader produced. Spans are
character offsets ``(start, end)`` into ``Descriptor.text`` with ``text[start:end]`` exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["I", "II"]
RecordKind = Literal["procedure", "modifier"]
ClauseKind = Literal[
    "route", "product", "service", "amount", "basis", "inclusion", "exclusion", "qualifier", "parenthetical"
]
HeadKind = Literal["product", "service"]
Severity = Literal["error", "warning", "info"]
Applicability = Literal["safe", "unsafe", "display-only"]
RequestKind = Literal["new", "revise", "discontinue"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class InputError(Exception):
    """Bad input the user can fix: reported as ``path:line: message`` with exit code 2, never a traceback."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class NoDescriptors(InputError):
    """Input from which no descriptor could be read: a file that is not a release or draft, or holds none.

    An error when the file is named (nothing passes unread); inside a folder the CLI skips the file
    with a notice. The message names what was looked for, so the user can see why nothing matched.
    """

    def render(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record's descriptor stands in its source.

    ``line`` is 1-based (a text line, or a workbook row counting the header as row 1).
    ``column`` is 1-based where the descriptor text starts on that line, when known.
    ``offset`` is the character offset of the descriptor text in the decoded file, set only
    where the descriptor stands verbatim in the file (CSV, drafts) so a fix can splice it.
    """

    path: str
    line: int | None = None
    column: int | None = None
    offset: int | None = None
    member: str | None = None  # member name inside a zip
    page: int | None = None  # 1-based page of a PDF; ``line`` then counts text lines on that page

    def __str__(self) -> str:
        where = self.path if self.member is None else f"{self.path}!{self.member}"
        if self.page is not None:
            where += f":page {self.page}"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


@dataclass(frozen=True, slots=True)
class Record:
    """One code and its descriptors as a source gives them."""

    code: str
    long: str
    location: Location
    level: Level = "II"
    short: str = ""
    kind: RecordKind = "procedure"
    added: str | None = None  # YYYYMMDD
    action_effective: str | None = None
    terminated: str | None = None
    action_code: str | None = None
    # Rule selectors (code, name or group; "all" for every rule) silenced inline for this record,
    # e.g. by ``<!-- hcpcs-lint: ignore HL101 -->`` in a draft.
    noqa: tuple[str, ...] = ()
    # Drafts written as CMS requests: the request number ("26.015"), its kind ("new", "revise",
    # "discontinue") and, for a revision, the current text the request replaces.
    request: str | None = None
    request_kind: RequestKind | None = None
    current: str | None = None

    @property
    def active(self) -> bool:
        return not self.terminated


@dataclass(frozen=True, slots=True)
class Item:
    """One member of an inclusion or exclusion list, with its span in the descriptor."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    kind: ClauseKind
    text: str
    start: int
    end: int
    items: tuple[Item, ...] = ()
    keyword: str = ""  # the words that introduced the clause ("including", "per", ...)

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class Descriptor:
    """A parsed descriptor: typed clauses plus whatever the grammar could not type."""

    text: str
    level: Level
    head_kind: HeadKind
    clauses: tuple[Clause, ...]
    unparsed: tuple[tuple[int, int], ...] = ()
    # Level I only: the family stem before the first semicolon and the specific part after it.
    stem: Descriptor | None = None
    specific: Descriptor | None = None
    specific_offset: int = 0

    def of_kind(self, kind: str) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.kind == kind)

    def first(self, kind: str) -> Clause | None:
        for c in self.clauses:
            if c.kind == kind:
                return c
        return None

    @property
    def head(self) -> Clause | None:
        return self.first("product") or self.first("service")


@dataclass(frozen=True, slots=True)
class Related:
    """A peer code a finding points to (a clean peer of the same class, a near descriptor)."""

    code: str
    descriptor: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Fix:
    """Revised descriptor text and how safe it is to apply without review."""

    applicability: Applicability
    descriptor: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # "HL101"
    name: str  # "level2-includes-cpt-service"
    group: str
    severity: Severity
    message: str
    record: Record
    span: tuple[int, int]
    cpt: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def code(self) -> str:
        return self.record.code
