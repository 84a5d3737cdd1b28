"""Descriptor text → typed clauses, with exact character spans.

Lark (LALR, contextual lexer) builds segments and keyword clauses while it parses (the
Transformer runs inside the parser: no tree is kept). A short pass then types each segment's
lead words (route, product or service head, amount, basis, qualifier) from the vocabulary in
``grammar/vocabulary.toml`` and lets an open inclusion list run on over the following commas
("includes straps, closures, and padding"). Text the grammar cannot take is kept as
``unparsed`` residue with its span; only a descriptor past a limit in ``limits`` (length,
bracket depth) raises, ``limits.LimitError``.

Speed: a descriptor is cut at top-level separators and each piece's segments are cached by its
text; a piece that is one run of plain words (most of them) is built from the grammar's RUN
terminal without running Lark (``_single_run`` says why that is exact), and a lead's typing is
kept on its cached part, so a piece met again costs a few dictionary and tuple look-ups.

Invariants (tested with hypothesis): each clause's text is ``text[start:end]``; two clause spans
are nested or disjoint, never crossing or equal; residue overlaps no clause; clauses plus residue
cover every letter, digit and bracket. Time is linear in the length: an unmatched bracket is
found first and cut out as residue, so no piece is ever parsed twice at full length.

Over 400 lines: the Transformer, the typing pass and the residue bookkeeping share private
segment types (``_Part``, ``_Seg``, ``_Raw``); split, those would become public API.
"""

from __future__ import annotations

import io
import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any, cast

import lark
from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from hcpcs_lint.limits import LimitError, descriptor_problem, unmatched_brackets
from hcpcs_lint.model import Clause, ClauseRole, Descriptor, Head, Item, Level

# -- raw pieces built by the Transformer while parsing --------------------------------------------


@dataclass(slots=True)
class _Paren:
    start: int
    end: int
    inner: list[_Seg]


@dataclass(slots=True)
class _Part:
    """A run of words, "and"s and parentheses; start/end cover all of it.

    What the typing pass asks of a part again and again (its brackets, whether it has an "and")
    is worked out once, when the part is built: parts are cached with their piece and reused by
    every descriptor that holds the same piece."""

    start: int
    end: int
    toks: list[Any]  # Token | _Paren
    parens: tuple[_Paren, ...]
    has_and: bool
    first_is_and: bool
    only_parens: bool
    head_end: int  # end without a trailing parenthetical (a lead's head stops before it)
    # _Typer.lead's last result and what it was for (a lead is nearly always typed one way).
    # Each is one tuple, replaced whole, so a reader never sees half of an update.
    memo: tuple[Any, ...] | None = None  # (flags, text, *type_lead's result)
    memo_at: tuple[Any, ...] | None = None  # (memo, offset, its clauses)

    def split_and(self) -> list[_Part]:
        """Items of a lead absorbed into an inclusion list: split on "and"."""
        out: list[_Part] = []
        cur: list[Any] = []
        for t in self.toks:
            if isinstance(t, Token) and t.type == "AND":
                if cur:
                    out.append(_part(cur))
                cur = []
            else:
                cur.append(t)
        if cur:
            out.append(_part(cur))
        return out


@dataclass(slots=True)
class _Raw:
    role: str  # inclusion | exclusion | basis | purpose
    kw: Token
    items: list[_Part]  # for inclusion/exclusion
    tail: _Part | None  # for basis/purpose
    closed: bool  # an inclusion list already has its "and"

    @property
    def end(self) -> int:
        if self.items:
            return self.items[-1].end
        if self.tail is not None:
            return self.tail.end
        return int(self.kw.end_pos or 0)


@dataclass(slots=True)
class _Seg:
    lead: _Part | None
    clauses: tuple[_Raw, ...]  # a tuple: most segments have none, and () costs nothing


def _pos(t: Any) -> tuple[int, int]:
    if isinstance(t, Token):
        return int(t.start_pos or 0), int(t.end_pos or 0)
    return t.start, t.end


