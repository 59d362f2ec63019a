"""The web app in a real Chromium (Debian's): what a new staff member does, end to end, and an
axe-core scan of every page (no serious or critical WCAG 2.1 A/AA violation)."""

from __future__ import annotations

import io

import pytest
from browser_support import (  # the browser fixtures come from conftest's pytest_plugins
    DESKTOP,
    TABLET,
    assert_accessible,
    require_browser,
)
from conftest import all_text, page_texts
from playwright.sync_api import expect
from pypdf import PdfReader
from web_support import PASSWORD, add_user, make_app, served, shipped_copy

from handouts.records import accounts
from handouts.web.serve import THREADS

PATIENT = "Rosa Example-Testperson"


@pytest.fixture(scope="module")
def server(tmp_path_factory, inbox):
    """The app served by waitress in this process, on a free port, for the whole module."""
    require_browser()
    folder = tmp_path_factory.mktemp("site")
    app = make_app(folder / "var", shipped_copy(folder, inbox.port))
    add_user(app, "nurse")
    add_user(app, "boss", "admin")
    with served(app, threads=THREADS) as address:
        yield address, app


@pytest.fixture
def signed_in_page(browser, server):  # noqa: F811
    """A page signed in as the staff account; use .sign_in(...) for another."""
    contexts = []

    def open_page(username: str = "nurse", viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        base = server[0]
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        return page

    yield open_page
    for context in contexts:
        context.close()


def choose(page, **options):
    for label, value in options.items():
        page.get_by_label(label, exact=True).select_option(value)


def test_sign_in_page_is_accessible_and_says_when_the_password_is_wrong(browser,  # noqa: F811
                                                                          server):
    base, _ = server
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/sign-in")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_accessible(page, "sign-in")
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That username and password")
    assert_accessible(page, "sign-in with an error")
    context.close()


def test_a_new_administrator_uses_the_one_time_link(browser, server):  # noqa: F811
    base, app = server
    engine = app.extensions["handouts.database"]
    accounts.create_user(engine, "newadmin", "admin", "New Admin")
    token = accounts.issue_sign_in_link(engine, "newadmin")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/welcome/{token}")
    assert_accessible(page, "welcome")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Set my password and sign in").click()
    page.wait_for_url(f"{base}/")
    assert "Welcome, New Admin" in page.get_by_role("status").first.inner_text()
    context.close()


def test_find_bone_preview_spanish_easy_lakeside_and_download(signed_in_page, server):
    base, _ = server
    page = signed_in_page()
    assert_accessible(page, "home")
    page.get_by_label("Search handouts").fill("bone")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page, "search results")
    page.get_by_role("link", name="Bone Metastasis: When Cancer Spreads to the Bone",
                     exact=True).click()
    choose(page, Clinic="lakeside", Language="es")
    page.get_by_label("Reading level").select_option("easy")
    page.get_by_label("Patient's name").fill(PATIENT)
    preview = page.frame_locator("#preview-frame")
    page.get_by_role("button", name="Update preview").click()
    expect(preview.locator("#preview-summary")).to_contain_text("with the patient's name")
    assert preview.locator("img.page").count() >= 2
    assert_accessible(page, "make")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "bone-metastasis-lakeside-es-easy-letter.pdf"
    text = all_text(open(download.path(), "rb").read())
    assert "Metástasis ósea" in text and PATIENT in text and "Lakeside" in text
    assert PATIENT not in page.url


def test_the_accessible_web_page_edition_opens_from_the_make_page(signed_in_page, server):
    base, _ = server
    page = signed_in_page()
    page.goto(f"{base}/topics/hypercalcemia")
    choose(page, Clinic="lakeside", Language="es")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Web page").click()
    edition = opened.value
    edition.wait_for_load_state()
    assert edition.evaluate("document.documentElement.lang") == "es"
    assert edition.evaluate("[...document.images].every(i => i.alt && i.naturalWidth > 0)")
    assert edition.locator("h1").count() == 1
    assert_accessible(edition, "the HTML edition in the web app")


def test_a_booklet_layout_shows_the_duplex_instruction(signed_in_page, server):
    base, _ = server
    page = signed_in_page()
    page.goto(f"{base}/topics/hypercalcemia")
    duplex = page.locator("#duplex")
    assert not duplex.is_visible()
    page.get_by_label("Layout").select_option("booklet-letter")
    assert duplex.is_visible() and "flip on the short edge" in duplex.inner_text()


def test_email_the_handout_to_a_test_inbox(signed_in_page, server, inbox):
    base, _ = server
    page = signed_in_page()
    page.goto(f"{base}/topics/bone-metastasis")
    choose(page, Clinic="lakeside", Language="es")
    page.get_by_label("Patient's name").fill(PATIENT)
    page.get_by_role("button", name="Email to the patient…").click()
    assert_accessible(page, "email form")
    page.get_by_label("Patient's email address").fill("rosa.testperson@example.org")
    password = page.get_by_label("Password for the PDF").input_value()
    before = len(inbox.messages)
    page.get_by_role("button", name="Send the email").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Email sent"
    assert password in page.locator(".password").inner_text()
    assert_accessible(page, "email sent")
    assert len(inbox.messages) == before + 1
    message = inbox.parsed()
    assert message["To"] == "rosa.testperson@example.org"
    pdf = next(p for p in message.iter_attachments()
               if p.get_content_type() == "application/pdf").get_content()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted and reader.decrypt(password)
    assert "rosa.testperson" not in page.url
    page.goto(f"{base}/outbox")
    assert_accessible(page, "outbox")


