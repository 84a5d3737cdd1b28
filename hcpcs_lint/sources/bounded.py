"""Reading zips and workbook packages in bounded memory, whatever their headers claim.

A zip member's header states its size, and a hostile one lies: members are inflated through a
stream that counts what really comes out and stops at the cap. A workbook's cells name their own
positions, and the workbook library allocates the whole grid up to the farthest one (a 1.7 KB
.xlsx with one cell at XFD1048576 asks for 512 GiB and aborts the process): the sheet XML is
scanned first, in chunks, and a grid past ``limits.MAX_SHEET_CELLS`` is refused before the
library sees the file. The limits are in ``hcpcs_lint.limits`` and docs/limits.md.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator

from hcpcs_lint.limits import MAX_MEMBER_BYTES, MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_XML_BYTES
from hcpcs_lint.model import InputError

CHUNK = 1 << 20
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


def printable(name: str) -> str:
    """A member name for a one-line message: control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def chunks(zf: zipfile.ZipFile, name: str, where: str, cap: int = MAX_MEMBER_BYTES) -> Iterator[bytes]:
    """The inflated bytes of one member, chunk by chunk; InputError once more than ``cap`` came out."""
    seen = 0
    try:
        with zf.open(name) as stream:
            while chunk := stream.read(CHUNK):
                seen += len(chunk)
                if seen > cap:
                    raise InputError(
                        where,
                        f"zip member {printable(name)} inflates past the {cap:,} byte limit "
                        f"(its header says {zf.getinfo(name).file_size:,} bytes)",
                    )
                yield chunk
    except InputError:
        raise
    except ZIP_ERRORS as exc:
        raise InputError(where, f"cannot read zip member {printable(name)}: {printable(str(exc))}") from None


def inflate(zf: zipfile.ZipFile, name: str, where: str, cap: int = MAX_MEMBER_BYTES) -> bytes:
    return b"".join(chunks(zf, name, where, cap))


# <row r="3" ...>, <c r="AB3" ...>, <x:c ...>, <dimension ref="A1:AV8847"/>
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^<>]*)>")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)(?=[\s/>])")  # <x:c ...>: the slow path
# The form every writer we know uses: the position is the first attribute.
_ROW_REF = re.compile(rb'<row r="([0-9]+)"')
_TWO_LETTERS = re.compile(rb'<c r="([A-Z]{2})[0-9]')
# A cell tag the fast path cannot bound: no attributes, attributes not starting with r=", or a
# three-letter column.
_NOT_FAST = re.compile(rb'<c(?:/?>| (?!r=")| r="[A-Z]{3})')
_REF = re.compile(rb'(?:^|\s)r\s*=\s*["\']([A-Za-z]*)([0-9]*)["\']')
_DIMENSION = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s[^<>]*ref\s*=\s*["\'][A-Za-z]*[0-9]*:?([A-Za-z]*)([0-9]*)["\']'
)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper()[:8]:  # 8 letters is already far past any limit
        n = n * 26 + ch - 64
    return n


class _Extent:
    """The farthest row and column a sheet's XML reaches.

    The common case (every cell names its position) is counted with a few C-level regex scans
    per chunk; cells without ``r`` (their position follows the previous cell's) are followed tag
    by tag.
    """

    def __init__(self, where: str, name: str) -> None:
        self.where, self.name = where, name
        self.row = self.col = 0

    def scan(self, body: bytes) -> None:
        for m in _DIMENSION.finditer(body) if b"dimension" in body else ():
            self.check(int(m[2] or 0), _column(m[1]), declared=True)
        if self.fast(body):
            return
        for m in _TAG.finditer(body):
            if m[1] == b"dimension":
                continue
            ref = _REF.search(m[2])
            if m[1] == b"row":
                self.row = int(ref[2]) if ref and ref[2] else self.row + 1
                self.col = 0
            elif ref and ref[1]:
                self.col = _column(ref[1])
                self.row = max(self.row, int(ref[2] or 0))
            else:
                self.col += 1
            self.check(self.row, self.col, declared=False)

    def fast(self, body: bytes) -> bool:
        """A bound from C-level scans alone, when every cell and row names its position in the
        usual form: rows from the row tags (a cell's row has no more digits than the largest),
        columns from the two-letter cells. False: follow the tags one by one instead."""
        # One scan for what rules the fast path out: a cell without ``r="`` first, or a column
        # of three letters (counting "<c ", "<c>", "<c/>" and '<c r="' took four).
        if _NOT_FAST.search(body) or (b":c" in body and _PREFIXED.search(body)):
            return False
        cells = b'<c r="' in body  # past the test above, every cell tag is one of these
        rows = _ROW_REF.findall(body)
        if body.count(b"<row ") != len(rows):
            return False
        if rows:
            self.row = max(self.row, max(map(int, set(rows))))
        digits = len(str(self.row))
        if re.search(rb'<c r="[A-Z]+[0-9]{%d,}"' % (digits + 1), body):
            return False
        two = set(_TWO_LETTERS.findall(body))
        col = max(map(_column, two)) if two else (26 if cells else 0)
        self.col = max(self.col, col)
        bound = 10**digits - 1 if cells else self.row
        if bound * self.col > MAX_SHEET_CELLS:
            return False
        self.check(self.row, self.col, declared=False)
        return True

    def check(self, row: int, col: int, *, declared: bool) -> None:
        what = "declares its extent as" if declared else "has a cell at"
        if col > MAX_SHEET_COLUMNS:
            raise InputError(
                self.where, f"sheet {self.name} {what} column {col:,}, past the limit of {MAX_SHEET_COLUMNS}"
            )
        if row * col > MAX_SHEET_CELLS:
            raise InputError(
                self.where,
                f"sheet {self.name} {what} row {row:,}, column {col:,}: a grid of {row * col:,} cells, "
                f"past the limit of {MAX_SHEET_CELLS:,}",
            )


def check_xlsx_extent(where: str, data: bytes) -> None:
    """Refuse an OOXML workbook whose sheets reach past the grid limit, or inflate past the byte limit.

    Every worksheet is scanned (the first sheet is what is read, but which one is first takes
    another two XML files to find out, and a hostile file would put its far cell anywhere).
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except ZIP_ERRORS:
        return  # not a zip at all: the workbook library reports it
    total = 0
    for name in names:
        if name.endswith("/"):
            continue
        sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
        extent = _Extent(where, name.rsplit("/", 1)[-1].removesuffix(".xml")) if sheet else None
        carry = b""
        for chunk in chunks(zf, name, where, MAX_SHEET_XML_BYTES - total):
            total += len(chunk)
            if extent is None:
                continue
            buf = carry + chunk
            cut = buf.rfind(b"<")
            body, carry = (buf[:cut], buf[cut:]) if cut >= 0 else (buf, b"")
            if len(carry) > 64 * 1024:  # a tag longer than any real one: drop it
                carry = b""
            extent.scan(body)
        if extent is not None and carry:
            extent.scan(carry)
