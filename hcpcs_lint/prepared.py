"""An input file read, parsed and classified once per content: from the cache when these bytes
were seen before, else freshly (on both cores when the file is large) and then cached.

A cached file is kept as plain rows and turned into model objects only where asked: a reference
release of 8,846 records gives the peer rules only its few dozen members of peer classes, so a
two-row draft checked against it never rebuilds the other records.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from hcpcs_lint import cache, pool
from hcpcs_lint.catalog import Catalog
from hcpcs_lint.checks.context import Entry, make_entry, once
from hcpcs_lint.model import Descriptor, Record

# Smaller inputs (a draft being edited) parse in milliseconds: caching every version would only
# fill the folder. A reference is always cached: it is read on every run.
CACHE_MIN = 100

Row = tuple[Any, Any, Any]  # (record plain, descriptor plain, classes or None)


def is_member(e: Entry) -> bool:
    """Can this entry be a peer at all (a product procedure of a peer or style class)?"""
    if e.record.kind != "procedure" or e.head != "product":
        return False
    return e.peer_group is not None or e.style_class is not None


class RowEntry(Entry):
    """An entry read back from its plain row (the cache, or the other process of a two-process
    run): head and classes come with the row, the descriptor is rebuilt only when a rule or a
    report reads it, and the row itself may be fetched only then (``row`` a callable)."""

    def __init__(self, record: Record, row: Row | Callable[[], Row], catalog: Catalog) -> None:
        self.record = record  # not the dataclass's __init__: desc is not known yet
        self.catalog = catalog
        if callable(row):
            self._fetch = row
        else:
            self.__dict__["row"] = row

    @once
    def row(self) -> Row:
        return self._fetch()

    @once
    def classes(self) -> frozenset[str]:
        return frozenset(self.row[2] or ())

    @once
    def desc(self) -> Descriptor:  # type: ignore[override]
        return cache.desc_from(self.row[1])

    @property
    def head(self) -> str:
        return str(self.row[1][2])


def row_of(e: Entry) -> Row:
    """An entry's plain row: record, descriptor and (for a product) its classes."""
    if isinstance(e, RowEntry):
        return e.row
    classes = tuple(sorted(e.classes)) if e.head == "product" else None
    return (cache.record_plain(e.record), cache.desc_plain(e.desc), classes)


