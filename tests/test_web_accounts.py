"""Web app accounts and safety: one-time links, Argon2 passwords, throttling, CSRF, sessions."""

from __future__ import annotations

import datetime as dt
import logging
import stat
import time

import pytest
from conftest import run_cli
from web_support import (
    PASSWORD,
    REPO,
    add_user,
    csrf_from,
    database,
    make_app,
    signed_in,
    token_of,
)

from handouts.records import accounts
from handouts.web.serve import first_admin_link


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path / "var")


def test_every_page_but_sign_in_needs_an_account(app):
    client = app.test_client()
    for path in ("/", "/search?q=bone", "/topics/bone-metastasis", "/account"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")
    assert client.get("/sign-in").status_code == 200


def test_first_start_creates_an_administrator_with_a_one_time_link_and_no_password(app):
    engine = database(app)
    token = first_admin_link(engine)
    admin = accounts.user_by_name(engine, "admin")
    assert admin.is_admin and not admin.has_password
    client = app.test_client()
    page = client.get(f"/welcome/{token}")
    assert page.status_code == 200 and "Choose" in page.get_data(as_text=True)
    csrf = csrf_from(page.get_data(as_text=True))
    short = client.post(f"/welcome/{token}", data={"password": "short", "password_again":
                                                   "short", "csrf_token": csrf})
    assert short.status_code == 400 and "at least 10" in short.get_data(as_text=True)
    done = client.post(f"/welcome/{token}", data={"password": PASSWORD, "password_again":
                                                  PASSWORD, "csrf_token": csrf})
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # signed in
    stored = accounts.user_by_name(engine, "admin")
    assert stored.has_password
    # the link works once
    again = app.test_client().get(f"/welcome/{token}")
    assert again.status_code == 410
    # and once an administrator has a password, a restart prints no new link
    assert first_admin_link(engine) is None


def test_passwords_are_stored_as_argon2_hashes(app):
    add_user(app, "nurse")
    from sqlalchemy import select

    from handouts.records.schema import users

    with database(app).connect() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_wrong_password_is_refused_and_sign_in_is_throttled_after_five_failures(app):
    add_user(app, "nurse")
    client = app.test_client()
    csrf = token_of(client, "/sign-in")
    for _ in range(accounts.MAX_FAILURES):
        wrong = client.post("/sign-in", data={"username": "nurse", "password": "nope",
                                              "csrf_token": csrf})
        assert wrong.status_code == 401
        assert "do not match" in wrong.get_data(as_text=True)
    blocked = client.post("/sign-in", data={"username": "nurse", "password": PASSWORD,
                                            "csrf_token": csrf})
    assert blocked.status_code == 429
    assert "too many failed sign-ins" in blocked.get_data(as_text=True)
    # the account's owner at another desk is not locked out
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "127.0.0.9"
    other_csrf = token_of(elsewhere, "/sign-in")
    assert elsewhere.post("/sign-in", data={"username": "nurse", "password": PASSWORD,
                                            "csrf_token": other_csrf}).status_code == 302
    # another account is not affected
    add_user(app, "doctor")
    ok = client.post("/sign-in", data={"username": "doctor", "password": PASSWORD,
                                       "csrf_token": csrf})
    assert ok.status_code == 302


def test_a_form_without_its_csrf_token_is_refused(app):
    client = signed_in(app)
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/topics/bone-metastasis/download",
                               data={"clinic": "lakeside", **data})
        assert response.status_code == 403
        assert "did not come from this site" in response.get_data(as_text=True)
    assert client.post("/sign-out").status_code == 403


def test_session_cookie_is_signed_httponly_and_samesite(tmp_path):
    app = make_app(tmp_path / "var", https=True)
    add_user(app, "nurse")
    client = app.test_client()
    csrf = token_of(client, "/sign-in")
    response = client.post("/sign-in", data={"username": "nurse", "password": PASSWORD,
                                             "csrf_token": csrf})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    # a forged (re-signed with another key) cookie is not a session
    stranger = app.test_client()
    stranger.set_cookie("handouts_session", "eyJ1c2VyX2lkIjoxfQ.forged.signature")
    assert stranger.get("/").status_code == 302