def test_a_small_print_pack_with_live_progress(signed_in_page, server):
    base, _ = server
    page = signed_in_page()
    page.get_by_role("link", name="Print packs").click()
    assert_accessible(page, "packs")
    build = page.locator("form", has=page.get_by_label("Copies of each"))
    for topic in ("Bone Metastasis: When Cancer Spreads to the Bone",
                  "Medicines That Strengthen Bones",
                  "Radiation Therapy for Cancer in the Bone",
                  "Spinal Cord Compression: Warning Signs"):
        build.get_by_label(topic).uncheck()
    build.get_by_label("Spanish (Español)").uncheck()
    build.get_by_role("button", name="Build this pack").click()
    download_link = page.get_by_role("link", name="Download the pack (PDF")
    download_link.wait_for(timeout=60000)
    assert "Done: 1 of 1 handouts" in page.get_by_role("status").inner_text()
    assert_accessible(page, "pack done")
    with page.expect_download() as download_info:
        download_link.click()
    texts = page_texts(open(download_info.value.path(), "rb").read())
    assert "Print pack" in texts[0] and "Calcium" in " ".join(texts[1:])


def test_make_a_visit_kit(signed_in_page, server):
    base, _ = server
    page = signed_in_page()
    page.get_by_role("link", name="Visit kits").click()
    # choosing a clinic shows its kits: no extra button to find (review L6)
    page.get_by_label("Clinic").select_option("riverside")
    page.wait_for_url(f"{base}/kits?clinic=riverside")
    expect(page.get_by_role("button", name="Show this clinic's kits")).to_be_hidden()
    page.get_by_label("Clinic").select_option("lakeside")
    page.wait_for_url(f"{base}/kits?clinic=lakeside")
    assert_accessible(page, "kits")
    page.get_by_label("Name of the kit").fill("New bone metastasis diagnosis")
    for topic in ("Bone Metastasis: When Cancer Spreads to the Bone",
                  "High Calcium in the Blood (Hypercalcemia)"):
        page.get_by_label(topic).check()
    page.get_by_label("Language", exact=True).select_option("es")
    page.get_by_role("button", name="Save the kit").click()
    assert "is saved" in page.get_by_role("status").first.inner_text()
    card = page.locator(".card", has_text="New bone metastasis diagnosis")
    assert "Metástasis ósea" in card.inner_text() and ", Letter" in card.inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Make the kit New bone metastasis diagnosis").click()
    cover = page_texts(open(download_info.value.path(), "rb").read())[0]
    assert "New bone metastasis diagnosis" in cover and "Qué contiene" in cover


def test_a_too_pale_colour_is_refused(signed_in_page, server):
    base, app = server
    page = signed_in_page("boss")
    page.get_by_role("link", name="Clinic profiles").click()
    assert_accessible(page, "clinics")
    page.get_by_role("link", name="Riverside", exact=False).click()
    assert_accessible(page, "clinic profile")
    main = page.get_by_label("Main colour (hex, like #1F5A96)")
    main.fill("#FFE066")
    assert "too pale" in page.locator("#primary-contrast").inner_text()
    page.get_by_role("button", name="Save the profile").click()
    refusal = page.get_by_role("alert").inner_text()
    assert refusal.startswith("Main colour: #FFE066 is too pale for text on white")
    assert ".toml" not in refusal and "key" not in refusal
    assert main.get_attribute("aria-invalid") == "true"
    assert_accessible(page, "clinic profile refused")
    roots = app.extensions["handouts.settings"].roots
    assert "#FFE066" not in (roots.clinics / "riverside.toml").read_text()


def test_every_other_page_is_accessible(signed_in_page, server):
    base, _ = server
    page = signed_in_page("boss")
    for path in ("/users", "/account", "/topics/no-such-topic", "/no/such/page", "/outbox",
                 "/topics/bone-metastasis/preview?clinic=riverside&lang=en&level=easy"):
        page.goto(f"{base}{path}")
        assert_accessible(page, path)


def test_pages_work_at_tablet_width_and_200_percent_zoom(browser, server):  # noqa: F811
    base, _ = server
    for viewport, scale in ((TABLET, 1), ({"width": 640, "height": 450}, 2)):
        context = browser.new_context(viewport=viewport, device_scale_factor=scale)
        page = context.new_page()
        page.goto(f"{base}/sign-in")
        page.get_by_label("Username").fill("nurse")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        for path in ("/", "/topics/hypercalcemia", "/kits", "/packs"):
            page.goto(f"{base}{path}")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
                f"{path} scrolls sideways at {viewport['width']} px"
        assert_accessible(page, "packs, narrow")
        context.close()