@dataclass
class Prepared:
    """One input's records with their parsed descriptors and classes, materialised on demand."""

    path: str
    catalog: Catalog
    _entries: list[Entry | None]
    _rows: list[Row | None] | None = None
    # Rows still marshalled, (start, end, bytes) each: from the cache, or the other process's half.
    _parts: list[tuple[int, int, bytes]] = field(default_factory=list)
    _members: tuple[int, ...] | None = None
    _member_rows: dict[int, Row] = field(default_factory=dict)
    from_cache: bool = False
    key: str = ""  # the cache key of this content ("" when not cacheable: stdin, cache off)
    unsaved: bool = False  # parsed here and not yet stored under ``key`` (see ``store``)
    # What sources.Release says of the file: its format, effective date and how it was found.
    format: str = ""
    effective: str | None = None
    basis: str = ""
    # Records read and not yet parsed (``prepare(defer=True)``): the lint loop parses them, on
    # two processes when large; anything else that asks for entries parses them first.
    pending: Sequence[Record] | None = None
    jobs: int | None = None

    @property
    def is_release(self) -> bool:
        """A whole CMS release (not a draft or table): its own records are each other's peers."""
        from hcpcs_lint.sources.release import RELEASE_FORMATS

        return self.format in RELEASE_FORMATS

    def __len__(self) -> int:
        return len(self._entries)

    def _row(self, i: int) -> Row:
        if i in self._member_rows:
            return self._member_rows[i]
        if self._parts:
            if self._rows is None:
                self._rows = [None] * len(self._entries)
            for start, end, blob in self._parts:
                self._rows[start:end] = marshal.loads(blob)
            self._parts = []
        assert self._rows is not None
        row = self._rows[i]
        assert row is not None
        return row

    def parse_pending(self) -> None:
        """Parse records that ``prepare(defer=True)`` left pending (here, or on two processes)."""
        if self.pending is not None:
            fresh = build(self.path, self.pending, self.catalog, self.jobs)
            self._entries, self._rows, self.pending = fresh._entries, fresh._rows, None

    def adopt(self, entries: list[Entry], *, members: Sequence[int], member_rows: dict[int, Row]) -> None:
        """The pending records parsed elsewhere (``halves``): this process's entries (the first
        records, in order; their rows marshalled now, for the cache) and the cache's members
        (``member_rows`` for those past ``entries``). The rest comes later as ``add_part``."""
        start = len(entries)
        self._entries = [*entries, *([None] * (len(self._entries) - start))]
        self._rows, self.pending = None, None
        self._parts = [(0, start, marshal.dumps([row_of(e) for e in entries]))]
        self._members, self._member_rows = tuple(members), dict(member_rows)

    def add_part(self, part: tuple[int, int, bytes]) -> None:
        """Rows start..end, marshalled (the other process's half)."""
        self._parts.append(part)

    def adopt_all(self, entries: list[Entry]) -> None:
        """Every pending record's entry, parsed here after all (a failed second process)."""
        assert len(entries) == len(self._entries)
        self._entries, self._rows, self._parts, self.pending = list(entries), None, [], None

    def row(self, i: int) -> Row:
        """Record ``i``'s plain row (from its entry, or the marshalled rows)."""
        return self._plain_row(i)

    def entry(self, i: int) -> Entry:
        e = self._entries[i]
        if e is None:
            self.parse_pending()
            e = self._entries[i]
        if e is None:
            row = self._row(i)
            e = RowEntry(cache.record_from(row[0], self.path), row, self.catalog)
            self._entries[i] = e
        return e

    def entries(self) -> list[Entry]:
        return [self.entry(i) for i in range(len(self._entries))]

    def records(self) -> list[Record]:
        if self.pending is not None:
            return list(self.pending)
        return [e.record for e in self.entries()]

    def members(self) -> list[Entry]:
        """What a reference gives the peer rules: the first record of each code (as the corpus
        keeps it) where that record can be a peer, in file order."""
        if self._members is None:
            first: dict[str, int] = {}
            for i in range(len(self._entries)):
                first.setdefault(self.entry(i).record.code, i)
            self._members = tuple(i for i in sorted(first.values()) if is_member(self.entry(i)))
        return [self.entry(i) for i in self._members]

    # -- the cache entry ----------------------------------------------------------------------------

    def _plain_row(self, i: int) -> Row:
        e = self._entries[i]
        return self._row(i) if e is None else row_of(e)

    def store(self) -> None:
        """Write the cache entry if it is still due (once). The lint loop calls it while a
        second process checks its span, so the write costs no wall time there."""
        if self.unsaved:
            self.parse_pending()
            self.unsaved = False
            cache.write("parsed", self.key, self.cache_value())

    def cache_value(self) -> tuple[Any, ...]:
        """(count, member rows, rows marshalled in parts, release facts): a reference reads only
        the members; a part still marshalled (the other process's half) is stored as it came."""
        n = len(self._entries)
        parts: list[tuple[int, int, bytes]] = []
        at = 0
        for start, end, blob in [*sorted(self._parts), (n, n, b"")]:
            if at < start:
                parts.append((at, start, marshal.dumps([self._plain_row(i) for i in range(at, start)])))
            if start < end:
                parts.append((start, end, blob))
            at = max(at, end)
        self.members()
        assert self._members is not None
        meta = (self.format, self.effective, self.basis)
        return n, [(i, self._plain_row(i)) for i in self._members], tuple(parts), meta

    @classmethod
    def from_value(cls, path: str, catalog: Catalog, value: Any) -> Prepared | None:
        """The Prepared a cache value holds, or None when it is not one (treated as a miss)."""
        try:
            n, member_rows, parts, (fmt, effective, basis) = value
            members = {int(i): tuple(r) for i, r in member_rows}
            spans = [(int(a), int(b), blob) for a, b, blob in parts]
            if any(not 0 <= i < n for i in members) or not _tiles(spans, n):
                return None
        except (TypeError, ValueError):
            return None
        p = cls(path, catalog, [None] * n, None, spans, tuple(sorted(members)), members, from_cache=True)
        p.format, p.effective, p.basis = fmt, effective, basis
        return p


