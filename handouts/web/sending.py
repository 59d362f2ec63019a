"""Emailing a handout to a patient, and the outbox of messages that could not be sent.

The address, name and note come in POST bodies only. The clinic's profile says what may be
sent: password-protected PDFs (the password given by phone or in person), or also, where the
clinic allows it, an unencrypted PDF after the patient was warned and accepted.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from handouts.delivery.outbox import load_message
from handouts.delivery.smtp import SendError
from handouts.document.assemble import Options
from handouts.errors import HandoutsError
from handouts.inputs.clinics import load_clinic
from handouts.send import email_handout, resend
from handouts.web.auth import login_required
from handouts.web.make import choice_from, maker, remember_clinic, topic_or_404
from handouts.web.recording import check_reference, record

blueprint = Blueprint("email", __name__)
PROTECTED, UNENCRYPTED = "password-protected", "unencrypted-accepted"


def settings():
    return current_app.extensions["handouts.settings"]


def suggested_password() -> str:
    """Easy to read out on the phone: two groups of four digits."""
    return f"{secrets.randbelow(10_000):04d}-{secrets.randbelow(10_000):04d}"


def deliveries_for(clinic_slug: str) -> tuple[str, ...]:
    try:
        allowed = load_clinic(settings().roots, clinic_slug).mail.delivery
    except HandoutsError:
        return (PROTECTED,)
    return (PROTECTED, UNENCRYPTED) if allowed == "either" else (PROTECTED,)


def email_form(topic: str, choice, error: str | None = None, status: int = 200, **values):
    entry = topic_or_404(topic)
    return render_template("email.html", topic=entry, choice=choice, error=error,
                           deliveries=deliveries_for(choice.clinic),
                           suggested=values.pop("password", None) or suggested_password(),
                           **values), status


@blueprint.post("/topics/<topic>/email/new")
@login_required
def new(topic: str):
    """From the make form: the same choice, now with the address and delivery to fill in."""
    return email_form(topic, choice_from(request.form, topic, personal=True),
                      reference=request.form.get("patient_reference", ""))


@blueprint.post("/topics/<topic>/email")
@login_required
def send(topic: str):
    choice = choice_from(request.form, topic, personal=True)
    to = request.form.get("to", "").strip()
    delivery = request.form.get("delivery", PROTECTED)
    password = request.form.get("pdf_password", "")
    values = {"to": to, "delivery": delivery, "password": password,
              "reference": request.form.get("patient_reference", "")}
    if delivery not in deliveries_for(choice.clinic):
        return email_form(topic, choice, "This clinic sends handouts by email only as "
                          "password-protected PDFs.", 400, **values)
    if delivery == UNENCRYPTED and request.form.get("accepted") != "yes":
        return email_form(topic, choice, "Tick the box to confirm the patient was told that "
                          "an unencrypted email is not private and still wants it.", 400,
                          **values)
    try:
        made = maker().make(choice)  # the record's form identifier (usually from the cache)
        reference = request.form.get("patient_reference")
        check_reference(made, reference)
        checked = choice.checked()
        options = Options(lang=checked.lang, level=checked.level,
                          patient_name=checked.patient_name, note=checked.note)
        email_handout(settings().roots, choice.topic, choice.clinic, to, layout=choice.layout,
                      options=options, password=password if delivery == PROTECTED else None,
                      send=True, outbox=settings().outbox, handout=made.handout)
    except SendError as error:
        number = record(made, "email", delivery=delivery, result="kept-in-outbox",
                        patient_reference=reference)
        if getattr(error, "kept", None) is not None:
            _note_record(Path(error.kept), number)
        remember_clinic(choice.clinic)
        return render_template("email_result.html", topic=topic_or_404(topic), sent=False,
                               reason=getattr(error, "reason", str(error)),
                               delivery=delivery), 502
    except HandoutsError as error:
        return email_form(topic, choice, str(error), 400, **values)
    record(made, "email", delivery=delivery, result="sent", patient_reference=reference)
    remember_clinic(choice.clinic)
    return render_template("email_result.html", topic=topic_or_404(topic), sent=True,
                           delivery=delivery, password=password if delivery == PROTECTED
                           else None)


def _masked(address: str) -> str:
    """Enough to recognise a message, not the whole address: r***@example.org."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def outbox_messages() -> list[dict]:
    folder = settings().outbox
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []:
        try:
            message = load_message(path)
        except HandoutsError:
            continue
        stamp = _dt.datetime.fromtimestamp(path.stat().st_mtime, _dt.UTC)
        messages.append({"name": path.name, "when": stamp.strftime("%Y-%m-%d %H:%M UTC"),
                         "to": _masked(str(message["To"])),
                         "subject": str(message["Subject"] or "")})
    return messages


