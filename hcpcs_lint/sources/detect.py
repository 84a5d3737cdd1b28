"""Which reader a file needs, decided from its first bytes and, failing that, its name.

Order matters and is deliberate:
1. binary signatures (zip, OLE2) cannot be mistaken, so they come first; a zip that is an
   OOXML/ODF package is a workbook, any other zip is a release archive;
2. the CMS fixed-width layout is unmistakable too (code + 5-digit sequence + record id on long
   lines), whatever the file is called;
3. among plain-text kinds the extension is the user's clearest statement (a ``.md`` draft may
   well contain commas in its first line), and content sniffing decides only without one;
4. a workbook or zip extension on content that is neither still goes to that reader, which
   then reports a clear "cannot read workbook" instead of linting garbage as text lines.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
from itertools import pairwise

from hcpcs_lint.sources.anweb import RECORD_RE

HEAD_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls

_TABLE_EXTENSIONS = {".csv", ".tsv", ".tab"}
_DRAFT_EXTENSIONS = {".md", ".markdown"}
_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
_ZIP_EXTENSIONS = {".zip"}

# First members of a workbook package: OOXML writes [Content_Types].xml first, ODF "mimetype".
_PACKAGE_FIRST_MEMBERS = ("[Content_Types].xml", "mimetype", "_rels/", "docProps/", "xl/")

_ANWEB_SCAN_LINES = 60  # disclaimers above the records are 6-10 lines in real releases
_ANWEB_CONFIRM_LINES = 5
_FIXED_WIDTH_MIN = 91  # a first line reaches at least the end of the long-descriptor field

_HEADER_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9 _./()#-]{0,39}")
# Column names (lower-case, letters and digits only) that make a delimited first line a header.
# Whole names, not substrings: "Q2041<TAB>Short stay" is a stdin line, not a header.
_HEADER_NAMES = frozenset({
    "code", "hcpc", "hcpcs", "hcpccode", "hcpcscode", "cpt", "cptcode", "cpthcpcs",
    "descriptor", "description", "desc", "text", "longdescription", "longdescriptor", "longdesc",
    "shortdescription", "shortdescriptor", "shortdesc", "proposeddescriptor", "reviseddescriptor",
    "recid", "seqnum", "termdt", "adddt", "acteffdt", "actioncd",
})  # fmt: skip
_CODE_SHAPED = re.compile(r"(?=.*\d)[A-Za-z0-9]{5}")
_MD_TABLE_ROW = re.compile(r"\s*\|.*\|\s*")
_MD_TABLE_RULE = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*")
_MD_QUOTE = re.compile(r"\s{0,3}>")


def _first_member_name(head: bytes) -> str | None:
    if len(head) < 30:
        return None
    (name_len,) = struct.unpack_from("<H", head, 26)
    return head[30 : 30 + name_len].decode("cp437", "replace")


def _head_text(head: bytes) -> str:
    """Enough of a decoding to sniff with: exact for ASCII, which is all the sniffing looks at."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) // 2 * 2].decode("utf-16", "replace")
    return head.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace")


def _head_lines(head: bytes) -> list[str]:
    text = _head_text(head)
    lines = text.split("\n")
    if len(head) >= HEAD_BYTES and len(lines) > 1:
        lines.pop()  # cut mid-line by the head limit
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def looks_fixed_width(lines: list[str]) -> bool:
    """The first record-shaped line is long like a CMS record, or most lines after it are records too."""
    for index, line in enumerate(lines[:_ANWEB_SCAN_LINES]):
        if RECORD_RE.match(line) is None:
            continue
        if len(line) >= _FIXED_WIDTH_MIN and line[10] in "37":
            return True
        following = [x for x in lines[index + 1 :] if x.strip()][:_ANWEB_CONFIRM_LINES]
        matched = sum(1 for x in following if RECORD_RE.match(x))
        return not following or matched * 3 >= len(following) * 2
    return False


def _header_like(line: str) -> bool:
    """A first line such as ``code,descriptor`` or ``HCPC<TAB>LONG DESCRIPTION``."""
    delimiter = "\t" if "\t" in line else "," if "," in line else None
    if delimiter is None:
        return False
    fields = [f.strip().strip('"').strip() for f in line.split(delimiter)]
    if len(fields) < 2 or not all(_HEADER_FIELD.fullmatch(f) for f in fields if f):
        return False
    if any(_CODE_SHAPED.fullmatch(f) for f in fields):
        return False
    return any(re.sub(r"[^a-z0-9]", "", f.lower()) in _HEADER_NAMES for f in fields)


def _markdown_like(lines: list[str]) -> bool:
    sample = lines[:200]
    if any(_MD_QUOTE.match(line) for line in sample):
        return True
    return any(_MD_TABLE_ROW.fullmatch(a) and _MD_TABLE_RULE.fullmatch(b) for a, b in pairwise(sample))


def detect_format(path: str, head: bytes) -> str:
    """Return "anweb", "workbook", "zip", "table", "draft" or "lines" for a file's first bytes."""
    ext = os.path.splitext(path)[1].lower() if path != "-" else ""
    if head.startswith(ZIP_MAGIC):
        first = _first_member_name(head)
        if first is not None and first.startswith(_PACKAGE_FIRST_MEMBERS):
            return "workbook"
        return "workbook" if ext in _WORKBOOK_EXTENSIONS else "zip"
    if head.startswith(EMPTY_ZIP_MAGIC):
        return "workbook" if ext in _WORKBOOK_EXTENSIONS else "zip"
    if head.startswith(OLE2_MAGIC):
        return "workbook"
    lines = _head_lines(head)
    if looks_fixed_width(lines):
        return "anweb"
    if ext in _TABLE_EXTENSIONS:
        return "table"
    if ext in _DRAFT_EXTENSIONS:
        return "draft"
    if ext in _WORKBOOK_EXTENSIONS:
        return "workbook"
    if ext in _ZIP_EXTENSIONS:
        return "zip"
    first = next((line for line in lines if line.strip()), "")
    if _header_like(first.lstrip("\ufeff")):
        return "table"
    if _markdown_like(lines):
        return "draft"
    return "lines"


detect_kind = detect_format  # old name, kept while this wave's branches merge
