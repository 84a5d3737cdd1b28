"""A real browser for the tests: headless Chromium (Debian's ``chromium``) driven by Playwright.

Playwright cannot download its own browsers here, so it drives the system's chromium
(``executable_path``); ``.ci/run`` installs the Debian package when it is missing. The ``browser``
fixture (registered in tests/conftest.py, one Chromium per test module) skips, saying why, only
when no chromium can be found. :func:`open_page` opens a local file with every other request
refused and recorded, and collects console and page errors.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Known to work here with Debian's chromium (and needed: without the networking flags chromium
# spends its start on connections this machine refuses).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "/usr/bin/chromium"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def launch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A persistent Chromium context with a fresh profile folder (the fixture's body)."""
    exe = chromium_path()
    if exe is None:
        pytest.skip("no chromium on PATH (Debian package 'chromium'; .ci/run installs it as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=exe, headless=True, args=CHROMIUM_ARGS
        )
        yield context
        context.close()


def open_page(browser: Any, url: str, width: int = 1100) -> tuple[Any, list[str], list[str]]:
    """The page at ``url``; console/page errors and refused requests are gathered as it runs."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def refuse(route: Any) -> None:
        if route.request.url != url:
            requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse)
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors, requests
