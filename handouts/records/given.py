"""Recording education given: one validated row per handout printed, downloaded, emailed or kit.

`record_given` is the one way a row is written (the CLI and the web app both call it);
`set_teach_back` adds the outcome a nurse enters afterwards; `given_since` reads them back for
the records page and the exports. Nothing here logs or echoes a patient reference: error
messages name the field and the rule, never the value.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.engine import Engine

from handouts.errors import HandoutsError
from handouts.records.schema import given as given_table

CHANNELS = ("print", "download", "email", "kit")
DELIVERIES = ("password-protected", "unencrypted-accepted")  # email only
RESULTS = ("given", "sent", "kept-in-outbox", "failed")
# The teach-back outcome (Joint Commission PC.02.03.01: understanding is assessed).
TEACH_BACK = ("understood", "needs-review", "not-assessed", "declined")
TEACH_BACK_LABELS = {
    "understood": "Explained it back in own words",
    "needs-review": "Needs review / more teaching",
    "not-assessed": "Not assessed",
    "declined": "Declined",
}

# Column widths (records/schema.py), checked here so a too-long value is a clear error.
_LENGTHS = {"staff": 120, "clinic": 80, "topic": 80, "lang": 10, "level": 20, "layout": 80,
            "content_version": 80, "kit": 120, "patient_reference": 80, "title": 300,
            "document_sha1": 40, "document_url": 500}
# A patient reference is an MRN or chart number: letters, digits and - / . only, so a name
# ("Jane Doe") or a sentence never fits.
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{0,39}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


@dataclass(frozen=True)
class Given:
    """What was given, by whom, how; `content_version` is the handout's form identifier."""

    staff: str
    clinic: str
    topic: str
    lang: str
    level: str
    layout: str
    content_version: str
    channel: str  # print | download | email | kit
    delivery: str | None = None  # None | "password-protected" | "unencrypted-accepted"
    result: str = "given"  # given | sent | kept-in-outbox | failed
    kit: str | None = None
    patient_reference: str | None = None
    title: str | None = None  # the handout's title in its language, as printed
    document_sha1: str | None = None  # hex SHA-1 of the PDF given (see document_digest)
    document_url: str | None = None  # a stored PDF's address (file:// or https://), if any


def document_digest(pdf: bytes) -> str:
    """The hex SHA-1 of a PDF: FHIR's Attachment.hash is this digest (base64)."""
    import hashlib

    return hashlib.sha1(pdf, usedforsecurity=False).hexdigest()


def stored_address(path, impersonal_name: str) -> str | None:
    """A written PDF's file:// address for the record, only when its file name is the
    impersonal default (topic-clinic-lang-level-layout.pdf): a name someone chose could
    name a patient, and the record never carries that."""
    from pathlib import Path

    path = Path(path)
    return path.resolve().as_uri() if path.name == impersonal_name else None


def record_in(url: str, given: Given, *, patient_references: bool = False) -> int:
    """Open the database at `url` (migrating it), record one handout given, close it."""
    from handouts.records.store import open_database_creating_folder

    engine = open_database_creating_folder(url)
    try:
        return record_given(engine, given, patient_references=patient_references)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class GivenRecord:
    """A stored record: the Given plus its id, time (UTC) and teach-back outcome."""

    id: int
    given_at: _dt.datetime
    given: Given
    teach_back: str | None


