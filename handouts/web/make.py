"""Making one handout: the options form, its preview, Download and Print.

Patient names and notes travel only in POST bodies: the preview, download and print are
POSTs of the same form, so they never appear in a URL, a log line or the browser history.
"""

from __future__ import annotations

import functools
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    render_template,
    request,
)

from handouts.errors import HandoutsError
from handouts.records import accounts
from handouts.web.auth import current_user, login_required
from handouts.web.making import Choice, Made
from handouts.web.recording import check_reference, record

blueprint = Blueprint("make", __name__)


def catalogue():
    return current_app.extensions["handouts.catalogue"]


def maker():
    return current_app.extensions["handouts.maker"]


def topic_or_404(slug: str):
    entry = catalogue().topic(slug)
    if entry is None:
        abort(404, description=f"There is no handout topic called '{slug[:80]}'.")
    return entry


def preferred_clinic() -> str | None:
    """The clinic this person used last, else the server's default, else the first."""
    clinics = [c.name for c in catalogue().clinics()]
    user = current_user()
    settings = current_app.extensions["handouts.settings"]
    for candidate in (user.clinic if user else None, settings.default_clinic):
        if candidate in clinics:
            return candidate
    return clinics[0] if clinics else None


def choice_from(values, topic: str, *, personal: bool) -> Choice:
    """The form's choice; name and note only from a POST body."""
    entry = topic_or_404(topic)
    lang = values.get("lang") or "en"
    if values.get("lang") and lang not in entry.languages:  # never the English one silently
        abort(400, description=f"This handout has no version in the language "
                               f"'{lang[:20]}'. It is in: {', '.join(entry.languages)}.")
    version = entry.version(lang) or entry.versions[0]
    level = values.get("level") or ("standard" if "standard" in version.levels
                                    else version.levels[0])
    return Choice(topic=topic, clinic=values.get("clinic") or preferred_clinic() or "",
                  lang=version.lang if lang not in entry.languages else lang, level=level,
                  layout=values.get("layout") or "letter",
                  patient_name=values.get("patient_name") if personal else None,
                  note=values.get("note") if personal else None)


def remember_clinic(clinic: str) -> None:
    user = current_user()
    if user is not None and user.clinic != clinic:
        accounts.update_user(current_app.extensions["handouts.database"], user.id,
                             clinic=clinic)


def form_page(topic: str, choice: Choice, error: str | None = None, status: int = 200,
              **extra):
    entry = topic_or_404(topic)
    return render_template("make.html", topic=entry, choice=choice, error=error,
                           clinics=catalogue().clinics(), layouts=catalogue().layouts(),
                           booklets=catalogue().booklet_layouts(), **extra), status


@blueprint.get("/topics/<topic>")
@login_required
def form(topic: str):
    return form_page(topic, choice_from(request.args, topic, personal=False))


def with_made_handout(view):
    """For a view of the handout the form describes: the form's choice is made (usually from
    the cache) and the view gets it; a mistake in the form shows the form again with it."""
    @functools.wraps(view)
    def wrapped(topic: str):
        choice = choice_from(request.form, topic, personal=True)
        try:
            made = maker().make(choice)
            check_reference(made, request.form.get("patient_reference"))
        except HandoutsError as error:
            return form_page(topic, choice, error=str(error), status=400)
        remember_clinic(choice.clinic)
        return view(made)
    return wrapped


def preview_page(choice: Choice):
    try:
        made = maker().make(choice)
    except HandoutsError as error:
        return render_template("preview.html", error=str(error)), 400
    return render_template("preview.html", made=made, images=maker().preview(made))


@blueprint.get("/topics/<topic>/preview")
@login_required
def preview_plain(topic: str):
    """The preview without name or note (its options may be in the URL)."""
    return preview_page(choice_from(request.args, topic, personal=False))


@blueprint.post("/topics/<topic>/preview")
@login_required
def preview(topic: str):
    return preview_page(choice_from(request.form, topic, personal=True))


def pdf_bytes_response(pdf: bytes, disposition: str, file_name: str,
                       cache: str = "no-store"):
    """A PDF from memory, streamed from its bytes as the client takes them: the server
    copies it nowhere and, however large, never spills it into a temporary file (waitress
    does with a body over 1 MB not yet sent, and a PDF may carry a patient's name)."""
    from werkzeug.wsgi import wrap_file

    response = current_app.response_class(wrap_file(request.environ, io.BytesIO(pdf)),
                                           mimetype="application/pdf",
                                           direct_passthrough=True)
    response.content_length = len(pdf)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{file_name}"'
    response.headers["Cache-Control"] = cache  # no-store: it may carry a patient's name
    return response


def pdf_response(made: Made, disposition: str):
    return pdf_bytes_response(made.pdf, disposition, made.file_name)


@blueprint.post("/topics/<topic>/download")
@login_required
@with_made_handout
def download(made: Made):
    reference = request.form.get("patient_reference")
    if made.choice.patient_name or (reference and made.patient_references):
        record(made, "download", patient_reference=reference)
    return pdf_response(made, "attachment")


@blueprint.post("/topics/<topic>/print")
@login_required
@with_made_handout
def print_handout(made: Made):
    """The print-ready PDF shown in the browser's viewer, ready for its Print button."""
    record(made, "print", patient_reference=request.form.get("patient_reference"))
    return pdf_response(made, "inline")


@blueprint.post("/topics/<topic>/web-page")
@login_required
@with_made_handout
def web_page(made: Made):
    """The accessible HTML edition of the same handout, for a screen reader or to save."""
    response = make_response(maker().html_edition(made))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    # the page is self-contained: its own styles and an inline logo, nothing else
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'self'")
    response.headers["Cache-Control"] = "no-store"  # may carry a patient's name
    return response
