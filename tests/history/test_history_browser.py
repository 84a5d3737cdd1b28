"""The ``history --svg`` chart in a real browser: headless Chromium opens the SVG file itself.

Uses the shared Chromium fixture (tests/browser.py) (Debian's ``chromium`` through Playwright; skipped, saying why,
when no chromium is found). Asserts no console or page error, no request leaving the file, every
release label and the title drawn as text, and a screenshot with something on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from hcpcs_lint.cli import main
from tests.browser import open_page
from tests.cli.test_diff_history_cli import pair  # noqa: F401  (fixture: two small releases)


def test_history_svg_renders_in_chromium(browser: Any, pair: tuple[str, str], tmp_path: Path) -> None:  # noqa: F811
    svg = tmp_path / "history.svg"
    made = CliRunner().invoke(main, ["history", *pair, "--svg", str(svg), "--output-format", "json"])
    assert made.exit_code == 0, made.output
    page, errors, requests = open_page(browser, svg.as_uri(), width=900)
    assert errors == [] and requests == []
    root = page.locator("svg").first
    box = root.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    drawn = page.locator("svg text").all_text_contents()
    assert {"2019", "2020"} <= {t.strip() for t in drawn}
    assert any("Product codes flagged by HL101" in t for t in drawn)
    shot = tmp_path / "history.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
    page.close()