def _part(toks: list[Any]) -> _Part:
    first = toks[0]
    if len(toks) == 1:  # most parts: one run of words
        if isinstance(first, Token):
            start, end = _pos(first)
            is_and = first.type == "AND"
            return _Part(start, end, toks, (), is_and, is_and, False, end)
        return _Part(first.start, first.end, toks, (first,), False, False, True, first.end)
    parens = tuple(t for t in toks if isinstance(t, _Paren))
    end = _pos(toks[-1])[1]
    return _Part(
        start=_pos(first)[0],
        end=end,
        toks=toks,
        parens=parens,
        has_and=any(isinstance(t, Token) and t.type == "AND" for t in toks),
        first_is_and=isinstance(first, Token) and first.type == "AND",
        only_parens=len(parens) == len(toks),
        head_end=_pos(toks[-2])[1] if isinstance(toks[-1], _Paren) else end,
    )


class _Build(Transformer):  # type: ignore[type-arg]
    """Runs inside the LALR parser: each callback gets its children already built."""

    def descriptor(self, ch: list[Any]) -> list[_Seg]:
        return [c for c in ch if isinstance(c, _Seg)]

    def segment(self, ch: list[Any]) -> _Seg:
        lead = ch[0] if ch and isinstance(ch[0], _Part) else None
        return _Seg(lead, tuple(c for c in ch if isinstance(c, _Raw)))

    def lead(self, ch: list[Any]) -> _Part:
        return _part(ch)

    item = lead
    tail = lead

    def items(self, ch: list[Any]) -> list[_Part]:
        return [c for c in ch if isinstance(c, _Part)]

    def inclusion(self, ch: list[Any]) -> _Raw:
        items = ch[1] if len(ch) > 1 else []
        return _Raw("inclusion", ch[0], items, None, len(items) > 1)

    def exclusion(self, ch: list[Any]) -> _Raw:
        raw = self.inclusion(ch)
        raw.role = "exclusion"
        return raw

    def basis(self, ch: list[Any]) -> _Raw:
        return _Raw("basis", ch[0], [], ch[1], True)

    def purpose(self, ch: list[Any]) -> _Raw:
        return _Raw("purpose", ch[0], [], ch[1], True)

    def paren(self, ch: list[Any]) -> _Paren:
        inner = ch[1] if len(ch) == 3 else []
        return _Paren(int(ch[0].start_pos or 0), int(ch[-1].end_pos or 0), inner)


# -- vocabulary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocab:
    route: re.Pattern[str]
    service_nouns: frozenset[str]
    service_suffixes: tuple[str, ...]
    prepositions: frozenset[str]
    amount: re.Pattern[str]
    basis: re.Pattern[str]
    qualifier: re.Pattern[str]
    product_unit: re.Pattern[str]


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    raw = tomllib.loads((resources.files("hcpcs_lint.grammar") / "vocabulary.toml").read_text("utf-8"))
    return _Vocab(
        route=re.compile(rf"(?:{_alt(raw['routes'])})", re.I),
        service_nouns=frozenset(raw["service_nouns"]),
        service_suffixes=tuple(raw["service_suffixes"]),
        prepositions=frozenset(raw["prepositions"]),
        amount=re.compile(rf"(?:\d|\.\d|(?:{_alt(raw['amount_starts'])})\b)", re.I),
        basis=re.compile(rf"(?:(?:{_alt(raw['basis_starts'])})\b|.*=\s*(?:1|one)\s+unit\b)", re.I),
        qualifier=re.compile(rf"(?:{_alt(raw['qualifier_starts'])})\b", re.I),
        product_unit=re.compile(rf"\b(?:{_alt(raw['product_units'])})\b", re.I),
    )


@lru_cache(maxsize=1)
def _lark() -> Lark:
    """The LALR parser. Its tables ship with the package (grammar/tables.py, made by
    grammar/build.py) and are used when made from this grammar with this Lark; else they come
    from the cache when this grammar was analysed before, else they are built (about as long as
    parsing a thousand descriptors) and cached."""
    from hcpcs_lint import cache
    from hcpcs_lint.grammar import build

    grammar = build.grammar_text()
    try:
        from hcpcs_lint.grammar import tables

        if (lark.__version__, build.grammar_sha256(grammar)) == (tables.LARK_VERSION, tables.GRAMMAR_SHA256):
            shipped = {"data": tables.DATA, "memo": tables.MEMO}
            return Lark.__new__(Lark)._load(shipped, transformer=_Build())
    except Exception:  # missing or unreadable: the tables are built below
        pass
    k = cache.key("lark", lark.__version__, grammar)
    saved = cache.read("grammar", k)
    if isinstance(saved, bytes):
        try:
            return Lark.__new__(Lark)._load(io.BytesIO(saved), transformer=_Build())
        except Exception:  # tables from another Lark: build them again
            pass
    parser = Lark(grammar, start="descriptor", parser="lalr", lexer="contextual", transformer=_Build())
    buf = io.BytesIO()
    parser.save(buf)
    cache.write("grammar", k, buf.getvalue())
    return parser


