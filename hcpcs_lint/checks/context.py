"""What a check receives, kept beside the checks (as sqlfluff's ``rules/context.py``).

A check function is called as ``function(rule, entry, context)``: the rule file's configuration (:class:`Rule`),
one parsed record with what every rule needs of it computed once (:class:`Entry`), and the run's
shared state (:class:`Context`: catalog, configuration, and the :class:`Corpus` that peer rules
compare against). Living here, below the engine, these types let checks import nothing above them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar, overload

from hcpcs_lint import config as cfg
from hcpcs_lint.bundling import Bundle, bundles, is_product
from hcpcs_lint.catalog import Catalog
from hcpcs_lint.limits import LimitError
from hcpcs_lint.model import Descriptor, Finding, InputError, Record, RuleInfo


@dataclass(frozen=True)
class Example:
    """A pass or fail case written in a rule file; the rule tests run every one."""

    descriptor: str
    code: str = "X0000"
    fixed: str | None = None
    cpt: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    context: tuple[tuple[str, str], ...] = ()
    noqa: tuple[str, ...] = ()  # rules silenced on the example's record, as an inline marker would


@dataclass(frozen=True)
class Rule:
    """One rule file, validated: which check it configures (``check``) and how."""

    code: str
    name: str
    group: str
    check: str  # the check it configures: a key of hcpcs_lint.checks.CHECKS
    severity: str
    summary: str
    message: str
    rationale: str
    fix_safety: str
    path: str
    fix: str = "none"  # safe | unsafe | display-only | none
    citations: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    passing: tuple[Example, ...] = ()
    failing: tuple[Example, ...] = ()

    def info(self) -> RuleInfo:
        rationale = self.rationale.strip()
        if self.citations:
            rationale += "\n\nCitations:\n" + "\n".join(f"- {c}" for c in self.citations)
        fix_safety = self.fix_safety.strip()
        return RuleInfo(self.code, self.name, self.group, self.severity, self.summary, rationale, fix_safety)


T = TypeVar("T")


class once(Generic[T]):
    """``functools.cached_property`` without its lock: Python 3.11 takes an RLock on every first
    access (3.12 dropped it), a third of a microsecond that a whole release pays per entry and
    property. The value lands in the instance ``__dict__``, as cached_property's does, so later
    reads never reach this descriptor and a value can be put there beforehand."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> once[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> T | once[T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.function(obj)
        return value


@dataclass
class Entry:
    """A record with what every rule needs of it, computed once."""

    record: Record
    desc: Descriptor
    catalog: Catalog

    @property
    def head(self) -> str:
        """``desc.head``; an entry read back from a plain row knows it without rebuilding ``desc``."""
        return self.desc.head

    @once
    def classes(self) -> frozenset[str]:
        if self.desc.head != "product":
            return frozenset()
        return self.catalog.classify(self.desc)

    @once
    def bundled(self) -> list[Bundle]:
        """Clauses of a product descriptor that name services in CPT's jurisdiction (services.py)."""
        if self.desc.head != "product" or self.record.level != "II":
            return []
        if not is_product(self.desc, self.classes, self.catalog):
            return []
        return bundles(self.desc, self.catalog, self.classes)

    @property
    def peer_group(self) -> str | None:
        return self.catalog.peer_group(self.classes)

    @property
    def specific_class(self) -> str | None:
        return self.catalog.specific_class(self.classes)

    @once
    def style_class(self) -> str | None:
        return self.catalog.style_class(self.classes)


def make_entry(record: Record, catalog: Catalog) -> Entry:
    from hcpcs_lint.parser import parse  # not at the top: a cached run never loads the parser

    try:
        desc = parse(record.long, record.level)
    except LimitError as exc:  # records built in memory (the REPL, the library) skip load()'s check
        loc = record.location
        raise InputError(loc.path, f"{record.code}: {exc}", loc.line) from None
    return Entry(record, desc, catalog)


@dataclass
class Corpus:
    """Records that peer rules compare against: the input first, then the reference.

    Peers are taken as of one day (``as_of``, YYYYMMDD: the input release's effective date): a
    code added after it or terminated before it is no peer. None means now (not terminated).
    """

    entries: dict[str, Entry] = field(default_factory=dict)
    as_of: str | None = None
    # What checks compute once per class for the whole run (vote counts, sorted peer lists),
    # so a run costs one pass per class, not one per pair of records.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def index(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, computed once per corpus for ``key``."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    def add(self, entries: Iterable[Entry], *, override: bool) -> None:
        for e in entries:
            if override or e.record.code not in self.entries:
                self.entries[e.record.code] = e

    def active_products(self) -> Iterable[Entry]:
        day = self.as_of
        return (
            e
            for e in self.entries.values()
            if e.record.kind == "procedure" and e.desc.head == "product" and e.record.active_on(day)
        )

    def _grouped(self, key: Callable[[Entry], str | None]) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {}
        for e in self.active_products():
            k = key(e)
            if k:
                out.setdefault(k, []).append(e)
        return out

    @cached_property
    def by_group(self) -> dict[str, list[Entry]]:
        """Active products by peer group (where HL201 compares)."""
        return self._grouped(lambda e: e.peer_group)

    @cached_property
    def by_style_class(self) -> dict[str, list[Entry]]:
        """Active products by style class (where the style rules take majorities)."""
        return self._grouped(lambda e: e.style_class)


@dataclass
class Context:
    """The run's shared state: one per lint run, built by the engine."""

    catalog: Catalog
    config: cfg.Config
    corpus: Corpus


CheckFunction = Callable[[Rule, Entry, Context], Iterable[Finding]]
