"""Web app email: a real SMTP server on loopback, password-protected or accepted unencrypted
PDFs, the outbox when the server is down, and a record of each email."""

from __future__ import annotations

import io
import logging
import stat

import pytest
from pypdf import PdfReader
from web_support import database, make_app, shipped_copy, signed_in, token_of

from handouts.records.given import given_since

PATIENT = "Rosa Example-Testperson"
ADDRESS = "rosa.testperson@example.org"


@pytest.fixture(scope="module")
def app(tmp_path_factory, inbox):
    folder = tmp_path_factory.mktemp("site")
    return make_app(folder / "var", shipped_copy(folder, inbox.port,
                                                 extra="\n[records]\npatient_reference = true\n"))


@pytest.fixture
def client(app):
    return signed_in(app)


def send(client, **fields):
    data = {"clinic": "lakeside", "lang": "es", "level": "easy", "layout": "letter",
            "to": ADDRESS, "patient_name": PATIENT, "delivery": "password-protected",
            "pdf_password": "1234-5678", "csrf_token": token_of(client), **fields}
    return client.post("/topics/bone-metastasis/email", data=data)


def attachment(message) -> bytes:
    part = next(p for p in message.iter_attachments()
                if p.get_content_type() == "application/pdf")
    return part.get_content()


def test_the_email_form_carries_the_choice_and_offers_what_the_clinic_allows(client):
    page = client.post("/topics/bone-metastasis/email/new", data={
        "clinic": "lakeside", "lang": "es", "level": "easy", "layout": "letter",
        "patient_name": PATIENT, "csrf_token": token_of(client)}).get_data(as_text=True)
    assert 'name="patient_name" value="Rosa Example-Testperson"' in page
    assert "Password-protected PDF" in page and "Unencrypted PDF" in page
    # whom it is for, to check against the address; the layout as the form names it
    assert "<dt>For</dt><dd><strong>Rosa Example-Testperson</strong>" in page
    assert "Letter" in page and "layout letter" not in page
    riverside = client.post("/topics/bone-metastasis/email/new", data={
        "clinic": "riverside", "csrf_token": token_of(client)}).get_data(as_text=True)
    assert "Unencrypted PDF" not in riverside and "only that way" in riverside
    assert 'type="radio"' not in riverside  # one way to send: nothing to choose between
    assert 'type="hidden" name="delivery" value="password-protected"' in riverside
    assert "No name on the handout" in riverside


