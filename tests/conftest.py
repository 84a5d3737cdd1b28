"""Shared fixtures: where the real CMS releases are, and a tiny .xlsx writer for synthetic workbooks.

Every test runs with HOME and the XDG folders pointed at one temporary folder (``_private_home``),
so no test, and no hcpcs-lint process a test starts, reads or writes the user's own history, cache
or configuration.

The real releases stay in ../shared/data/hcpcs (they are never copied into the repo); tests that
need them skip with the reason when that folder is absent. HCPCS_LINT_DATA overrides the path.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "hcpcs"


USER_FOLDERS = ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")


@pytest.fixture(scope="session", autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """HOME and XDG_* (which platformdirs follows on Linux) in a temporary folder for the whole run."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        for name in USER_FOLDERS[1:]:
            where = home / name.lower().removeprefix("xdg_").removesuffix("_home")
            where.mkdir()
            mp.setenv(name, str(where))
        for name in ("HCPCS_LINT_CACHE_DIR", "HCPCS_LINT_NO_CACHE", "HCPCS_LINT_JOBS"):
            mp.delenv(name, raising=False)  # the cache follows XDG_CACHE_HOME into the temp folder
        yield home


def data_root() -> Path:
    override = os.environ.get("HCPCS_LINT_DATA")
    return Path(override).expanduser().resolve() if override else DEFAULT_DATA.resolve()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder holding the real CMS releases (2019/, 2020/, 2025-07/, 2025-10/, 2026-01-excerpt/)."""
    root = data_root()
    if not root.is_dir():
        pytest.skip(f"real CMS HCPCS releases not found at {root}; set HCPCS_LINT_DATA to that folder")
    return root


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """A minimal valid .xlsx whose first sheet holds ``rows`` (None = empty cell, numbers stay numbers)."""
    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column(c)}{r}"
            if value is None:
                continue
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = escape(str(value))
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(xml_rows)
        + "</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


@pytest.fixture
def make_xlsx() -> Callable[[Sequence[Sequence[object]]], bytes]:
    """Build a synthetic workbook in memory (no spreadsheet library needed)."""
    return xlsx_bytes


def anweb_line(
    code: str,
    long: str,
    *,
    seq: int = 1,
    ric: str = "3",
    short: str = "",
    added: str = "",
    effective: str = "",
    terminated: str = "",
    action: str = "",
) -> str:
    """One 320-column CMS fixed-width record (modifiers: pass the 2-character code, it is right-aligned)."""
    first = ric in "37"
    line = f"{code:>5}{seq * 100:05d}{ric}{long:<80.80}"
    if first:
        line += f"{short:<28.28}" + " " * (268 - 119)  # positions 92-119, then 120-268 unused here
        line += f"{added:<8}{effective:<8}{terminated:<8}{action:<1}"
    return line.ljust(320)


@pytest.fixture
def make_anweb_line() -> Callable[..., str]:
    """Build fixed-width record lines for synthetic releases."""
    return anweb_line


# Property tests (hypothesis): "ci" is what `make test` runs, a fixed set of examples (derandomized,
# no example database written into the repository); HYPOTHESIS_PROFILE=dev explores anew each run.
settings.register_profile(
    "ci", max_examples=2000, deadline=None, derandomize=True, database=None, print_blob=True
)
settings.register_profile("dev", max_examples=5000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


AUDIT_DIR = Path(__file__).resolve().parent / "audit"


@pytest.fixture(scope="session", autouse=True)
def _audit_writes(tmp_path_factory: pytest.TempPathFactory, _private_home: Path) -> Iterator[None]:
    """Every Python process the suite starts records its writes (``tests/audit/sitecustomize.py``);
    at the end none of the hcpcs-lint runs' writes may lie outside the suite's temporary folders:
    not in the repository, not in the user's real home, caches or config (HOME and XDG_* point
    inside the run, see above).

    Allowed: the run's temporary folder, devices, and other files in the system temp folder
    that are gone again by the end (a library's own scratch space)."""
    base = tmp_path_factory.getbasetemp().resolve()
    log = base / "audit-writes.jsonl"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HCPCS_LINT_AUDIT_LOG", str(log))
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(AUDIT_DIR), os.environ.get("PYTHONPATH")])))
        yield
    found = writes_outside(log, base)
    assert not found, "written outside the test folders:\n" + "\n".join(found[:20])


def _is_our_cli(argv: list[str]) -> bool:
    first = argv[0] if argv else ""
    return first == "-c" or "hcpcs_lint" in first or "hcpcs-lint" in first


def writes_outside(log: Path, base: Path) -> list[str]:
    """Writes in an audit log that lie outside ``base``, devices, and files in the system temp
    folder that are gone again."""
    if not log.exists():
        return []
    system_tmp = Path(tempfile.gettempdir()).resolve()
    outside = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if not _is_our_cli(entry["argv"]):
            continue  # pip building a wheel, pre-commit's own machinery: not hcpcs-lint runs
        path = Path(entry["path"])
        if path.is_relative_to(base) or path.is_relative_to("/dev") or path.is_relative_to("/proc"):
            continue
        if path.is_relative_to(system_tmp) and not path.exists():
            continue
        outside.add(f"{path} ({entry['event']} by {' '.join(entry['argv'])})")
    return sorted(outside)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium for the browser tests (tests/browser.py); skips when none is installed.

    One per test module, not per session: Playwright's sync API keeps an event loop running while
    it is open, and other tests (the REPL's) start their own with asyncio.run."""
    from tests.browser import launch

    yield from launch(tmp_path_factory)
