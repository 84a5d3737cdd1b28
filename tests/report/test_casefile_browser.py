"""The HTML case file in a real browser: headless Chromium (Debian's ``chromium``) through Playwright.

Chromium opens the report of the bundled corpus from a file, with every network request refused
and recorded. The test asserts no console error and no page error, no request leaving the page,
every code that ``check`` flags under HL101 present and visible with its clause struck through,
nothing wider than a phone's screen, a print layout without the table of contents, and saves a
screenshot (``HCPCS_LINT_SCREENSHOT=path`` also writes it there, and the first code's section
beside it as ``*-code.png``: ``make screenshot`` refreshes docs/img/report.png and report-code.png). ``.ci/run`` installs chromium when it is missing; the test skips, saying
why, only when no chromium can be found.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hcpcs_lint.cli import main
from tests.browser import open_page


@pytest.fixture(scope="module")
def report_and_codes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    runner = CliRunner()
    made = runner.invoke(main, ["report", "--format", "html", "-o", str(out)])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(main, ["check", "--output-format", "json", "--select", "HL101"])
    assert checked.exit_code == 1, checked.output
    flagged = json.loads(checked.stdout)["findings"]
    assert flagged, "the bundled corpus has HL101 findings"
    return out, flagged


def test_every_flagged_code_is_visible_with_no_console_error(
    browser: Any, report_and_codes: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    path, flagged = report_and_codes
    url = path.as_uri()
    page, errors, requests = open_page(browser, url)
    assert errors == []
    assert requests == []  # self-contained: nothing but the file itself is asked for
    for f in flagged:
        section = page.locator(f"#code-{f['code']}")
        assert section.count() == 1, f["code"]
        assert section.is_visible(), f["code"]
        # the current descriptor, whole, with what check's fix removes struck through
        assert section.locator(".descriptor").first.inner_text() == f["descriptor"]
        struck = section.locator("del").all_inner_texts()
        assert struck and all(s in f["descriptor"] for s in struck), (f["code"], struck)
        assert section.locator(".proposed").inner_text() == f["fix"]["descriptor"]
    assert page.locator("article.code").count() == len({f["code"] for f in flagged})
    chart = page.locator("#charts figure svg")
    assert chart.is_visible() and chart.bounding_box()["height"] > 100  # the inline chart is drawn
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if target := os.environ.get("HCPCS_LINT_SCREENSHOT"):
        # the README's pictures: the top of the page, and the first code's section
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=target)
        first = page.locator(f"#code-{flagged[0]['code']}")
        first.screenshot(path=str(Path(target).with_name(Path(target).stem + "-code.png")))
    page.close()


def test_reads_on_a_phone_and_prints(
    browser: Any, report_and_codes: tuple[Path, list[dict[str, Any]]]
) -> None:
    path, flagged = report_and_codes
    page, errors, _ = open_page(browser, path.as_uri(), width=375)
    # nothing runs off the side of a phone's screen (wide tables scroll inside their own box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("nav").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()
    assert page.locator(f"#code-{flagged[0]['code']}").is_visible()
    pdf = page.pdf()
    assert pdf[:5] == b"%PDF-"
    assert errors == []
    page.close()
