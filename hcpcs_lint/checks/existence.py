"""existence (a pattern that should not occur, with an optional replacement) and residue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from hcpcs_lint.checks.base import finding
from hcpcs_lint.checks.context import Context, Entry, Rule
from hcpcs_lint.model import Finding


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_existence(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    text = e.record.long
    pat = _compile(str(rule.options["pattern"]))
    m = pat.search(text)
    if m is None:
        return
    replace = rule.options.get("replace")
    fixed = pat.sub(str(replace), text) if replace is not None else None
    yield finding(rule, e, m.span(), fix_text=fixed, found=m.group(0))


def check_residue(rule: Rule, e: Entry, ctx: Context) -> Iterator[Finding]:
    """What the parser could not place, said as a coder would: a bracket first, then the words."""
    text = e.record.long
    bracket = unbalanced_bracket(text)
    if bracket is not None:
        pos, problem = bracket
        yield finding(rule, e, (pos, pos + 1), problem=problem, found=text[pos])
        return
    for start, end in e.desc.unparsed[:1]:
        words = text[start:end]
        problem = f"the words {words!r} at column {start + 1} fit no clause, so other rules skip them"
        yield finding(rule, e, (start, end), problem=problem, found=words)


_OPEN, _CLOSE = "([", ")]"
_BRACKET = re.compile(r"[()\[\]]")


def unbalanced_bracket(text: str) -> tuple[int, str] | None:
    """The first bracket without its partner: (offset, what is wrong in a coder's words).
    Only the brackets are visited (found in C), not every character."""
    stack: list[int] = []
    for m in _BRACKET.finditer(text):
        i = m.start()
        ch = text[i]
        if ch in _OPEN:
            stack.append(i)
        elif not stack or _OPEN.index(text[stack[-1]]) != _CLOSE.index(ch):
            return i, f"unbalanced parenthesis: {ch!r} at column {i + 1} closes nothing"
        else:
            stack.pop()
    if stack:
        i = stack[0] if len(stack) > 1 else stack[-1]
        return i, f"unbalanced parenthesis: {text[i]!r} at column {i + 1} is never closed"
    return None
