"""Sending a message over SMTP with a clinic's settings, with one clear error per failure."""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
from email.message import EmailMessage

from handouts.errors import HandoutsError
from handouts.inputs.clinics import Clinic


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


def _goodbye(server: smtplib.SMTP) -> None:
    """QUIT and close; an error here changes nothing about what was (or was not) sent."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        server.quit()
    with contextlib.suppress(OSError):
        server.close()


class SendError(HandoutsError):
    """Delivery failed; the message is still to be kept for --resend."""


def send_message(message: EmailMessage, clinic: Clinic, recipient: str | None = None) -> None:
    """Deliver over SMTP with the clinic's settings; credentials come from the environment.
    The envelope is the clinic's sender and one recipient (the checked To address): Cc, Bcc
    or Resent-* headers in a kept message never add anyone. Once the server has accepted
    the message it counts as sent, whatever happens while saying goodbye."""
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
    try:
        context = ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None)
    except (ssl.SSLError, OSError, ValueError):
        raise SendError(f"the certificate bundle {settings.ca_file} cannot be read "
                        "([mail] ca_file)") from None
    where = f"{settings.host}:{settings.port}"
    phase = "connect"
    try:
        if settings.security == "tls":
            server = smtplib.SMTP_SSL(settings.host, settings.port, context=context,
                                      timeout=settings.timeout_seconds)
        else:
            server = smtplib.SMTP(settings.host, settings.port,
                                  timeout=settings.timeout_seconds)
        try:
            if settings.security == "starttls":
                server.starttls(context=context)
            if username:
                phase = "login"
                _login(server, username, password)
            phase = "send"
            server.send_message(message, from_addr=settings.sender or None,
                                to_addrs=[recipient or str(message["To"])])
            phase = "sent"
        finally:
            _goodbye(server)
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
