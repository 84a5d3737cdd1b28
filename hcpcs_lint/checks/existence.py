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
    for start, end in e.desc.unparsed[:1]:
        yield finding(rule, e, (start, end), found=e.record.long[start:end])
