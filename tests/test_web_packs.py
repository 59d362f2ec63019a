"""Web app print packs: a shipped plan or one built on the page, run in the background with
progress, then the pack and manifest; a plan that fails says why and the server keeps going."""

from __future__ import annotations

import csv
import io
import time

import pytest
from conftest import pdf_reader
from web_support import REPO, make_app, signed_in, token_of

from handouts.inputs.paths import Roots


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("var"))


@pytest.fixture
def client(app):
    return signed_in(app)


def wait_for(client, location: str, seconds: float = 120) -> dict:
    run_id = location.rstrip("/").rsplit("/", 1)[1]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"/packs/{run_id}/status").get_json()
        if state["finished"]:
            return state
        time.sleep(0.2)
    raise AssertionError("the pack did not finish")


def test_a_pack_built_on_the_page_runs_with_progress_and_downloads(client):
    response = client.post("/packs/build", data={
        "clinic": "riverside", "topics": ["hypercalcemia", "radiation-to-bone"],
        "languages": ["en"], "levels": ["easy"], "layout": "letter", "copies": "2",
        "csrf_token": token_of(client)})
    assert response.status_code == 303
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "<progress" in page
    assert "2 handouts for Riverside" in page  # the clinic's name, not its file name (L3)
    state = wait_for(client, location)
    assert state == {**state, "total": 2, "done": 2, "failed": 0, "error": None}
    done = client.get(location).get_data(as_text=True)
    assert "Download the pack" in done and "data-pack-status" not in done  # polling stops
    pack = client.get(f"{location}/pack.pdf")
    assert pack.status_code == 200
    reader = pdf_reader(pack.data)
    assert "Print pack" in reader.pages[0].extract_text()  # the separator page lists it
    rows = list(csv.DictReader(io.StringIO(client.get(f"{location}/manifest.csv")
                                           .get_data(as_text=True))))
    assert {row["topic"] for row in rows} == {"hypercalcemia", "radiation-to-bone"}
    assert all(row["copies"] == "2" and row["status"] == "built" for row in rows)


def test_packs_and_their_progress_survive_a_restart_and_an_interrupted_one_says_so(tmp_path):
    from handouts.web.packs import PackRun

    first = make_app(tmp_path / "var")
    client = signed_in(first)
    response = client.post("/packs/build", data={
        "clinic": "riverside", "topics": ["hypercalcemia"], "languages": ["en"],
        "levels": ["easy"], "layout": "letter", "copies": "1", "csrf_token": token_of(client)})
    location = response.headers["Location"]
    wait_for(client, location)
    # a pack the server was building when it stopped (as its state file was left)
    packs = tmp_path / "var" / "packs"
    PackRun("B" * 16, "Plan: waiting-room", "nurse", packs / ("B" * 16), total=12, done=5).save()

    again = make_app(tmp_path / "var")  # the server started again on the same data folder
    client = signed_in(again, "nurse2")
    listed = client.get("/packs").get_data(as_text=True)
    assert "1 handout for Riverside" in listed and "Plan: waiting-room" in listed
    done = client.get(location).get_data(as_text=True)
    assert "Download the pack" in done and client.get(f"{location}/pack.pdf").status_code == 200
    interrupted = client.get(f"/packs/{'B' * 16}").get_data(as_text=True)
    assert "interrupted: the server stopped while this pack was being built (5 of 12 done)" \
        in interrupted and "Download the pack" not in interrupted
    assert client.get(f"/packs/{'B' * 16}/status").get_json()["finished"] is True


def test_the_shipped_waiting_room_plan_is_offered(client):
    page = client.get("/packs").get_data(as_text=True)
    assert 'value="waiting-room"' in page


def test_a_broken_plan_is_a_clear_message_and_the_server_keeps_serving(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "broken.toml").write_text('output = "x"\n[[print]]\nclinics = ["riverside"]\n'
                                       'topics = ["no-such-topic"]\n')
    (plans / "unreadable.toml").write_text("this is not toml = = =\n")
    app = make_app(tmp_path / "var", Roots.under(REPO), plans_dir=plans)
    client = signed_in(app)
    bad = client.post("/packs/plan", data={"plan": "unreadable",
                                           "csrf_token": token_of(client)})
    assert bad.status_code == 400 and "The plan cannot run" in bad.get_data(as_text=True)
    assert "unreadable.toml" in bad.get_data(as_text=True)
    failing = client.post("/packs/plan", data={"plan": "broken",
                                               "csrf_token": token_of(client)})
    assert failing.status_code == 303  # it starts; its one item fails while building
    state = wait_for(client, failing.headers["Location"])
    assert state["failed"] == 1 and "nothing to pack" in state["error"]
    page = client.get(failing.headers["Location"]).get_data(as_text=True)
    assert "Not built" in page and "unknown topic" in page and "Download the pack" not in page
    other = client.post("/packs/plan", data={"plan": "../etc/passwd",
                                             "csrf_token": token_of(client)})
    assert other.status_code == 400
    assert client.get("/").status_code == 200


def test_an_empty_choice_and_unknown_packs_are_clear(client):
    none = client.post("/packs/build", data={"clinic": "riverside", "layout": "letter",
                                             "copies": "1", "csrf_token": token_of(client)})
    assert none.status_code == 400 and "at least one topic" in none.get_data(as_text=True)
    many = client.post("/packs/build", data={
        "clinic": "riverside", "topics": ["hypercalcemia"], "languages": ["en"],
        "levels": ["easy"], "layout": "letter", "copies": "lots",
        "csrf_token": token_of(client)})
    assert many.status_code == 400 and "copies must be a number" in many.get_data(as_text=True)
    assert client.get("/packs/AAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert client.get("/packs/AAAAAAAAAAAAAAAAAAAA/pack.pdf").status_code == 404
