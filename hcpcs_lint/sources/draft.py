"""Markdown and plain-text drafts of coding recommendations: find the descriptors a committee wrote.

Three shapes are recognised, in this order of precedence:

1. Markdown tables whose header names a code column and a descriptor column (as for CSV). Cells may
   wrap the text in quotes, backticks or emphasis; the record points at the text inside them.
2. Definition lines: ``Q2059: text``, ``- Q2059 — text``, ``* **Q2059** text`` (unquoted text; a code
   followed only by spaces counts only when it is set off in bold/backticks, since ``Q2059 was ...``
   is prose). Headings are never definition lines.
3. Prose in the style of CMS's "HCPCS Application Summaries and Coding Recommendations": a quoted
   string (straight or curly double quotes) after a code or placeholder, within the same paragraph,
   joined to it by short glue (``JXXXX "..."``, ``code Q2042 "..."``, ``Q2040, which currently reads: "..."``)
   and with at least two words. For a revision (``Q2040, which currently reads: "A", to instead read: "B"``)
   only the revised text B is a record: A is CMS's existing descriptor, linted when the release is linted,
   and a fix must land on B. A quote whose glue says "current(ly)" is likewise dropped when a later quote
   of the same paragraph belongs to the same code. Punctuation the sentence puts inside the closing quote
   (a trailing ``,`` ``;`` or ``.``) is not part of the descriptor.

A descriptor wrapped onto the next line is linted with the line break and indentation folded into one
space; its ``offset`` is None, so ``--fix`` reports but does not splice it. ``line``/``column`` always
point at the first character of the descriptor text.

``<!-- hcpcs-lint: ignore HL101, some-rule -->`` silences rules (none named = all) for descriptors on
its own line, or, alone on a line, for the next non-blank line. Other HTML comments are ignored text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from hcpcs_lint.model import InputError, Location, Record, RequestKind
from hcpcs_lint.sources import codes
from hcpcs_lint.sources.reflow import Vocabulary, blank_repeated_runs, column_views, fold
from hcpcs_lint.sources.requests import Requests
from hcpcs_lint.sources.table import physical_lines

_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_BREAK_RE = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*")
_DELIM_ROW_RE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]|$)")
_ITEM_RE = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_DEFINITION_RE = re.compile(
    rf"""^[ \t]*(?:>[ \t]*)*(?:(?:[-*+]|\d{{1,3}}[.)])[ \t]+)?
    (?:(?P<w>\*\*|__|`|\*|_)(?P<wrapped>{codes.CODE_PATTERN})[ \t]*(?P<inner>[:–—])?(?P=w)
      |(?P<bare>{codes.CODE_PATTERN}))
    (?P<sep>[ \t]*(?::|[–—]|-(?=[ \t]))[ \t]*|[ \t]+)""",
    re.VERBOSE,
)
# Glue between a quote and the next that makes the second the revised text of the first.
_REVISION_RE = re.compile(
    r"""^[\s,;:(]*(?:and\s+|but\s+|which\s+)?(?:
        (?:to\s+)?(?:instead|now)\s+(?:to\s+)?read
      | (?:to\s+)?read\s+instead
      | (?:to\s+)?(?:be\s+|is\s+|was\s+)?(?:revised|changed|amended|modified|updated)
        (?:\s+to(?:\s+(?:instead\s+)?read)?)?
      | (?:to\s+)?(?:revise|change|amend)\s+(?:it\s+)?to(?:\s+read)?
      | to\s+read
    )(?:\s+as\s+follows)?[\s:,]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_CURRENT_RE = re.compile(r"\bcurrent(?:ly)?\b", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?](?:\s|$)")
_MAX_GLUE = 80
_MAX_QUOTE = 1000
_WRAPPERS = (("**", "**"), ("__", "__"), ("`", "`"), ('"', '"'), ("“", "”"), ("*", "*"), ("_", "_"))


@dataclass
class _Found:
    start: int  # offset of the descriptor text in the file
    end: int
    code: str
    text: str  # the descriptor as linted
    verbatim: bool
    current: bool = False  # the "currently reads" side of a revision
    current_text: str | None = None  # for the revised side: the text it replaces
    current_start: int | None = None  # ... and where that text starts
    kind: RequestKind | None = None
    block: int | None = None  # prose paragraph it was found in


def read_draft(path: str, text: str) -> Iterator[Record]:
    """Yield the draft's descriptors in document order."""
    # Comments and a BOM are blanked (same length, so offsets into ``scan`` are offsets into ``text``).
    prepared = " " + text[1:] if text.startswith("\ufeff") else text
    scan = _COMMENT_RE.sub(lambda m: re.sub(r"[^\r\n]", " ", m.group()), prepared)
    scan = blank_repeated_runs(scan)  # two columns that printed the same line: read it once
    lines = physical_lines(text)
    starts = [s for s, _ in lines]
    noqa_by_line = _markers(text, lines, starts)
    requests = Requests(scan)

    found: list[_Found] = []
    claimed: set[int] = set()  # line indexes that belong to a recognised Markdown table
    found += _tables(path, scan, lines, claimed)
    found += _definitions(scan, lines, claimed)
    views = column_views(scan)
    for view in views or (scan,):  # two columns pasted side by side: read each column alone
        found += _prose(view, lines, claimed, requests)

    seen: set[tuple[object, ...]] = set()
    for f in sorted(found, key=lambda f: f.start):
        number = requests.at(f.start)[0]
        # The same descriptor twice in one request (left and right column, applicant and CMS) is one.
        key = (number or f.block, f.code, " ".join(f.text.split()))
        if (number is not None or f.block is not None) and key in seen:
            continue
        seen.add(key)
        first = bisect_right(starts, f.start) - 1
        last = bisect_right(starts, max(f.start, f.end - 1)) - 1
        noqa: tuple[str, ...] = codes.merge_noqa(*(noqa_by_line.get(i, ()) for i in range(first, last + 1)))
        verbatim = f.verbatim and text[f.start : f.start + len(f.text)] == f.text
        yield Record(
            code=f.code,
            long=f.text,
            location=Location(
                path,
                line=first + 1,
                column=f.start - starts[first] + 1,
                offset=f.start if verbatim else None,
            ),
            level=codes.level_of(f.code),
            noqa=noqa,
            request=number,
            request_kind="revise" if f.current_text is not None else f.kind,
            current=f.current_text,
            current_location=None if f.current_start is None else _location(path, starts, f.current_start),
        )


def _location(path: str, starts: list[int], offset: int) -> Location:
    line = bisect_right(starts, offset) - 1
    return Location(path, line=line + 1, column=offset - starts[line] + 1)


def _markers(text: str, lines: list[tuple[int, str]], starts: list[int]) -> dict[int, tuple[str, ...]]:
    """Selectors per 0-based line: a marker covers its own line or, alone on its line, the next one."""
    out: dict[int, tuple[str, ...]] = {}
    for m in codes.HTML_MARKER_RE.finditer(text):
        first = bisect_right(starts, m.start()) - 1
        last = bisect_right(starts, m.end() - 1) - 1
        rest = text[starts[first] : m.start()] + text[m.end() : starts[last] + len(lines[last][1])]
        target = first
        if not rest.strip():
            target = last + 1
            while target < len(lines) and not lines[target][1].strip():
                target += 1
        selectors = codes.parse_selectors(m["selectors"])
        out[target] = codes.merge_noqa(out.get(target, ()), selectors)
    return out


def _body(line: str) -> str:
    return line.rstrip("\r\n")


# ---------------------------------------------------------------- Markdown tables


def _cells(line: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each cell of a Markdown table row, split at unescaped pipes."""
    bounds = [i for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\")]
    stripped = line.strip()
    edges = [-1, *bounds, len(line)]
    cells = [(a + 1, b) for a, b in pairwise(edges)]
    if stripped.startswith("|"):
        cells = cells[1:]
    if stripped.endswith("|") and len(stripped) > 1 and cells:
        cells = cells[:-1]
    return cells


def _unwrap(s: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``s[start:end]`` to the text inside whitespace, quotes, backticks and emphasis."""
    while True:
        while start < end and s[start].isspace():
            start += 1
        while end > start and s[end - 1].isspace():
            end -= 1
        for left, right in _WRAPPERS:
            if (
                end - start > len(left) + len(right)
                and s.startswith(left, start)
                and s.startswith(right, end - len(right))
            ):
                start += len(left)
                end -= len(right)
                break
        else:
            return start, end


def _tables(path: str, scan: str, lines: list[tuple[int, str]], claimed: set[int]) -> list[_Found]:
    found: list[_Found] = []
    i = 0
    while i + 1 < len(lines):
        head = _body(lines[i][1])
        if "|" not in head or not _DELIM_ROW_RE.match(_body(lines[i + 1][1])) or "|" not in lines[i + 1][1]:
            i += 1
            continue
        base = lines[i][0]
        header = [scan[base + a : base + b] for a, b in _cells(head)]
        col_code = codes.find_column([_strip_md(h) for h in header], codes.CODE_COLUMNS)
        col_desc = codes.find_column([_strip_md(h) for h in header], codes.DESCRIPTOR_COLUMNS)
        j = i + 2
        while j < len(lines) and "|" in lines[j][1] and lines[j][1].strip():
            j += 1
        if col_code is None or col_desc is None:
            if half := codes.half_table([_strip_md(h) for h in header]):
                raise InputError(path, half, i + 1)
            i = j
            continue
        claimed.update(range(i, j))
        for k in range(i + 2, j):
            base = lines[k][0]
            row = _body(scan[base : base + len(lines[k][1])])
            cells = _cells(row)
            if max(col_code, col_desc) >= len(cells):
                continue
            cs, ce = _unwrap(row, *cells[col_code])
            if not codes.is_code(row[cs:ce]):
                continue
            ds, de = _unwrap(row, *cells[col_desc])
            raw = row[ds:de]
            value = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", raw)
            if value.strip():
                found.append(
                    _Found(base + ds, base + de, codes.normalize_code(row[cs:ce]), value, value == raw)
                )
        i = j
    return found


def _strip_md(cell: str) -> str:
    return cell.strip().strip("*_`").strip()


# ---------------------------------------------------------------- definition lines


def _definitions(scan: str, lines: list[tuple[int, str]], claimed: set[int]) -> list[_Found]:
    found: list[_Found] = []
    for index, (base, raw_line) in enumerate(lines):
        if index in claimed:
            continue
        line = _body(scan[base : base + len(raw_line)])
        if _HEADING_RE.match(line):
            continue
        m = _DEFINITION_RE.match(line)
        if not m:
            continue
        set_off = m["wrapped"] is not None or m["inner"] is not None or m["sep"].strip() != ""
        rest = line[m.end() :]
        if not set_off or not rest.strip() or any(q in rest for q in '"“”'):
            continue  # prose, or a quoted descriptor that the prose pass reads
        ds, de = _unwrap(line, m.end(), len(line))
        if de > ds:
            code = codes.normalize_code(m["wrapped"] or m["bare"])
            found.append(_Found(base + ds, base + de, code, line[ds:de], True))
    return found


# ---------------------------------------------------------------- CMS-style prose


def _blocks(lines: list[tuple[int, str]], claimed: set[int]) -> Iterator[tuple[int, int]]:
    """Paragraph-like runs of lines ``(start, end)``; headings and list items begin a new one."""
    start: int | None = None
    end = 0
    for index, (base, line) in enumerate(lines):
        body = _body(line)
        boundary = index in claimed or not body.strip()
        opens = bool(_HEADING_RE.match(body) or _ITEM_RE.match(body))
        if start is not None and (boundary or opens):
            yield start, end
            start = None
        if boundary:
            continue
        if start is None:
            start = base
        end = base + len(body)
        if _HEADING_RE.match(body):
            yield start, end
            start = None
    if start is not None:
        yield start, end


def _quotes(scan: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``(open, close)`` offsets of balanced double quotes in a block; curly open needs curly close."""
    i = start
    while i < end:
        ch = scan[i]
        if ch not in '"“':
            i += 1
            continue
        close = scan.find("”" if ch == "“" else '"', i + 1, min(end, i + 1 + _MAX_QUOTE))
        if close < 0:
            i += 1
            continue
        yield i, close
        i = close + 1


def _prose(scan: str, lines: list[tuple[int, str]], claimed: set[int], requests: Requests) -> list[_Found]:
    found: list[_Found] = []
    vocabulary = Vocabulary(scan)
    for block, (bstart, bend) in enumerate(_blocks(lines, claimed)):
        previous: tuple[int, _Found | None] | None = None  # (close offset, its record if any)
        kept: list[_Found] = []
        for qopen, qclose in _quotes(scan, bstart, bend):
            after = previous[0] + 1 if previous else bstart
            code_match = None
            for m in codes.CODE_RE.finditer(scan, after, qopen):
                code_match = m
            record: _Found | None = None
            if code_match is not None:
                glue = scan[code_match.end() : qopen]
                if _glue_ok(glue):
                    code = codes.normalize_code(code_match.group())
                    record = _quoted(scan, qopen, qclose, code, vocabulary)
                    if record is not None:
                        record.current = bool(_CURRENT_RE.search(glue))
            elif (
                previous is not None
                and previous[1] is not None
                and _REVISION_RE.match(scan[previous[0] + 1 : qopen])
            ):
                record = _quoted(scan, qopen, qclose, previous[1].code, vocabulary)
                if record is not None:
                    record.current_text = previous[1].text
                    record.current_start = previous[1].start
                    if previous[1] in kept:
                        kept.remove(previous[1])
            if record is not None:
                record.block = block
                record.kind = requests.kind(qopen, bstart)
                kept.append(record)
            previous = (qclose, record)
        for index, rec in enumerate(kept):
            later = next((x for x in kept[index + 1 :] if x.code == rec.code), None)
            if rec.current and later is not None:
                if later.current_text is None:
                    later.current_text, later.current_start = rec.text, rec.start
                continue
            found.append(rec)
    return found


def _glue_ok(glue: str) -> bool:
    """Short connecting words between a code and its quote, within one sentence."""
    return len(" ".join(glue.split())) <= _MAX_GLUE and not _SENTENCE_END_RE.search(glue) and '"' not in glue


def _quoted(scan: str, qopen: int, qclose: int, code: str, vocabulary: Vocabulary) -> _Found | None:
    start, end = qopen + 1, qclose
    while start < end and scan[start].isspace():
        start += 1
    while end > start and scan[end - 1].isspace():
        end -= 1
    if end > start and scan[end - 1] in ",;":
        end -= 1
    elif end > start and scan[end - 1] == ".":
        last_word = scan[start : end - 1].rsplit(None, 1)[-1] if scan[start : end - 1].strip() else ""
        if "." not in last_word:
            end -= 1
    while end > start and scan[end - 1].isspace():
        end -= 1
    raw = scan[start:end]
    if len(raw.split()) < 2:
        return None
    if _BREAK_RE.search(raw):
        return _Found(start, end, code, fold(raw, vocabulary), False)
    return _Found(start, end, code, raw, True)
