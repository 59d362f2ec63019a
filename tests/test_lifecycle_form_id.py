"""The version on paper: a form identifier derived from exactly what the handout says,
printed, in the PDF metadata and in the batch manifest."""

from __future__ import annotations

import json
import re

from conftest import DATE, all_text, pdf_reader, run_cli

from handouts.build import build_handout
from handouts.document.assemble import Options

FORM_ID = re.compile(r"([A-Z][A-Z0-9]*)-([A-Z]+)-([A-Z]+) \u00b7 (\d{4}-\d{2}) \u00b7 "
                     r"([0-9a-f]{6})")


def form_id(roots, topic="tiny-topic", clinic="tiny", layout="letter", **options):
    options.setdefault("date", DATE)
    return build_handout(roots, topic, clinic, layout, Options(**options)).document.form_id


def test_identifier_names_topic_language_level_review_month_and_a_digest(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "letter",
                            Options(lang="es", level="easy", date=DATE))
    match = FORM_ID.fullmatch(handout.document.form_id)
    assert match, handout.document.form_id
    assert match.groups()[:4] == ("BM", "ES", "EASY", f"{handout.topic.reviewed:%Y-%m}")


def test_same_inputs_give_the_same_identifier(tiny):
    first = form_id(tiny)
    assert first == form_id(tiny)
    # the printed date, the paper and the patient are not part of the text's version
    assert form_id(tiny, date=DATE.replace(year=2027)) == first
    assert form_id(tiny, layout="a4") == first
    assert form_id(tiny, patient_name="A. Reader", note="See you Tuesday") == first


def test_identifier_changes_when_any_input_changes(tiny, tmp_path):
    first = form_id(tiny)
    markdown = tiny.content / "tiny-topic" / "en" / "standard.md"
    original = markdown.read_text()

    markdown.write_text(original.replace("This topic is tiny.", "This topic is small."))
    changed_text = form_id(tiny)
    markdown.write_text(original)
    assert form_id(tiny) == first  # back to the same text, back to the same identifier

    topic_toml = tiny.content / "tiny-topic" / "topic.toml"
    toml = topic_toml.read_text()
    topic_toml.write_text(toml.replace("Tiny Topic", "Small Topic"))
    changed_title = form_id(tiny)
    topic_toml.write_text(toml.replace("reviewed = 2026-10-01", "reviewed = 2026-11-02"))
    changed_review = form_id(tiny)
    topic_toml.write_text(toml)

    disclaimer = tiny.content / "_blocks" / "en" / "disclaimer.md"
    disclaimer.write_text(disclaimer.read_text() + "\nOne more sentence.\n")
    changed_block = form_id(tiny)

    clinic = tiny.clinics / "tiny.toml"
    clinic.write_text(clinic.read_text().replace("(555) 000-1111", "(555) 000-2222"))
    changed_phone = form_id(tiny)  # the phone number is printed inside the text

    found = [first, changed_text, changed_title, changed_review, changed_block, changed_phone]
    assert len(set(found)) == len(found), found
    assert changed_review.split(" \u00b7 ")[1] == "2026-11"


def test_language_and_level_are_part_of_the_identifier(shipped):
    ids = {form_id(shipped, "bone-metastasis", "riverside", lang=lang, level=level)
           for lang in ("en", "es") for level in ("easy", "standard")}
    assert len(ids) == 4
    assert {i.split(" \u00b7 ")[0] for i in ids} == {
        "BM-EN-EASY", "BM-EN-STANDARD", "BM-ES-EASY", "BM-ES-STANDARD"}


def test_identifier_is_printed_and_in_the_pdf_metadata(tiny, tmp_path):
    out = tmp_path / "tiny.pdf"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--date", "2026-11-27",
                     "-o", str(out), roots=tiny)
    assert result.exit_code == 0, result.stderr
    identifier = form_id(tiny)
    text = all_text(out)
    assert f"Form: {identifier}" in text
    assert "Reviewed October 2026 by Test reviewer." in text
    assert "Printed: November 27, 2026." in text
    keywords = str(pdf_reader(out).metadata["/Keywords"])
    assert f"form:{identifier}" in keywords
    assert "reviewed:2026-10-01" in keywords  # ISO in metadata


def test_spanish_handout_prints_dates_the_spanish_way(shipped, tmp_path):
    out = tmp_path / "es.pdf"
    result = run_cli("generate", "bone-metastasis", "--clinic", "riverside", "--lang", "es",
                     "--date", "2026-11-27", "-o", str(out), roots=shipped)
    assert result.exit_code == 0, result.stderr
    text = all_text(out)
    assert "Impreso: 27 de noviembre de 2026." in text
    assert re.search(r"Revisado en \w+ de \d{4} por ", text)


def test_batch_manifest_carries_each_identifier_also_for_skipped_outputs(tiny, tmp_path):
    out, manifest = tmp_path / "out", tmp_path / "manifest.json"
    args = ("batch", "--all", "--clinic", "tiny", "--layout", "letter",
            "--layout", "booklet-letter", "-o", str(out), "--manifest", str(manifest),
            "--date", "2026-11-27", "--jobs", "1")
    for status in ("built", "skipped"):
        result = run_cli(*args, roots=tiny)
        assert result.exit_code == 0, result.stderr
        items = json.loads(manifest.read_text())["items"]
        assert [item["status"] for item in items] == [status, status]
        assert {item["form_id"] for item in items} == {form_id(tiny)}