# -- typing pass -----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z'-]*", re.I)
_HAS_ALNUM = re.compile(r"[^\W_]")  # a letter or digit, ASCII or not
_BRACKETS = re.compile(r"[()\[\]]")
_SEP_OR_BRACKET = re.compile(r"[,;()\[\]]")
_SEP = re.compile(r"[,;]")
# Whitespace the grammar does not skip (form feed, em space, ...): blanked in the working copy.
_ODD_SPACE = re.compile(r"[^\S \t\r\n\xa0]")
_TRIM = frozenset(" \t\r\n,;.:()[]")
_CONNECTORS = frozenset({"and", "or", "and/or"})


def head_of(text: str) -> Head:
    """Product or service, from the head noun: the last word before the first preposition."""
    v = _vocab()
    last = ""
    for m in _WORD.finditer(text.split("(", 1)[0]):
        w = m.group(0).lower()
        if w in v.prepositions and last:
            break
        last = w
    if not last:
        return "product"
    if last in v.service_nouns or last.endswith(v.service_suffixes):
        return "service"
    return "product"


class _Typer:
    """Turns raw segments into clauses, in text order.

    Raw segments are cached by their text and parsed on their own, so every position read from
    them is shifted by the offset ``off`` of the segment in the descriptor. Bracketed segments
    wait in ``pending`` instead of recursing, so nesting depth costs no stack. ``breaks`` are
    where residue starts (an unmatched bracket, a piece the grammar refused): an inclusion list
    never runs across one. ``clean``: the grammar saw ``text`` itself (no odd whitespace was
    blanked), so a lead's text is its cached piece's own and needs no comparing (``lead``).
    ``dose``: an amount or basis in units only products have (``dosed``), noted as clauses come.
    """

    def __init__(
        self, text: str, level: Level = "II", *, own_head: bool = True, breaks: list[int], clean: bool = False
    ) -> None:
        self.text = text
        self.clean = clean
        self.dose = False
        self.breaks = breaks
        self.pending: list[tuple[int, list[_Seg]]] = []
        self.v = _vocab()
        self.out: list[Clause] = []
        self.head: Head | None = None
        self.level = level
        # The specific part of a Level I descriptor ("first 25 sq cm", "each additional hour")
        # often has no head of its own: the family stem holds it.
        self.own_head = own_head
        self.flags = (8 if level == "I" else 0) | (16 if own_head else 0) | (32 if clean else 0)

    def run(self, segs: list[tuple[int, _Seg]]) -> list[Clause]:
        self.segments(segs, top=True)
        while self.pending:
            off, inner = self.pending.pop()
            self.segments([(off, s) for s in inner], top=False)
        return self.out

    def clause(self, role: str, start: int, end: int, *, items: tuple[Item, ...] = (), kw: str = "") -> None:
        self.out.append(Clause(role, self.text[start:end], start, end, items, kw))  # type: ignore[arg-type]

    def nested(self, part: _Part, off: int) -> None:
        """Brackets inside a part: their own keyword clauses surface (nested spans)."""
        if part.parens:
            self.pending.extend((off, paren.inner) for paren in part.parens)

    def segments(self, segs: list[tuple[int, _Seg]], *, top: bool) -> None:
        i = 0
        seen_head = not top
        n = len(segs)
        while i < n:
            off, seg = segs[i]
            lead = seg.lead
            if lead is None:
                pass
            elif not top:
                if lead.parens:  # inside brackets only keyword clauses surface
                    self.pending.extend((off, paren.inner) for paren in lead.parens)
            else:
                seen_head = self.lead(lead, off, i == 0, seen_head, not seg.clauses)
            for raw in seg.clauses:
                if raw.role in ("inclusion", "exclusion"):
                    i = self.listing(raw, off, segs, i, last=raw is seg.clauses[-1])
                else:
                    assert raw.tail is not None
                    start, end = off + int(raw.kw.start_pos or 0), off + raw.tail.end
                    text = self.text[start:end]
                    if raw.role == "basis":
                        self.out.append(Clause("basis", text, start, end, (), str(raw.kw)))
                        if not self.dose and self.v.product_unit.search(text):
                            self.dose = True
                    else:
                        self.out.append(Clause("qualifier", text, start, end, (), str(raw.kw)))
                    self.nested(raw.tail, off)
            i += 1

    def lead(self, p: _Part, off: int, first: bool, seen_head: bool, alone: bool) -> bool:
        """Type a segment's lead. The result depends only on the part, its text and the flags, so
        it is kept on the part (cached with its piece) with spans relative to the segment."""
        flags = self.flags | first | seen_head << 1 | alone << 2
        m = p.memo
        if m is None or m[0] != flags or not (self.clean or m[1] == self.text[off + p.start : off + p.end]):
            text = self.text[off + p.start : off + p.end]
            m = p.memo = (
                flags,
                text,
                *self.type_lead(p, text, first=first, seen_head=seen_head, alone=alone),
            )
        _, _, spans, seen_head, head, nest, dose = m
        at = p.memo_at
        if at is None or at[0] is not m or at[1] != off:
            # Clauses are immutable: the same ones serve the same part at the same offset again.
            at = p.memo_at = (m, off, tuple(Clause(role, t, off + a, off + b) for role, a, b, t in spans))
        self.out.extend(at[2])
        if head is not None:
            self.head = head
        if dose:
            self.dose = True
        if nest and p.parens:
            self.pending.extend((off, paren.inner) for paren in p.parens)
        return seen_head

    def type_lead(
        self, p: _Part, text: str, *, first: bool, seen_head: bool, alone: bool
    ) -> tuple[tuple[tuple[ClauseRole, int, int, str], ...], bool, Head | None, bool, bool]:
        """(clauses as role, start, end, text relative to the segment; seen_head; the head typed
        here or None; whether brackets inside surface; whether a clause is a dose)."""
        v = self.v
        out: list[tuple[ClauseRole, int, int, str]] = []
        base = p.start

        def add(role: ClauseRole, a: int, b: int) -> None:
            out.append((role, a, b, text[a - base : b - base]))

        if p.only_parens:
            # "(a) (b), per 1 mg": brackets only, each its own parenthetical, no head.
            for paren in p.parens:
                add("parenthetical", paren.start, paren.end)
            return tuple(out), seen_head, None, True, False
        if first and alone and v.route.fullmatch(text):
            add("route", p.start, p.end)
            return tuple(out), seen_head, None, False, False
        head: Head | None = None
        is_basis = v.basis.match(text) is not None
        is_amount = not is_basis and v.amount.match(text) is not None
        if not self.own_head and not seen_head and not is_basis and not is_amount and v.qualifier.match(text):
            seen_head = True  # "each additional ...", "with ...": qualifies the family's head
            add("qualifier", p.start, p.end)
        elif not seen_head and not is_basis and not is_amount:
            # The head: product or service. A trailing parenthetical stands as its own clause.
            # CPT (Level I) codes are procedures and services by definition: "Taking skin from a
            # donor site" is a service even though its head noun names a thing.
            head = "service" if self.level == "I" else head_of(text[: p.head_end - base])
            add(head, p.start, p.head_end)
            seen_head = True
        elif is_basis or is_amount or _HAS_ALNUM.search(text):
            add("basis" if is_basis else "amount" if is_amount else "qualifier", p.start, p.end)
        for paren in p.parens:
            add("parenthetical", paren.start, paren.end)
        dose = any(r in ("amount", "basis") and v.product_unit.search(t) for r, _, _, t in out)
        return tuple(out), seen_head, head, True, dose

    def listing(self, raw: _Raw, off: int, segs: list[tuple[int, _Seg]], i: int, *, last: bool) -> int:
        """An inclusion/exclusion clause; an open list runs on over following plain segments."""
        items = [(off, p) for p in raw.items]
        closed = raw.closed
        while last and i + 1 < len(segs):
            noff, nxt = segs[i + 1]
            lead = nxt.lead
            if lead is None or nxt.clauses:
                break
            if closed and not lead.first_is_and:
                break  # "a and b, c": c is not in the list; "a and b, and c" is
            end = items[-1][0] + items[-1][1].end if items else off + int(raw.kw.end_pos or 0)
            k = bisect_left(self.breaks, end)
            if k < len(self.breaks) and self.breaks[k] < noff + lead.start:
                break  # residue between: it stays outside the list
            lead_text = self.text[noff + lead.start : noff + lead.end]
            v = self.v
            if not lead.first_is_and and (
                v.qualifier.match(lead_text) or v.amount.match(lead_text) or v.basis.match(lead_text)
            ):
                break
            items.extend((noff, p) for p in lead.split_and())
            closed = lead.has_and
            i += 1
        start = off + int(raw.kw.start_pos or 0)
        end = items[-1][0] + items[-1][1].end if items else off + int(raw.kw.end_pos or 0)
        text = self.text
        built = tuple(Item(text[o + p.start : o + p.end], o + p.start, o + p.end) for o, p in items)
        self.clause(raw.role, start, end, items=built, kw=str(raw.kw))
        for o, p in items:
            self.nested(p, o)
        return i


