"""CSRF protection: one random token per session, required in every form that changes things.

Written here rather than taken from Flask-WTF: the whole mechanism is a token kept in the
signed session and compared in constant time, and Flask-WTF would bring WTForms, a form
library the app does not otherwise use. SameSite=Lax cookies are the second line of defence.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    """The session's token (made on first use); templates put it in a hidden field."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Before every request: a state-changing request without the session's token is 403."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get("csrf")
    given = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    if not expected or not hmac.compare_digest(str(expected), str(given)):
        abort(403, description="This form has expired or did not come from this site. "
                               "Go back, reload the page and try again.")
