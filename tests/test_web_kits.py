"""Web app visit kits: saved per clinic, made in one click into one PDF with a cover, and a
record for every handout in it."""

from __future__ import annotations

import pytest
from conftest import page_texts, pdf_reader
from web_support import database, make_app, shipped_copy, signed_in, token_of

from handouts.records import kits
from handouts.records.given import given_since

KIT = "New bone metastasis diagnosis"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("var"))


@pytest.fixture
def client(app):
    return signed_in(app)


def save(client, **fields):
    data = {"clinic": "lakeside", "name": KIT, "lang": "es", "level": "easy",
            "layout": "letter", "topics": ["bone-metastasis", "hypercalcemia",
                                           "radiation-to-bone"],
            "csrf_token": token_of(client, "/kits"), **fields}
    return client.post("/kits", data=data)


def test_a_kit_is_saved_for_its_clinic_and_made_into_one_pdf_with_a_cover(client, app):
    assert save(client).status_code == 303
    page = client.get("/kits?clinic=lakeside").get_data(as_text=True)
    assert f"<h3>{KIT}</h3>" in page
    # a Spanish kit lists its Spanish titles, and the layout as the form names it (L4, L5)
    assert '<ol lang="es"><li>Metástasis ósea' in page and "(hipercalcemia)" in page
    assert "Spanish (Español), easy reading, Letter" in page
    assert f"<h3>{KIT}</h3>" not in client.get("/kits?clinic=riverside").get_data(as_text=True)
    kit = kits.kit_named(database(app), "lakeside", KIT)
    assert kit.topics == ("bone-metastasis", "hypercalcemia", "radiation-to-bone")
    response = client.post(f"/kits/{kit.id}/make", data={
        "patient_name": "Rosa Example-Testperson", "csrf_token": token_of(client, "/kits")})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert "Rosa" not in response.headers["Content-Disposition"]
    texts = page_texts(response.data)
    cover = texts[0]
    assert KIT in cover and "Qué contiene" in cover and "Lakeside Oncology Clinic" in cover
    assert "1. Metástasis ósea" in cover and "3." in cover
    assert sum("Rosa Example-Testperson" in t for t in texts) == 3  # each handout's first page
    assert len(pdf_reader(response.data).pages) % 2 == 0  # each part starts on a fresh sheet
    records = [r.given for r in given_since(database(app)) if r.given.channel == "kit"]
    assert [(r.topic, r.kit) for r in records[-3:]] == [
        ("bone-metastasis", KIT), ("hypercalcemia", KIT), ("radiation-to-bone", KIT)]


def test_kit_mistakes_are_clear(client):
    twice = save(client, name="Twice")
    assert twice.status_code == 303
    again = save(client, name="Twice")
    assert again.status_code == 400 and "already has a kit" in again.get_data(as_text=True)
    empty = save(client, name="Empty", topics=[])
    assert empty.status_code == 400 and "at least one topic" in empty.get_data(as_text=True)
    nameless = save(client, name="  ")
    assert nameless.status_code == 400 and "give the kit a name" in nameless.get_data(
        as_text=True)
    nowhere = save(client, clinic="nowhere")
    assert nowhere.status_code == 400
    assert client.post("/kits/9999/make", data={
        "csrf_token": token_of(client, "/kits")}).status_code == 404


def test_a_kit_whose_level_a_topic_lacks_says_which(client, app, tmp_path):
    kit = kits.save_kit(database(app), "riverside", "Odd", ["bone-metastasis"], "en",
                        "advanced", "letter", "nurse")
    response = client.post(f"/kits/{kit.id}/make", data={
        "csrf_token": token_of(client, "/kits")})
    assert response.status_code == 400
    assert "cannot be made" in response.get_data(as_text=True)


def test_only_the_kit_maker_or_an_administrator_deletes_it(app):
    kit = kits.save_kit(database(app), "riverside", "Mine", ["hypercalcemia"], "en", "easy",
                        "letter", "someone-else")
    nurse = signed_in(app)
    refused = nurse.post(f"/kits/{kit.id}/delete", data={"csrf_token": token_of(nurse)})
    assert refused.status_code == 403
    admin = signed_in(app, "boss", "admin")
    assert admin.post(f"/kits/{kit.id}/delete", data={
        "csrf_token": token_of(admin)}).status_code == 303
    assert kits.kit_by_id(database(app), kit.id) is None


def test_a_kit_for_a_clinic_that_keeps_chart_numbers_records_one(tmp_path):
    roots = shipped_copy(tmp_path / "site", 2525,
                         extra="\n[records]\npatient_reference = true\n")
    app = make_app(tmp_path / "var", roots)
    client = signed_in(app)
    kit = kits.save_kit(database(app), "lakeside", "Charted", ["hypercalcemia"], "en", "easy",
                        "letter", "nurse")
    page = client.get("/kits?clinic=lakeside").get_data(as_text=True)
    assert f'id="kit-{kit.id}-reference" name="patient_reference"' in page
    assert "patient_reference" not in client.get("/kits?clinic=riverside").get_data(
        as_text=True)  # a clinic that did not choose chart numbers is not asked for one
    made = client.post(f"/kits/{kit.id}/make", data={
        "patient_reference": "MRN-0042", "csrf_token": token_of(client, "/kits")})
    assert made.status_code == 200
    assert given_since(database(app))[-1].given.patient_reference == "MRN-0042"
    refused = client.post(f"/kits/{kit.id}/make", data={
        "patient_reference": "Rosa Example-Testperson", "csrf_token": token_of(client, "/kits")})
    assert refused.status_code == 400 and "chart" in refused.get_data(as_text=True)
    assert len(given_since(database(app))) == 1
