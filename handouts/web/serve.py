"""Starting the app with waitress, and the first administrator's one-time sign-in link."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from handouts.errors import HandoutsError
from handouts.records import accounts
from handouts.web.settings import WebSettings

FIRST_ADMIN = "admin"
THREADS = 8


def sign_in_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/welcome/{token}"


def first_admin_link(engine: Engine) -> str | None:
    """On an empty database: the administrator's account and a one-time link token.
    Also when no administrator has chosen a password yet (the first link was lost)."""
    people = accounts.list_users(engine)
    if not people:
        accounts.create_user(engine, FIRST_ADMIN, "admin", "Administrator")
        return accounts.issue_sign_in_link(engine, FIRST_ADMIN)
    admins = [p for p in people if p.is_admin and p.active]
    if admins and not any(p.has_password for p in admins):
        return accounts.issue_sign_in_link(engine, admins[0].username)
    return None


def warm_up(app) -> None:
    """Before the first request: the build processes started (each warms itself up), the
    catalogue read and every page template compiled, so nobody's first click pays for it."""
    app.extensions["handouts.maker"].start()
    app.extensions["handouts.catalogue"].topics()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


def serve(settings: WebSettings, host: str = "127.0.0.1", port: int = 8000,
          say: Callable[[str], None] = print) -> None:
    """Serve until interrupted; prints the address (and a first sign-in link if needed)."""
    import os

    from waitress import create_server

    from handouts.web.app import create_app

    os.umask(0o077)  # whatever the server writes (records, outbox, packs) is its account's only
    app = create_app(settings)
    warm_up(app)
    try:
        server = create_server(app, host=host, port=port, threads=THREADS, ident="handouts",
                               clear_untrusted_proxy_headers=True)
    except OSError as error:
        raise HandoutsError(f"cannot listen on {host}:{port} ({error.strerror}); is another "
                            "server using it? Try --port with another number") from None
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
    base = f"{'https' if settings.https else 'http'}://{shown_host}:{server.effective_port}"
    say(f"Handouts is running at {base}/  (stop it with Ctrl+C)")
    token = first_admin_link(app.extensions["handouts.database"])
    if token:
        say("First start: open this one-time link to choose the administrator's password "
            f"(it works once, for 24 hours):\n  {sign_in_url(base, token)}")
    try:
        server.run()
    finally:
        server.close()
        app.extensions["handouts.maker"].close()
