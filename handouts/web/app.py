"""The application factory: settings in, a Flask app with every area's blueprint out."""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
import secrets
import time
import traceback

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from handouts.errors import HandoutsError
from handouts.web.auth import current_user, load_user
from handouts.web.csrf import check_csrf, csrf_token
from handouts.web.settings import WebSettings, open_records

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a logo; anything larger is refused with a clear page
log = logging.getLogger("handouts.web")


def secret_key(settings: WebSettings) -> bytes:
    """From the environment, else a random key kept in the data folder (made once)."""
    from_env = os.environ.get(settings.secret_key_env, "")
    if from_env:
        if len(from_env) < 32:
            raise HandoutsError(f"{settings.secret_key_env} must be at least 32 characters")
        return from_env.encode()
    path = settings.data_dir / "secret-key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    except OSError as error:
        raise HandoutsError(f"cannot read the session key ({error.strerror})", path) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key)
    return key


def create_app(settings: WebSettings) -> Flask:
    from handouts.web.catalogue import Catalogue, layout_label
    from handouts.web.making import HandoutMaker
    from handouts.web.packs import PackRunner

    engine = open_records(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME="handouts_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        PERMANENT_SESSION_LIFETIME=_dt.timedelta(hours=12),
        SESSION_REFRESH_EACH_REQUEST=False,  # auth.load_user renews it once a minute
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_UPLOAD_BYTES,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["handouts.settings"] = settings
    app.extensions["handouts.database"] = engine
    app.extensions["handouts.catalogue"] = Catalogue(settings.roots)
    app.extensions["handouts.maker"] = HandoutMaker(settings.roots, settings.cache_entries,
                                                    settings.build_workers)
    app.extensions["handouts.packs"] = PackRunner(settings.roots, settings.packs_dir,
                                                  settings.pack_workers)

    app.before_request(_started)
    app.before_request(load_user)
    app.before_request(check_csrf)
    app.after_request(_security_headers)
    app.after_request(_access_log)
    app.context_processor(lambda: {"csrf_token": csrf_token, "current_user": current_user,
                                   "nav": _navigation()})
    app.jinja_env.globals["layout_label"] = layout_label
    _register_blueprints(app)
    _register_error_pages(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from handouts.web import (
        auth,
        clinic_profiles,
        find,
        make,
        packs,
        sending,
        staff_accounts,
        visit_kits,
    )

    navigation = list(NAVIGATION)
    for module in (auth, find, make, sending, visit_kits, packs, clinic_profiles,
                   staff_accounts, *_optional_modules()):
        app.register_blueprint(module.blueprint)
        # an area may add itself to the menu: NAVIGATION = [(endpoint, label, admin only)]
        if module.__name__.rsplit(".", 1)[-1] in ("infobutton", "records_views"):
            navigation.extend(getattr(module, "NAVIGATION", []))
    app.extensions["handouts.navigation"] = navigation


def _optional_modules() -> list:
    """The records engineer's areas (Infobutton, records of education given), once they exist."""
    found = []
    try:
        from handouts.web import infobutton
    except ImportError:
        infobutton = None
    if infobutton is not None:
        found.append(infobutton)
    try:
        from handouts.web import records_views
    except ImportError:
        records_views = None
    if records_views is not None:
        found.append(records_views)
    return found


# (endpoint, label, administrators only), in menu order
NAVIGATION = [
    ("find.home", "Find a handout", False),
    ("kits.kits", "Visit kits", False),
    ("packs.packs", "Print packs", False),
    ("email.outbox", "Outbox", False),
    ("clinics.clinics", "Clinic profiles", True),
    ("users.users", "Staff accounts", True),
]


def _navigation() -> list[tuple[str, str, bool]]:
    from flask import current_app

    return current_app.extensions.get("handouts.navigation", NAVIGATION)


access_log = logging.getLogger("handouts.access")
# Secrets that can stand in a path: a one-time sign-in link's token.
_SECRET_IN_PATH = re.compile(r"^(/welcome/)[^/]+")


def _started() -> None:
    g.started = time.perf_counter()


def _access_log(response):
    """One line a request: when, from where, who, what, the answer, how long. The path
    only: never the query string (a search may hold anything a person typed) and never a
    sign-in link's token; names, notes and addresses travel only in POST bodies."""
    if access_log.isEnabledFor(logging.INFO):
        user = g.get("user")
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        path = _SECRET_IN_PATH.sub(r"\1...", request.path)[:200]
        access_log.info("%s %s %s %s %s %d %.0fms", request.remote_addr or "-",
                        user.username if user is not None else "-", request.method,
                        path.encode("unicode_escape").decode("ascii"), response.status_code,
                        response.calculate_content_length() or 0, elapsed)
    return response


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'self'")
    if g.get("user") is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        titles = {400: "Something in the request was not right", 403: "Not allowed",
                  404: "Not found", 405: "Not allowed", 410: "Gone",
                  413: "That file is too large", 429: "Too many attempts"}
        description = error.description
        if error.code == 404 and description == NotFound.description:  # any other address
            description = ("There is no page at this address. Use the menu above, or find a "
                           "handout by its name.")
        if error.code == 413:
            description = (f"Files up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB can be "
                           "uploaded. Choose a smaller file.")
        return render_template("error.html", title=titles.get(error.code, error.name),
                               description=description, code=error.code), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # The type and where, never the message (it could quote a form field).
        frames = traceback.format_tb(error.__traceback__)
        log.error("unexpected %s on %s %s\n%s", type(error).__name__, request.method,
                  request.path, "".join(frames))
        return render_template("error.html", title="Something went wrong",
                               description="The server could not finish this. Nothing was "
                               "sent or saved. Try again; if it happens again, tell your "
                               "administrator.", code=500), 500
