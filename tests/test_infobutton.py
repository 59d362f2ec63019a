"""The Infobutton endpoint, asked exactly as MedlinePlus Connect's documentation shows.

MedlinePlus Connect's web service takes mainSearchCriteria.v.cs (the code system's OID),
mainSearchCriteria.v.c (the code), mainSearchCriteria.v.dn (its display name, optional),
informationRecipient.languageCode.c (en or es) and knowledgeResponseType (text/xml for Atom,
application/json); an EHR pointed at this server instead gets the clinic's own handouts.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from xml.etree import ElementTree as ET

import pytest
from conftest import all_text, pdf_reader
from web_support import make_app, served

ATOM = "{http://www.w3.org/2005/Atom}"
# The documented request, with this server's base URL and the clinic added.
DOCUMENTED = ("/infobutton?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
              "&mainSearchCriteria.v.c=C79.51"
              "&mainSearchCriteria.v.dn=Secondary%20malignant%20neoplasm%20of%20bone"
              "&informationRecipient.languageCode.c=es"
              "&knowledgeResponseType=application/json&clinic=lakeside")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def server(app):
    """The app served by waitress on a free port (an EHR calls a real server)."""
    with served(app) as address:
        yield address


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_spanish_json_answer_links_to_the_lakeside_spanish_handout(server):
    status, kind, body = fetch(server + DOCUMENTED)
    assert status == 200 and kind.startswith("application/json")
    feed = json.loads(body)["feed"]
    assert feed["lang"] == "es"
    assert {"scheme": "mainSearchCriteria.v.c", "term": "C79.51"} in feed["category"]
    assert {"scheme": "mainSearchCriteria.v.cs",
            "term": "2.16.840.1.113883.6.90"} in feed["category"]
    first = feed["entry"][0]
    assert first["lang"] == "es"
    assert first["title"]["_value"] == "Metástasis ósea: cuando el cáncer se extiende al hueso"
    assert first["category"][0]["label"] == "tiene el código ICD-10-CM C79.51"
    link = first["link"][0]
    assert link["type"] == "application/pdf" and link["href"].startswith(server)
    status, kind, pdf = fetch(link["href"])
    assert status == 200 and kind == "application/pdf"
    text = all_text(pdf)
    assert "Metástasis ósea" in text and "Lakeside Oncology Clinic" in text
    reader = pdf_reader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.metadata["/Author"] == "Lakeside Oncology Clinic"
    assert "Prepared for" not in text and "Preparado para" not in text  # generic: no patient


def test_atom_answer_is_a_feed_with_an_entry_per_topic(client):
    response = client.get(DOCUMENTED.replace("application/json", "text/xml")
                          .replace("languageCode.c=es", "languageCode.c=en"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert titles == ["Bone Metastasis: When Cancer Spreads to the Bone",
                      "Radiation Therapy for Cancer in the Bone"]
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert links[0].endswith("/infobutton/handouts/lakeside/bone-metastasis/en/standard.pdf"
                             "?layout=letter")
    pdf = client.get(links[0].replace("http://localhost", ""))
    assert pdf.status_code == 200 and all_text(pdf.data).count("Bone Metastasis") >= 1


def test_the_service_address_answers_atom_by_default_like_medlineplus_connect(client):
    response = client.get("/infobutton/service?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
                          "&mainSearchCriteria.v.c=E83.52&clinic=riverside")
    assert response.headers["Content-Type"].startswith("text/xml")
    feed = ET.fromstring(response.data)
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == [
        "High Calcium in the Blood (Hypercalcemia)"]
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Riverside Cancer Center"


def test_a_more_specific_code_finds_the_topic_coded_with_its_ancestor(client):
    response = client.get("/infobutton?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
                          "&mainSearchCriteria.v.c=M84.58XA&knowledgeResponseType="
                          "application/json&clinic=lakeside")
    entries = response.get_json()["feed"]["entry"]
    assert [e["title"]["_value"] for e in entries] == [
        "Bone Metastasis: When Cancer Spreads to the Bone"]
    assert entries[0]["category"][0] == {"scheme": "match", "term": "broader",
                                         "label": "coded ICD-10-CM M84.5, which includes "
                                                  "M84.58XA"}


def test_other_code_systems_by_their_oids(client):
    for oid, code, title in (("2.16.840.1.113883.6.96", "66931009", "High Calcium"),
                             ("2.16.840.1.113883.6.1", "17861-6", "High Calcium")):
        response = client.get(f"/infobutton?mainSearchCriteria.v.cs={oid}"
                              f"&mainSearchCriteria.v.c={code}"
                              "&knowledgeResponseType=application/json&clinic=lakeside")
        entries = response.get_json()["feed"]["entry"]
        assert entries[0]["title"]["_value"].startswith(title), oid


@pytest.mark.parametrize("system, code", [
    ("2.16.840.1.113883.6.90", "J45.40"),  # a real ICD-10-CM code no topic answers
    ("2.16.840.1.113883.6.90", "C79.59"),  # written like one, but not in the code set
    ("2.16.840.1.113883.6.103", "493.12"),  # ICD-9-CM: a system this server holds no codes in
    ("2.16.840.1.113883.6.88", "197361"),  # RxNorm: no topic coded
])
def test_unknown_systems_and_codes_get_an_empty_well_formed_answer(client, system, code):
    base = (f"/infobutton?mainSearchCriteria.v.cs={system}&mainSearchCriteria.v.c={code}"
            "&clinic=lakeside&knowledgeResponseType=")
    as_json = client.get(base + "application/json")
    assert as_json.status_code == 200
    assert as_json.get_json()["feed"]["entry"] == []
    as_atom = client.get(base + "text/xml")
    assert as_atom.status_code == 200
    assert list(ET.fromstring(as_atom.data).iter(f"{ATOM}entry")) == []
    as_html = client.get(base + "text/html")
    assert as_html.status_code == 200
    assert "No handout from Lakeside Oncology Clinic matches this code." in as_html.get_data(
        as_text=True)


@pytest.mark.parametrize("query, reason", [
    ("mainSearchCriteria.v.c=C79.51", "mainSearchCriteria.v.cs is required"),
    ("mainSearchCriteria.v.cs=2.16.840.1.113883.6.90", "mainSearchCriteria.v.c is required"),
    ("mainSearchCriteria.v.cs=ICD10&mainSearchCriteria.v.c=C79.51", "must be a code system OID"),
    ("mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=bone!",
     "not written like an ICD-10-CM code"),
    ("mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=C79.51"
     "&knowledgeResponseType=application/pdf", "knowledgeResponseType must be one of"),
    ("mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=C79.51"
     "&informationRecipient.languageCode.c=12", "must be a language code"),
    ("mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=C79.51"
     "&clinic=nowhere", "unknown clinic 'nowhere'"),
    ("mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=C79.51"
     "&mainSearchCriteria.v.c=C79.52", "given 2 times"),
])
def test_a_malformed_request_gets_400_with_the_reason(client, query, reason):
    if "knowledgeResponseType" not in query:
        query += "&knowledgeResponseType=application/json"
    if "clinic=" not in query:
        query += "&clinic=lakeside"
    response = client.get(f"/infobutton?{query}")
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


def test_without_a_clinic_and_no_default_the_request_says_which_to_name(client):
    response = client.get("/infobutton?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
                          "&mainSearchCriteria.v.c=C79.51")
    assert response.status_code == 400
    assert "name the clinic with clinic=" in response.get_data(as_text=True)


def test_the_servers_default_clinic_answers_when_none_is_named(tmp_path):
    app = make_app(tmp_path / "var", default_clinic="riverside")
    response = app.test_client().get(
        "/infobutton?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
        "&mainSearchCriteria.v.c=C79.51&knowledgeResponseType=application/json")
    assert response.get_json()["feed"]["author"]["name"]["_value"] == "Riverside Cancer Center"


def test_the_html_answer_is_in_the_patients_language_and_needs_no_sign_in(client):
    response = client.get(DOCUMENTED.replace("application/json", "text/html"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Hojas informativas para ICD-10-CM C79.51" in page
    assert "Descargar (fácil de leer, PDF)" in page
    assert "/infobutton/handouts/lakeside/bone-metastasis/es/standard.pdf" in page


def test_a_language_without_handouts_falls_back_to_english(client):
    response = client.get(DOCUMENTED.replace("languageCode.c=es", "languageCode.c=fr"))
    entry = response.get_json()["feed"]["entry"][0]
    assert entry["lang"] == "en"


def test_a_handout_link_for_an_unknown_topic_is_a_404(client):
    assert client.get("/infobutton/handouts/lakeside/nothing/en/easy.pdf").status_code == 404
