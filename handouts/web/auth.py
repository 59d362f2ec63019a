"""Signing in and out, one-time links, idle sessions, and who may do what."""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from handouts.errors import HandoutsError
from handouts.records import accounts
from handouts.records.accounts import Throttled, User

blueprint = Blueprint("auth", __name__)
# How often the session's last-activity time is renewed: an idle timeout may end the session
# up to this much early, and requests in between send no new cookie (nothing to sign).
SEEN_EVERY = 60


def database():
    return current_app.extensions["handouts.database"]


def current_user() -> User | None:
    """The signed-in account for this request (with .username, .role, .clinic), or None."""
    return g.get("user")


def load_user() -> None:
    """Before every request: the session's account, unless it was idle too long or closed."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    settings = current_app.extensions["handouts.settings"]
    seen = session.get("seen", 0)
    if time.time() - seen > settings.idle_timeout.total_seconds():
        session.clear()
        minutes = round(settings.idle_timeout.total_seconds() / 60)
        flash(f"You were signed out after {minutes} minutes without activity.", "info")
        return
    if time.time() - session.get("started", 0) > settings.session_lifetime.total_seconds():
        session.clear()
        hours = round(settings.session_lifetime.total_seconds() / 3600)
        flash(f"You were signed out: a session lasts at most {hours} hours. Sign in again.",
              "info")
        return
    user = accounts.user_by_id(database(), user_id)
    if user is None or not user.active or session.get("generation") != user.session_generation:
        session.clear()  # signed out elsewhere, new password or role, or a closed account
        return
    renew = min(SEEN_EVERY, settings.idle_timeout.total_seconds() / 10)
    if time.time() - seen >= renew:  # a new cookie at most once a minute, not per request
        session["seen"] = int(time.time())
    g.user = user


def sign_in(user: User) -> None:
    """A fresh session: nothing carried over from before, not even the CSRF token."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["generation"] = user.session_generation
    session["started"] = session["seen"] = int(time.time())


def login_required(view):
    """Only for signed-in staff; others go to the sign-in page (and come back after)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            target = request.path if request.method == "GET" else None
            return redirect(url_for("auth.sign_in_page", next=target))
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    """Only for administrators; signed-in staff get 403."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user().is_admin:
            abort(403, description="Only an administrator can do this.")
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) after signing in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("find.home")


@blueprint.get("/sign-in")
def sign_in_page():
    if current_user() is not None:
        return redirect(url_for("find.home"))
    return render_template("sign_in.html", next=request.args.get("next", ""))


@blueprint.post("/sign-in")
def sign_in_submit():
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    try:
        user = accounts.authenticate(database(), username, password,
                                     request.remote_addr or "")
    except Throttled as error:
        return render_template("sign_in.html", error=str(error), username=username,
                               next=request.form.get("next", "")), 429
    if user is None:
        return render_template("sign_in.html", error="That username and password do not "
                               "match an account. Check them and try again.",
                               username=username, next=request.form.get("next", "")), 401
    sign_in(user)
    return redirect(_safe_next(request.form.get("next")))


@blueprint.post("/sign-out")
def sign_out():
    user = current_user()
    if user is not None:  # ends this account's sessions everywhere, copied cookies too
        accounts.end_sessions(database(), user.id)
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in_page"))


@blueprint.get("/welcome/<token>")
def welcome(token: str):
    user = accounts.user_for_link(database(), token)
    if user is None:
        return render_template("welcome.html", expired=True), 410
    return render_template("welcome.html", user=user, token=token)


@blueprint.post("/welcome/<token>")
def welcome_submit(token: str):
    user = accounts.user_for_link(database(), token)
    if user is None:
        return render_template("welcome.html", expired=True), 410
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return render_template("welcome.html", user=user, token=token,
                               error="The two passwords are not the same."), 400
    try:
        user = accounts.redeem_sign_in_link(database(), token, password)
    except HandoutsError as error:
        return render_template("welcome.html", user=user, token=token, error=str(error)), 400
    sign_in(user)
    flash(f"Welcome, {user.display_name}. Your password is set.", "success")
    return redirect(url_for("find.home"))


@blueprint.get("/account")
@login_required
def account():
    return render_template("account.html")


@blueprint.post("/account/password")
@login_required
def change_password():
    user = current_user()
    current = request.form.get("current_password", "")
    new = request.form.get("password", "")
    try:
        if accounts.authenticate(database(), user.username, current) is None:
            raise HandoutsError("your current password is not right")
        if new != request.form.get("password_again", ""):
            raise HandoutsError("the two new passwords are not the same")
        accounts.set_password(database(), user.id, new)
    except HandoutsError as error:
        return render_template("account.html", error=str(error)), 400
    sign_in(accounts.user_by_id(database(), user.id))  # other sessions have ended; not this one
    flash("Your password is changed.", "success")
    return redirect(url_for("auth.account"))
