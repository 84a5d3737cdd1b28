"""The data every layer passes along: records from sources, parsed descriptors, findings and fixes.

All are frozen dataclasses so a rule can never change what a reader produced. Spans are
character offsets ``(start, end)`` into ``Descriptor.text`` with ``text[start:end]`` exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["I", "II"]
RecordKind = Literal["procedure", "modifier"]
ClauseRole = Literal[
    "route",
    "product",
    "service",
    "amount",
    "basis",
    "inclusion",
    "exclusion",
    "qualifier",
    "parenthetical",
    "add-on",  # "(list separately in addition to code for primary procedure)": one clause, whole
]
Head = Literal["product", "service"]  # what a descriptor is about
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
    # The effective date of the release the record comes from (YYYYMMDD, like the dates above):
    # what "as of" means for this record's peers, diffs and history. None for drafts and tables
    # unless --effective gives one. Set by sources.load (see sources/release.py for where it is read).
    effective: str | None = None
    # Rule selectors (code, name or group; "all" for every rule) silenced inline for this record,
    # e.g. by ``<!-- hcpcs-lint: ignore HL101 -->`` in a draft.
    noqa: tuple[str, ...] = ()
    # Drafts written as CMS requests: the request number ("26.015"), its kind ("new", "revise",
    # "discontinue") and, for a revision, the current text the request replaces.
    request: str | None = None
    request_kind: RequestKind | None = None
    current: str | None = None
    current_location: Location | None = None  # where the current text is quoted

    @property
    def active(self) -> bool:
        """In force on its own release's date (or, with no date, not terminated)."""
        return self.active_on(self.effective)

    def active_on(self, day: str | None) -> bool:
        """In force on ``day`` (YYYYMMDD): added by then and not terminated before it.

        CMS's termination date is the last day a code may be billed, so a code terminated on
        ``day`` still counts. A record without an add date is only known to exist from its own
        release's date on, so it is not active before that. ``day`` None means "now": any
        termination date counts, whatever it is.
        """
        if day is None:
            return not self.terminated
        if self.terminated and self.terminated < day:
            return False
        if self.added:
            return self.added <= day
        return self.effective is None or self.effective <= day


@dataclass(frozen=True, slots=True)
class Item:
    """One member of an inclusion or exclusion list, with its span in the descriptor."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    """A typed part of a descriptor: its ``role`` (route, product, amount, inclusion, ...) and span."""

    role: ClauseRole
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
    head: Head  # "product" or "service": what the descriptor describes
    clauses: tuple[Clause, ...]
    unparsed: tuple[tuple[int, int], ...] = ()
    # Level I only: the family stem before the first semicolon and the specific part after it.
    stem: Descriptor | None = None
    specific: Descriptor | None = None
    specific_offset: int = 0

    def of_role(self, role: str) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.role == role)

    def first(self, role: str) -> Clause | None:
        for c in self.clauses:
            if c.role == role:
                return c
        return None

    @property
    def head_clause(self) -> Clause | None:
        """The clause that names the product or the service."""
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
    # The words of the descriptor that name the services found, as written ("leukapheresis").
    services: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def code(self) -> str:
        return self.record.code


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter needs to know of a rule; the rulebook fills it (SARIF rule metadata, help links).

    It lives in the model so reporters and rules share it without importing each other.
    """

    code: str  # "HL101"
    name: str  # "level2-includes-cpt-service"
    group: str  # "cpt-jurisdiction"
    severity: str  # default severity
    summary: str  # one line: what it does
    rationale: str  # why it matters (markdown), with citations
    fix_safety: str  # one paragraph
    help_uri: str | None = None
