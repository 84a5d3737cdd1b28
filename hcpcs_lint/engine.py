"""The rules engine and the one lint loop: parse, run the selected rules, fix to a fixed point.

``Linter.run`` is the single way through: ``check``, the REPL and the report/diff/history commands
all call it and get report-ready results (findings, and with ``fix=True`` each record's revision).
The engine decides; reporters only render. Peer rules see a corpus, as of the input's effective
date: a whole CMS release is its own peers (unless the user names a reference); a draft or table is
compared with the reference (by default the bundled corpus), so a small draft still has peers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from hcpcs_lint import cache, pool
from hcpcs_lint import config as cfg
from hcpcs_lint.catalog import Catalog, load_catalog
from hcpcs_lint.checks import CHECKS
from hcpcs_lint.checks.context import CheckFunction, Context, Corpus, Entry, make_entry
from hcpcs_lint.fixes import FixOutcome, applicable, fix_record
from hcpcs_lint.halves import lint_halves
from hcpcs_lint.model import Finding, Location, Record
from hcpcs_lint.prepared import Prepared, Source, build, locate, prepare
from hcpcs_lint.rulebook import Rule, load_rules
from hcpcs_lint.sources.release import Release, borrow_dates

# Entry, Corpus, Context and make_entry live in checks/context.py; they stay importable from here.
__all__ = [
    "CheckFunction",
    "Context",
    "Corpus",
    "Entry",
    "EntryResult",
    "LintResult",
    "Linter",
    "bundled_corpus_path",
    "make_entry",
]


class _Planned(NamedTuple):
    """A rule the configuration selects, ready to run (see ``Linter._plan``)."""

    rule: Rule
    function: CheckFunction
    severity: str
    per_code: bool  # a per-code-ignores entry names the rule: ask is_selected for each record


@dataclass
class Linter:
    """Loaded rules, catalog and reference: build once, lint many times (the REPL does)."""

    config: cfg.Config = field(default_factory=cfg.Config)
    rules: list[Rule] = field(default_factory=list)
    catalog: Catalog | None = None
    reference: list[Record] = field(default_factory=list)
    include_terminated: bool = False
    extra_cpt: list[Record] = field(default_factory=list)
    # The user named the reference (--reference, or in the configuration): then even a whole
    # release is compared with it. Otherwise a release's peers come from that release alone.
    reference_explicit: bool = False
    # A reference read by path goes through the cache (parsed once per content); ``reference``
    # records given directly are parsed here.
    reference_path: str | None = None
    jobs: int | None = None  # processes for large inputs (None: HCPCS_LINT_JOBS, else the cores, at most 2)

    def __post_init__(self) -> None:
        if not self.rules:
            self.rules = load_rules(self.config.rule_dirs)
        self._given_catalog = self.catalog is not None
        if self.catalog is None:
            self.catalog = load_catalog(self.config.catalog_dirs)
            if self.extra_cpt:
                from hcpcs_lint.families import LevelOne

                self.catalog.level1 = LevelOne(self.extra_cpt)
        self._reference: Prepared | None = None
        self._plans: dict[tuple[int, ...], tuple[cfg.Config, tuple[Rule, ...], tuple[_Planned, ...]]] = {}

    @property
    def reference_file(self) -> Prepared:
        """The reference, parsed and classified (from the cache when read by path)."""
        if self._reference is None:
            if self.reference_path is not None:
                src = self.locate(self.reference_path)
                self._reference = prepare(src, self.cat, jobs=self.jobs, cache_min=0)
            else:
                self._reference = build("<reference>", self.reference, self.cat, self.jobs)
        return self._reference

    @property
    def _ref_entries(self) -> list[Entry]:
        """What the reference gives the corpus: its records that can be peers (see Prepared.members)."""
        return self.reference_file.members()

    def _reference_records(self) -> Iterator[Record]:
        """Every reference record, built only when iterated (borrowing dates needs them)."""
        if self.reference_path is None:
            yield from self.reference
        else:
            yield from self.reference_file.records()

    def reference_by_code(self) -> dict[str, Entry]:
        """Every reference record by code (the first of a code wins, as in the corpus)."""
        out: dict[str, Entry] = {}
        for e in self.reference_file.entries():
            out.setdefault(e.record.code, e)
        return out

    def locate(self, path: str, *, effective: str | None = None) -> Source:
        return locate(path, effective=effective, catalog_dirs=[str(d) for d in self.config.catalog_dirs])

    def prepare(
        self,
        path: str | Source,
        *,
        effective: str | None = None,
        stdin: Any = None,
        allow_empty: bool = False,
        defer: bool = False,
    ) -> Prepared:
        """An input parsed and classified with this linter's catalog, through the cache
        (``defer``: only read; ``run`` parses it, on two processes when large, and stores it)."""
        src = path if isinstance(path, Source) else self.locate(path, effective=effective)
        return prepare(src, self.cat, stdin=stdin, jobs=self.jobs, allow_empty=allow_empty, defer=defer)

    def signature(self) -> str | None:
        """What this linter's findings depend on besides the input (None: not known, so no
        findings are cached): every field, the reference by its content, the catalog by its
        files and any CPT file's records."""
        if self._given_catalog or (self.reference and self.reference_path is None):
            return None
        parts = []
        for f in fields(self):
            if f.name in ("jobs", "catalog", "reference"):
                continue
            if f.name == "reference_path":
                ref = self._reference_key() if self.reference_path is not None else "none"
                if not ref:
                    return None
                parts.append(ref)
            else:
                parts.append(f"{f.name}={getattr(self, f.name)!r}")
        return cache.key("linter", *parts)

    def _reference_key(self) -> str:
        """The reference's cache key, from its bytes: a whole release checked against itself
        never needs the reference parsed just to name its findings."""
        if self._reference is not None:
            return self._reference.key
        assert self.reference_path is not None
        return self.locate(self.reference_path).key

    def findings_key(self, src: Source) -> str:
        """The cache key of ``src``'s findings under this linter ("" when they cannot be cached)."""
        sig = self.signature() if src.key else None
        return cache.key("findings", src.key, src.path, sig) if sig else ""

    @property
    def cat(self) -> Catalog:
        assert self.catalog is not None
        return self.catalog

    def selected_rules(self, hcpcs_code: str = "") -> list[Rule]:
        return [r for r in self.rules if cfg.is_selected(self.config, r.code, r.name, r.group, hcpcs_code)]

    def wanted(self, record: Record) -> bool:
        """Terminated codes and modifiers are skipped unless asked for."""
        if record.kind == "modifier":
            return self.include_terminated
        return record.active or self.include_terminated

    def corpus_for(
        self, entries: Sequence[Entry], *, as_of: str | None = None, release: bool = False
    ) -> Corpus:
        """The entries, then the reference (left out for a whole release unless the user named it);
        peers as of ``as_of`` (default: the entries' own effective date)."""
        if as_of is None:
            as_of = next((e.record.effective for e in entries if e.record.effective), None)
        corpus = Corpus(as_of=as_of)
        corpus.add(entries, override=True)
        if not release or self.reference_explicit:
            corpus.add(self._ref_entries, override=False)
        return corpus

    def run(
        self,
        records: Iterable[Record] | Release | Prepared,
        *,
        fix: bool = False,
        unsafe: bool = False,
        progress: Callable[[int], None] | None = None,
        as_of: str | None = None,
    ) -> LintResult:
        """The lint loop: lint every wanted record against its peers, then, with ``fix``, revise
        each record that has an applicable fix until nothing fixable is left.

        Pass a ``sources.Release`` (``read_release(path)``) to lint a whole CMS release against
        itself as of its effective date; plain records are compared with the reference too.
        ``as_of`` (YYYYMMDD) overrides the date peers must be active on.
        """
        release = isinstance(records, Release | Prepared) and records.is_release
        if isinstance(records, Release | Prepared):
            as_of = as_of or records.effective
        if isinstance(records, Prepared):
            prepared = records
        elif isinstance(records, Release):
            prepared = build(records.path, records.records, self.cat, self.jobs)
        else:
            prepared = build("<input>", list(records), self.cat, self.jobs)
        if (
            isinstance(records, Prepared)
            and records.pending is not None
            and not fix
            and pool.worth_it(len(records), self.jobs)
        ):
            return self._run_halves(records, release=release, as_of=as_of, progress=progress)
        entries = prepared.entries()
        prepared.store()  # a cache entry still due (``prepare(defer=True)``)
        if release:
            entries = self._with_borrowed_dates(entries)
        ctx = self.context_for(entries, as_of=as_of, release=release)
        results: list[EntryResult] = []
        plan = self._plan(self.rules)
        for n, e in enumerate(entries, 1):
            if progress is not None and n % 500 == 0:
                progress(500)
            if not self.wanted(e.record):
                continue
            found = self._check(e, ctx, plan)
            outcome = None
            if fix and any(applicable(f, unsafe=unsafe) for f in found):
                outcome = fix_record(self, e.record, ctx, unsafe=unsafe)
            results.append(EntryResult(e, found, outcome))
        if progress is not None:
            progress(len(entries) % 500)
        return LintResult(
            findings=[f for r in results for f in r.findings],
            entries=entries,
            checked=len(results),
            results=results,
            context=ctx,
        )

    def _run_halves(
        self, prepared: Prepared, *, release: bool, as_of: str | None, progress: Callable[[int], None] | None
    ) -> LintResult:
        """``run`` on two processes, each parsing and checking half of a large input read with
        ``prepare(defer=True)`` (see halves.py); the same corpus and findings as one process."""
        assert prepared.pending is not None
        dated = (
            borrow_dates(prepared.pending, self._reference_records()) if release else list(prepared.pending)
        )
        plan = self._plan(self.rules)
        halves = lint_halves(
            prepared,
            dated,
            check=lambda e, ctx: self._check(e, ctx, plan),
            wanted=self.wanted,
            config=self.config,
            reference=self._ref_entries if not release or self.reference_explicit else [],
            as_of=as_of,
            progress=progress,
        )
        results = [EntryResult(e, found) for e, found in halves.found]
        return LintResult(
            findings=[f for r in results for f in r.findings],
            entries=halves.entries,
            checked=len(results),
            results=results,
            context=halves.context,
        )

    def lint(
        self,
        records: Iterable[Record] | Release | Prepared,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> LintResult:
        """Findings only (``run`` without fixes)."""
        return self.run(records, progress=progress)

    def _with_borrowed_dates(self, entries: list[Entry]) -> list[Entry]:
        """A release without add or termination dates takes them from the reference (see
        ``sources.release.borrow_dates``); the parsed descriptors stay as they are."""
        dated = borrow_dates([e.record for e in entries], self._reference_records())
        out = []
        for e, r in zip(entries, dated, strict=True):
            if r is not e.record:
                new = Entry(r, e.desc, e.catalog)
                if "classes" in e.__dict__:
                    new.__dict__["classes"] = e.__dict__["classes"]
                e = new
            out.append(e)
        return out

    def context_for(
        self, entries: Sequence[Entry], *, as_of: str | None = None, release: bool = False
    ) -> Context:
        """The Context a run over ``entries`` gives every check (see ``corpus_for``)."""
        return Context(self.cat, self.config, self.corpus_for(entries, as_of=as_of, release=release))

    def check_entry(self, e: Entry, ctx: Context, rules: Sequence[Rule] | None = None) -> list[Finding]:
        return self._check(e, ctx, self._plan(self.rules if rules is None else rules))

    def _check(self, e: Entry, ctx: Context, plan: tuple[_Planned, ...]) -> list[Finding]:
        out: list[Finding] = []
        rec = e.record
        for rule, function, sev, per_code in plan:
            if per_code and not cfg.is_selected(self.config, rule.code, rule.name, rule.group, rec.code):
                continue
            if rec.noqa and any(
                cfg.matches(s, rule.code, rule.name, rule.group) or s == "all" for s in rec.noqa
            ):
                continue
            for f in function(rule, e, ctx):
                out.append(f if f.severity == sev else replace(f, severity=sev))  # type: ignore[arg-type]
        return out

    def _plan(self, rules: Sequence[Rule]) -> tuple[_Planned, ...]:
        """What of ``cfg.is_selected`` and ``cfg.effective_severity`` does not depend on the
        record, decided once per configuration and rule list instead of per rule per record
        (47,476 calls on the 2019 release): the rules ``select``/``ignore`` leave, each with its
        check, severity, and whether a ``per-code-ignores`` entry names it (then the record's
        code is still checked, record by record)."""
        config = self.config
        key = (id(config), *map(id, rules))
        hit = self._plans.get(key)
        if hit is not None:
            return hit[2]
        planned = []
        for rule in rules:
            who = (rule.code, rule.name, rule.group)
            select = cfg.DEFAULT_SELECT if config.select is None else config.select
            if not any(cfg.matches(s, *who) for s in (*select, *config.extend_select)):
                continue
            if any(cfg.matches(s, *who) for s in config.ignore):
                continue
            per_code = any(cfg.matches(s, *who) for sels in config.per_code_ignores.values() for s in sels)
            sev = cfg.effective_severity(config, *who, rule.severity)
            planned.append(_Planned(rule, CHECKS[rule.check].function, sev, per_code))
        # The config and rules are kept with the plan: alive, their ids cannot name other objects.
        self._plans[key] = (config, tuple(rules), tuple(planned))
        return tuple(planned)

    def lint_text(self, code: str, text: str, *, path: str = "<input>") -> tuple[Entry, list[Finding]]:
        """One descriptor, as the REPL pastes it: peers from the reference."""
        rec = Record(code=code, long=text, location=Location(path, 1, 1))
        e = make_entry(rec, self.cat)
        return e, self.check_entry(e, self.context_for([e]))


@dataclass
class EntryResult:
    """One checked record: its findings on the text as given and, when fixing, its revision."""

    entry: Entry
    findings: list[Finding]
    outcome: FixOutcome | None = None  # None: not fixing, or no applicable fix

    @property
    def record(self) -> Record:
        return self.entry.record

    @property
    def revised(self) -> str | None:
        """The descriptor after every applicable fix, or None when it does not change."""
        return self.outcome.text if self.outcome is not None and self.outcome.changed else None


@dataclass
class LintResult:
    """A finished run, ready for a reporter: findings in input order and each record's revision."""

    findings: list[Finding]
    entries: list[Entry]  # every input record, wanted or not (for write-back and peers)
    checked: int  # records checked (terminated codes and modifiers are skipped unless asked for)
    results: list[EntryResult] = field(default_factory=list)
    context: Context | None = None

    @property
    def revisions(self) -> list[tuple[Record, str]]:
        """(record, revised descriptor) for every record a fix changes, in input order."""
        return [(r.record, r.revised) for r in self.results if r.revised is not None]


def bundled_corpus_path() -> Path:
    here = Path(__file__).resolve().parent
    checkout = here.parent / "corpora" / "cell-gene-therapy.csv"
    if checkout.is_file():
        return checkout
    from importlib import resources

    return Path(str(resources.files("hcpcs_lint") / "corpora" / "cell-gene-therapy.csv"))
