"""Password protection: AES-256 encryption (PDF 2.0, revision 6) with pikepdf/qpdf."""

from __future__ import annotations

import io
import os
import re

import pikepdf

from handouts.errors import HandoutsError

MIN_PASSWORD_LENGTH = 6
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


def password_from_env(variable: str) -> str:
    """The password is read from an environment variable, never from the command line."""
    if not _ENV_NAME.fullmatch(variable or ""):
        raise HandoutsError(f"'{variable}' is not an environment variable name")
    password = os.environ.get(variable)
    if password is None:
        raise HandoutsError(f"the environment variable {variable} is not set; set it to the "
                            "password (it is never read from the command line)")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise HandoutsError(f"the password in {variable} is shorter than "
                            f"{MIN_PASSWORD_LENGTH} characters")
    return prepared_password(password)


def prepared_password(password: str) -> str:
    """SASLprep (RFC 4013), as PDF 2.0 asks for AES-256 passwords: the same password typed
    on another device (composed or decomposed accents, a no-break space) opens the file."""
    import stringprep
    import unicodedata

    mapped = "".join(" " if stringprep.in_table_c12(c) else c for c in password
                     if not stringprep.in_table_b1(c))
    prepared = unicodedata.normalize("NFKC", mapped)
    for c in prepared:
        if (stringprep.in_table_c21_c22(c) or stringprep.in_table_c3(c)
                or stringprep.in_table_c4(c) or stringprep.in_table_c5(c)
                or stringprep.in_table_c6(c) or stringprep.in_table_c7(c)
                or stringprep.in_table_c8(c) or stringprep.in_table_c9(c)
                or stringprep.in_table_a1(c)):
            raise HandoutsError("the PDF password contains a control or unassigned "
                                "character; use letters, digits, spaces and punctuation")
    if len(prepared.encode()) > 127:
        raise HandoutsError("the PDF password is longer than 127 bytes")
    return prepared


def checked_password(password: str) -> str:
    """A password given directly (the web app's form): long enough, one line."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise HandoutsError(f"the PDF password must have at least {MIN_PASSWORD_LENGTH} "
                            "characters")
    if len(password) > 128 or any(ord(c) < 32 for c in password):
        raise HandoutsError("the PDF password must be one line of at most 128 characters")
    return prepared_password(password)


def encrypt(pdf: bytes, password: str) -> bytes:
    """AES-256 (R=6), readable by current viewers; printing and copying stay allowed for the
    patient, who opens it with the password. (ReportLab's own 256-bit mode writes revision 5,
    which poppler and pypdf cannot open.)"""
    owner = os.urandom(24).hex()  # nobody needs to change the permissions later
    with pikepdf.open(io.BytesIO(pdf)) as document:
        out = io.BytesIO()
        document.save(out, encryption=pikepdf.Encryption(user=password, owner=owner, R=6,
                                                         aes=True, metadata=True))
    return out.getvalue()
