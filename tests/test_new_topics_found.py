"""The two new topics (medicines that strengthen bones; spinal cord compression) are found
by their own codes and words: on the command line, in the web app's search box and by an
EHR's Infobutton request, in English and Spanish."""

from __future__ import annotations

import json

import pytest
from conftest import REPO, run_cli
from web_support import make_app, signed_in

from handouts.topic_search import find_by_code, find_by_words

ICD = "2.16.840.1.113883.6.90"
CODED = [("Z79.83", "bone-medicines"), ("M87.180", "bone-medicines"),
         ("G95.20", "spinal-cord-compression"), ("G95.29", "spinal-cord-compression")]


@pytest.mark.parametrize("code, slug", CODED)
def test_each_new_code_finds_its_topic_and_only_that(shipped, code, slug):
    assert [found.slug for found in find_by_code(shipped, code)] == [slug]


@pytest.mark.parametrize("words, lang, slug", [
    ("denosumab", None, "bone-medicines"), ("zoledronic acid", "en", "bone-medicines"),
    ("fortalecen huesos", "es", "bone-medicines"),
    ("spinal cord compression", "en", "spinal-cord-compression"),
    ("compresion medula", "es", "spinal-cord-compression")])
def test_the_new_topics_are_found_by_their_words(shipped, words, lang, slug):
    assert slug in [found.slug for found in find_by_words(shipped, words, lang)]


def test_find_on_the_command_line_says_why(shipped):
    result = run_cli("--root", str(REPO), "find", "--code", "g95.20", "--format", "json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert "spinal-cord-compression" in json.dumps(found)
    assert "bone-metastasis" not in json.dumps(found)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("var"))


@pytest.mark.parametrize("query, slug", [("Z79.83", "bone-medicines"),
                                         ("G95.20", "spinal-cord-compression"),
                                         ("denosumab", "bone-medicines"),
                                         ("médula", "spinal-cord-compression")])
def test_the_web_search_box_finds_them(app, query, slug):
    page = signed_in(app).get("/search", query_string={"q": query}).get_data(as_text=True)
    assert f"/topics/{slug}" in page


@pytest.mark.parametrize("code, lang, title", [
    ("G95.20", "en", "Spinal Cord Compression: Warning Signs"),
    ("G95.20", "es", "Compresión de la médula espinal: señales de alerta"),
    ("Z79.83", "en", "Medicines That Strengthen Bones"),
    ("M87.180", "es", "Medicamentos que fortalecen los huesos")])
def test_an_infobutton_request_with_the_code_links_the_handout(app, code, lang, title):
    response = app.test_client().get("/infobutton", query_string={
        "mainSearchCriteria.v.cs": ICD, "mainSearchCriteria.v.c": code,
        "informationRecipient.languageCode.c": lang,
        "knowledgeResponseType": "application/json", "clinic": "riverside"})
    assert response.status_code == 200
    entries = json.loads(response.data)["feed"]["entry"]
    assert [entry["title"]["_value"] for entry in entries] == [title]
    link = entries[0]["link"][0]["href"].replace("http://localhost", "")
    pdf = app.test_client().get(link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
