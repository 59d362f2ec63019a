"""Records in the web app: handouts given appear on the records page, teach-back is entered
there, administrators download the export, and an emailed handout exports as FHIR."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from conftest import run_cli
from fhir.resources.R4B.bundle import Bundle
from web_support import database, make_app, shipped_copy, signed_in, token_of

from handouts.records.given import given_since

PATIENT = "Wilhelmina Testcase-Records"


@pytest.fixture(scope="module")
def site(tmp_path_factory, inbox):
    folder = tmp_path_factory.mktemp("site")
    roots = shipped_copy(folder, inbox.port)
    return make_app(folder / "var", roots), roots


def print_handout(client):
    return client.post("/topics/bone-metastasis/print", data={
        "clinic": "lakeside", "lang": "es", "level": "easy", "layout": "letter",
        "patient_name": PATIENT, "csrf_token": token_of(client)})


def test_a_printed_handout_is_on_the_records_page_and_teach_back_is_saved(site):
    app, _ = site
    client = signed_in(app, "nurse")
    printed = print_handout(client)
    assert printed.status_code == 200
    record = given_since(database(app))[-1]
    assert record.given.title == "Metástasis ósea: cuando el cáncer se extiende al hueso"
    assert record.given.document_sha1 == hashlib.sha1(printed.data).hexdigest()
    page = client.get("/records").get_data(as_text=True)
    assert f'id="record-{record.id}"' in page
    assert "Metástasis ósea" in page and record.given.content_version in page
    assert PATIENT not in page
    saved = client.post(f"/records/{record.id}/teach-back", data={
        "outcome": "understood", "csrf_token": token_of(client, "/records")})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"#record-{record.id}")
    assert given_since(database(app))[-1].teach_back == "understood"
    forged = client.post(f"/records/{record.id}/teach-back", data={"outcome": "declined"})
    assert forged.status_code == 403
    wrong = client.post(f"/records/{record.id}/teach-back", data={
        "outcome": "great", "csrf_token": token_of(client, "/records")})
    assert wrong.status_code == 400
    assert given_since(database(app))[-1].teach_back == "understood"


def test_records_need_sign_in_and_the_export_needs_an_administrator(site):
    app, _ = site
    assert app.test_client().get("/records").status_code == 302
    staff = signed_in(app, "nurse")
    assert staff.get("/records/export.csv").status_code == 403
    admin = signed_in(app, "boss", role="admin")
    print_handout(admin)
    exported = admin.get("/records/export.csv?since=2020-01-01")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {"nurse", "boss"} <= {row["staff"] for row in rows}
    fhir = admin.get("/records/export.fhir.json?since=2020-01-01")
    assert fhir.headers["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(json.loads(fhir.data))
    assert bundle.entry[0].resource.get_resource_type() == "Communication"
    assert admin.get("/records?since=27-11-2026").status_code == 400


def test_a_handout_emailed_from_the_web_app_exports_as_a_valid_communication(site, inbox):
    app, roots = site
    client = signed_in(app, "nurse")
    sent = client.post("/topics/hypercalcemia/email", data={
        "clinic": "lakeside", "lang": "es", "level": "easy", "layout": "letter",
        "to": "wilhelmina@example.org", "patient_name": PATIENT,
        "delivery": "password-protected", "pdf_password": "1234-5678",
        "csrf_token": token_of(client)})
    assert sent.status_code == 200 and "Email sent" in sent.get_data(as_text=True)
    url = str(database(app).url)
    result = run_cli("--root", str(roots.content.parent), "records", "export", "--format",
                     "fhir", "--database-url", url)
    assert result.exit_code == 0, result.stderr
    bundle = Bundle.model_validate(json.loads(result.stdout))
    emailed = [e.resource for e in bundle.entry
               if e.resource.get_resource_type() == "Communication"
               and e.resource.medium[0].coding[0].code == "EMAILWRIT"]
    assert emailed, "the emailed handout is in the export"
    communication = emailed[-1]
    assert communication.status == "completed" and communication.sender.display == "nurse"
    assert communication.payload[0].contentAttachment.title == "Calcio alto en la sangre " \
                                                               "(hipercalcemia)"
    assert communication.payload[0].contentAttachment.language == "es"
    assert "E83.52" in [c.coding[0].code for c in communication.reasonCode]
    assert PATIENT not in result.stdout and "wilhelmina@" not in result.stdout
