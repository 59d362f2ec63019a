"""The records page and the Infobutton answer in a real Chromium: teach-back entered with
the keyboard-reachable form, and no serious or critical axe-core violation on either page.

Each test drives its own Chromium in a thread of its own: Playwright's sync API allows one
running instance per thread, and the web app's browser tests keep theirs open all session.
"""

from __future__ import annotations

import threading

import pytest
from browser_support import DESKTOP, assert_accessible, launch, require_browser
from web_support import PASSWORD, add_user, make_app, served

from handouts.records.given import Given, given_since, record_given


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    app = make_app(tmp_path_factory.mktemp("var"), default_clinic="lakeside")
    add_user(app, "boss", "admin")
    engine = app.extensions["handouts.database"]
    for topic, title in (("bone-metastasis", "Bone Metastasis: When Cancer Spreads to the "
                                             "Bone"),
                         ("hypercalcemia", "High Calcium in the Blood (Hypercalcemia)")):
        record_given(engine, Given(staff="boss", clinic="lakeside", topic=topic, lang="en",
                                   level="easy", layout="letter",
                                   content_version="BM-EN-EASY · 2026-11 · 7f3a9c",
                                   channel="email", delivery="password-protected",
                                   result="sent", title=title))
    with served(app) as address:
        yield address, app


def in_own_browser(steps) -> None:
    """Run steps(browser) with a Chromium started in a new thread; re-raise what it raised."""
    from playwright.sync_api import sync_playwright

    failure: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                chromium = launch(playwright)
                try:
                    steps(chromium)
                finally:
                    chromium.close()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=180)
    assert not thread.is_alive(), "the browser did not finish in 3 minutes"
    if failure:
        raise failure[0]


def test_teach_back_is_entered_on_the_records_page_which_is_accessible(server):
    in_own_browser(lambda browser: teach_back_steps(browser, server))


def teach_back_steps(browser, server) -> None:
    base, app = server
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Education given").click()
    assert page.get_by_role("heading", name="Education given").is_visible()
    assert_accessible(page, "/records")
    page.get_by_label("Teach-back for record 1").select_option("needs-review")
    page.get_by_role("button", name="Save teach-back for record 1").click()
    assert "teach-back saved" in page.locator(".notice").first.inner_text()
    assert given_since(app.extensions["handouts.database"])[0].teach_back == "needs-review"
    assert_accessible(page, "/records after saving")
    context.close()


def test_the_infobutton_html_answer_is_accessible(server):
    in_own_browser(lambda browser: infobutton_steps(browser, server))


def infobutton_steps(browser, server) -> None:
    base, _ = server
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/infobutton?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
              "&mainSearchCriteria.v.c=C79.51&informationRecipient.languageCode.c=es")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Descargar (fácil de leer, PDF)").count() == 2
    assert_accessible(page, "/infobutton")
    page.close()
