"""The outbox: messages kept as .eml files (names without personal details), read back."""

from __future__ import annotations

import datetime as _dt
import email.policy
import hashlib
import os
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from handouts.errors import HandoutsError
from handouts.finishing.atomic_write import write_atomically


def outbox_name(message: EmailMessage, topic: str) -> str:
    """A file name with no personal details: the time and a digest of the message id."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    digest = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:10]
    return f"{stamp}-{topic}-{digest}.eml"


SENT_LEDGER = ".sent"  # digests of the Message-IDs of messages sent from the outbox


def save_message(message: EmailMessage, path: Path) -> Path:
    """Write a message readable by its owner only: it names a patient and a condition."""
    return write_atomically(path, message.as_bytes(), private=True)


def keep_in_outbox(message: EmailMessage, outbox: Path, topic: str) -> Path:
    """Keep the message before it is sent: if sending fails it is already safe here. An
    outbox that cannot be written stops the send (nothing is sent, nothing is lost)."""
    try:
        outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(outbox, 0o700)  # an older outbox may have been made readable by all
    except OSError as error:
        raise HandoutsError(f"nothing was sent: the outbox cannot be created "
                            f"({error.strerror})", outbox) from None
    try:
        return save_message(message, outbox / outbox_name(message, topic))
    except HandoutsError as error:
        raise HandoutsError(f"nothing was sent: the message must be kept in the outbox "
                            f"until it is sent, and {error}") from None


def _message_key(message: EmailMessage) -> str:
    return hashlib.sha256(str(message["Message-ID"]).strip().encode()).hexdigest()[:32]


def was_sent(message: EmailMessage, outbox: Path) -> bool:
    try:
        return _message_key(message) in (outbox / SENT_LEDGER).read_text().split()
    except OSError:
        return False


def record_sent(message: EmailMessage, kept: Path | None, outbox: Path) -> None:
    """Sent: note it (no personal details, a digest of the Message-ID) and remove the copy
    kept in the outbox, so that it is never sent twice. If neither can be done, say so."""
    noted = removed = False
    try:
        outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(outbox / SENT_LEDGER, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                             0o600)
        with os.fdopen(descriptor, "a") as ledger:
            ledger.write(_message_key(message) + "\n")
        noted = True
    except OSError:
        pass
    if kept is not None:
        try:
            kept.unlink()
            removed = True
        except FileNotFoundError:
            removed = True
        except OSError:
            pass
    if kept is not None and not noted and not removed:
        raise HandoutsError("the message was sent, but its copy in the outbox cannot be "
                            "removed: delete it so that it is not sent twice", kept)


def load_message(path: Path) -> EmailMessage:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise HandoutsError(f"cannot read the message ({error.strerror})", path) from None
    message = BytesParser(policy=email.policy.SMTP).parsebytes(data)
    if not message["To"] or not message["From"]:
        raise HandoutsError("not a saved handout message (no From or To)", path)
    return message
