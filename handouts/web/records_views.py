"""The records pages: education given (newest first), teach-back outcomes, and the export."""

from __future__ import annotations

import datetime as _dt

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from handouts.errors import HandoutsError
from handouts.records.export import export_text
from handouts.records.given import TEACH_BACK, TEACH_BACK_LABELS, get_record, given_since
from handouts.records.given import set_teach_back as store_teach_back
from handouts.web.auth import admin_required, login_required

blueprint = Blueprint("records", __name__)
# (endpoint, label, administrators only): the app adds these to its menu
NAVIGATION = [("records.records_page", "Education given", False)]
PAGE_DAYS = 30
MAX_ROWS = 500


def _database():
    return current_app.extensions["handouts.database"]


def _period(values) -> tuple[_dt.date, _dt.date | None, str | None]:
    """The since/until/clinic filters from the query string (dates and a slug only)."""
    today = _dt.datetime.now(_dt.UTC).date()
    try:
        since = _dt.date.fromisoformat(values.get("since") or "") if values.get("since") \
            else today - _dt.timedelta(days=PAGE_DAYS)
        until = _dt.date.fromisoformat(values["until"]) if values.get("until") else None
    except ValueError:
        abort(400, description="Dates are written like 2026-11-27.")
    clinic = (values.get("clinic") or "").strip() or None
    if clinic is not None and not clinic.replace("-", "").isalnum():
        abort(400, description="Choose a clinic from the list.")
    return since, until, clinic


@blueprint.get("/records")
@login_required
def records_page():
    since, until, clinic = _period(request.args)
    # `until` is the last day shown, so records before the next day
    end = until + _dt.timedelta(days=1) if until else None
    found = given_since(_database(), since, end, clinic=clinic, limit=MAX_ROWS + 1,
                        newest_first=True)
    catalogue = current_app.extensions["handouts.catalogue"]
    return render_template(
        "records.html", records=found[:MAX_ROWS], more=len(found) > MAX_ROWS,
        since=since, until=until, clinic=clinic, clinics=catalogue.clinics(),
        outcomes=[(key, TEACH_BACK_LABELS[key]) for key in TEACH_BACK],
        labels=TEACH_BACK_LABELS,
        show_references=any(r.given.patient_reference for r in found))


@blueprint.post("/records/<int:number>/teach-back")
@login_required
def teach_back(number: int):
    outcome = request.form.get("outcome") or None
    if get_record(_database(), number) is None:
        abort(404, description="There is no such record.")
    try:
        store_teach_back(_database(), number, outcome)
    except HandoutsError as error:
        abort(400, description=str(error))
    flash(f"Record {number}: teach-back saved ({TEACH_BACK_LABELS[outcome]})." if outcome
          else f"Record {number}: teach-back cleared.", "success")
    query = {key: request.form[key] for key in ("since", "until", "clinic")
             if request.form.get(key)}
    return redirect(url_for("records.records_page", **query) + f"#record-{number}")


@blueprint.get("/records/export.<kind>")
@admin_required
def export(kind: str):
    """CSV or a FHIR R4 Bundle of the records in the chosen period (administrators)."""
    if kind not in ("csv", "fhir.json"):
        abort(404)
    since, until, clinic = _period(request.args)
    end = until + _dt.timedelta(days=1) if until else None
    found = given_since(_database(), since, end, clinic=clinic)
    settings = current_app.extensions["handouts.settings"]
    output_format = "csv" if kind == "csv" else "fhir"
    response = make_response(export_text(found, output_format, settings.roots))
    response.headers["Content-Type"] = ("text/csv; charset=utf-8" if kind == "csv"
                                        else "application/fhir+json; charset=utf-8")
    name = f"education-given-{since.isoformat()}.{'csv' if kind == 'csv' else 'json'}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
