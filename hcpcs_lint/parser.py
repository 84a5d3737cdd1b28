"""Descriptor text → typed clauses, with exact character spans.

Lark (LALR, contextual lexer) builds segments and keyword clauses while it parses (the
Transformer runs inside the parser: no tree is kept). A short pass then types each segment's
lead words (route, product or service head, amount, basis, qualifier) from the vocabulary in
``grammar/vocabulary.toml`` and lets an open inclusion list run on over the following commas
("includes straps, closures, and padding"). Text the grammar cannot take is kept as
``unparsed`` residue with its span; only a descriptor past a limit in ``limits`` (length,
bracket depth) raises, ``limits.LimitError``.

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
from hcpcs_lint.model import Clause, Descriptor, Head, Item, Level

# -- raw pieces built by the Transformer while parsing --------------------------------------------


@dataclass(slots=True)
class _Paren:
    start: int
    end: int
    inner: list[_Seg]


@dataclass(slots=True)
class _Part:
    """A run of words, "and"s and parentheses; start/end cover all of it."""

    start: int
    end: int
    toks: list[Any]  # Token | _Paren

    @property
    def first_is_and(self) -> bool:
        t = self.toks[0]
        return isinstance(t, Token) and t.type == "AND"

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

    @property
    def has_and(self) -> bool:
        return any(isinstance(t, Token) and t.type == "AND" for t in self.toks)

    def parens(self) -> list[_Paren]:
        return [t for t in self.toks if isinstance(t, _Paren)]


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
    clauses: list[_Raw]


def _pos(t: Any) -> tuple[int, int]:
    if isinstance(t, Token):
        return int(t.start_pos or 0), int(t.end_pos or 0)
    return t.start, t.end


def _part(toks: list[Any]) -> _Part:
    return _Part(_pos(toks[0])[0], _pos(toks[-1])[1], toks)


class _Build(Transformer):  # type: ignore[type-arg]
    """Runs inside the LALR parser: each callback gets its children already built."""

    def descriptor(self, ch: list[Any]) -> list[_Seg]:
        return [c for c in ch if isinstance(c, _Seg)]

    def segment(self, ch: list[Any]) -> _Seg:
        lead = ch[0] if ch and isinstance(ch[0], _Part) else None
        return _Seg(lead, [c for c in ch if isinstance(c, _Raw)])

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
    """The LALR parser; its tables come from the cache when this grammar was analysed before
    (building them costs about as much as parsing a thousand descriptors)."""
    from hcpcs_lint import cache

    grammar = (resources.files("hcpcs_lint.grammar") / "level2.lark").read_text("utf-8")
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
# Whitespace the grammar does not skip (form feed, em space, ...): blanked in the working copy.
_ODD_SPACE = re.compile(r"[^\S \t\r\n\xa0]")
_UNCOVERED = re.compile("\x00+")
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
    never runs across one.
    """

    def __init__(self, text: str, level: Level = "II", *, own_head: bool = True, breaks: list[int]) -> None:
        self.text = text
        self.breaks = breaks
        self.pending: list[tuple[int, list[_Seg]]] = []
        self.v = _vocab()
        self.out: list[Clause] = []
        self.head: Head | None = None
        self.level = level
        # The specific part of a Level I descriptor ("first 25 sq cm", "each additional hour")
        # often has no head of its own: the family stem holds it.
        self.own_head = own_head

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
        self.pending.extend((off, paren.inner) for paren in part.parens())

    def segments(self, segs: list[tuple[int, _Seg]], *, top: bool) -> None:
        i = 0
        seen_head = not top
        while i < len(segs):
            off, seg = segs[i]
            if seg.lead is not None and not top:
                self.nested(seg.lead, off)  # inside brackets only keyword clauses surface
            elif seg.lead is not None:
                seen_head = self.lead(seg.lead, off, first=i == 0, seen_head=seen_head, alone=not seg.clauses)
            for raw in seg.clauses:
                if raw.role in ("inclusion", "exclusion"):
                    i = self.listing(raw, off, segs, i, last=raw is seg.clauses[-1])
                else:
                    assert raw.tail is not None
                    role = "basis" if raw.role == "basis" else "qualifier"
                    self.clause(role, off + int(raw.kw.start_pos or 0), off + raw.tail.end, kw=str(raw.kw))
                    self.nested(raw.tail, off)
            i += 1

    def lead(self, p: _Part, off: int, *, first: bool, seen_head: bool, alone: bool) -> bool:
        start, end = off + p.start, off + p.end
        text = self.text[start:end]
        v = self.v
        if all(isinstance(t, _Paren) for t in p.toks):
            # "(a) (b), per 1 mg": brackets only, each its own parenthetical, no head.
            for paren in p.parens():
                self.clause("parenthetical", off + paren.start, off + paren.end)
            self.nested(p, off)
            return seen_head
        if first and alone and v.route.fullmatch(text):
            self.clause("route", start, end)
            return seen_head
        is_basis = v.basis.match(text) is not None
        is_amount = not is_basis and v.amount.match(text) is not None
        if not self.own_head and not seen_head and not is_basis and not is_amount and v.qualifier.match(text):
            seen_head = True  # "each additional ...", "with ...": qualifies the family's head
            self.clause("qualifier", start, end)
        elif not seen_head and not is_basis and not is_amount:
            # The head: product or service. A trailing parenthetical stands as its own clause.
            if isinstance(p.toks[-1], _Paren) and len(p.toks) > 1:
                end = off + _pos(p.toks[-2])[1]
            # CPT (Level I) codes are procedures and services by definition: "Taking skin from a
            # donor site" is a service even though its head noun names a thing.
            head: Head = "service" if self.level == "I" else head_of(self.text[start:end])
            self.head = head
            self.clause(head, start, end)
            seen_head = True
        elif is_basis or is_amount or _HAS_ALNUM.search(text):
            self.clause("basis" if is_basis else "amount" if is_amount else "qualifier", start, end)
        for paren in p.parens():
            self.clause("parenthetical", off + paren.start, off + paren.end)
        self.nested(p, off)
        return seen_head

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


