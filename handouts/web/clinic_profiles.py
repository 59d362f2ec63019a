"""Administrators edit a clinic's profile in the browser: name, contacts, colours, logo, and
what may be emailed; validated exactly as the TOML files are, written back atomically."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from handouts.errors import HandoutsError
from handouts.inputs.clinics import clinic_names, load_clinic
from handouts.inputs.colours import MIN_TEXT_CONTRAST, WHITE
from handouts.web.auth import admin_required
from handouts.web.profile_files import update_profile

blueprint = Blueprint("clinics", __name__)

# The form's fields by the profile key they set, with the label staff see on the page.
FIELD_LABELS = {"name": "Clinic name", "phone": "Phone", "after_hours": "After-hours phone",
                "website": "Website", "address": "Address", "primary": "Main colour",
                "accent": "Second colour", "logo": "New logo",
                "mail.delivery": "Handouts by email"}
_KEY_PROBLEM = re.compile(r"^(?:.*?: )?(?:key '(?P<key>[\w.]+)': (?P<problem>.+)"
                          r"|missing required key '(?P<missing>[\w.]+)')$")


def plain_refusal(message: str) -> tuple[str | None, str]:
    """(form field, sentence) for a profile the loader refused: the field's label in place of
    the file and key ("Main colour: #F0E68C is too pale ..."). A problem in a part of the
    file the form does not show keeps the file and key, for whoever keeps the files."""
    if message.startswith("the logo "):  # the upload itself, before the loader saw it
        return "logo", f"{FIELD_LABELS['logo']}: {message.removeprefix('the logo ')}."
    match = _KEY_PROBLEM.match(message)
    if match is None:
        return None, message[:1].upper() + message[1:]
    key = match.group("key") or match.group("missing")
    if key not in FIELD_LABELS:
        return None, (f"The profile file has a problem this page cannot fix ({message}). "
                      "Ask whoever looks after the clinic files.")
    problem = match.group("problem") or "this is required; fill it in"
    problem = problem.removeprefix(f"the {key} ").removeprefix(f"{key} ")
    sentence = f"{FIELD_LABELS[key]}: {problem}"
    return key.replace("mail.", ""), sentence if sentence.endswith(".") else sentence + "."


def roots():
    return current_app.extensions["handouts.settings"].roots


@blueprint.get("/clinics")
@admin_required
def clinics():
    profiles = []
    for slug in clinic_names(roots()):
        try:
            profiles.append((slug, load_clinic(roots(), slug), None))
        except HandoutsError as error:
            profiles.append((slug, None, str(error)))
    return render_template("clinics.html", profiles=profiles)


def _form(slug: str, values: dict | None = None, error: str | None = None, status: int = 200,
          field: str | None = None):
    if slug not in clinic_names(roots()):
        abort(404, description=f"There is no clinic profile called '{slug[:80]}'.")
    try:
        clinic = load_clinic(roots(), slug)
    except HandoutsError as problem:
        clinic, error = None, error or str(problem)
    if values is None and clinic is not None:
        values = {"name": clinic.name, "phone": clinic.phone,
                  "after_hours": clinic.after_hours or "", "website": clinic.website or "",
                  "address": "\n".join(clinic.address), "primary": clinic.primary.hex,
                  "accent": clinic.accent.hex, "delivery": clinic.mail.delivery}
    return render_template("clinic.html", slug=slug, clinic=clinic, values=values or {},
                           error=error, field=field, labels=FIELD_LABELS,
                           minimum=MIN_TEXT_CONTRAST, white=WHITE), status


@blueprint.get("/clinics/<slug>")
@admin_required
def edit(slug: str):
    return _form(slug)


@blueprint.post("/clinics/<slug>")
@admin_required
def save(slug: str):
    form = request.form
    values = {key: form.get(key, "") for key in ("name", "phone", "after_hours", "website",
                                                 "address", "primary", "accent", "delivery")}
    address = [" ".join(line.split()) for line in values["address"].splitlines()]
    changes = {
        (None, "name"): values["name"].strip(),
        (None, "phone"): values["phone"].strip(),
        (None, "after_hours"): values["after_hours"].strip() or None,
        (None, "website"): values["website"].strip() or None,
        (None, "address"): [line for line in address if line],
        (None, "primary"): values["primary"].strip(),
        (None, "accent"): values["accent"].strip(),
        ("mail", "delivery"): values["delivery"] if values["delivery"] == "either" else None,
    }
    upload = request.files.get("logo")
    logo = upload.read() if upload is not None and upload.filename else None
    try:
        update_profile(roots(), slug, changes, logo)
    except HandoutsError as error:
        field, sentence = plain_refusal(str(error))
        return _form(slug, values, sentence, 400, field)
    flash("The clinic profile is saved. New handouts use it from now on.", "success")
    return redirect(url_for("clinics.edit", slug=slug), 303)