def _tiles(parts: list[tuple[int, int, Any]], n: int) -> bool:
    """Parts of marshalled bytes covering 0..n in order, each once."""
    at = 0
    for start, end, blob in parts:
        if start != at or end < start or not isinstance(blob, bytes):
            return False
        at = end
    return at == n


# -- building fresh --------------------------------------------------------------------------------


def _fresh_entry(r: Record, catalog: Catalog) -> Entry:
    return make_entry(r, catalog)  # a descriptor past a limit is an InputError, here as anywhere


def _rows_of(records: Sequence[Record], catalog: Catalog) -> list[Row]:
    """A worker's whole job: parse and classify a chunk, and send it back as plain rows."""
    return [row_of(_fresh_entry(r, catalog)) for r in records]


def build(path: str, records: Sequence[Record], catalog: Catalog, jobs: int | None = None) -> Prepared:
    """Parse and classify ``records``: in this process, or split over ``jobs`` processes for a
    large input (this process takes the first chunk; rows keep file order either way)."""
    n = len(records)
    entries: list[Entry | None] = [None] * n
    rows: list[Row | None] | None = None
    if pool.worth_it(n, jobs):
        cut = pool.spans(n, pool.jobs_wanted(jobs))
        _fresh_entry(records[0], catalog)  # load the parser once, before forking
        children = [(a, b, pool.Child(_rows_of, records[a:b], catalog)) for a, b in cut[1:]]
        a, b = cut[0]
        for i in range(a, b):
            entries[i] = _fresh_entry(records[i], catalog)
        rows = [None] * n
        for start, end, child in children:
            got = child.result()
            if got is None:  # a worker failed: do its share here
                for i in range(start, end):
                    entries[i] = _fresh_entry(records[i], catalog)
            else:
                rows[start:end] = got
    else:
        for i, r in enumerate(records):
            entries[i] = _fresh_entry(r, catalog)
    return Prepared(path, catalog, entries, rows)


# -- the one call ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """An input's bytes and its cache key, read before anything is parsed."""

    path: str
    data: bytes | None  # None for standard input (read by ``load``)
    key: str  # "" when the cache is off or the input is standard input
    effective: str | None = None


def locate(path: str, *, effective: str | None = None, catalog_dirs: Sequence[str] = ()) -> Source:
    """Read ``path`` and compute its key: the file's content, its name (a release's date may
    come from it), ``effective`` and the tool's fingerprint (sources, grammar, vocabulary,
    catalog). InputError when the file cannot be read."""
    from hcpcs_lint.sources import STDIN, read_bytes

    if path == STDIN:
        return Source(path, None, "", effective)
    data = read_bytes(path)
    k = ""
    if cache.enabled():
        from hcpcs_lint.catalog import rules_dir

        fp = cache.fingerprint((str(rules_dir()), *(str(d) for d in catalog_dirs)))
        k = cache.key("parsed", fp, cache.digest(data), Path(path).name, effective or "")
    return Source(path, data, k, effective)


def prepare(
    src: Source,
    catalog: Catalog,
    *,
    stdin: TextIO | BinaryIO | None = None,
    jobs: int | None = None,
    cache_min: int = CACHE_MIN,
    allow_empty: bool = False,
    defer: bool = False,
) -> Prepared:
    """The records of ``src`` parsed and classified, from the cache when its bytes were seen
    (stored when it has at least ``cache_min`` records). With ``defer`` the records are only
    read: the lint loop parses them (on two processes when large) and stores the entry.
    Input errors are raised as ``load`` raises them; a file that fails is never cached."""
    from hcpcs_lint.sources import read_release

    if src.key:
        hit = cache.read("parsed", src.key)
        if hit is not None:
            p = Prepared.from_value(src.path, catalog, hit)
            if p is not None:
                p.key = src.key
                return p
    release = read_release(
        src.path, stdin=stdin, effective=src.effective, data=src.data, allow_empty=allow_empty
    )
    records = release.records
    if defer:
        p = Prepared(src.path, catalog, [None] * len(records), pending=records, jobs=jobs)
    else:
        p = build(src.path, records, catalog, jobs)
    p.key = src.key
    p.format, p.effective, p.basis = release.format, release.effective, release.basis
    p.unsaved = bool(src.key) and len(records) >= max(cache_min, 1)
    if not defer:
        p.store()
    return p
