"""A large input linted on two processes, each parsing, classifying and checking its own half.

Why this shape: forking once, before anything is parsed, keeps the memory the two processes
share small. A fork after parsing (tried first) made each process copy every page of
descriptors it then touched, the second process rebuilt the first's peer indexes, and this
process rebuilt the other half's descriptors from rows; on the 2019 release two processes then
cost about as much wall time as one. Here the halves exchange only what the rules compare
against (the peers: members of peer and style classes), and the child sends back its findings
and, for the cache, its rows; the other half's descriptors are rebuilt only if something reads
them (``RowEntry``).

The corpus is the single-process one (``Linter.corpus_for``): codes in the order of their first
record, each holding its last record, then the reference's codes the input lacks. The rules read
only its peers, so the other half's non-peers are left out. Results are the same, byte for byte
(tests/test_pool.py, and the CLI tests with one and two processes).
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from hcpcs_lint import cache, pool
from hcpcs_lint import config as cfg
from hcpcs_lint.catalog import Catalog
from hcpcs_lint.checks.context import Context, Corpus, Entry, make_entry
from hcpcs_lint.model import Finding, Record
from hcpcs_lint.prepared import Prepared, Row, RowEntry, is_member, row_of

Check = Callable[[Entry, Context], list[Finding]]


@dataclass
class Halves:
    entries: list[Entry]  # every record's entry in file order (the child's half as RowEntry)
    found: list[tuple[Entry, list[Finding]]]  # each wanted entry with its findings, in file order
    context: Context


@dataclass(frozen=True)
class _Job:
    """What both processes know before the fork: the records and how the corpus is keyed."""

    orig: Sequence[Record]  # as read: the cache keeps these
    dated: Sequence[Record]  # with dates borrowed from the reference (the same objects otherwise)
    last: dict[str, int]  # code -> index of its last record, in order of its first record
    first: dict[str, int]  # code -> index of its first record
    catalog: Catalog
    config: cfg.Config
    check: Check
    wanted: Callable[[Record], bool]
    reference: Sequence[Entry]  # reference peers for codes the input lacks ([] when not compared)
    as_of: str | None

    def parse(self, a: int, b: int) -> tuple[dict[int, Entry], dict[int, Entry]]:
        """Entries of records a..b: as read (for the cache) and as checked (dated)."""
        read: dict[int, Entry] = {}
        checked: dict[int, Entry] = {}
        for i in range(a, b):
            e = make_entry(self.orig[i], self.catalog)
            _ = e.classes
            read[i] = e
            checked[i] = e if self.dated[i] is self.orig[i] else _redated(e, self.dated[i])
        return read, checked

    def peers(self, checked: dict[int, Entry]) -> list[int]:
        """Indexes of entries the other half may compare against: a code's last record, a peer."""
        return [i for i, e in checked.items() if self.last[e.record.code] == i and is_member(e)]

    def members(self, read: dict[int, Entry]) -> list[int]:
        """Indexes the cache keeps as members (see ``Prepared.members``): a code's first record."""
        return [i for i, e in read.items() if self.first[e.record.code] == i and is_member(e)]

    def context(self, mine: Mapping[int, Entry], theirs: Mapping[int, Entry]) -> Context:
        corpus = Corpus(as_of=self.as_of)
        for code, i in self.last.items():
            e = mine.get(i)
            if e is None:
                e = theirs.get(i)
            if e is not None:
                corpus.entries[code] = e
        for e in self.reference:
            if e.record.code not in self.last:
                corpus.entries.setdefault(e.record.code, e)
        return Context(self.catalog, self.config, corpus)


def _redated(e: Entry, record: Record) -> Entry:
    new = Entry(record, e.desc, e.catalog)
    new.__dict__["classes"] = e.classes
    return new


def _other_half(chan: pool.Channel, job: _Job, a: int, b: int) -> None:
    """The child: parse its half; send its peers and the cache's members among its records;
    take the parent's peers; check; send its findings and its rows (marshalled, for the cache)."""
    read, checked = job.parse(a, b)
    peers, members = job.peers(checked), job.members(read)
    chan.send((peers, members, [(i, row_of(read[i])) for i in sorted({*peers, *members})]))
    got = chan.recv()
    if got is None:
        return
    theirs = {int(i): RowEntry(job.dated[i], tuple(row), job.catalog) for i, row in got}
    ctx = job.context(checked, theirs)
    found = [
        cache.findings_plain([job.check(checked[i], ctx)], 0) if job.wanted(job.dated[i]) else None
        for i in range(a, b)
    ]
    chan.send((found, marshal.dumps([row_of(read[i]) for i in range(a, b)])))


