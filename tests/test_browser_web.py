"""The web app in a real Chromium: what a new staff member does, and axe-core on every page."""

from __future__ import annotations

import threading

import pytest
from browser_support import (  # noqa: F401 - fixtures
    DESKTOP,
    TABLET,
    assert_accessible,
    browser,
    require_browser,
)
from conftest import all_text
from web_support import PASSWORD, add_user, make_app

from handouts.web.serve import THREADS

PATIENT = "Rosa Example-Testperson"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app served by waitress in this process, on a free port, for the whole module."""
    require_browser()
    from waitress import create_server

    app = make_app(tmp_path_factory.mktemp("var"))
    add_user(app, "nurse")
    add_user(app, "boss", "admin")
    server = create_server(app, host="127.0.0.1", port=0, threads=THREADS)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", app
    finally:
        server.close()


def sign_in(browser, base: str, username: str = "nurse", viewport=DESKTOP):  # noqa: F811
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def test_sign_in_page_is_accessible(browser, server):  # noqa: F811
    base, _ = server
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/sign-in")
    assert_accessible(page, "sign-in")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That username and password")
    assert_accessible(page, "sign-in with an error")
    context.close()


def test_find_bone_then_download_the_spanish_easy_lakeside_handout(browser, server):  # noqa: F811
    base, _ = server
    page = sign_in(browser, base)
    assert_accessible(page, "home")
    page.get_by_label("Search handouts").fill("bone")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page, "search results")
    page.get_by_role("link", name="Bone Metastasis: When Cancer Spreads to the Bone",
                     exact=True).click()
    page.get_by_label("Clinic", exact=True).select_option("lakeside")
    page.get_by_label("Language", exact=True).select_option("es")
    page.get_by_label("Reading level").select_option("easy")
    page.get_by_label("Patient's name").fill(PATIENT)
    preview = page.frame_locator("#preview-frame")
    preview.locator("img.page").first.wait_for()
    with page.expect_response(lambda r: r.url.endswith("/preview")):
        page.get_by_role("button", name="Update preview").click()
    assert "with the patient's name" in preview.locator("#preview-summary").inner_text()
    assert_accessible(page, "make")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "bone-metastasis-lakeside-es-easy-letter.pdf"
    text = all_text(open(download.path(), "rb").read())
    assert "Metástasis ósea" in text and PATIENT in text and "Lakeside" in text
    assert PATIENT not in page.url
    page.context.close()


def test_pages_work_at_tablet_width(browser, server):  # noqa: F811
    base, _ = server
    page = sign_in(browser, base, viewport=TABLET)
    page.goto(f"{base}/topics/hypercalcemia")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "make at tablet width")
    page.context.close()