def test_an_idle_session_ends(tmp_path):
    app = make_app(tmp_path / "var", idle_timeout=dt.timedelta(seconds=1))
    client = signed_in(app)
    assert client.get("/").status_code == 200
    time.sleep(1.2)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_sign_out_ends_the_session(app):
    client = signed_in(app)
    assert client.post("/sign-out", data={"csrf_token": token_of(client)}).status_code == 302
    assert client.get("/").status_code == 302


def _copy_of_session(app, client):
    """Another browser holding a copy of this client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("handouts_session", client.get_cookie("handouts_session").value)
    return thief


def test_a_copied_session_cookie_stops_working_after_sign_out(app):
    client = signed_in(app)
    thief = _copy_of_session(app, client)
    assert thief.get("/records").status_code == 200
    client.post("/sign-out", data={"csrf_token": token_of(client)})
    refused = thief.get("/records")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")


def test_a_password_change_ends_other_sessions_but_not_this_one(app):
    client = signed_in(app)
    other = _copy_of_session(app, client)
    changed = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "another long password",
        "password_again": "another long password", "csrf_token": token_of(client, "/account")})
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_a_role_change_or_closing_ends_the_sessions_of_that_account(app):
    admin = signed_in(app, "boss", "admin")
    nurse = signed_in(app)
    person = accounts.user_by_name(database(app), "nurse")
    accounts.update_user(database(app), person.id, role="admin")
    assert nurse.get("/").status_code == 302
    assert admin.get("/").status_code == 200  # other accounts keep theirs


def test_a_session_ends_after_its_lifetime_however_active(tmp_path):
    app = make_app(tmp_path / "var", session_lifetime=dt.timedelta(seconds=1))
    client = signed_in(app)
    assert client.get("/").status_code == 200
    time.sleep(1.2)
    assert client.get("/").status_code == 302


def test_sign_in_gives_a_new_csrf_token(app):
    add_user(app, "nurse")
    client = app.test_client()
    before = token_of(client, "/sign-in")
    client.post("/sign-in", data={"username": "nurse", "password": PASSWORD,
                                  "csrf_token": before})
    after = token_of(client)
    assert after != before
    stale = client.post("/sign-out", data={"csrf_token": before})
    assert stale.status_code == 403


def test_a_closed_account_is_signed_out(app):
    client = signed_in(app)
    user = accounts.user_by_name(database(app), "nurse")
    accounts.update_user(database(app), user.id, active=False)
    assert client.get("/").status_code == 302


def test_after_sign_in_only_a_local_page_is_opened(app):
    add_user(app, "nurse")
    for target, expected in (("https://evil.example/", "/"), ("//evil.example", "/"),
                             ("/search?q=bone", "/search?q=bone")):
        client = app.test_client()
        csrf = token_of(client, "/sign-in")
        response = client.post("/sign-in", data={"username": "nurse", "password": PASSWORD,
                                                 "csrf_token": csrf, "next": target})
        assert response.headers["Location"] == expected


def test_the_data_folder_and_database_are_readable_by_the_server_account_only(tmp_path):
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    (data / "outbox").mkdir(mode=0o755)  # an older install made them readable by all
    app = make_app(data)
    signed_in(app)  # the database is written (and its -wal file made)
    for folder in (data, data / "outbox", data / "packs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for name in ("handouts.db", "handouts.db-wal", "secret-key"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_serve_makes_everything_it_writes_private(tmp_path):
    """`handouts serve` runs with umask 077: a file the server makes later is private too."""
    import os
    import socket
    import subprocess
    import sys

    data = tmp_path / "var"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "handouts", "--root", str(REPO), "serve",
                               "--port", str(port), "--data-dir", str(data), "--workers", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        assert "running at" in line, line
        status = (f"/proc/{server.pid}/status")
        umask = next(row for row in open(status) if row.startswith("Umask:")).split()[1]
        assert int(umask, 8) == 0o077
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
        # the address it runs at is kept for `users add` (review M3: it printed port 8000)
        added = run_cli("users", "add", "newnurse", "--data-dir", str(data))
        assert added.exit_code == 0, added.output
        assert f"http://127.0.0.1:{port}/welcome/" in added.output
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_users_add_before_the_server_ever_ran_says_its_link_address_is_a_guess(tmp_path):
    added = run_cli("users", "add", "jsmith", "--data-dir", str(tmp_path / "var"))
    assert added.exit_code == 0, added.output
    assert "http://127.0.0.1:8000/welcome/" in added.output and "a guess" in added.output
    wrong = run_cli("users", "add", "jdoe", "--data-dir", str(tmp_path / "var"),
                    "--address", "clinic-pc:8000")
    assert wrong.exit_code == 2 and "is not a web address" in wrong.output


def test_the_address_behind_a_proxy_is_recorded_for_links(tmp_path):
    from handouts.web.serve import listening_address, record_address, recorded_address

    record_address(tmp_path, "https://handouts.clinic.example/")
    assert recorded_address(tmp_path) == "https://handouts.clinic.example"
    added = run_cli("users", "add", "jsmith", "--data-dir", str(tmp_path))
    assert "https://handouts.clinic.example/welcome/" in added.output
    assert listening_address("127.0.0.1", 8123, False) == "http://127.0.0.1:8123"
    assert "127.0.0.1" not in listening_address("0.0.0.0", 8123, True)  # the computer's name


def test_users_add_and_list_on_the_command_line(tmp_path, caplog):
    data = tmp_path / "var"
    caplog.set_level(logging.DEBUG)
    added = run_cli("users", "add", "jsmith", "--name", "Jo Smith", "--data-dir", str(data),
                    "--address", "http://clinic-pc:8000")
    assert added.exit_code == 0, added.output
    assert "http://clinic-pc:8000/welcome/" in added.output
    listed = run_cli("users", "list", "--data-dir", str(data))
    assert "jsmith  staff  active  waiting for first sign-in  Jo Smith" in listed.output
    twice = run_cli("users", "add", "jsmith", "--data-dir", str(data))
    assert twice.exit_code == 1 and "already exists" in twice.stderr
    bad = run_cli("users", "add", "Not A Name!", "--data-dir", str(data))
    assert bad.exit_code == 1 and "is not allowed" in bad.stderr


def test_an_administrator_adds_an_account_and_the_link_lets_them_choose_a_password(app):
    admin = signed_in(app, "boss", "admin")
    assert signed_in(app).get("/users").status_code == 403
    page = admin.post("/users", data={"username": "mlopez", "display_name": "M. Lopez",
                                      "role": "staff", "csrf_token": token_of(admin)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "one-time sign-in link" in html
    link = html.split('id="sign-in-link" readonly value="')[1].split('"')[0]
    path = "/" + link.split("/", 3)[3]
    newcomer = app.test_client()
    welcome = newcomer.get(path)
    assert welcome.status_code == 200
    done = newcomer.post(path, data={"password": PASSWORD, "password_again": PASSWORD,
                                     "csrf_token": csrf_from(welcome.get_data(as_text=True))})
    assert done.status_code == 302 and newcomer.get("/").status_code == 200
    twice = admin.post("/users", data={"username": "mlopez", "csrf_token": token_of(admin)})
    assert twice.status_code == 400 and "already exists" in twice.get_data(as_text=True)


def test_an_administrator_closes_and_reopens_an_account_but_not_their_own(app):
    admin = signed_in(app, "boss", "admin")
    nurse = signed_in(app)
    person = accounts.user_by_name(database(app), "nurse")
    boss = accounts.user_by_name(database(app), "boss")
    admin.post(f"/users/{person.id}", data={"action": "close", "csrf_token": token_of(admin)})
    assert nurse.get("/").status_code == 302
    admin.post(f"/users/{person.id}", data={"action": "reopen", "csrf_token": token_of(admin)})
    assert accounts.user_by_name(database(app), "nurse").active
    own = admin.post(f"/users/{boss.id}", data={"action": "close",
                                                "csrf_token": token_of(admin)})
    assert own.status_code == 400 and accounts.user_by_name(database(app), "boss").active
