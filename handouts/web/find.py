"""Finding a handout: the home page, the search box and browsing by topic."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from handouts.web.auth import login_required

blueprint = Blueprint("find", __name__)


def catalogue():
    return current_app.extensions["handouts.catalogue"]


@blueprint.get("/")
@login_required
def home():
    topics = sorted(catalogue().topics().values(), key=lambda t: t.title())
    return render_template("home.html", topics=topics, problems=catalogue().problems())


@blueprint.get("/search")
@login_required
def search():
    query = request.args.get("q", "")[:200]
    hits = catalogue().search(query)
    return render_template("search.html", query=query, hits=hits)
