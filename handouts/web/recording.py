"""Recording each handout given (printed, downloaded for a patient, emailed, in a kit)."""

from __future__ import annotations

from flask import current_app

from handouts.web.auth import current_user
from handouts.web.making import Made

try:  # the records engineer's module; until it lands nothing is recorded
    from handouts.records.given import Given, record_given
except ImportError:  # pragma: no cover - removed once handouts.records.given is on main
    Given = record_given = None


def record(made: Made, channel: str, *, result: str = "given", delivery: str | None = None,
           kit: str | None = None) -> None:
    """One record for a handout given by the signed-in person (no patient identity)."""
    if record_given is None:
        return
    user = current_user()
    choice = made.choice
    record_given(current_app.extensions["handouts.database"], Given(
        staff=user.username, clinic=choice.clinic, topic=choice.topic, lang=choice.lang,
        level=choice.level, layout=choice.layout, content_version=made.content_version,
        channel=channel, delivery=delivery, result=result, kit=kit, patient_reference=None))
