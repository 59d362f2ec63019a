"""A real browser for tests: Debian's Chromium driven by Playwright, and axe-core scans.

Playwright's own browser builds download from the internet, which is not available here (nor
in many clinics); Debian's `chromium` package is launched instead through `executable_path`.
axe-core is vendored in tests/vendor/axe-core (MPL-2.0). Tests that need a browser call
`require_browser()` (or use the `browser` fixture below) and are skipped, with the reason,
when Chromium or Playwright is missing; CI installs both.

    from browser_support import browser, page, axe_violations  # fixtures and helpers
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("HANDOUTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage"]
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, the level the app promises.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}


def chromium_path() -> str | None:
    path = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    return path if path and os.access(path, os.X_OK) else None


def require_browser() -> str:
    """The Chromium executable, or skip the test saying what is missing."""
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path


def launch(playwright):
    """A headless Chromium (Debian's) from a running sync_playwright()."""
    return playwright.chromium.launch(executable_path=require_browser(), headless=True,
                                      args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser():
    """One browser for the whole test session (starting Chromium costs about a second)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own context (own cookies), desktop-sized, downloads allowed."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_results(page, tags: list[str] | None = None) -> dict:
    """Run axe-core on the page as it is now; returns axe's full result object."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol, so a page's Content-Security-Policy
        # (which rightly refuses inline scripts) does not stop it
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    options = {"runOnly": {"type": "tag", "values": tags or AXE_TAGS},
               "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options)", options)


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical"),
                   tags: list[str] | None = None) -> list[dict]:
    """axe-core's violations of the given impacts (serious and critical by default)."""
    return [v for v in axe_results(page, tags)["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    """A readable summary for an assertion message: rule, impact, help and first targets."""
    lines = []
    for violation in violations:
        targets = [json.dumps(node.get("target")) for node in violation.get("nodes", [])[:3]]
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']} "
                     f"at {', '.join(targets)}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """No serious or critical axe-core violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {where or page.url}:\n{describe_violations(violations)}"