_SEG_CACHE: dict[str, list[_Seg] | None] = {}
_SEG_CACHE_MAX = 200_000


def _run(text: str) -> list[_Seg]:
    """The Transformer runs inside the parser, so Lark returns our segments, not a tree."""
    return cast(list[_Seg], _lark().parse(text))


@lru_cache(maxsize=1)
def _run_terminal() -> re.Pattern[str]:
    """The grammar's RUN terminal, compiled as Lark compiles it (taken from the loaded parser,
    never copied, so a change to the grammar changes it here too)."""
    lk = _lark()
    return re.compile(lk.get_terminal("RUN").pattern.to_regexp(), lk.options.g_regex_flags)


def _single_run(piece: str) -> list[_Seg] | None:
    r"""The segments Lark builds for a piece that is one RUN token, without running Lark; None
    when the piece is anything else. Two thirds of the distinct pieces of a release are one run
    of plain words ("prefabricated", "each", "injection, ..."'s drug name), and Lark spends
    about 18 µs a piece on them where the RUN regex alone takes 1 µs.

    Exact, because this is what Lark's contextual lexer does at position 0 of a stripped piece:
    it tries the start state's terminals as one alternation, higher priority first (PAREN.4,
    INCL.3, EXCL.3, PER.3, FOR.3, AND.2, then RUN and the priority-0 rest), and takes the first
    that matches with ``re.match``. None of the higher ones can match where RUN matches: PAREN
    starts with a bracket and RUN's first character excludes brackets; RUN's opening negative
    lookahead rejects exactly the texts INCL, EXCL, PER, FOR and AND match (the same words,
    the same ``\b`` and ``(?![\w/-])`` tails, "and" not before "including"). So Lark's first
    token is RUN with this same ``re.match`` result; when it ends at the end of the piece there
    is nothing left to lex (the piece is stripped: no ignored whitespace after it) and the only
    parse of a lone RUN is descriptor → segment → lead → RUN. RUN can hold no separator or
    bracket, and since no string terminal is fully matched by RUN, Lark attaches no retyping
    callback to it. The token's line and column are Lark's (RUN may span newlines).
    tests/parser/test_fast_path.py checks this against Lark on every piece of every real
    release and on generated pieces."""
    m = _run_terminal().match(piece)
    if m is None or m.end() != len(piece):
        return None
    n = len(piece)
    newlines = piece.count("\n")
    if newlines:
        end_line, end_column = 1 + newlines, n - piece.rindex("\n")
    else:
        end_line, end_column = 1, n + 1
    tok = Token("RUN", m.group(0), 0, 1, 1, end_line, end_column, n)
    return [_Seg(_Part(0, n, [tok], (), False, False, False, n), ())]


