"""Reader for a CMS release .zip: picks the ANWEB member and hands it to the right reader.

Members are read into memory, never extracted, so a hostile member name ("../../x") cannot
write anywhere; they are inflated through a counting stream (sources.bounded) that stops at
``limits.MAX_MEMBER_BYTES`` whatever the member's header says, so a zip bomb cannot exhaust memory.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator

from hcpcs_lint.model import InputError, NoDescriptors, Record
from hcpcs_lint.sources.bounded import ZIP_ERRORS, inflate, printable
from hcpcs_lint.sources.text import decode_text

_WORKBOOK_EXTENSIONS = (".xlsx", ".xls", ".xlsm", ".ods")


def is_workbook_package(names: list[str]) -> bool:
    """True for a zip that *is* a workbook (OOXML or OpenDocument), not a release archive."""
    listed = set(names)
    return ("[Content_Types].xml" in listed and any(n.startswith("xl/") for n in names)) or (
        "mimetype" in listed and "content.xml" in listed
    )


def pick_member(names: list[str]) -> str | None:
    """The ANWEB member: ``*ANWEB*.txt`` first, else an ``*ANWEB*`` workbook.

    The fixed-width text wins because it is what CMS calls the file of record and it reads
    several times faster. Transaction reports, READMEs and macOS metadata are never picked.
    """
    files = [
        n
        for n in names
        if not n.endswith("/") and not n.startswith("__MACOSX/") and not posixpath.basename(n).startswith(".")
    ]

    def anweb(name: str) -> bool:
        return "ANWEB" in posixpath.basename(name).upper()

    for wanted in ((".txt",), _WORKBOOK_EXTENSIONS):
        found = sorted(
            (n for n in files if anweb(n) and n.lower().endswith(wanted)), key=lambda n: (len(n), n)
        )
        if found:
            return found[0]
    return None


def read_archive(path: str, data: bytes) -> Iterator[Record]:
    """Yield the records of the ANWEB member of a CMS release zip (Location.member names it)."""
    from hcpcs_lint.sources import anweb, workbook

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except ZIP_ERRORS as exc:
        raise InputError(path, f"not a readable zip archive: {exc}") from None
    if is_workbook_package(names):
        yield from workbook.read_workbook(path, data)
        return
    member = pick_member(names)
    if member is None:
        shown = ", ".join(printable(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
        # Not a release (CMS's record-layout zip sits beside every release): inside a folder it
        # is skipped with a notice, named on its own it is an error, as any file without descriptors.
        raise NoDescriptors(
            path,
            f"{path}: no HCPCS descriptors: no ANWEB member (*ANWEB*.txt or *ANWEB*.xlsx/.xls) in the "
            f"zip; members: {shown or 'none'}",
        )
    where = f"{path}!{printable(member)}"  # a damaged name may hold a line break
    content = inflate(zf, member, where)
    if member.lower().endswith(".txt"):
        text, _ = decode_text(where, content)
        yield from anweb.read_anweb(path, text, member=printable(member))
    else:
        yield from workbook.read_workbook(path, content, member=printable(member))
