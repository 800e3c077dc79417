"""The system Chromium driven by Playwright, headless and offline, for the browser tests
(marker `browser`). No `playwright install`: Playwright launches the Chromium found on PATH
(.ci/run installs Debian's `chromium` when missing); without one the test skips, saying why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--mute-audio", "--allow-file-access-from-files"]
VIEWPORT = {"width": 1280, "height": 2400}


def chromium() -> str:
    """The system Chromium's path, or skip the test saying how to install it."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it): "
                "the browser checks are skipped")


def browse(page: Path, screenshot: Path | None = None, script: str | None = None) -> tuple[object, list[str]]:
    """Open `page` in headless Chromium. Returns what `script` (a JavaScript function)
    evaluates to once the page has loaded, and every console error, uncaught exception, failed
    load and request outside file: and data: (refused: nothing may need the network); saves a
    full-page screenshot when asked."""
    errors: list[str] = []

    def refuse_remote(route):
        errors.append(f"remote request: {route.request.url}")
        route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport=VIEWPORT)
            tab.route(lambda url: not url.startswith(("file:", "data:", "about:")), refuse_remote)
            tab.on("console", lambda m: errors.append(f"console: {m.text}") if m.type in ("error", "assert") else None)
            tab.on("pageerror", lambda e: errors.append(f"exception: {e}"))
            tab.on("requestfailed", lambda r: errors.append(f"failed load: {r.url} {r.failure}"))
            tab.goto(page.resolve().as_uri(), wait_until="load")
            report = tab.evaluate(script) if script else None
            if screenshot is not None:
                tab.screenshot(path=screenshot, full_page=True)
        finally:
            browser.close()
    return report, errors
