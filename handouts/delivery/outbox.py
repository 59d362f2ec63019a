"""The outbox: messages kept as .eml files (names without personal details), read back."""

from __future__ import annotations

import datetime as _dt
import email.policy
import hashlib
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
