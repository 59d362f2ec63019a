"""Composing the email that carries a handout: a MIME message from per-language templates."""

from __future__ import annotations

import datetime as _dt
import email.policy
import email.utils
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from handouts.document.templating import render_template
from handouts.errors import HandoutsError
from handouts.inputs.clinics import Clinic, is_email_address
from handouts.inputs.paths import inside
from handouts.inputs.safe_files import MAX_BLOCK_BYTES, read_text

TEMPLATES = Path(__file__).parent / "email_templates"
CLINIC_HEADER = "X-Handouts-Clinic"
TEMPLATE_NAMES = ("subject.txt", "body.txt", "body.html")


def checked_address(address: str) -> str:
    """A single plain address; no display names, no header tricks (CR/LF, commas)."""
    address = (address or "").strip()
    if any(c in address for c in "\r\n,;<>\"") or not is_email_address(address):
        raise HandoutsError(f"'{address}' is not a valid email address")
    return address


@dataclass(frozen=True)
class MailContext:
    clinic: Clinic
    lang: str
    topic_title: str
    attachment_name: str
    patient_name: str | None
    protected: bool
    password_hint: str


def _template_folder(clinic: Clinic, lang: str) -> Path:
    own = clinic.blocks_dir / "email" / lang
    if all((own / name).is_file() for name in TEMPLATE_NAMES):
        for name in TEMPLATE_NAMES:
            inside(own / name, clinic.profile_path.parent)
        return own
    shipped = TEMPLATES / f"email-{lang}"
    if not shipped.is_dir():
        raise HandoutsError(f"no email templates for language '{lang}' (add "
                            f"{own}/subject.txt, body.txt and body.html)")
    return shipped


def render_bodies(context: MailContext) -> tuple[str, str, str]:
    """(subject, plain text, HTML), from the clinic's templates or the shipped ones."""
    folder = _template_folder(context.clinic, context.lang)
    values = {
        "clinic": context.clinic.template_values(for_print=False, lang=context.lang),
        "topic": {"title": context.topic_title},
        "patient_name": context.patient_name or "",
        "attachment": context.attachment_name,
        "protected": context.protected,
        "password_hint": context.password_hint,
    }
    rendered = []
    for name in TEMPLATE_NAMES:
        path = folder / name
        rendered.append(render_template(read_text(path, limit=MAX_BLOCK_BYTES), path, values,
                                        folder, autoescape=name.endswith(".html")))
    subject = " ".join(rendered[0].split())
    return subject, rendered[1], rendered[2]


def build_message(context: MailContext, to: str, pdf: bytes, now: _dt.datetime | None = None,
                  ) -> EmailMessage:
    clinic = context.clinic
    sender = clinic.mail.sender
    if not sender:
        raise HandoutsError("the clinic profile has no [mail] sender address",
                            clinic.profile_path)
    limit = clinic.mail.max_attachment_bytes
    if len(pdf) > limit:
        raise HandoutsError(f"the PDF is {_size(len(pdf))}; this clinic's email limit is "
                            f"{_size(limit)} (max_attachment_mb)")
    subject, text, html = render_bodies(context)
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = email.utils.formataddr((clinic.name, sender))
    message["To"] = checked_address(to)
    if clinic.mail.reply_to:
        message["Reply-To"] = clinic.mail.reply_to
    message["Subject"] = subject
    now = now or _dt.datetime.now(_dt.UTC)
    message["Date"] = email.utils.format_datetime(now)
    message["Message-ID"] = email.utils.make_msgid(domain=sender.split("@", 1)[1])
    message[CLINIC_HEADER] = clinic.slug
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=context.attachment_name)
    return message


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count / 1024:.0f} KB"
