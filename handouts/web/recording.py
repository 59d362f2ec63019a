"""Recording each handout given (printed, downloaded for a patient, emailed, in a kit)."""

from __future__ import annotations

from flask import current_app

from handouts.records.given import Given, document_digest, record_given
from handouts.web.auth import current_user
from handouts.web.making import Made


def record(made: Made, channel: str, *, result: str = "given", delivery: str | None = None,
           kit: str | None = None, patient_reference: str | None = None) -> int:
    """One record for a handout given by the signed-in person; returns its number.
    A chart number is kept only when the clinic turned patient references on."""
    choice = made.choice
    return record_given(current_app.extensions["handouts.database"], Given(
        staff=current_user().username, clinic=choice.clinic, topic=choice.topic,
        lang=choice.lang, level=choice.level, layout=choice.layout,
        content_version=made.content_version, channel=channel, delivery=delivery,
        result=result, kit=kit,
        patient_reference=patient_reference if made.patient_references else None,
        title=made.title,
        # the exact bytes given; an emailed PDF may be encrypted after, a kit merged
        document_sha1=document_digest(made.pdf) if channel in ("print", "download") else None),
        patient_references=made.patient_references)
