"""Recording each handout given (printed, downloaded for a patient, emailed, in a kit)."""

from __future__ import annotations

from flask import current_app

from handouts.records.given import Given, document_digest, record_given, validate
from handouts.web.auth import current_user
from handouts.web.making import Made


def record(made: Made, channel: str, *, result: str = "given", delivery: str | None = None,
           kit: str | None = None, patient_reference: str | None = None) -> int:
    """One record for a handout given by the signed-in person; returns its number.
    A chart number is kept only when the clinic turned patient references on."""
    return record_given(current_app.extensions["handouts.database"],
                        _given(made, channel, result, delivery, kit, patient_reference),
                        patient_references=made.patient_references)


def check_reference(made: Made, patient_reference: str | None) -> None:
    """Before anything is given: a chart number the record would refuse is refused now."""
    if patient_reference and made.patient_references:
        validate(_given(made, "email", "sent", "password-protected", None, patient_reference),
                 patient_references=True)


def _given(made: Made, channel: str, result: str, delivery: str | None, kit: str | None,
           patient_reference: str | None) -> Given:
    choice = made.choice
    patient_reference = (patient_reference or "").strip() or None
    return Given(
        staff=current_user().username, clinic=choice.clinic, topic=choice.topic,
        lang=choice.lang, level=choice.level, layout=choice.layout,
        content_version=made.content_version, channel=channel, delivery=delivery,
        result=result, kit=kit,
        patient_reference=patient_reference if made.patient_references else None,
        title=made.title,
        # the exact bytes given; an emailed PDF may be encrypted after, a kit merged
        document_sha1=document_digest(made.pdf) if channel in ("print", "download") else None)