def _cached_piece(piece: str) -> list[_Seg] | None:
    """Segments of one top-level piece (None: the grammar cannot take it). Cached by text:
    pieces such as "per therapeutic dose" recur across a release."""
    if piece in _SEG_CACHE:
        return _SEG_CACHE[piece]
    try:
        segs: list[_Seg] | None = _run(piece)
    except LarkError:
        segs = None
    if len(_SEG_CACHE) >= _SEG_CACHE_MAX:
        _SEG_CACHE.clear()
    _SEG_CACHE[piece] = segs
    return segs


def _parse_segments(work: str) -> tuple[list[tuple[int, _Seg]], list[tuple[int, int]]]:
    """Split at top-level separators (brackets are balanced in ``work``) and parse each piece
    on its own; a piece the grammar cannot take is residue, whole."""
    out: list[tuple[int, _Seg]] = []
    failed: list[tuple[int, int]] = []
    bounds: list[tuple[int, int]] = []
    depth = begin = 0
    for m in _SEP_OR_BRACKET.finditer(work):
        ch = m.group(0)
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
        if not piece:
            continue
        off = s + len(raw) - len(raw.lstrip())
        segs = _cached_piece(piece)
        if segs is None:
            failed.append((off, off + len(piece)))
        else:
            out.extend((off, seg) for seg in segs)
    return out, failed


def _residue(
    text: str, clauses: tuple[Clause, ...], failed: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """Runs of text with letters or digits that no clause covers, plus what failed to parse."""
    covered = bytearray(len(text))
    for c in clauses:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    for a, b in failed:
        covered[a:b] = b"\x01" * (b - a)
    out = list(failed)
    for m in _UNCOVERED.finditer(covered.decode("latin-1")):
        s, e = m.span()
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
    breaks = unmatched_brackets(work)
    if breaks:
        chars = list(work)
        for b in breaks:
            chars[b] = ","
        work = "".join(chars)
    segs, failed = _parse_segments(work)
    # An inclusion list never runs across residue: a bracket or a piece the grammar refused.
    stops = sorted([*breaks, *(a for a, _ in failed)])
    failed.extend((b, b + 1) for b in breaks)
    typer = _Typer(masked, level, own_head=own_head, breaks=stops)
    found = typer.run(segs)
    if markers:
        found = [replace(c, text=text[c.start : c.end]) for c in found]
        found += [Clause("add-on", text[a:b], a, b, keyword="list separately") for a, b in markers]
    clauses = tuple(sorted(found, key=lambda c: (c.start, -c.end)))
    head = typer.head or ("service" if level == "I" else "product")
    has_dose = dosed(clauses)
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
