"""Emailing a handout end to end: check, build, protect, compose, then save or send."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from handouts.build import Handout, build_handout
from handouts.delivery.messages import CLINIC_HEADER, MailContext, build_message, checked_address
from handouts.delivery.outbox import (
    keep_in_outbox,
    load_message,
    record_sent,
    save_message,
    was_sent,
)
from handouts.delivery.smtp import SendError, send_message
from handouts.document.assemble import Options
from handouts.errors import HandoutsError
from handouts.inputs.clinics import load_clinic
from handouts.inputs.paths import Roots


@dataclass(frozen=True)
class EmailResult:
    action: str  # "saved" or "sent"
    path: Path | None  # the .eml written, if any
    attachment_bytes: int
    protected: bool
    # what was sent, for the record of education given (records/given.py)
    form_id: str = ""
    title: str = ""
    pdf_sha1: str = ""


PROTECTED_ATTACHMENT = "handout.pdf"


def attachment_name(topic: str, lang: str, level: str) -> str:
    """Clean and impersonal: the patient's name never goes into a file name."""
    return f"{topic}-{lang}-{level}.pdf"


def email_handout(roots: Roots, topic: str, clinic_slug: str, to: str, *,
                  layout: str = "letter", options: Options | None = None,
                  password_env: str | None = None, password: str | None = None,
                  send: bool = False,
                  save_eml: Path | None = None, outbox: Path = Path("outbox"),
                  handout: Handout | None = None, attach_html: bool = False) -> EmailResult:
    """Build (or take the caller's already built `handout` of the same choice), protect,
    compose, then save or send. With attach_html, the accessible HTML edition goes
    beside the PDF (never with a password: a web page cannot be encrypted)."""
    options = options or Options()
    if send == (save_eml is not None):
        raise HandoutsError("choose one: --send, or --save-eml PATH")
    if attach_html and (password is not None or password_env):
        raise HandoutsError("the HTML edition cannot be password-protected; leave out "
                            "--attach-html or the password")
    to = checked_address(to)  # before anything is built
    if password is not None:  # given directly by a caller such as the web app
        from handouts.finishing.protect import checked_password

        password = checked_password(password)
    elif password_env:
        from handouts.finishing.protect import password_from_env

        password = password_from_env(password_env)
    clinic = load_clinic(roots, clinic_slug)
    if send and not clinic.mail.host:
        raise HandoutsError("the clinic profile has no [mail] host to send through",
                            clinic.profile_path)
    handout = handout or build_handout(roots, topic, clinic_slug, layout, options, clinic)
    pdf = handout.pdf
    if password is not None:
        from handouts.finishing.protect import encrypt

        pdf = encrypt(pdf, password)
    protected = password is not None
    # protected: nothing outside the encrypted PDF names the patient or the condition
    context = MailContext(
        clinic=handout.clinic, lang=options.lang,
        topic_title="" if protected else handout.document.title,
        attachment_name=(PROTECTED_ATTACHMENT if protected
                         else attachment_name(topic, options.lang, options.level)),
        patient_name=None if protected else handout.document.prepared_for,
        protected=protected,
        password_hint=(handout.clinic.mail.password_hint
                       or handout.document.labels["password_hint"]))
    message = build_message(context, to, pdf)
    if attach_html:
        from handouts.build import html_edition

        message.add_attachment(html_edition(handout), maintype="text", subtype="html",
                               filename=context.attachment_name.removesuffix(".pdf") + ".html")
    import hashlib

    sent = {"form_id": handout.document.form_id, "title": handout.document.title,
            "pdf_sha1": hashlib.sha1(pdf, usedforsecurity=False).hexdigest()}
    if save_eml is not None:
        return EmailResult("saved", save_message(message, save_eml), len(pdf), password
                           is not None, **sent)
    # kept first: a message is either sent (and noted as sent) or kept and reported
    kept = keep_in_outbox(message, outbox, topic)
    try:
        send_message(message, handout.clinic, to)
    except SendError as error:
        failure = SendError(f"not sent: {error}; the message is kept in {kept}; send it again "
                            f"with: handouts email --resend {kept}")
        failure.reason, failure.kept = str(error), kept  # for callers that show them apart
        failure.sent = sent
        raise failure from None
    record_sent(message, kept, outbox)
    return EmailResult("sent", None, len(pdf), password is not None, **sent)


def resend(roots: Roots, path: Path, clinic_slug: str | None = None,
           outbox: Path = Path("outbox")) -> EmailResult:
    """Send a kept message again; on success a copy in the outbox is removed."""
    message = load_message(path)
    clinic_slug = clinic_slug or message.get(CLINIC_HEADER)
    if not clinic_slug:
        raise HandoutsError("the message does not say which clinic sent it; add --clinic",
                            path)
    clinic = load_clinic(roots, str(clinic_slug).strip())
    if not clinic.mail.sender:
        raise HandoutsError("the clinic profile has no [mail] sender address",
                            clinic.profile_path)
    recipient = checked_address(str(message["To"]))
    if was_sent(message, outbox):
        raise HandoutsError("this message was already sent (the outbox notes it); it is not "
                            "sent twice", path)
    _only_to_recipient(message, clinic)
    try:
        send_message(message, clinic, recipient)
    except SendError as error:
        raise SendError(f"not sent: {error}; the message is still in {path}") from None
    in_outbox = False
    with contextlib.suppress(OSError, ValueError):
        in_outbox = path.resolve().parent == outbox.resolve()
    record_sent(message, path if in_outbox else None, outbox)
    return EmailResult("sent", None, 0, False)


def _only_to_recipient(message, clinic) -> None:
    """A kept file may have been edited: it goes to its one checked recipient, from the
    clinic's sender, and copies to anyone else are dropped."""
    import email.utils

    for header in list(message.keys()):
        if header.lower() in ("cc", "bcc") or header.lower().startswith("resent-"):
            del message[header]
    del message["From"]
    message["From"] = email.utils.formataddr((clinic.name, clinic.mail.sender))
