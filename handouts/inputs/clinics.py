"""Loading and validating a clinic's profile: name, logo, colours, font, contacts, mail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import HandoutsError
from handouts.inputs.colours import MIN_TEXT_CONTRAST, WHITE, Colour
from handouts.inputs.font_names import FONT_FAMILIES
from handouts.inputs.logos import Logo, load_logo
from handouts.inputs.paths import Roots, named_file, names_in
from handouts.inputs.safe_files import read_toml
from handouts.inputs.toml_tables import TableReader

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
EMAIL_DELIVERY = ("password-protected", "either")
_PHONE = re.compile(r"[0-9+()./ \-]{3,40}")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class MailSettings:
    """How a clinic sends email; secrets are named environment variables, never values."""

    sender: str | None = None
    reply_to: str | None = None
    host: str | None = None
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    username_env: str | None = None
    password_env: str | None = None
    max_attachment_bytes: int = 5 * 1024 * 1024
    timeout_seconds: float = 20.0
    ca_file: Path | None = None  # a private CA bundle, for a clinic's own mail server
    password_hint: str | None = None  # how patients learn the PDF password
    # What staff may send: "password-protected" PDFs only, or also "unencrypted" ones after
    # the patient was warned and accepted (HHS allows it at the patient's request): "either".
    delivery: str = "password-protected"


@dataclass(frozen=True)
class Clinic:
    slug: str
    name: str
    logo: Logo
    logo_path: Path
    primary: Colour
    accent: Colour
    font: str
    address: tuple[str, ...]
    phone: str
    website: str | None
    after_hours: str | None
    # the note under the contact box (e.g. free interpreters), one per language; a handout
    # in a language with no note prints none rather than another language's
    footer_notes: tuple[tuple[str, str], ...]
    copyright_holder: str | None
    profile_path: Path
    mail: MailSettings = field(default_factory=MailSettings)
    # [records] patient_reference = true: records of education given may carry an MRN or
    # chart number. Off by default: no patient identity is stored.
    patient_references: bool = False

    def footer_note(self, lang: str) -> str | None:
        """The footer note in this language, or None (never another language's note)."""
        return dict(self.footer_notes).get(lang)

    @property
    def blocks_dir(self) -> Path:
        """Where this clinic's own copyright/disclaimer/email texts override the shipped ones."""
        return self.profile_path.parent / self.slug

    def template_values(self, for_print: bool = True, lang: str = "en") -> dict[str, object]:
        """What content templates may read as {{ clinic.* }}, for a handout or email in
        `lang`. On paper, phone numbers never break across lines: their spaces become
        no-break spaces."""
        keep = unbreakable if for_print else str
        return {
            "name": self.name, "phone": keep(self.phone), "website": self.website or "",
            "after_hours": keep(self.after_hours or ""), "address": list(self.address),
            "footer_note": self.footer_note(lang) or "", "email": self.mail.sender or "",
        }


def unbreakable(text: str) -> str:
    return text.replace(" ", "\u00a0")


def clinic_names(roots: Roots) -> list[str]:
    return names_in(roots.clinics, ".toml")


def load_clinic(roots: Roots, slug: str) -> Clinic:
    return parse_clinic(named_file(roots.clinics, slug, ".toml", "clinic"), slug)


def parse_clinic(path: Path, slug: str) -> Clinic:
    table = TableReader(read_toml(path), path)
    name = table.text("name", max_length=120)
    primary = _brand_colour(table, "primary")
    accent = _brand_colour(table, "accent")
    font = table.text("font", "Atkinson Hyperlegible")
    if font not in sorted(FONT_FAMILIES):
        raise table.fail("font", f"unknown font family '{font}'; available: "
                         f"{', '.join(sorted(FONT_FAMILIES))}")
    logo_name = table.text("logo")
    logo_path = (path.parent / logo_name)
    if not logo_path.resolve().is_relative_to(path.parent.resolve()):
        raise table.fail("logo", "the logo must be inside the clinics folder")
    logo = load_logo(logo_path, "logo")
    address = _address(table)
    phone = _phone(table, "phone", required=True)
    after_hours = _phone(table, "after_hours", required=False)
    website = table.text("website", required=False, max_length=200)
    if website and not re.fullmatch(r"(https?://)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?", website):
        raise table.fail("website", f"'{website}' does not look like a web address")
    footer_notes = _footer_notes(table)
    holder = table.text("copyright_holder", required=False, max_length=200)
    mail = _mail(table)
    patient_references = _records(table)
    table.finish()
    return Clinic(slug=slug, name=name, logo=logo, logo_path=logo_path, primary=primary,
                  accent=accent, font=font, address=address, phone=phone, website=website,
                  after_hours=after_hours, footer_notes=footer_notes, copyright_holder=holder,
                  profile_path=path, mail=mail, patient_references=patient_references)


def _footer_notes(table: TableReader) -> tuple[tuple[str, str], ...]:
    """`footer_note = "..."` (English only, the older form) or a table of one note per
    language: `[footer_note]` with `en = "..."`, `es = "..."`."""
    if not table.has("footer_note"):
        return ()
    if not isinstance(table.data["footer_note"], dict):
        note = table.text("footer_note", required=False, max_length=200)
        return (("en", note),) if note else ()
    section = table.table("footer_note")
    assert section is not None
    notes = []
    for lang in section.data:
        if not _LANGUAGE_CODE.fullmatch(lang):
            raise section.fail(lang, "is not a language code; use the code of each "
                               "handout language, such as en or es")
        notes.append((lang, section.text(lang, max_length=200)))
    section.finish()
    return tuple(notes)


def _records(table: TableReader) -> bool:
    section = table.table("records", required=False)
    if section is None:
        return False
    value = section.boolean("patient_reference", False)
    section.finish()
    return value


def _brand_colour(table: TableReader, key: str) -> Colour:
    raw = table.text(key)
    try:
        colour = Colour.parse(raw)
    except ValueError as error:
        raise table.fail(key, str(error)) from None
    ratio = colour.contrast_with(WHITE)
    if ratio < MIN_TEXT_CONTRAST:
        raise table.fail(key, f"{colour.hex} is too pale for text on white (contrast "
                         f"{ratio:.1f}:1, needs at least {MIN_TEXT_CONTRAST}:1); "
                         "pick a darker shade")
    return colour


def _address(table: TableReader) -> tuple[str, ...]:
    table.has("address")
    raw = table.data.get("address")
    if raw is None:
        raise HandoutsError("missing required key 'address'", table.path)
    if isinstance(raw, str):
        lines = [table.text("address", max_length=120)]
    else:
        lines = table.text_list("address")
    lines = [" ".join(line.split()) for line in lines if line.strip()]
    if not lines or len(lines) > 4 or any(len(line) > 120 for line in lines):
        raise table.fail("address", f"has {len(lines)} lines; give one to four lines of up to "
                         "120 characters (the header has room for four)")
    return tuple(lines)


def _phone(table: TableReader, key: str, *, required: bool) -> str | None:
    value = table.text(key, required=required, max_length=40)
    if value and not _PHONE.fullmatch(value):
        raise table.fail(key, f"'{value}' does not look like a phone number")
    return value


def _ca_file(section: TableReader) -> Path | None:
    name = section.text("ca_file", required=False, max_length=500)
    if not name:
        return None
    path = section.path.parent / name
    if not path.is_file():
        raise section.fail("ca_file", f"file not found: {path}")
    import ssl  # here, not at the top: about 10 ms that most runs never need

    try:  # checked now: a bad bundle found only while sending would lose the message
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        raise section.fail("ca_file", f"{path} is not a readable certificate bundle (PEM)") \
            from None
    return path


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def is_email_address(text: str) -> bool:
    return bool(_EMAIL.fullmatch(text or ""))


def _mail(table: TableReader) -> MailSettings:
    section = table.table("mail", required=False)
    if section is None:
        return MailSettings()
    sender = section.text("sender", required=False, max_length=200)
    reply_to = section.text("reply_to", required=False, max_length=200)
    for key, value in (("sender", sender), ("reply_to", reply_to)):
        if value and not is_email_address(value):
            raise section.fail(key, f"'{value}' is not an email address")
    security = section.text("security", "starttls")
    if security not in ("starttls", "tls", "none"):
        raise section.fail("security", "use \"starttls\", \"tls\" or \"none\"")
    username_env = section.text("username_env", required=False, max_length=100)
    host = section.text("host", required=False, max_length=200)
    if security == "none" and username_env and host and not _loopback(host):
        raise section.fail("security", "\"none\" would send the mail password unencrypted to "
                           f"{host}; use \"starttls\" or \"tls\" (or no username_env)")
    settings = MailSettings(
        sender=sender, reply_to=reply_to,
        host=host,
        port=section.integer("port", 587 if security == "starttls" else 465,
                             minimum=1, maximum=65535),
        security=security,
        username_env=username_env,
        password_env=section.text("password_env", required=False, max_length=100),
        max_attachment_bytes=int(section.number("max_attachment_mb", 5, minimum=0.01,
                                                maximum=50) * 1024 * 1024),
        timeout_seconds=section.number("timeout_seconds", 20, minimum=0.1, maximum=300),
        ca_file=_ca_file(section),
        password_hint=section.text("password_hint", required=False, max_length=300),
        delivery=section.text("delivery", "password-protected"),
    )
    if settings.delivery not in EMAIL_DELIVERY:
        raise section.fail("delivery", f"use one of: {', '.join(EMAIL_DELIVERY)}")
    section.finish()
    return settings
