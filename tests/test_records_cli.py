"""Records of education given from the command line: generate and email with --staff, the
export (CSV and a FHIR R4 Bundle that validates), teach-back, and the chart strip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging

import pytest
from conftest import REPO, all_text, page_texts, pdf_reader, run_cli
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import create_engine, text
from web_support import Inbox, shipped_copy

from handouts.records.given import given_since
from handouts.records.store import open_database

PATIENT = "Zelda Quillfeather"  # a name that must never reach the database or a log


def records_in(url: str):
    engine = open_database(url)
    try:
        return given_since(engine)
    finally:
        engine.dispose()


def database_dump(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM given")).fetchall()
    engine.dispose()
    return repr(rows)


def generate(tmp_path, url: str, *extra: str, roots_dir=REPO):
    return run_cli("--root", str(roots_dir), "generate", "bone-metastasis", "--clinic",
                   "lakeside", "--lang", "es", "--level", "easy", "--date", "2026-11-27",
                   "--database-url", url, *extra)


def test_generate_with_staff_records_what_was_given_and_never_the_patient(
        tmp_path, database_url, caplog):
    output = tmp_path / "out" / "bone-metastasis-lakeside-es-easy-letter.pdf"
    with caplog.at_level(logging.DEBUG):
        result = generate(tmp_path, database_url, "--staff", "Ana R.", "--patient-name",
                          PATIENT, "--note", "Take with food", "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert "recorded: education given, record 1" in result.stdout
    (record,) = records_in(database_url)
    given = record.given
    form_id = pdf_reader(output).metadata["/Keywords"].split("form:")[1].split(",")[0]
    assert (given.staff, given.clinic, given.topic, given.lang, given.level, given.layout,
            given.channel, given.result) == ("Ana R.", "lakeside", "bone-metastasis", "es",
                                             "easy", "letter", "print", "given")
    assert given.content_version == form_id and form_id.startswith("BM-ES-EASY")
    assert given.title == "Metástasis ósea: cuando el cáncer se extiende al hueso"
    assert given.document_sha1 == hashlib.sha1(output.read_bytes()).hexdigest()
    assert given.document_url == output.resolve().as_uri()
    assert PATIENT in all_text(output)  # printed for the patient...
    dump = database_dump(database_url)
    for secret in ("Zelda", "Quillfeather", "Take with food"):  # ...but never stored or logged
        assert secret not in dump
        assert secret not in result.stdout + result.stderr + caplog.text


def test_a_chosen_file_name_is_not_recorded_it_could_name_a_patient(tmp_path, database_url):
    chosen = tmp_path / "for-zelda.pdf"
    assert generate(tmp_path, database_url, "--staff", "Ana R.", "-o", str(chosen)).exit_code \
        == 0
    (record,) = records_in(database_url)
    assert record.given.document_url is None
    assert "zelda" not in database_dump(database_url).lower()


def test_a_patient_reference_is_refused_unless_the_clinic_turned_it_on(tmp_path,
                                                                       database_url):
    result = generate(tmp_path, database_url, "--staff", "Ana R.", "--patient-reference",
                      "MRN-0042", "-o", str(tmp_path / "a.pdf"))
    assert result.exit_code == 1
    assert "does not store patient references" in result.stderr
    assert "MRN-0042" not in result.stderr
    assert records_in(database_url) == []
    roots = shipped_copy(tmp_path / "copy", 25)
    profile = roots.clinics / "lakeside.toml"
    profile.write_text(profile.read_text().replace("[mail]", "[records]\n"
                                                   "patient_reference = true\n\n[mail]"))
    result = generate(tmp_path, database_url, "--staff", "Ana R.", "--patient-reference",
                      "MRN-0042", "-o", str(tmp_path / "b.pdf"), roots_dir=tmp_path / "copy")
    assert result.exit_code == 0, result.stderr
    assert records_in(database_url)[0].given.patient_reference == "MRN-0042"


def test_without_staff_nothing_is_recorded(tmp_path, database_url):
    assert generate(tmp_path, database_url, "-o", str(tmp_path / "a.pdf")).exit_code == 0
    assert records_in(database_url) == []


@pytest.fixture
def inbox():
    server = Inbox().start()
    yield server
    server.stop()


def email(roots_dir, url: str, *extra: str):
    return run_cli("--root", str(roots_dir), "email", "hypercalcemia", "--clinic", "lakeside",
                   "--to", "patient@example.org", "--patient-name", PATIENT, "--send",
                   "--database-url", url, "--staff", "Ben T.", *extra)


def test_an_emailed_handout_is_recorded_with_its_delivery_choice_and_exports_as_fhir(
        tmp_path, database_url, inbox, monkeypatch):
    roots = shipped_copy(tmp_path / "copy", inbox.port)
    refused = email(tmp_path / "copy", database_url, "--outbox", str(tmp_path / "outbox"))
    assert refused.exit_code == 1 and "--unencrypted-accepted" in refused.stderr
    assert inbox.messages == [] and records_in(database_url) == []
    monkeypatch.setenv("HANDOUT_PW", "correct horse battery")
    sent = email(tmp_path / "copy", database_url, "--password-env", "HANDOUT_PW")
    assert sent.exit_code == 0, sent.stderr
    accepted = email(tmp_path / "copy", database_url, "--unencrypted-accepted")
    assert accepted.exit_code == 0, accepted.stderr
    assert len(inbox.messages) == 2
    first, second = records_in(database_url)
    assert (first.given.channel, first.given.delivery, first.given.result) == (
        "email", "password-protected", "sent")
    assert second.given.delivery == "unencrypted-accepted"
    assert PATIENT.split()[1] not in database_dump(database_url)

    exported = run_cli("--root", str(roots.content.parent), "records", "export", "--format",
                       "fhir", "--database-url", database_url)
    assert exported.exit_code == 0, exported.stderr
    bundle = Bundle.model_validate(json.loads(exported.stdout))  # FHIR R4(B) models
    communications = [e.resource for e in bundle.entry
                      if e.resource.get_resource_type() == "Communication"]
    assert len(communications) == 2
    mail = communications[0]
    assert mail.status == "completed" and mail.sender.display == "Ben T."
    assert mail.medium[0].coding[0].code == "EMAILWRIT"
    assert [c.coding[0].code for c in mail.reasonCode] == ["E83.52", "66931009", "17861-6",
                                                          "1994-3"]
    assert mail.reasonCode[0].coding[0].system == "http://hl7.org/fhir/sid/icd-10-cm"
    attachment = mail.payload[0].contentAttachment
    assert (attachment.title, attachment.language) == (
        "High Calcium in the Blood (Hypercalcemia)", "en")
    assert attachment.hash  # base64 SHA-1 of the PDF sent
    assert "password-protected" in mail.note[0].text


def test_smtp_down_keeps_the_message_and_records_it_kept_in_the_outbox(tmp_path,
                                                                       database_url):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    shipped_copy(tmp_path / "copy", port)
    result = email(tmp_path / "copy", database_url, "--unencrypted-accepted", "--outbox",
                   str(tmp_path / "outbox"))
    assert result.exit_code == 1 and "kept" in result.stderr
    (record,) = records_in(database_url)
    assert record.given.result == "kept-in-outbox"


def test_export_csv_teach_back_and_fhir_document_reference(tmp_path, database_url):
    output = tmp_path / "bone-metastasis-lakeside-es-easy-letter.pdf"
    assert generate(tmp_path, database_url, "--staff", "=HYPERLINK(1)", "-o",
                    str(output)).exit_code == 0
    done = run_cli("records", "teach-back", "1", "needs-review", "--database-url",
                   database_url)
    assert done.exit_code == 0 and done.stdout.strip() == "record 1: teach-back needs-review"
    missing = run_cli("records", "teach-back", "99", "understood", "--database-url",
                      database_url)
    assert missing.exit_code == 1 and "no record" in missing.stderr
    target = tmp_path / "given.csv"
    exported = run_cli("--root", str(REPO), "records", "export", "--since", "2020-01-01",
                       "--database-url", database_url, "-o", str(target))
    assert exported.stdout.strip().startswith("1 record ->")
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows[0]["teach_back"] == "needs-review"
    assert rows[0]["staff"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert rows[0]["content_version"].startswith("BM-ES-EASY")
    later = run_cli("records", "export", "--since", "2099-01-01", "--database-url",
                    database_url)
    assert later.stdout.splitlines()[1:] == []
    fhir = json.loads(run_cli("--root", str(REPO), "records", "export", "--format", "fhir",
                              "--database-url", database_url).stdout)
    bundle = Bundle.model_validate(fhir)
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == ["Communication", "DocumentReference"]
    communication, document = (e.resource for e in bundle.entry)
    assert document.content[0].attachment.url == output.resolve().as_uri()
    assert document.context.related[0].reference == bundle.entry[0].fullUrl
    assert communication.payload[1].contentReference.reference == bundle.entry[1].fullUrl
    assert "Teach-back: Needs review" in communication.note[1].text


def test_chart_strip_as_a_label_beside_the_handout(tmp_path, database_url):
    output = tmp_path / "handout.pdf"
    result = generate(tmp_path, database_url, "--staff", "Ana R.", "--chart-strip", "label",
                      "-o", str(output))
    assert result.exit_code == 0, result.stderr
    label = tmp_path / "handout-chart-strip.pdf"
    reader = pdf_reader(label)
    assert len(reader.pages) == 1
    assert (float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)) \
        == (288.0, 144.0)
    words = page_texts(label)[0]
    for expected in ("EDUCATION GIVEN", "Metástasis ósea", "BM-ES-EASY", "2026-11-27",
                     "Ana R.", "Explained back in own words", "Needs review", "Declined"):
        assert expected in words
    first = label.read_bytes()
    again = generate(tmp_path, database_url, "--staff", "Ana R.", "--chart-strip", "label",
                     "-o", str(output))
    assert again.exit_code == 0 and label.read_bytes() == first  # deterministic


def test_chart_strip_on_the_last_page_or_a_clear_refusal(tmp_path, database_url):
    output = tmp_path / "calcium-en.pdf"  # a handout whose last page has room to spare
    result = run_cli("--root", str(REPO), "generate", "hypercalcemia", "--clinic",
                     "lakeside", "--date", "2026-11-27", "--chart-strip", "page", "-o",
                     str(output))
    assert result.exit_code == 0, result.stderr
    pages = page_texts(output)
    assert "EDUCATION GIVEN" in pages[-1] and "EDUCATION GIVEN" not in " ".join(pages[:-1])
    assert "Given by: ____" in pages[-1]  # no --staff: a line to sign
    booklet = run_cli("--root", str(REPO), "generate", "bone-metastasis", "--clinic",
                      "lakeside", "--layout", "booklet-letter", "--chart-strip", "page",
                      "-o", str(tmp_path / "booklet.pdf"))
    assert booklet.exit_code == 1 and "--chart-strip label" in booklet.stderr
    assert not (tmp_path / "booklet.pdf").exists()
