"""Which reader a file needs, decided from its first bytes and, failing that, its name.

Order matters and is deliberate:
1. binary signatures (zip, OLE2) cannot be mistaken, so they come first; a zip that is an
   OOXML/ODF package is a workbook, any other zip is a release archive;
2. the CMS fixed-width layout is unmistakable too (code + 5-digit sequence + record id, and the
   first record laid out to column 293 or 320, as real releases have it), whatever the file is called;
   record-shaped tokens at the start of short lines are not enough;
3. among plain-text kinds the extension is the user's clearest statement for tables (``.csv``)
   and Markdown (``.md``); any other text (``.txt``, ``.text``, stdin) is judged by content: prose
   with a code or placeholder followed by a quoted descriptor is a draft, as is Markdown;
4. a workbook or zip extension on content that is neither still goes to that reader, which
   then reports a clear "cannot read workbook" instead of linting garbage as text lines.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
from itertools import pairwise

from hcpcs_lint.model import NoDescriptors
from hcpcs_lint.sources.anweb import RECORD_RE, RECORD_WIDTH
from hcpcs_lint.sources.codes import CODE_PATTERN
from hcpcs_lint.sources.reflow import blank_repeated_runs

HEAD_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
PDF_MAGIC = b"%PDF-"

_TABLE_EXTENSIONS = {".csv", ".tsv", ".tab"}
_DRAFT_EXTENSIONS = {".md", ".markdown"}
_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
_ZIP_EXTENSIONS = {".zip"}
_PDF_EXTENSIONS = {".pdf"}

# First members of a workbook package: OOXML writes [Content_Types].xml first, ODF "mimetype".
_PACKAGE_FIRST_MEMBERS = ("[Content_Types].xml", "mimetype", "_rels/", "docProps/", "xl/")

_ANWEB_SCAN_LINES = 60  # disclaimers above the records are 6-10 lines in real releases
_FIRST_RICS = "37"  # a procedure or modifier starts a record; 4/8 only continue one
_LAYOUT_END = 293  # the action code, the last field before the filler
_DATES = slice(268, 292)  # code added, action effective and termination dates

_HEADER_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9 _./()#-]{0,39}")
# Column names (lower-case, letters and digits only) that make a delimited first line a header.
# Whole names, not substrings: "Q2041<TAB>Short stay" is a stdin line, not a header.
_HEADER_NAMES = frozenset({
    "code", "hcpc", "hcpcs", "hcpccode", "hcpcscode", "cpt", "cptcode", "cpthcpcs",
    "descriptor", "description", "desc", "text", "longdescription", "longdescriptor", "longdesc",
    "shortdescription", "shortdescriptor", "shortdesc", "proposeddescriptor", "reviseddescriptor",
    "recid", "seqnum", "termdt", "adddt", "acteffdt", "actioncd",
})  # fmt: skip
_CODE_TAB = re.compile(r"[ \t]*(?=[A-Za-z0-9]{0,4}[0-9])[A-Za-z0-9]{5}\t")
_CODE_SHAPED = re.compile(r"(?=.*\d)[A-Za-z0-9]{5}")
_MD_TABLE_ROW = re.compile(r"\s*\|.*\|\s*")
_MD_TABLE_RULE = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*")
_MD_QUOTE = re.compile(r"\s{0,3}>")
_CODED_LINE_RE = re.compile(rf"[ \t]*{CODE_PATTERN}(?:[ \t]*[:\t–—-]|[ \t]+\S)")
# A code or placeholder, short glue within one sentence, then a quoted text of two words or more:
# `JXXXX "Injection, ..."`, `code Q2042 “Tisagenlecleucel, ...”`, `Q2041, which currently reads: "..."`.
_QUOTED_AFTER_CODE = re.compile(
    rf"{CODE_PATTERN}[^\"“”.!?]{{0,80}}?[\"“][^\"“”]{{0,40}}?\w+[\s,]+\w[^\"“”]{{0,1000}}?[\"”]",
)


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
    """The first record-shaped line starts a record (RIC 3 or 7) laid out as the CMS record layout.

    Every real release (2019, 2020, the 2026 excerpt) writes its first lines 320 columns wide; one
    that drops the trailing filler still reaches the action code in column 293, with the date fields
    (269-292) blank or digits. A draft or a list whose lines merely begin with ``Q2041001003`` is not
    a release.
    """
    for line in lines[:_ANWEB_SCAN_LINES]:
        if RECORD_RE.match(line) is None:
            continue
        return (
            line[10] in _FIRST_RICS
            and _LAYOUT_END <= len(line) <= RECORD_WIDTH
            and all(ch == " " or ch.isdigit() for ch in line[_DATES])
        )
    return False


def fixed_width_near_miss(lines: list[str]) -> str | None:
    """Why record-shaped lines were not taken for a release (for the "not a release or draft" error)."""
    for line in lines[:_ANWEB_SCAN_LINES]:
        if RECORD_RE.match(line) is not None and not looks_fixed_width([line]):
            return (
                f"lines start like CMS fixed-width records but the first is {len(line)} columns long, "
                f"not the {RECORD_WIDTH} of the CMS record layout"
            )
    return None


def draft_like(text: str) -> bool:
    """Markdown, or prose with a quoted descriptor after a code or placeholder."""
    lines = text.split("\n")
    return _markdown_like(lines) or _QUOTED_AFTER_CODE.search(blank_repeated_runs(text)) is not None


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
    """Return "anweb", "workbook", "zip", "pdf", "table", "draft" or "lines" for a file's first bytes."""
    ext = os.path.splitext(path)[1].lower() if path != "-" else ""
    if head.lstrip(b"\x00\t\n\x0c\r ")[:5] == PDF_MAGIC:
        return "pdf"
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
    if ext in _TABLE_EXTENSIONS and _CODE_TAB.match(
        next((x for x in lines if x.strip()), "").lstrip("\ufeff")
    ):
        return "lines"  # no header: "code<TAB>descriptor" lines, as the AMA's CPT long-descriptor file
    if ext in _TABLE_EXTENSIONS:
        return "table"
    if ext in _DRAFT_EXTENSIONS:
        return "draft"
    if ext in _WORKBOOK_EXTENSIONS:
        return "workbook"
    if ext in _ZIP_EXTENSIONS:
        return "zip"
    if ext in _PDF_EXTENSIONS:
        return "pdf"  # the PDF reader names what is wrong with it
    first = next((line for line in lines if line.strip()), "")
    if _header_like(first.lstrip("\ufeff")):
        return "table"
    if draft_like("\n".join(lines)):
        return "draft"
    return "lines"


def require_coded_lines(path: str, text: str) -> None:
    """A named file read as lines must look like a list of coded descriptors (most lines start with a code).

    Standard input may hold bare descriptors without codes; a file that does not is some other
    document (a record layout, a README) and is refused rather than linted line by line.
    """
    lines = text.split("\n")
    content = [
        line
        for raw in lines
        if (line := raw.rstrip("\r\n").lstrip("\ufeff")).strip() and not line.lstrip().startswith("#")
    ]
    coded = sum(1 for line in content if _CODED_LINE_RE.match(line))
    if content and coded * 3 >= len(content) * 2:
        return
    why = fixed_width_near_miss([raw.rstrip("\r\n") for raw in lines[:200]]) or (
        f"{coded} of its {len(content)} lines start with a HCPCS code"
    )
    raise NoDescriptors(
        path,
        f"{path} is neither a CMS release nor a draft ({why}); looked for CMS fixed-width records, "
        "quoted descriptors after a code or placeholder, Markdown or CSV tables with a code and a "
        "descriptor column, and lines of `CODE descriptor` (pipe descriptors without codes to standard input)",
    )
