"""Visit kits: a clinic's named sets of handouts, saved once and made in one click."""

from __future__ import annotations

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
from handouts.records import kits as kit_store
from handouts.web.auth import current_user, login_required
from handouts.web.make import maker, pdf_bytes_response, preferred_clinic, remember_clinic
from handouts.web.making import make_kit
from handouts.web.recording import check_reference, record

blueprint = Blueprint("kits", __name__)


def database():
    return current_app.extensions["handouts.database"]


def catalogue():
    return current_app.extensions["handouts.catalogue"]


def _page(clinic: str | None, error: str | None = None, status: int = 200, **values):
    clinics = catalogue().clinics()
    clinic = clinic if clinic in [c.name for c in clinics] else preferred_clinic()
    topics = sorted(catalogue().topics().values(), key=lambda t: t.title())
    languages = sorted({lang for t in topics for lang in t.languages},
                       key=lambda code: (code != "en", code))
    levels = list(dict.fromkeys(level for t in topics for level in t.all_levels))
    references = any(c.patient_references for c in clinics if c.name == clinic)
    return render_template("kits.html", clinic=clinic, clinics=clinics,
                           kits=kit_store.kits_for(database(), clinic) if clinic else [],
                           topics=topics, languages=languages, levels=levels,
                           layouts=catalogue().layouts(), error=error, references=references,
                           entries={t.slug: t for t in topics}, values=values), status


@blueprint.get("/kits")
@login_required
def kits():
    return _page(request.args.get("clinic"))


@blueprint.post("/kits")
@login_required
def save():
    form = request.form
    clinic = form.get("clinic", "")
    if clinic not in [c.name for c in catalogue().clinics()]:
        return _page(None, "Choose one of the clinics listed.", 400)
    try:
        kit = kit_store.save_kit(database(), clinic, form.get("name", ""),
                                 form.getlist("topics"), form.get("lang", "en"),
                                 form.get("level", "standard"), form.get("layout", "letter"),
                                 current_user().username)
    except HandoutsError as error:
        return _page(clinic, str(error), 400, name=form.get("name", ""))
    flash(f"The kit “{kit.name}” is saved for this clinic.", "success")
    return redirect(url_for("kits.kits", clinic=clinic), 303)


def kit_or_404(kit_id: int):
    kit = kit_store.kit_by_id(database(), kit_id)
    if kit is None:
        abort(404, description="There is no such visit kit (it may have been deleted).")
    return kit


@blueprint.post("/kits/<int:kit_id>/make")
@login_required
def make(kit_id: int):
    kit = kit_or_404(kit_id)
    reference = request.form.get("patient_reference")
    try:
        pdf, made = make_kit(maker(), kit, request.form.get("patient_name") or None)
        check_reference(made[0], reference)  # every part is of the same clinic
    except HandoutsError as error:
        return _page(kit.clinic, f"The kit “{kit.name}” cannot be made: {error}", 400)
    for one in made:
        record(one, "kit", kit=kit.name, patient_reference=reference)
    remember_clinic(kit.clinic)
    return pdf_bytes_response(pdf, "attachment",
                              f"kit-{kit.clinic}-{kit.id}-{kit.lang}-{kit.level}.pdf")


@blueprint.post("/kits/<int:kit_id>/delete")
@login_required
def delete(kit_id: int):
    kit = kit_or_404(kit_id)
    user = current_user()
    if not (user.is_admin or user.username == kit.created_by):
        abort(403, description="Only the person who saved a kit, or an administrator, can "
                               "delete it.")
    kit_store.delete_kit(database(), kit.id)
    flash(f"The kit “{kit.name}” was deleted.", "success")
    return redirect(url_for("kits.kits", clinic=kit.clinic), 303)