def _check_text(name: str, value: object, *, required: bool = True) -> None:
    if value is None:
        if required:
            raise HandoutsError(f"record of education given: '{name}' is required")
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise HandoutsError(f"record of education given: '{name}' must be non-empty text")
    if len(value) > _LENGTHS[name]:
        raise HandoutsError(f"record of education given: '{name}' is longer than "
                            f"{_LENGTHS[name]} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise HandoutsError(f"record of education given: '{name}' has control characters")


def validate(given: Given, *, patient_references: bool = False) -> Given:
    """Refuse a record that breaks a rule; returns it unchanged when it is good.

    `patient_references` is the clinic's setting (its profile's [records] patient_reference);
    without it a patient reference is refused.
    """
    for name in ("staff", "clinic", "topic", "lang", "level", "layout", "content_version"):
        _check_text(name, getattr(given, name))
    for name in ("kit", "patient_reference", "title", "document_sha1", "document_url"):
        _check_text(name, getattr(given, name), required=False)
    if given.document_sha1 is not None and not re.fullmatch(r"[0-9a-f]{40}",
                                                            given.document_sha1):
        raise HandoutsError("record of education given: 'document_sha1' must be 40 hex digits")
    if given.document_url is not None and not re.match(r"(file|https?)://\S+$",
                                                       given.document_url):
        raise HandoutsError("record of education given: 'document_url' must be a file:// or "
                            "http(s):// address")
    for name in ("clinic", "topic", "level", "layout"):
        if not _SLUG.fullmatch(getattr(given, name)):
            raise HandoutsError(f"record of education given: '{name}' must be a name like "
                                "'bone-metastasis' (lowercase letters, digits, hyphens)")
    if not _LANG.fullmatch(given.lang):
        raise HandoutsError("record of education given: 'lang' must be a language code like "
                            "'en' or 'es'")
    if given.channel not in CHANNELS:
        raise HandoutsError(f"record of education given: 'channel' must be one of "
                            f"{', '.join(CHANNELS)}")
    if given.result not in RESULTS:
        raise HandoutsError(f"record of education given: 'result' must be one of "
                            f"{', '.join(RESULTS)}")
    if given.channel == "email":
        if given.delivery not in DELIVERIES:
            raise HandoutsError("record of education given: an email needs 'delivery' "
                                f"({' or '.join(DELIVERIES)})")
    elif given.delivery is not None:
        raise HandoutsError("record of education given: 'delivery' is for email only")
    if given.result in ("sent", "kept-in-outbox") and given.channel != "email":
        raise HandoutsError(f"record of education given: result '{given.result}' is for "
                            "email only")
    if given.channel == "kit" and not given.kit:
        raise HandoutsError("record of education given: a kit record needs the kit's name")
    if given.patient_reference is not None:
        if not patient_references:
            raise HandoutsError(f"clinic '{given.clinic}' does not store patient references "
                                "(turn it on with [records] patient_reference = true in its "
                                "profile)")
        if not _REFERENCE.fullmatch(given.patient_reference):
            raise HandoutsError("record of education given: a patient reference is a chart "
                                "number or MRN (letters, digits, - / . only, up to 40), "
                                "never a name")
    return given


def _utc(moment: _dt.datetime | None) -> _dt.datetime:
    moment = moment or _dt.datetime.now(_dt.UTC)
    if moment.tzinfo is None:
        raise HandoutsError("record of education given: the time must carry a time zone")
    # Stored without microseconds: every database keeps the same value.
    return moment.astimezone(_dt.UTC).replace(microsecond=0)


def record_given(engine: Engine, given: Given, now: _dt.datetime | None = None, *,
                 patient_references: bool = False) -> int:
    """Validate and store one record; returns its id.

    `patient_references` passes the clinic's setting (`Clinic.patient_references`); a
    patient reference is refused without it.
    """
    validate(given, patient_references=patient_references)
    values = {f.name: getattr(given, f.name) for f in fields(Given)}
    with engine.begin() as connection:
        result = connection.execute(given_table.insert().values(given_at=_utc(now), **values))
        return int(result.inserted_primary_key[0])


def set_teach_back(engine: Engine, record_id: int, outcome: str | None) -> None:
    """Record (or clear, with None) the teach-back outcome of one record."""
    if outcome is not None and outcome not in TEACH_BACK:
        raise HandoutsError(f"teach-back outcome must be one of {', '.join(TEACH_BACK)}")
    with engine.begin() as connection:
        result = connection.execute(given_table.update()
                                    .where(given_table.c.id == int(record_id))
                                    .values(teach_back=outcome))
        if result.rowcount != 1:
            raise HandoutsError(f"no record of education given with number {record_id}")


def given_since(engine: Engine, since: _dt.datetime | _dt.date | None = None,
                until: _dt.datetime | _dt.date | None = None, *,
                clinic: str | None = None, limit: int | None = None,
                newest_first: bool = False) -> list[GivenRecord]:
    """Records given at or after `since` (a date means its midnight UTC) and before
    `until`, oldest first (or newest first); optionally of one clinic only."""
    order = (given_table.c.given_at.desc(), given_table.c.id.desc()) if newest_first else (
        given_table.c.given_at, given_table.c.id)
    query = select(given_table).order_by(*order)
    if since is not None:
        query = query.where(given_table.c.given_at >= _moment(since))
    if until is not None:
        query = query.where(given_table.c.given_at < _moment(until))
    if clinic is not None:
        query = query.where(given_table.c.clinic == clinic)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [_record(row) for row in rows]


def get_record(engine: Engine, record_id: int) -> GivenRecord | None:
    with engine.connect() as connection:
        row = connection.execute(select(given_table)
                                 .where(given_table.c.id == int(record_id))).mappings().first()
    return _record(row) if row else None


def _moment(value: _dt.datetime | _dt.date) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return _utc(value if value.tzinfo else value.replace(tzinfo=_dt.UTC))
    return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.UTC)


def _record(row) -> GivenRecord:
    given_at = row["given_at"]
    if given_at.tzinfo is None:  # SQLite keeps no zone; every value written is UTC
        given_at = given_at.replace(tzinfo=_dt.UTC)
    return GivenRecord(
        id=int(row["id"]), given_at=given_at.astimezone(_dt.UTC),
        given=Given(**{f.name: row[f.name] for f in fields(Given)}),
        teach_back=row["teach_back"])
