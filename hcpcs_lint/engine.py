"""The rules engine: parse records, classify products, run the selected rules, filter findings.

The engine decides; reporters only render. Peer rules see a corpus: the records being linted
plus a reference release (by default the bundled corpus), so a small draft still has peers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from hcpcs_lint import config as cfg
from hcpcs_lint.catalog import Catalog, load_catalog
from hcpcs_lint.model import Descriptor, Finding, Record
from hcpcs_lint.parser import parse
from hcpcs_lint.rulebook import Rule, load_rules
from hcpcs_lint.services import Bundle, bundles, is_product


@dataclass
class Entry:
    """A record with what every rule needs of it, computed once."""

    record: Record
    desc: Descriptor
    catalog: Catalog

    @cached_property
    def classes(self) -> frozenset[str]:
        if self.desc.head_kind != "product":
            return frozenset()
        return self.catalog.classify(self.desc)

    @cached_property
    def bundled(self) -> list[Bundle]:
        """Clauses of a product descriptor that name services in CPT's jurisdiction (services.py)."""
        if self.desc.head_kind != "product" or self.record.level != "II" or not is_product(self.desc, self.classes, self.catalog):
            return []
        return bundles(self.desc, self.catalog, self.classes)

    @property
    def peer_group(self) -> str | None:
        return self.catalog.peer_group(self.classes)

    @property
    def specific_class(self) -> str | None:
        return self.catalog.specific_class(self.classes)

    @cached_property
    def style_class(self) -> str | None:
        return self.catalog.style_class(self.classes)


def make_entry(record: Record, catalog: Catalog) -> Entry:
    return Entry(record, parse(record.long, record.level), catalog)


@dataclass
class Corpus:
    """Records that peer rules compare against: the input first, then the reference."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def add(self, entries: Iterable[Entry], *, override: bool) -> None:
        for e in entries:
            if override or e.record.code not in self.entries:
                self.entries[e.record.code] = e

    def active_products(self) -> Iterable[Entry]:
        return (
            e
            for e in self.entries.values()
            if e.record.active and e.record.kind == "procedure" and e.desc.head_kind == "product"
        )

    @cached_property
    def by_group(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {}
        for e in self.active_products():
            g = e.peer_group
            if g:
                out.setdefault(g, []).append(e)
        return out

    @cached_property
    def by_style_class(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {}
        for e in self.active_products():
            c = e.style_class
            if c:
                out.setdefault(c, []).append(e)
        return out


@dataclass
class Context:
    catalog: Catalog
    config: cfg.Config
    corpus: Corpus


Check = Callable[[Rule, Entry, Context], Iterable[Finding]]


def _kinds() -> dict[str, Check]:
    from hcpcs_lint.checks import consistency, existence, inclusion, peers

    return {
        "service-inclusion": inclusion.check_inclusion,
        "service-overlap": inclusion.check_overlap,
        "peer-contrast": peers.check_peers,
        "class-consistency": consistency.check_consistency,
        "existence": existence.check_existence,
        "residue": existence.check_residue,
    }


@dataclass
class Linter:
    """Loaded rules, catalog and reference: build once, lint many times (the REPL does)."""

    config: cfg.Config = field(default_factory=cfg.Config)
    rules: list[Rule] = field(default_factory=list)
    catalog: Catalog | None = None
    reference: list[Record] = field(default_factory=list)
    include_terminated: bool = False
    extra_cpt: list[Record] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.rules:
            self.rules = load_rules(self.config.rule_dirs)
        if self.catalog is None:
            self.catalog = load_catalog(self.config.catalog_dirs)
            if self.extra_cpt:
                from hcpcs_lint.catalog import services_from_cpt

                self.catalog.services.extend(services_from_cpt(self.extra_cpt))
        self._kinds = _kinds()
        self._ref_entries = [make_entry(r, self.cat) for r in self.reference]

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

    def corpus_for(self, entries: Sequence[Entry]) -> Corpus:
        corpus = Corpus()
        corpus.add(entries, override=True)
        corpus.add(self._ref_entries, override=False)
        return corpus

    def lint(self, records: Iterable[Record], *, progress: Callable[[int], None] | None = None) -> LintResult:
        entries = [make_entry(r, self.cat) for r in records]
        ctx = Context(self.cat, self.config, self.corpus_for(entries))
        findings: list[Finding] = []
        checked = 0
        for n, e in enumerate(entries, 1):
            if progress is not None and n % 500 == 0:
                progress(500)
            if not self.wanted(e.record):
                continue
            checked += 1
            findings.extend(self.check_entry(e, ctx))
        if progress is not None:
            progress(len(entries) % 500)
        return LintResult(findings=findings, entries=entries, checked=checked)

    def check_entry(self, e: Entry, ctx: Context, rules: Sequence[Rule] | None = None) -> list[Finding]:
        out: list[Finding] = []
        rec = e.record
        for rule in rules if rules is not None else self.rules:
            if not cfg.is_selected(self.config, rule.code, rule.name, rule.group, rec.code):
                continue
            if any(cfg.matches(s, rule.code, rule.name, rule.group) or s == "all" for s in rec.noqa):
                continue
            sev = cfg.effective_severity(self.config, rule.code, rule.name, rule.group, rule.severity)
            for f in self._kinds[rule.kind](rule, e, ctx):
                out.append(f if f.severity == sev else replace(f, severity=sev))  # type: ignore[arg-type]
        return out

    def lint_text(self, code: str, text: str, *, path: str = "<input>") -> tuple[Entry, list[Finding]]:
        """One descriptor, as the REPL pastes it: peers from the reference."""
        from hcpcs_lint.model import Location

        rec = Record(code=code, long=text, location=Location(path, 1, 1))
        e = make_entry(rec, self.cat)
        ctx = Context(self.cat, self.config, self.corpus_for([e]))
        return e, self.check_entry(e, ctx)


@dataclass
class LintResult:
    findings: list[Finding]
    entries: list[Entry]
    checked: int


def bundled_corpus_path() -> Path:
    here = Path(__file__).resolve().parent
    checkout = here.parent / "corpora" / "cell-gene-therapy.csv"
    if checkout.is_file():
        return checkout
    from importlib import resources

    return Path(str(resources.files("hcpcs_lint") / "corpora" / "cell-gene-therapy.csv"))
