"""Helpers for the web app's tests: an app on a temporary data folder, signed-in clients."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from handouts.inputs.paths import Roots
from handouts.records import accounts
from handouts.web.app import create_app
from handouts.web.settings import WebSettings

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "a long test password"


def make_app(data_dir: Path, roots: Roots | None = None, **settings):
    settings.setdefault("idle_timeout", dt.timedelta(minutes=30))
    app = create_app(WebSettings(roots=roots or Roots.under(REPO), data_dir=data_dir,
                                 **settings))
    app.config["TESTING"] = True
    return app


def database(app):
    return app.extensions["handouts.database"]


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def add_user(app, username: str, role: str = "staff", password: str = PASSWORD):
    engine = database(app)
    user = accounts.create_user(engine, username, role, username.title())
    accounts.set_password(engine, user.id, password)
    return user


def signed_in(app, username: str = "nurse", role: str = "staff"):
    """A test client signed in as a new account with that name and role."""
    if accounts.user_by_name(database(app), username) is None:
        add_user(app, username, role)
    client = app.test_client()
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                              "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def token_of(client, path: str = "/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))