def lint_halves(
    prepared: Prepared,
    dated: Sequence[Record],
    *,
    check: Check,
    wanted: Callable[[Record], bool],
    config: cfg.Config,
    reference: Sequence[Entry],
    as_of: str | None,
    progress: Callable[[int], None] | None = None,
) -> Halves:
    """Parse and check ``prepared``'s pending records on two processes (this one takes the first
    half); ``prepared`` keeps the entries as read and stores its cache entry at the end.

    The order of work is chosen so neither process waits long: both parse; they swap peers
    (small); both check; this process marshals its rows for the cache while the child marshals
    its own, which come last, with its findings."""
    orig = prepared.pending
    assert orig is not None
    n = len(orig)
    last: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, r in enumerate(dated):
        last[r.code] = i
        first.setdefault(r.code, i)
    job = _Job(orig, dated, last, first, prepared.catalog, config, check, wanted, reference, as_of)
    m = _middle(orig)
    make_entry(orig[0], prepared.catalog)  # load the parser before forking: both halves use it
    partner = pool.Partner(_other_half, job, m, n)
    read, mine = job.parse(0, m)
    got = _first_message(partner.recv(), m, n)
    their_members: list[int] = []
    member_rows: dict[int, Row] = {}
    if got is None:  # the child failed before its peers: its half is parsed here
        partner.close()
        their_read, theirs = job.parse(m, n)
        peers = theirs
    else:
        their_peers, their_members, member_rows = got
        peers = {i: RowEntry(dated[i], member_rows[i], job.catalog) for i in their_peers}
        partner.send([(i, row_of(read[i])) for i in job.peers(mine)])
        theirs = {
            i: peers.get(i) or RowEntry(dated[i], partial(prepared.row, i), job.catalog) for i in range(m, n)
        }
    ctx = job.context(mine, peers)
    found: list[tuple[Entry, list[Finding]]] = []
    for i in range(m):
        if progress is not None and (i + 1) % 500 == 0:
            progress(500)
        if wanted(dated[i]):
            found.append((mine[i], check(mine[i], ctx)))
    if progress is not None:
        progress(m % 500)
    final = None
    if got is not None:
        # This process's rows are marshalled while the child finishes; its rows come last.
        prepared.adopt(
            [read[i] for i in range(m)],
            members=[*job.members(read), *their_members],
            member_rows={i: member_rows[i] for i in their_members},
        )
        final = _last_message(partner.recv(), n - m)
        partner.close()
        if final is None:  # the child failed after the swap: its half is parsed here
            their_read, theirs = job.parse(m, n)
    if final is None:
        prepared.adopt_all([*(read[i] for i in range(m)), *(their_read[i] for i in range(m, n))])
        plain: list[Any] = [None] * (n - m)
    else:
        plain, blob = final
        prepared.add_part((m, n, blob))
    prepared.store()
    found += _child_findings(plain, job, theirs, ctx, m)
    if progress is not None:
        progress(n - m)
    return Halves([mine[i] for i in range(m)] + [theirs[i] for i in range(m, n)], found, ctx)


def _middle(records: Sequence[Record]) -> int:
    """Where the child's half starts: half of the descriptor text on each side, as parsing
    time goes with the text (CMS's early letters have the longer descriptors: a split by count
    gave this process 55 to 60 % of the 2019 and Oct 2025 text)."""
    total = sum(len(r.long) for r in records)
    seen = 0
    for i, r in enumerate(records):
        seen += len(r.long)
        if 2 * seen >= total:
            return min(max(i + 1, 1), len(records) - 1)
    return len(records) // 2


def _first_message(got: Any, m: int, n: int) -> tuple[list[int], list[int], dict[int, Row]] | None:
    """The child's peers, members and their rows, checked for shape (None: not usable)."""
    try:
        peers, members, some = got
        rows = {int(i): tuple(r) for i, r in some}
        peers, members = [int(i) for i in peers], [int(i) for i in members]
        if any(not m <= i < n or i not in rows for i in (*peers, *members)):
            return None
    except (TypeError, ValueError):
        return None
    return peers, members, rows  # type: ignore[return-value]


def _last_message(got: Any, count: int) -> tuple[list[Any], bytes] | None:
    """The child's findings (one item per record) and its rows, marshalled (None: not usable)."""
    try:
        plain, blob = got
        if not isinstance(plain, list) or len(plain) != count or not isinstance(blob, bytes):
            return None
    except (TypeError, ValueError):
        return None
    return plain, blob


def _child_findings(
    plain: list[Any], job: _Job, theirs: dict[int, Entry], ctx: Context, m: int
) -> list[tuple[Entry, list[Finding]]]:
    """The child's findings for its half (each with this process's record); a record the child
    sent none for is checked here."""
    out: list[tuple[Entry, list[Finding]]] = []
    for i, row in enumerate(plain, m):
        record = job.dated[i]
        if not job.wanted(record):
            continue
        back = cache.findings_from(row, record.location.path) if row is not None else None
        if back is None:
            out.append((theirs[i], job.check(theirs[i], ctx)))
        else:
            out.append((theirs[i], [replace(f, record=record) for f in back[0][0]]))
    return out
