"""stdin (or a plain list): one descriptor per line, optionally preceded by its code.

Accepted: ``Q2041 text``, ``Q2041: text``, ``Q2041<TAB>text``, ``Q2041 - text``, ``Q2041 — text``
(en dash too). Blank lines and ``#`` comment lines are skipped; ``# hcpcs-lint: ignore HL101`` at the
end of a line silences those rules for it.

A line without a code gets the code ``#<line number>`` (``#3``). Downstream needs a non-empty code,
and a code-shaped stand-in such as ``L0003`` would collide with a real HCPCS code; ``#`` can never
start one. Such records are linted as Level II, the level this tool is for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hcpcs_lint.model import InputError, Location, Record
from hcpcs_lint.sources import codes
from hcpcs_lint.sources.table import physical_lines

# The code, then a separator (colon, tab, or a dash with spaces around it, or plain spaces).
_PREFIX_RE = re.compile(
    rf"^[ \t]*(?P<code>{codes.CODE_PATTERN})"
    r"(?:[ \t]*:[ \t]*|[ \t]+[-–—][ \t]+|[ \t]*[–—][ \t]*|\t[ \t]*|[ \t]+)"
)
_CODE_ONLY_RE = re.compile(rf"^[ \t]*(?P<code>{codes.CODE_PATTERN})[ \t]*:?[ \t]*$")


def read_lines(path: str, text: str) -> Iterator[Record]:
    """Yield one Record per non-blank, non-comment line."""
    for number, (start, raw) in enumerate(physical_lines(text), 1):
        line = raw.rstrip("\r\n")
        if number == 1 and line.startswith("\ufeff"):
            line = " " + line[1:]  # a BOM is not text; blank it so positions still count from the line start
        noqa: tuple[str, ...] = ()
        if marker := codes.HASH_MARKER_RE.search(line):
            noqa = codes.parse_selectors(marker["selectors"])
            line = line[: marker.start()]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _PREFIX_RE.match(line)
        if m:
            code = codes.normalize_code(m["code"])
            level = codes.level_of(code)
            begin = m.end()
        else:
            code, level = f"#{number}", "II"
            begin = len(line) - len(line.lstrip())
        while begin < len(line) and line[begin].isspace():  # form feeds and the like, too
            begin += 1
        long = line[begin:].rstrip()
        if not long or _CODE_ONLY_RE.match(line):
            raise InputError(path, "a code with no descriptor after it", number)
        yield Record(
            code=code,
            long=long,
            location=Location(path, line=number, column=begin + 1, offset=start + begin),
            level=level,
            noqa=noqa,
        )