def _cached_piece(piece: str) -> list[_Seg] | None:
    """Segments of one top-level piece (None: the grammar cannot take it). Cached by text:
    pieces such as "per therapeutic dose" recur across a release."""
    if piece in _SEG_CACHE:
        return _SEG_CACHE[piece]
    segs = _single_run(piece)
    if segs is None:
        try:
            segs = _run(piece)
        except LarkError:
            segs = None
    if len(_SEG_CACHE) >= _SEG_CACHE_MAX:
        _SEG_CACHE.clear()
    _SEG_CACHE[piece] = segs
    return segs


def _pieces(work: str) -> list[tuple[int, str]]:
    """Top-level pieces of ``work`` (brackets are balanced in it), stripped, with their offsets."""
    out: list[tuple[int, str]] = []
    if "(" not in work and "[" not in work:  # unmatched brackets are separators in ``work``
        pos = 0
        for raw in _SEP.split(work):  # a separator is one character
            piece = raw.strip()
            if piece:
                out.append((pos + len(raw) - len(raw.lstrip()), piece))
            pos += len(raw) + 1
        return out
    depth = begin = 0
    bounds: list[tuple[int, int]] = []
    for m in _SEP_OR_BRACKET.finditer(work):
        ch = m.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0:
            bounds.append((begin, m.start()))
            begin = m.end()
    bounds.append((begin, len(work)))
    for s, e in bounds:
        raw = work[s:e]
        piece = raw.strip()
        if piece:
            out.append((s + len(raw) - len(raw.lstrip()), piece))
    return out