RECORD_SUFFIX = ".record"  # beside a kept message: the number of its record (nothing else)


def _note_record(kept: Path, number: int) -> None:
    """Which record of education given a kept message belongs to, so that sending it again
    is recorded too (the message itself says only which clinic sent it)."""
    from handouts.finishing.atomic_write import write_atomically

    try:
        write_atomically(kept.with_name(kept.name + RECORD_SUFFIX), f"{number}\n".encode(),
                         private=True)
    except (OSError, HandoutsError):
        pass  # the resend then goes unrecorded; the first record stays


def _record_resend(kept: Path) -> bool:
    """After a kept message was sent: a new record, as the first one but sent now by the
    person who sent it again. False when the message has no record to follow."""
    import dataclasses

    from handouts.records.given import get_record, record_given
    from handouts.web.auth import current_user

    note = kept.with_name(kept.name + RECORD_SUFFIX)
    try:
        first = get_record(current_app.extensions["handouts.database"],
                           int(note.read_text().strip()))
    except (OSError, ValueError):
        return False
    finally:
        note.unlink(missing_ok=True)
    if first is None:
        return False
    try:
        allowed = load_clinic(settings().roots, first.given.clinic).patient_references
    except HandoutsError:
        allowed = False
    given = dataclasses.replace(first.given, staff=current_user().username, result="sent",
                                patient_reference=first.given.patient_reference if allowed
                                else None)
    record_given(current_app.extensions["handouts.database"], given,
                 patient_references=allowed)
    return True


def _kept(name: str) -> Path | None:
    folder = settings().outbox
    if not name or "/" in name or "\\" in name or name.startswith(".") \
            or not name.endswith(".eml"):
        return None
    path = folder / name
    return path if path.is_file() else None


@blueprint.get("/outbox")
@login_required
def outbox():
    return render_template("outbox.html", messages=outbox_messages())


@blueprint.post("/outbox/resend")
@login_required
def outbox_resend():
    path = _kept(request.form.get("name", ""))
    if path is None:
        flash("That message is no longer in the outbox.", "error")
        return redirect(url_for("email.outbox"))
    try:
        resend(settings().roots, path, outbox=settings().outbox)
    except HandoutsError as error:
        flash(f"Still not sent: {getattr(error, 'reason', None) or error}", "error")
        return redirect(url_for("email.outbox"))
    recorded = _record_resend(path)
    flash("Sent. The message has left the outbox" + (" and is recorded as education given."
                                                     if recorded else "."), "success")
    return redirect(url_for("email.outbox"))


@blueprint.post("/outbox/discard")
@login_required
def outbox_discard():
    path = _kept(request.form.get("name", ""))
    if path is None:
        flash("That message is no longer in the outbox.", "error")
        return redirect(url_for("email.outbox"))
    path.unlink(missing_ok=True)
    path.with_name(path.name + RECORD_SUFFIX).unlink(missing_ok=True)
    flash("The message was discarded. Its record says it was kept in the outbox, not sent.",
          "success")
    return redirect(url_for("email.outbox"))
