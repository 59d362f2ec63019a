"""Exporting records of education given: CSV for a spreadsheet, a FHIR R4 Bundle for an EHR.

In the FHIR Bundle (type "collection") each record is a Communication: status, sent time,
sender, the topic's codes as reasonCode, the handout as a payload attachment (title, language,
SHA-1 hash); a record whose PDF was stored adds a DocumentReference pointing at it. Resources
carry stable ids (urn:uuid derived from the record number), so exporting twice gives the same
resources.
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import io
import uuid
from collections.abc import Iterable

from handouts.errors import HandoutsError
from handouts.inputs.codes import SYSTEMS, description
from handouts.inputs.paths import Roots
from handouts.inputs.topics import load_topic
from handouts.records.given import TEACH_BACK_LABELS, GivenRecord

CSV_COLUMNS = ("number", "given_at", "staff", "clinic", "topic", "title", "lang", "level",
               "layout", "content_version", "channel", "delivery", "result", "teach_back",
               "kit", "patient_reference", "document_sha1", "document_url")
FORMATS = ("csv", "fhir")

_NAMESPACE = uuid.UUID("6f1b3c52-2f0e-4d7e-9a53-7c1f0e4b9d21")  # this project's record ids
_MEDIUM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/communication-category"
_STATUS = {"given": "completed", "sent": "completed", "kept-in-outbox": "on-hold",
           "failed": "not-done"}
_STATUS_REASON = {"kept-in-outbox": "Kept in the outbox: not sent yet",
                  "failed": "Could not be sent"}


def _stamp(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_csv(records: Iterable[GivenRecord]) -> str:
    """One row per record, a header row first; times in UTC (ISO 8601)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = {"number": str(record.id), "given_at": _stamp(record.given_at),
               "teach_back": record.teach_back or ""}
        for column in CSV_COLUMNS:
            if column not in row:
                row[column] = _cell(getattr(record.given, column) or "")
        writer.writerow([row[column] for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet never runs a cell as a formula: a leading = + - @ is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(str(p) for p in parts))}"


class _TopicCodes:
    """Each topic's codes as FHIR codings (looked up once per export)."""

    def __init__(self, roots: Roots | None):
        self.roots = roots
        self.known: dict[str, list[dict]] = {}

    def reason_codes(self, topic: str) -> list[dict]:
        if topic not in self.known:
            self.known[topic] = self._load(topic)
        return self.known[topic]

    def _load(self, topic: str) -> list[dict]:
        if self.roots is None:
            return []
        try:
            codes = load_topic(self.roots, topic).codes
        except HandoutsError:
            return []  # a topic removed since: the record still exports, without codes
        concepts = []
        for system, values in codes.items():
            for code in values:
                coding = {"system": SYSTEMS[system].uri, "code": code}
                title = description(system, code)
                if title:
                    coding["display"] = title
                concepts.append({"coding": [coding]})
        return concepts


def communication(record: GivenRecord, codes: _TopicCodes) -> tuple[dict, dict | None]:
    """The record as a Communication, and a DocumentReference when its PDF was stored."""
    given = record.given
    attachment = {"contentType": "application/pdf", "language": given.lang,
                  "title": given.title or given.topic}
    if given.document_sha1:
        attachment["hash"] = base64.b64encode(bytes.fromhex(given.document_sha1)).decode()
    if given.document_url:
        attachment["url"] = given.document_url
    resource: dict = {
        "resourceType": "Communication",
        "id": f"given-{record.id}",
        "identifier": [{"system": "urn:handouts:education-given", "value": str(record.id)}],
        "status": _STATUS[given.result],
        "category": [{"coding": [{"system": _CATEGORY, "code": "instruction",
                                  "display": "Instruction"}]}],
        "medium": [{"coding": [
            {"system": _MEDIUM, "code": "EMAILWRIT", "display": "email"}
            if given.channel == "email" else
            {"system": _MEDIUM, "code": "WRITTEN", "display": "written"}]}],
        "topic": {"text": given.title or given.topic},
        "sent": _stamp(record.given_at),
        "sender": {"display": given.staff},
        "payload": [{"contentAttachment": attachment}],
    }
    if given.result in _STATUS_REASON:
        resource["statusReason"] = {"text": _STATUS_REASON[given.result]}
    if given.patient_reference:
        patient = {"identifier": {"value": given.patient_reference}}
        resource["subject"] = patient
        resource["recipient"] = [patient]
    reasons = codes.reason_codes(given.topic)
    if reasons:
        resource["reasonCode"] = reasons
    notes = [f"Form {given.content_version}; {given.lang}, {given.level}, {given.layout}; "
             f"clinic {given.clinic}; channel {given.channel}"
             + (f" ({given.delivery})" if given.delivery else "")
             + (f"; kit '{given.kit}'" if given.kit else "")]
    if record.teach_back:
        notes.append(f"Teach-back: {TEACH_BACK_LABELS[record.teach_back]}")
    resource["note"] = [{"text": text} for text in notes]
    if not given.document_url:
        return resource, None
    document_urn = _urn("document", record.id)
    resource["payload"].append({"contentReference": {"reference": document_urn}})
    document = {
        "resourceType": "DocumentReference",
        "id": f"given-{record.id}-document",
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "69730-0",
                             "display": "Instructions"}]},
        "date": _stamp(record.given_at),
        "author": [{"display": given.staff}],
        "description": given.title or given.topic,
        "content": [{"attachment": attachment}],
        "context": {"related": [{"reference": _urn("communication", record.id)}]},
    }
    if given.patient_reference:
        document["subject"] = {"identifier": {"value": given.patient_reference}}
    return resource, document


def export_fhir(records: Iterable[GivenRecord], roots: Roots | None = None,
                now: _dt.datetime | None = None) -> dict:
    """A FHIR R4 Bundle (collection) of Communications and DocumentReferences."""
    codes = _TopicCodes(roots)
    entries = []
    ids = []
    for record in records:
        ids.append(record.id)
        resource, document = communication(record, codes)
        entries.append({"fullUrl": _urn("communication", record.id), "resource": resource})
        if document is not None:
            entries.append({"fullUrl": _urn("document", record.id), "resource": document})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, "bundle/" + ",".join(map(str, ids)))),
        "type": "collection",
        "timestamp": _stamp(now or _dt.datetime.now(_dt.UTC)),
        "entry": entries,
    }


def export_text(records: list[GivenRecord], output_format: str,
                roots: Roots | None = None) -> str:
    """The export as text: CSV, or the FHIR Bundle as JSON."""
    import json

    if output_format == "csv":
        return export_csv(records)
    if output_format == "fhir":
        return json.dumps(export_fhir(records, roots), ensure_ascii=False, indent=2) + "\n"
    raise HandoutsError(f"unknown export format '{output_format}'; use csv or fhir")
