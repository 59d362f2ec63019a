"""Helpers for the web app's tests: an app on a temporary data folder, signed-in clients."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from pathlib import Path

import pytest

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


class Inbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages: list[bytes] = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content)
        return "250 Message accepted"

    def start(self) -> Inbox:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def parsed(self, index: int = -1):
        import email
        import email.policy

        return email.message_from_bytes(self.messages[index], policy=email.policy.default)


@pytest.fixture(scope="module")
def inbox():
    """A real SMTP server on loopback for the test module (conftest loads this module as a
    plugin, so any test can ask for it)."""
    server = Inbox().start()
    yield server
    server.stop()


def shipped_copy(folder: Path, smtp_port: int, delivery: str = "either",
                 extra: str = "") -> Roots:
    """The shipped content, clinics and layouts, with Lakeside mailing through loopback."""
    import shutil

    roots = Roots.under(folder)
    for name in ("content", "clinics", "layouts", "plans"):
        shutil.copytree(REPO / name, folder / name)
    profile = roots.clinics / "lakeside.toml"
    text = profile.read_text()
    text = text[: text.index("[mail]")] + (
        f'[mail]\nsender = "care@lakeside-oncology.example.org"\nhost = "127.0.0.1"\n'
        f'port = {smtp_port}\nsecurity = "none"\ntimeout_seconds = 5\n'
        f'delivery = "{delivery}"\n{extra}')
    profile.write_text(text)
    return roots


@contextlib.contextmanager
def served(app, threads: int = 2):
    """app served by waitress on a free port in this process; yields its address."""
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
