"""Administrators manage staff accounts: add one (with a one-time sign-in link), send a new
link, change a role, close or reopen an account. Nobody ever types a password for another."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from handouts.errors import HandoutsError
from handouts.records import accounts
from handouts.web.auth import admin_required, current_user
from handouts.web.serve import sign_in_url

blueprint = Blueprint("users", __name__)


def database():
    return current_app.extensions["handouts.database"]


def _page(link: tuple[str, str] | None = None, error: str | None = None, status: int = 200,
          **values):
    return render_template("users.html", people=accounts.list_users(database()), link=link,
                           error=error, values=values), status


def _link_for(username: str) -> tuple[str, str]:
    token = accounts.issue_sign_in_link(database(), username)
    return username, sign_in_url(request.host_url, token)


@blueprint.get("/users")
@admin_required
def users():
    return _page()


@blueprint.post("/users")
@admin_required
def add():
    username = request.form.get("username", "")
    display_name = request.form.get("display_name", "")
    role = request.form.get("role", "staff")
    try:
        user = accounts.create_user(database(), username, role, display_name)
    except HandoutsError as error:
        return _page(error=str(error), status=400, username=username,
                     display_name=display_name)
    return _page(link=_link_for(user.username))


def person_or_404(user_id: int):
    person = accounts.user_by_id(database(), user_id)
    if person is None:
        abort(404, description="There is no such account.")
    return person


@blueprint.post("/users/<int:user_id>/link")
@admin_required
def new_link(user_id: int):
    person = person_or_404(user_id)
    return _page(link=_link_for(person.username))


@blueprint.post("/users/<int:user_id>")
@admin_required
def change(user_id: int):
    person = person_or_404(user_id)
    if person.id == current_user().id:
        return _page(error="You cannot close your own account or change your own role; ask "
                           "another administrator.", status=400)
    action = request.form.get("action")
    if action == "close":
        accounts.update_user(database(), person.id, active=False)
        flash(f"{person.username} can no longer sign in.", "success")
    elif action == "reopen":
        accounts.update_user(database(), person.id, active=True)
        flash(f"{person.username} can sign in again.", "success")
    elif action in ("make-admin", "make-staff"):
        accounts.update_user(database(), person.id, role=action.removeprefix("make-"))
        role = "an administrator" if action == "make-admin" else "staff"
        flash(f"{person.username} is now {role}.", "success")
    else:
        abort(400, description="Unknown change.")
    return redirect(url_for("users.users"), 303)
