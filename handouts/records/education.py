"""Education given from the command line: the record of a built handout, and its chart strip."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from handouts.build import Handout
from handouts.errors import HandoutsError
from handouts.inputs.clinics import load_clinic
from handouts.inputs.paths import Roots


def _form_id(form_id: str) -> str:
    if not form_id:  # every built handout has one; never store a made-up version
        raise HandoutsError("the handout has no form identifier to record")
    return form_id


def record_generated(database_url: str, handout: Handout, path: Path, staff: str,
                     layout: str, impersonal_name: str,
                     patient_reference: str | None = None) -> int:
    """Record a handout the CLI wrote to `path` for a patient (channel "print")."""
    # the database layer (SQLAlchemy, about 200 ms to load) only when a record is made
    from handouts.records.given import Given, record_in, stored_address

    document = handout.document
    data = path.read_bytes()
    given = Given(staff=staff, clinic=handout.clinic.slug, topic=handout.topic.slug,
                  lang=document.lang, level=document.level, layout=layout,
                  content_version=_form_id(document.form_id), channel="print",
                  title=document.title,
                  document_sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
                  document_url=stored_address(path, impersonal_name),
                  patient_reference=patient_reference)
    return record_in(database_url, given, patient_references=handout.clinic.patient_references)


def email_delivery(password_env: str | None, unencrypted_accepted: bool) -> str:
    """The delivery choice to record; an unencrypted email needs the patient's acceptance."""
    if password_env:
        return "password-protected"
    if not unencrypted_accepted:
        raise HandoutsError("an unencrypted email is recorded only after the patient was "
                            "warned and accepted: add --unencrypted-accepted, or protect the "
                            "PDF with --password-env")
    return "unencrypted-accepted"


@dataclass(frozen=True)
class EmailRecord:
    """What is known before sending; `write` adds what was sent and the result."""

    database_url: str
    staff: str
    clinic: str
    topic: str
    lang: str
    level: str
    layout: str
    delivery: str
    patient_reference: str | None = None

    def write(self, sent: dict, result: str, roots: Roots) -> int:
        from handouts.records.given import Given, record_in

        clinic = load_clinic(roots, self.clinic)
        given = Given(staff=self.staff, clinic=self.clinic, topic=self.topic, lang=self.lang,
                      level=self.level, layout=self.layout,
                      content_version=_form_id(sent.get("form_id", "")), channel="email",
                      delivery=self.delivery, result=result, title=sent.get("title") or None,
                      document_sha1=sent.get("pdf_sha1") or None,
                      patient_reference=self.patient_reference)
        return record_in(self.database_url, given,
                         patient_references=clinic.patient_references)


def _facts(handout: Handout, staff: str | None):
    from handouts.layout.chart_strip import StripFacts

    document = handout.document
    return StripFacts(title=document.title, form_id=_form_id(document.form_id),
                      lang=document.lang, level=document.level, date=document.generated,
                      staff=staff, clinic=handout.clinic.name)


def chart_strip_finisher(staff: str | None, impose: bool):
    """For build.generate(finish=...): stamp the strip on the last page of the PDF."""
    def finish(handout: Handout, data: bytes) -> bytes:
        from handouts.layout.chart_strip import stamp_last_page

        layout = handout.layout
        if layout.booklet is not None and impose:
            raise HandoutsError("a booklet's sheets have no last page of their own: print "
                                "the chart strip as a label (--chart-strip label)")
        box = (layout.margin_left, layout.margin_bottom,
               layout.page_width - layout.margin_left - layout.margin_right)
        return stamp_last_page(data, _facts(handout, staff), box, handout.clinic.font)
    return finish


def write_chart_label(handout: Handout, staff: str | None, beside: Path) -> Path:
    """The strip as a 4 x 2 in label PDF next to the handout: NAME-chart-strip.pdf."""
    from handouts.finishing.atomic_write import write_atomically
    from handouts.layout.chart_strip import label_pdf

    path = beside.with_name(f"{beside.stem}-chart-strip.pdf")
    write_atomically(path, label_pdf(_facts(handout, staff), handout.clinic.font))
    return path