def test_a_password_protected_email_arrives_and_opens_only_with_the_password(client, inbox,
                                                                              app, caplog):
    caplog.set_level(logging.DEBUG)
    before = len(inbox.messages)
    response = send(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Email sent" in page and "1234-5678" in page
    assert len(inbox.messages) == before + 1
    message = inbox.parsed()
    assert message["To"] == ADDRESS
    reader = PdfReader(io.BytesIO(attachment(message)))
    assert reader.is_encrypted
    assert reader.decrypt("1234-5678")
    assert "Metástasis" in reader.pages[0].extract_text()
    record = given_since(database(app))[-1]
    assert (record.given.channel, record.given.delivery, record.given.result) == (
        "email", "password-protected", "sent")
    assert record.given.staff == "nurse" and record.given.topic == "bone-metastasis"
    ours = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail"))
    assert ADDRESS not in ours and PATIENT not in ours  # (the test's SMTP server logs all)


def test_unencrypted_needs_the_patients_acceptance(client, inbox):
    refused = send(client, delivery="unencrypted-accepted")
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    sent = send(client, delivery="unencrypted-accepted", accepted="yes")
    assert sent.status_code == 200
    assert not PdfReader(io.BytesIO(attachment(inbox.parsed()))).is_encrypted


def test_a_clinic_that_allows_only_protected_pdfs_refuses_unencrypted(client):
    response = send(client, clinic="riverside", delivery="unencrypted-accepted", accepted="yes")
    assert response.status_code == 400
    assert "only as password-protected" in response.get_data(as_text=True)


def test_bad_address_and_short_password_are_clear_messages(client):
    bad = send(client, to="not an address")
    assert bad.status_code == 400 and "is not a valid email address" in bad.get_data(as_text=True)
    short = send(client, pdf_password="123")
    assert short.status_code == 400 and "at least 6" in short.get_data(as_text=True)


def test_with_the_server_down_the_message_waits_in_the_outbox_and_can_be_resent(
        client, inbox, app):
    inbox.stop()
    try:
        response = send(client)
    finally:
        inbox.start()
    page = response.get_data(as_text=True)
    assert response.status_code == 502 and "Email not sent" in page and "outbox" in page
    assert given_since(database(app))[-1].given.result == "kept-in-outbox"
    outbox = client.get("/outbox").get_data(as_text=True)
    assert "r***@example.org" in outbox and ADDRESS not in outbox
    name = outbox.split('name="name" value="')[1].split('"')[0]
    # the message names the patient: only the server's account may read it or list the folder
    folder = app.extensions["handouts.settings"].outbox
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    before = len(inbox.messages)
    first = given_since(database(app))[-1]
    other = signed_in(app, "frontdesk")  # someone else sends it again
    resent = other.post("/outbox/resend", data={"name": name, "csrf_token": token_of(other)},
                        follow_redirects=True)
    assert "Sent. The message has left the outbox and is recorded" in resent.get_data(
        as_text=True)
    assert len(inbox.messages) == before + 1
    assert "The outbox is empty" in client.get("/outbox").get_data(as_text=True)
    # the resend is a record of its own: sent, by whoever sent it, of the same handout
    second = given_since(database(app))[-1]
    assert second.id != first.id and second.given.result == "sent"
    assert second.given.staff == "frontdesk" and first.given.staff == "nurse"
    assert (second.given.topic, second.given.lang, second.given.content_version) == (
        first.given.topic, first.given.lang, first.given.content_version)
    assert not list(folder.glob(name + "*"))  # the message and its record note are gone


def test_discard_removes_a_kept_message_and_odd_names_are_ignored(client, app, inbox):
    inbox.stop()
    try:
        send(client)
    finally:
        inbox.start()
    outbox = client.get("/outbox").get_data(as_text=True)
    name = outbox.split('name="name" value="')[1].split('"')[0]
    for odd in ("../secret-key", ".hidden.eml", "nothing.eml"):
        for action in ("discard", "resend"):
            page = client.post(f"/outbox/{action}", data={"name": odd,
                                                           "csrf_token": token_of(client)},
                               follow_redirects=True).get_data(as_text=True)
            assert "That message is no longer in the outbox." in page  # review L9
    assert (app.extensions["handouts.settings"].data_dir / "secret-key").is_file()
    client.post("/outbox/discard", data={"name": name, "csrf_token": token_of(client)})
    assert "The outbox is empty" in client.get("/outbox").get_data(as_text=True)
    folder = app.extensions["handouts.settings"].outbox
    assert not [p for p in folder.iterdir() if p.name.startswith(name)]  # its record note too


def test_a_chart_number_is_kept_only_where_the_clinic_chose_it(client, app):
    page = client.get("/topics/bone-metastasis?clinic=lakeside").get_data(as_text=True)
    assert 'id="reference-field" data-clinics="lakeside"' in page
    data = {"lang": "en", "level": "easy", "layout": "letter", "patient_reference": "MRN-0042"}
    kept = client.post("/topics/bone-metastasis/download", data={
        **data, "clinic": "lakeside", "csrf_token": token_of(client)})
    assert kept.status_code == 200
    assert given_since(database(app))[-1].given.patient_reference == "MRN-0042"
    ignored = client.post("/topics/bone-metastasis/print", data={
        **data, "clinic": "riverside", "csrf_token": token_of(client)})
    assert ignored.status_code == 200
    last = given_since(database(app))[-1].given
    assert (last.clinic, last.channel, last.patient_reference) == ("riverside", "print", None)
    refused = client.post("/topics/bone-metastasis/download", data={
        **data, "clinic": "lakeside", "patient_reference": PATIENT,
        "csrf_token": token_of(client)})
    assert refused.status_code == 400 and "chart" in refused.get_data(as_text=True)
    assert PATIENT not in str([r.given for r in given_since(database(app))])
