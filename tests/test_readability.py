"""Readability: syllables, the published formulas on known counts, and the guard that
keeps every shipped topic, level and language at or under its target."""

from __future__ import annotations

import json

import pytest
from conftest import DATE, all_text, run_cli

from handouts.build import build_handout
from handouts.check import check_topics
from handouts.document.assemble import Options
from handouts.inputs.topics import load_topic, topic_names
from handouts.measuring.readability import (
    Counts,
    count,
    english_syllables,
    fernandez_huerta,
    flesch_kincaid_grade,
    flesch_reading_ease,
    inflesz_band,
    smog_grade,
    sol_grade,
    spanish_syllables,
    split_sentences,
    szigriszt_pazos,
)


@pytest.mark.parametrize("word,syllables", [
    ("bone", 1), ("bones", 1), ("spread", 1), ("cancer", 2), ("kidney", 2), ("needed", 2),
    ("helped", 1), ("little", 2), ("medicine", 3), ("permission", 3), ("radiation", 4),
    ("interpreter", 4), ("emergency", 4), ("information", 4), ("chemotherapy", 5),
    ("hypercalcemia", 6), ("pictures", 2), ("released", 2), ("possible", 3), ("area", 3),
])
def test_english_syllables(word, syllables):
    assert english_syllables(word) == syllables


@pytest.mark.parametrize("word,syllables", [
    ("hueso", 2), ("cáncer", 2), ("metástasis", 4), ("radiación", 3), ("día", 2),
    ("país", 2), ("poema", 3), ("leer", 2), ("que", 1), ("guerra", 2), ("pingüino", 3),
    ("ciudad", 2), ("muy", 1), ("hoy", 1), ("oído", 3), ("tratamiento", 4),
    ("consentimiento", 5), ("hipercalcemia", 5), ("averiguáis", 4), ("ahora", 3),
])
def test_spanish_syllables(word, syllables):
    assert spanish_syllables(word) == syllables


def test_sentences_end_at_stops_and_list_items_count_alone():
    assert split_sentences("One idea. Two ideas! Three? ¿Cuatro? Sí.") == [
        "One idea.", "Two ideas!", "Three?", "¿Cuatro?", "Sí."]
    assert count(["a short item", "another short item"], "en").sentences == 2


def test_formulas_on_flesch_and_kincaid_published_constants():
    # 100 words, 5 sentences, 140 syllables: the textbook worked-example shape
    counts = Counts(sentences=5, words=100, syllables=140, polysyllables=9)
    assert flesch_reading_ease(counts) == pytest.approx(206.835 - 1.015 * 20 - 84.6 * 1.4)
    assert flesch_kincaid_grade(counts) == pytest.approx(0.39 * 20 + 11.8 * 1.4 - 15.59)
    # SMOG: 30 sentences with 9 polysyllables -> 1.043 * 3 + 3.1291
    smog = Counts(sentences=30, words=300, syllables=420, polysyllables=9)
    assert smog_grade(smog) == pytest.approx(1.0430 * 3 + 3.1291)


def test_spanish_formulas():
    counts = Counts(sentences=10, words=120, syllables=240, polysyllables=30)
    # Fernández Huerta as Flesch adapted it: P = syllables per 100 words, F = words/sentence
    assert fernandez_huerta(counts) == pytest.approx(206.84 - 0.60 * 200 - 1.02 * 12)
    assert szigriszt_pazos(counts) == pytest.approx(206.835 - 62.3 * 2 - 12)
    assert sol_grade(counts) == pytest.approx(-2.51 + 0.74 * smog_grade(counts))
    assert [inflesz_band(x) for x in (30, 50, 60, 70, 90)] == [
        "very difficult", "somewhat difficult", "normal", "fairly easy", "very easy"]


def test_a_real_sentence_end_to_end():
    counts = count(["The cat sat on the mat. It was a sunny day."], "en")
    assert (counts.sentences, counts.words, counts.syllables) == (2, 11, 12)
    assert flesch_kincaid_grade(counts) == pytest.approx(
        0.39 * 11 / 2 + 11.8 * 12 / 11 - 15.59)


def test_every_shipped_topic_level_and_language_meets_its_target(shipped):
    reports = check_topics(shipped)
    versions = {(r.topic, r.lang, r.level) for r in reports}
    assert len(versions) >= 12  # three topics in English and Spanish, easy and standard
    for report in reports:
        assert report.passed, (report.topic, report.lang, report.level, report.failures)


