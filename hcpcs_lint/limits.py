"""Resource limits: every bound on what one input may cost, in one place (docs/limits.md).

Each limit is far above anything in a real CMS release (the longest long descriptor in the
2019-2025 releases is 4,501 characters, the deepest bracket nesting 3), so only damaged or
hostile input meets one, and it gets a named error instead of unbounded time or memory.
This module imports nothing from the package: readers and the parser both use it.
"""

from __future__ import annotations

import re

# A descriptor: characters, and brackets nested inside one another.
MAX_DESCRIPTOR_CHARS = 100_000
MAX_NESTING = 64

# A zip member is inflated through a counting stream that stops here, whatever its header says.
MAX_MEMBER_BYTES = 64 * 1024 * 1024

# A workbook sheet: its declared and its real extent, checked before the workbook library
# allocates a grid (a 1.7 KB file with one cell at XFD1048576 would ask for 512 GiB).
MAX_SHEET_COLUMNS = 1_024
MAX_SHEET_CELLS = 5_000_000
# All members of a workbook package, inflated.
MAX_SHEET_XML_BYTES = 128 * 1024 * 1024

_BRACKET = re.compile(r"[()\[\]]")


class LimitError(ValueError):
    """Input past one of the limits above; the message names the limit."""


def unmatched_brackets(text: str) -> list[int]:
    """Positions of brackets without a partner ("(" or "[" closes with ")" or "]", as in the grammar)."""
    opened: list[int] = []
    bad: list[int] = []
    for m in _BRACKET.finditer(text):
        if m.group(0) in "([":
            opened.append(m.start())
        elif opened:
            opened.pop()
        else:
            bad.append(m.start())
    return sorted(bad + opened)


def nesting_depth(text: str) -> int:
    """How deep matched brackets nest (unmatched ones are residue, they nest nothing)."""
    skip = set(unmatched_brackets(text))
    depth = deepest = 0
    for m in _BRACKET.finditer(text):
        if m.start() in skip:
            continue
        if m.group(0) in "([":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def descriptor_problem(text: str) -> str | None:
    """Why a descriptor is past a limit, or None. Cheap on ordinary text: it counts brackets
    in C and walks them only when there are more than the depth limit."""
    if len(text) > MAX_DESCRIPTOR_CHARS:
        return f"descriptor is {len(text)} characters, over the {MAX_DESCRIPTOR_CHARS} character limit"
    if text.count("(") + text.count("[") > MAX_NESTING:
        depth = nesting_depth(text)
        if depth > MAX_NESTING:
            return f"brackets nest {depth} deep, over the limit of {MAX_NESTING}"
    return None
