"""Starting the app with waitress, and the first administrator's one-time sign-in link."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from handouts.errors import HandoutsError
from handouts.records import accounts
from handouts.web.settings import WebSettings

FIRST_ADMIN = "admin"
# Request threads: a request for a new handout waits (without the GIL) for a build process,
# so with eight staff at once each needs its own thread while cached handouts, pages and
# searches are still answered (with fewer, they would wait for a thread a build holds).
THREADS = 8


ADDRESS_FILE = "address"  # in the data folder: where staff reach the app, for sign-in links
DEFAULT_ADDRESS = "http://127.0.0.1:8000"


def sign_in_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/welcome/{token}"


def record_address(data_dir: Path, address: str) -> None:
    """Keep the app's address in the data folder, for `handouts users add`'s links."""
    from handouts.finishing.atomic_write import write_atomically

    write_atomically(data_dir / ADDRESS_FILE, (address.rstrip("/") + "\n").encode())


def recorded_address(data_dir: Path) -> str | None:
    """The address `handouts serve` recorded when it last started, if it has."""
    try:
        text = (data_dir / ADDRESS_FILE).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.startswith(("http://", "https://")) and text.isprintable() else None


def listening_address(host: str, port: int, https: bool) -> str:
    """The address to give staff: this computer's name when listening on every interface
    (127.0.0.1 would only work on the server itself)."""
    import socket

    if host in ("0.0.0.0", "", "::"):
        host = socket.gethostname() or "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if https else 'http'}://{host}:{port}"


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


ACCESS_LOG = "access.log"


def log_requests(path: Path) -> None:
    """The access log: a line a request in the data folder (readable by the server's account
    only), kept to five files of 5 MB. It holds no patient data: see app._access_log."""
    import logging
    import logging.handlers

    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5 * 2**20, backupCount=4,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s",
                                           "%Y-%m-%dT%H:%M:%S%z"))
    logger = logging.getLogger("handouts.access")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def warm_up(app) -> None:
    """Before the first request: the build processes started (each warms itself up), the
    catalogue read and every page template compiled, so nobody's first click pays for it."""
    app.extensions["handouts.maker"].start()
    app.extensions["handouts.catalogue"].topics()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)


def _stop_on_terminate() -> None:
    """A service manager's stop (SIGTERM) ends the server as Ctrl+C does: cleanly, with its
    build processes, instead of leaving them behind."""
    import signal
    import threading

    def terminated(signal_number, frame):
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminated)


def serve(settings: WebSettings, host: str = "127.0.0.1", port: int = 8000,
          say: Callable[[str], None] = print, address: str | None = None) -> None:
    """Serve until interrupted; prints the address (and a first sign-in link if needed).
    `address`: where staff reach the app when that is not where it listens (a proxy);
    it is recorded in the data folder for the links `handouts users add` prints."""
    import os

    from handouts.web.app import create_app

    os.umask(0o077)  # whatever the server writes (records, outbox, packs) is its account's only
    _stop_on_terminate()
    app = create_app(settings)
    try:
        log_requests(settings.data_dir / ACCESS_LOG)
        warm_up(app)
        _run(app, settings, host, port, say, address)
    finally:
        app.extensions["handouts.maker"].close()  # the build processes end with the server


def _run(app, settings: WebSettings, host: str, port: int, say: Callable[[str], None],
         address: str | None) -> None:
    from waitress import create_server

    try:
        server = create_server(app, host=host, port=port, threads=THREADS, ident="handouts",
                               clear_untrusted_proxy_headers=True)
    except OSError as error:
        raise HandoutsError(f"cannot listen on {host}:{port} ({error.strerror}); is another "
                            "server using it? Try --port with another number") from None
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
    base = f"{'https' if settings.https else 'http'}://{shown_host}:{server.effective_port}"
    public = (address or listening_address(host, server.effective_port, settings.https))
    record_address(settings.data_dir, public)
    say(f"Handouts is running at {base}/  (stop it with Ctrl+C)")
    if public.rstrip("/") != base:
        say(f"Staff reach it at {public.rstrip('/')}/")
    token = first_admin_link(app.extensions["handouts.database"])
    if token:
        say("First start: open this one-time link to choose the administrator's password "
            f"(it works once, for 24 hours):\n  {sign_in_url(base, token)}")
    try:
        server.run()
    finally:
        server.close()
