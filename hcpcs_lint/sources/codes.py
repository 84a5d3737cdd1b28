"""What the user-written sources share: the code-token pattern, column names, suppression markers.

Kept in one place so a table, a draft and a stdin line agree on what counts as a code
(real codes and the placeholders committees write before a number is assigned) and on how
an inline ``hcpcs-lint: ignore`` marker reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hcpcs_lint.model import Level

# A five-character letters/digits token that is either code-like (holds at least one digit:
# Q2041, 38225, 0537T, Q20XX, 3X018, X9001) or a letter-and-X placeholder (JXXXX, XXXXX).
# Letters-only words ("tcell", "cells") never match; neither do longer runs ("20250101").
CODE_PATTERN = r"(?<![A-Za-z0-9])(?:(?=[A-Za-z0-9]{0,4}[0-9])[A-Za-z0-9]{5}|[A-Za-z][Xx]{4})(?![A-Za-z0-9])"
CODE_RE = re.compile(CODE_PATTERN)
_FULL_CODE_RE = re.compile(rf"^{CODE_PATTERN}$")
# HCPCS modifiers (two letters/digits: GA, JW, 25) appear in CMS tables as their own rows.
_MODIFIER_RE = re.compile(r"^[A-Za-z0-9]{2}$")


def normalize_code(token: str) -> str:
    """Codes compare case-insensitively (``q2041`` is Q2041), so every source upper-cases them."""
    return token.strip().upper()


def is_code(token: str) -> bool:
    """True for a whole token that is a real or placeholder procedure code."""
    return bool(_FULL_CODE_RE.match(token.strip()))


def is_modifier(token: str) -> bool:
    return bool(_MODIFIER_RE.match(token.strip()))


def level_of(code: str) -> Level:
    """CPT (Level I) codes start with a digit (38225, 0537T, placeholder 3X018); Level II with a letter."""
    return "I" if code[:1].isdigit() else "II"


# ---------------------------------------------------------------- column names (CSV and Markdown tables)


def header_key(name: str) -> str:
    """Header names match ignoring case, spaces, underscores and punctuation ("HCPCS Code" = hcpcs_code)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


CODE_COLUMNS = (
    "hcpcscode", "hcpccode", "hcpcs", "hcpc", "code", "cptcode", "cpthcpcs", "hcpcscpt", "hcpcscodes",
)  # fmt: skip
# In order of preference: "LONG DESCRIPTION" beats a plain "description" when both are present.
# Trade sites and committees also write "HCPCS Code Descriptor" or "HCPCS Description".
DESCRIPTOR_COLUMNS = (
    "longdescription", "longdescriptor", "longdesc", "hcpcscodedescriptor", "hcpcsdescriptor",
    "codedescriptor", "hcpcscodedescription", "hcpcsdescription", "codedescription", "descriptor",
    "description", "proposeddescriptor", "reviseddescriptor", "proposeddescription",
)  # fmt: skip
SHORT_COLUMNS = ("shortdescription", "shortdescriptor", "shortdesc", "short")
TERM_COLUMNS = ("termdt", "termdate", "terminationdate", "terminated")
ACTION_COLUMNS = ("actioncd", "actioncode", "action")
ADDED_COLUMNS = ("adddt", "adddate", "addeddate", "added")
ACTION_EFFECTIVE_COLUMNS = ("acteffdt", "actioneffectivedate", "actioneffdate", "effectivedate")
RECID_COLUMNS = ("recid",)


def find_column(headers: Iterable[str], wanted: tuple[str, ...]) -> int | None:
    """Index of the header that best matches ``wanted`` (earlier names win), or None."""
    keys = [header_key(h) for h in headers]
    for name in wanted:
        if name in keys:
            return keys.index(name)
    return None


def wanted_columns() -> str:
    """The column names an InputError lists so the user knows what to rename."""
    return f"a code column ({CODE_NAMES}) and a descriptor column ({DESCRIPTOR_NAMES})"


CODE_NAMES = "HCPCS, HCPCS Code, Code, HCPC"
DESCRIPTOR_NAMES = (
    "Long Description, Long Descriptor, HCPCS Code Descriptor, Descriptor, Description; case and spacing free"
)


def half_table(headers: Iterable[str]) -> str | None:
    """The named error for a header with a code column but no descriptor column, or the reverse; else None."""
    names = [h.strip() for h in headers]
    code, desc = find_column(names, CODE_COLUMNS), find_column(names, DESCRIPTOR_COLUMNS)
    if code is not None and desc is None:
        return (
            f"table has a code column ({names[code]!r}) but no descriptor column;"
            f" name one of: {DESCRIPTOR_NAMES}"
        )
    if desc is not None and code is None:
        return (
            f"table has a descriptor column ({names[desc]!r}) but no code column; name one of: {CODE_NAMES}"
        )
    return None


# ---------------------------------------------------------------- inline suppression markers

# ``<!-- hcpcs-lint: ignore HL101, level2-includes-cpt-service -->`` in drafts;
# ``# hcpcs-lint: ignore HL101`` at the end of a stdin line or CSV row.
HTML_MARKER_RE = re.compile(
    r"<!--\s*hcpcs-lint\s*:\s*ignore\b(?P<selectors>.*?)-->", re.IGNORECASE | re.DOTALL
)
HASH_MARKER_RE = re.compile(r"[ \t]*#\s*hcpcs-lint\s*:\s*ignore\b(?P<selectors>[^\r\n#]*)$", re.IGNORECASE)


def parse_selectors(raw: str) -> tuple[str, ...]:
    """Selectors after ``ignore`` (comma/space separated); none at all means every rule: ``("all",)``.

    Rule codes are upper-cased (hl101 -> HL101) and names/groups lower-cased, the way the engine spells them.
    """
    out: list[str] = []
    for token in re.split(r"[\s,]+", raw.strip()):
        if not token:
            continue
        sel = token.upper() if re.fullmatch(r"[A-Za-z]+[0-9]+", token) else token.lower()
        if sel not in out:
            out.append(sel)
    return merge_noqa(tuple(out) or ("all",))


def merge_noqa(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Union of several markers' selectors; "all" swallows the rest."""
    out: list[str] = []
    for group in groups:
        for sel in group:
            if sel not in out:
                out.append(sel)
    return ("all",) if "all" in out else tuple(out)


def normalize_date(value: str) -> str | None:
    """Dates in the model are YYYYMMDD; tables also carry 2025-01-01 and 01/01/2025. Blank is None."""
    v = value.strip()
    if not v:
        return None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", v):
        return f"{m[1]}{int(m[2]):02d}{int(m[3]):02d}"
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v):
        return f"{m[3]}{int(m[1]):02d}{int(m[2]):02d}"
    return v