def test_check_cli_prints_a_table_and_json(shipped, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    table = run_cli("check", "bone-metastasis")
    assert table.exit_code == 0, table.output
    assert "bone-metastasis  en  easy: PASS  (target grade <= 6)" in table.stdout
    assert "bone-metastasis  es  standard: PASS  (target INFLESZ >= 55)" in table.stdout
    assert "whole handout" in table.stdout
    data = json.loads(run_cli("check", "--lang", "es", "--format", "json").stdout)
    assert data["passed"] is True
    assert {r["lang"] for r in data["reports"]} == {"es"}
    assert {"fernandez_huerta", "szigriszt_pazos", "sol"} <= set(data["reports"][0]["scores"])


def test_max_grade_makes_the_check_fail(shipped, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    result = run_cli("check", "bone-metastasis", "--lang", "en", "--max-grade", "2")
    assert result.exit_code == 1
    assert "is above 2" in result.stdout


PLANTED = """\
## What this is about {#about}

This sentence has been written to be far too long for a patient to read easily in one go at all.

Your hypercalcemia needs care.

One. Two. Three. Four. Five. Six.

## When to get help {#help}

Call us.
"""


def test_lint_finds_planted_long_sentences_paragraphs_and_unexplained_terms(tiny):
    (tiny.content / "tiny-topic" / "en" / "standard.md").write_text(PLANTED)
    report, = check_topics(tiny)
    kinds = [f.kind for f in report.findings]
    assert "long-sentence" in kinds and "long-paragraph" in kinds
    assert "unexplained-term" in kinds and "passive-voice" in kinds
    assert not report.passed
    unexplained = [f for f in report.findings if f.kind == "unexplained-term"]
    assert "hypercalcemia" in unexplained[0].detail and "high calcium" in unexplained[0].detail


def test_a_term_explained_beside_it_is_not_flagged(tiny):
    (tiny.content / "tiny-topic" / "en" / "standard.md").write_text(
        "## A {#about}\n\nHigh calcium in the blood (hypercalcemia) needs care.\n\n"
        "## B {#help}\n\nCall us.\n")
    report, = check_topics(tiny)
    assert [f for f in report.findings if f.kind == "unexplained-term"] == []


def test_missing_level_or_language_lists_what_the_topic_has(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    for args, expected in ((["--level", "detailed"], "has no level 'detailed'"),
                           (["--lang", "fr"], "has no language 'fr'")):
        result = run_cli("generate", "bone-metastasis", "--clinic", "riverside", *args,
                         "-o", str(tmp_path / "x.pdf"))
        assert result.exit_code == 1
        assert expected in result.stderr and "it has:" in result.stderr
        assert not (tmp_path / "x.pdf").exists()


def test_spanish_handout_has_spanish_glyphs_labels_and_metadata(shipped):
    handout = build_handout(shipped, "bone-metastasis", "lakeside", "letter",
                            Options(lang="es", level="easy", date=DATE))
    text = all_text(handout.pdf)
    for fragment in ("¿Qué es la metástasis ósea?", "¿Adónde se extendió el cáncer?",
                     "riñón", "Página 1 de", "Palabras que debe conocer",
                     "Publicado por", "Aviso"):
        assert fragment in text, fragment
    from conftest import pdf_reader

    keywords = pdf_reader(handout.pdf).metadata["/Keywords"]
    assert "language:es" in keywords and "level:easy" in keywords and "inflesz:" in keywords


def test_easy_handouts_list_the_glossary_words_they_use(shipped):
    easy = build_handout(shipped, "hypercalcemia", "riverside", "letter",
                         Options(level="easy", date=DATE))
    terms = [entry.term for entry in easy.document.words_to_know]
    assert terms[:4] == ["hypercalcemia", "ECG", "informed consent", "IV"]  # order of first use
    assert "Words to know" in all_text(easy.pdf)
    standard = build_handout(shipped, "hypercalcemia", "riverside", "letter",
                             Options(level="standard", date=DATE))
    assert standard.document.words_to_know == ()
    assert "Words to know" not in all_text(standard.pdf)


def test_every_topic_records_sources_and_a_review_date(shipped):
    for name in topic_names(shipped):
        topic = load_topic(shipped, name)
        assert topic.sources and topic.reviewed.year >= 2026


def test_a_source_without_url_or_date_fails_the_check(tiny):
    toml = tiny.content / "tiny-topic" / "topic.toml"
    text = toml.read_text()
    assert "[[sources]]" in text
    start = text.index("[[sources]]")
    end = text.find("\n[", start + 1)
    toml.write_text(text[:start] + '[[sources]]\ntitle = "A leaflet"\npublisher = "Somebody"\n'
                    + (text[end:] if end != -1 else ""))
    report, = check_topics(tiny)
    assert not report.passed
    assert any("has no url" in f for f in report.failures)
    assert any("has no date" in f for f in report.failures)


def test_shipped_sources_have_address_and_date_and_print_them(shipped):
    for name in topic_names(shipped):
        for source in load_topic(shipped, name).sources:
            assert source.url and source.url.startswith("https://"), (name, source.title)
            assert source.dated, (name, source.title)
            assert "handouts project" not in source.publisher  # internal notes are no source
    handout = build_handout(shipped, "hypercalcemia", "riverside", "letter", Options(date=DATE))
    text = " ".join(all_text(handout.pdf).split())
    assert "Endocrine Society" in text and "(2023)" in text
    assert "doi.org/10.1210/clinem/dgac621" in text.replace(" ", "")