_MISSING: Any = object()


def _parse_segments(work: str) -> tuple[list[tuple[int, _Seg]], list[tuple[int, int]]]:
    """Split at top-level separators and parse each piece on its own; a piece the grammar
    cannot take is residue, whole."""
    out: list[tuple[int, _Seg]] = []
    failed: list[tuple[int, int]] = []
    cache = _SEG_CACHE
    for off, piece in _pieces(work):
        segs = cache.get(piece, _MISSING)
        if segs is _MISSING:
            segs = _cached_piece(piece)
        if segs is None:
            failed.append((off, off + len(piece)))
        elif len(segs) == 1:
            out.append((off, segs[0]))
        else:
            out.extend((off, seg) for seg in segs)
    return out, failed


def _residue(
    text: str, clauses: tuple[Clause, ...], failed: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """Runs of text with letters or digits that no clause covers, plus what failed to parse.

    The uncovered runs are the gaps between the covered spans taken in order (clauses come
    sorted by start; empty spans cover nothing and split no run)."""
    spans = [(c.start, c.end) for c in clauses]
    if failed:
        spans.extend(failed)
        spans.sort()
    out = list(failed)
    covered_to = 0
    gaps: list[tuple[int, int]] = []
    for a, b in spans:
        if a >= b:
            continue
        if a > covered_to:
            gaps.append((covered_to, a))
        if b > covered_to:
            covered_to = b
    if covered_to < len(text):
        gaps.append((covered_to, len(text)))
    for s, e in gaps:
        if _HAS_ALNUM.search(text, s, e):
            while text[s] in _TRIM:
                s += 1
            while text[e - 1] in _TRIM:
                e -= 1
            if text[s:e].lower() in _CONNECTORS:
                continue  # "... and ulceration and for pt1": the "and" joins two clauses
            out.append((s, e))
    return tuple(sorted(set(out)))


# The add-on marker of CPT (and of a few Level II codes, G0501): one clause, never parsed inside.
_ADD_ON = re.compile(
    r"\(\s*list\s+separately\s+in\s+addition\s+to\b[^()]*\)"
    r"|(?<![\w(])list\s+separately\s+in\s+addition\s+to\b[^,;()]*",
    re.I,
)


def _parse_level2(text: str, level: Level, *, own_head: bool = True) -> Descriptor:
    markers = [m.span() for m in _ADD_ON.finditer(text)] if "eparately" in text else []
    masked = text
    for a, b in markers:  # blank the marker out so every other span stays exact
        masked = masked[:a] + " " * (b - a) + masked[b:]
    # The grammar works on a copy of the same length: odd whitespace blanked, unmatched
    # brackets turned into separators (and kept as residue), so every span fits ``text``.
    work = _ODD_SPACE.sub(" ", masked)
    clean = work is masked  # re.sub returns its argument when it replaced nothing
    breaks = unmatched_brackets(work) if _BRACKETS.search(work) else []
    if breaks:
        chars = list(work)
        for b in breaks:
            chars[b] = ","
        work = "".join(chars)
    segs, failed = _parse_segments(work)
    # An inclusion list never runs across residue: a bracket or a piece the grammar refused.
    stops = sorted([*breaks, *(a for a, _ in failed)]) if breaks or failed else breaks
    if breaks:
        failed.extend((b, b + 1) for b in breaks)
    typer = _Typer(masked, level, own_head=own_head, breaks=stops, clean=clean)
    found = typer.run(segs)
    if markers:
        found = [replace(c, text=text[c.start : c.end]) for c in found]
        found += [Clause("add-on", text[a:b], a, b, keyword="list separately") for a, b in markers]
    clauses = tuple(sorted(found, key=lambda c: (c.start, -c.end)))
    head = typer.head or ("service" if level == "I" else "product")
    has_dose = dosed(clauses) if markers else typer.dose  # markers: clause texts changed
    if head == "service" and has_dose and level == "II" and clauses and clauses[0].role == "service":
        # "Ringers lactate infusion, up to 1000 cc": a dose makes the head a product.
        head = "product"
        clauses = tuple(replace(c, role="product") if c is clauses[0] else c for c in clauses)
    elif level == "II" and not has_dose and _service_route(clauses):
        # "Intravenous infusion, pemivibart, ..., includes infusion and monitoring": a route with a
        # manner word (or one the inclusion repeats) and no dose anywhere names the service; the
        # product is what it gives. A bare "Injection, <drug>, 10 mg" stays CMS's product prefix.
        head = "service"
        product = next((c for c in clauses if c.role == "product"), None)
        clauses = tuple(
            replace(c, role="service")
            if c is clauses[0]
            else replace(c, role="qualifier")
            if c is product
            else c
            for c in clauses
        )
    return Descriptor(
        text=text,
        level=level,
        head=head,
        clauses=clauses,
        unparsed=_residue(masked, clauses, failed),
    )


def _service_route(clauses: tuple[Clause, ...]) -> bool:
    """ "Intravenous infusion, <drug>, ..." or "Injection, <drug>, ..., includes injection and
    monitoring": a route with a manner word, or one the inclusion repeats, names the service."""
    if not clauses or clauses[0].role != "route":
        return False
    words = clauses[0].text.lower().split()
    if len(words) >= 2:
        return True
    again = re.compile(rf"\b{re.escape(words[0])}\b", re.I) if words else None
    return again is not None and any(
        again.search(it.text) for c in clauses if c.role == "inclusion" for it in c.items
    )


def dosed(clauses: tuple[Clause, ...]) -> bool:
    """An amount or billing unit in units only products have ("1 mg", "per therapeutic dose")."""
    unit = _vocab().product_unit
    return any(c.role in ("amount", "basis") and unit.search(c.text) for c in clauses)


def _top_semicolon(text: str) -> int:
    depth = 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            return k
    return -1


@lru_cache(maxsize=65536)
def parse(text: str, level: Level = "II") -> Descriptor:
    """Parse one descriptor. Level I (CPT-style) text also gets its family stem (before the first
    semicolon, shared by sibling codes) and its specific part, each parsed on its own.

    Raises limits.LimitError for text past a stated limit (length, bracket depth)."""
    if problem := descriptor_problem(text):
        raise LimitError(problem)
    desc = _parse_level2(text, level)
    if level != "I":
        return desc
    k = _top_semicolon(text)
    if k < 0:
        return desc
    rest = text[k + 1 :]
    lead_ws = len(rest) - len(rest.lstrip())
    stem = _parse_level2(text[:k], "I")
    specific = _parse_level2(rest.strip(), "I", own_head=False)
    return Descriptor(
        text=desc.text,
        level="I",
        head="service",
        clauses=desc.clauses,
        unparsed=desc.unparsed,
        stem=stem,
        specific=specific,
        specific_offset=k + 1 + lead_ws,
    )
