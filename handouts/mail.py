"""Emailing a handout: a MIME message from per-language templates, SMTP delivery, outbox."""

from __future__ import annotations

import datetime as _dt
import email.policy
import email.utils
import hashlib
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .branding import Clinic, is_email_address
from .errors import HandoutsError
from .writing import write_atomically

TEMPLATES = Path(__file__).parent / "templates"
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
        "clinic": context.clinic.template_values(for_print=False),
        "topic": {"title": context.topic_title},
        "patient_name": context.patient_name or "",
        "attachment": context.attachment_name,
        "protected": context.protected,
        "password_hint": context.password_hint,
    }
    rendered = []
    for name in TEMPLATE_NAMES:
        env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(str(folder)), undefined=StrictUndefined,
            autoescape=name.endswith(".html"), keep_trailing_newline=True)
        try:
            rendered.append(env.get_template(name).render(**values))
        except TemplateError as error:
            raise HandoutsError(f"email template error: {error}", folder / name) from None
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


def outbox_name(message: EmailMessage, topic: str) -> str:
    """A file name with no personal details: the time and a digest of the message id."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    digest = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:10]
    return f"{stamp}-{topic}-{digest}.eml"


def save_message(message: EmailMessage, path: Path) -> Path:
    return write_atomically(path, message.as_bytes())


def load_message(path: Path) -> EmailMessage:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise HandoutsError(f"cannot read the message ({error.strerror})", path) from None
    message = BytesParser(policy=email.policy.SMTP).parsebytes(data)
    if not message["To"] or not message["From"]:
        raise HandoutsError("not a saved handout message (no From or To)", path)
    return message


def _login(server: smtplib.SMTP, username: str, password: str) -> None:
    """One attempt with one mechanism: smtplib's login() retries every mechanism after a
    refusal, which some servers answer by stalling or hanging up."""
    server.ehlo_or_helo_if_needed()
    offered = server.esmtp_features.get("auth", "").upper().split()
    for mechanism in ("PLAIN", "LOGIN"):
        if mechanism in offered:
            server.user, server.password = username, password
            server.auth(mechanism, getattr(server, f"auth_{mechanism.lower()}"))
            return
    raise smtplib.SMTPNotSupportedError("no supported login mechanism")


class SendError(HandoutsError):
    """Delivery failed; the message is still to be kept for --resend."""


def send_message(message: EmailMessage, clinic: Clinic) -> None:
    """Deliver over SMTP with the clinic's settings; credentials come from the environment."""
    settings = clinic.mail
    if not settings.host:
        raise SendError("the clinic profile has no [mail] host to send through")
    username = password = None
    if settings.username_env:
        username = os.environ.get(settings.username_env)
        password = os.environ.get(settings.password_env or "", None)
        if not username or password is None:
            raise SendError(f"set the environment variables {settings.username_env} and "
                            f"{settings.password_env} to the mail account's login")
    context = ssl.create_default_context(
        cafile=str(settings.ca_file) if settings.ca_file else None)
    where = f"{settings.host}:{settings.port}"
    phase = "connect"
    try:
        if settings.security == "tls":
            server = smtplib.SMTP_SSL(settings.host, settings.port, context=context,
                                      timeout=settings.timeout_seconds)
        else:
            server = smtplib.SMTP(settings.host, settings.port,
                                  timeout=settings.timeout_seconds)
        with server:
            if settings.security == "starttls":
                server.starttls(context=context)
            if username:
                phase = "login"
                _login(server, username, password)
            phase = "send"
            server.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        raise SendError(f"the mail server {where} refused the login ({error.smtp_code})") \
            from None
    except smtplib.SMTPServerDisconnected as error:
        if "timed out" in str(error):  # smtplib reports a read timeout as a disconnect
            raise SendError(f"the mail server {where} did not answer within "
                            f"{settings.timeout_seconds:g} s (timeout)") from None
        if phase == "login":  # many servers hang up after a failed login
            raise SendError(f"the mail server {where} refused the login (it closed the "
                            "connection)") from None
        raise SendError(f"the mail server {where} closed the connection during {phase}") \
            from None
    except smtplib.SMTPRecipientsRefused as error:
        code = next(iter(error.recipients.values()))[0] if error.recipients else "?"
        raise SendError(f"the mail server {where} rejected the recipient ({code})") from None
    except smtplib.SMTPSenderRefused as error:
        raise SendError(f"the mail server {where} refused the sender address "
                        f"({error.smtp_code})") from None
    except smtplib.SMTPNotSupportedError:
        raise SendError(f"the mail server {where} does not offer STARTTLS or login; check "
                        "[mail] security") from None
    except ssl.SSLError as error:
        raise SendError(f"secure connection to {where} failed ({error.reason or error})") \
            from None
    except TimeoutError:
        raise SendError(f"the mail server {where} did not answer within "
                        f"{settings.timeout_seconds:g} s (timeout)") from None
    except smtplib.SMTPConnectError as error:
        raise SendError(f"the mail server {where} refused the connection "
                        f"({error.smtp_code})") from None
    except smtplib.SMTPException as error:  # before OSError: SMTPException is one
        raise SendError(f"the mail server {where} refused the message ({error})") from None
    except (ConnectionRefusedError, socket.gaierror, OSError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise SendError(f"cannot reach the mail server {where} ({reason})") from None
