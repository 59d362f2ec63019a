"""The sources block, the same in the PDF and the HTML edition: a source with a publication
year prints that year; undated web pages say the month they were read ("Web pages with no
year: accessed November 2026.", or each its own when read in different months), never a bare
year that reads as a publication year; the publisher prints in the handout's language where
topic.toml gives it; a page in one language is cited only on handouts in that language."""

from __future__ import annotations

import re
from html import unescape

import pytest
from conftest import DATE, page_texts

from handouts.build import build_handout, html_edition
from handouts.document.assemble import Options
from handouts.errors import HandoutsError
from handouts.inputs.topics import load_labels, load_topic


def pdf_sources(handout) -> str:
    text = " ".join(" ".join(page_texts(handout.pdf)).split())
    text = text.replace("\u00ad ", "").replace("- ", "-")  # words and addresses split at lines
    label = "Sources:" if handout.document.lang == "en" else "Fuentes:"
    block = text[text.index(label):]
    end = "Reviewed " if handout.document.lang == "en" else "Revisado en"
    return block[:block.index(end)].strip()


def html_sources(handout) -> str:
    page = html_edition(handout).decode("utf-8")
    label = "Sources:" if handout.document.lang == "en" else "Fuentes:"
    block = page[page.index(label):]
    return block[:block.index("</p>")]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_access_dates_are_not_printed_as_publication_years(shipped, lang):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "letter",
                            Options(lang=lang, level="standard", date=DATE))
    for block in (pdf_sources(handout), unescape(re.sub(r"<[^>]+>", "", html_sources(handout)))):
        block = " ".join(block.split())
        assert "(2026)" not in block, lang
        if lang == "en":
            assert "MedlinePlus (NLM), medlineplus.gov/advancedirectives.html" in block
            assert block.endswith("Web pages with no year: accessed November 2026.")
            assert "NICE (UK), guideline NG234 (2023), nice.org.uk/guidance/ng234" in block
            assert "ASTRO, Pract Radiat Oncol (2024), doi.org/10.1016/j.prro.2024.04.018" \
                in block
        else:
            assert "MedlinePlus (NLM), medlineplus.gov/advancedirectives.html" in block
            assert block.endswith("Páginas web sin año: consultadas en noviembre de 2026.")
            assert "NICE (Reino Unido), guía NG234 (2023), nice.org.uk/guidance/ng234" in block
            assert "Instituto Nacional del Cáncer (NCI), cancer.gov/types/metastatic" in block


def test_the_html_edition_links_each_address(shipped):
    handout = build_handout(shipped, "hypercalcemia", "riverside", "letter",
                            Options(lang="en", level="standard", date=DATE))
    block = html_sources(handout)
    assert ('<a href="https://doi.org/10.1210/clinem/dgac621">doi.org/10.1210/clinem/dgac621'
            '</a>') in block


def test_spanish_pages_are_cited_on_spanish_handouts_only(shipped):
    for name in ("bone-metastasis", "hypercalcemia", "radiation-to-bone"):
        topic = load_topic(shipped, name)
        spanish_pages = [s for s in topic.sources if s.lang == "es"]
        assert spanish_pages, name
        for source in spanish_pages:
            assert source.url and source.accessed, (name, source.title)
        english = build_handout(shipped, name, "riverside", "letter",
                                Options(lang="en", level="easy", date=DATE))
        spanish = build_handout(shipped, name, "riverside", "letter",
                                Options(lang="es", level="easy", date=DATE))
        assert not set(english.document.sources) & set(spanish_pages), name
        assert set(spanish_pages) <= set(spanish.document.sources), name
        assert "/es/" in pdf_sources(spanish) or "/spanish/" in pdf_sources(spanish), name


def test_a_source_with_a_year_prints_the_year_and_a_translated_publisher(tiny):
    toml = tiny.content / "tiny-topic" / "topic.toml"
    toml.write_text(toml.read_text().replace(
        'accessed = 2026-10-01\n',
        'year = 2019\naccessed = 2026-10-01\npublisher_in = { fr = "Suite de tests" }\n'))
    topic = load_topic(tiny, "tiny-topic")
    source, = topic.sources
    assert source.publisher_in("fr") == "Suite de tests"
    assert source.publisher_in("es") == "Test suite"
    handout = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE))
    assert pdf_sources(handout) == "Sources: Test suite (2019), example.org/test-facts"


def test_pages_read_in_different_months_each_say_when(tiny):
    toml = tiny.content / "tiny-topic" / "topic.toml"
    toml.write_text(toml.read_text().replace("\n[languages.en]", """
[[sources]]
title = "More facts"
publisher = "Second site"
url = "https://example.org/more"
accessed = 2026-11-20

[languages.en]""", 1))
    handout = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE))
    assert pdf_sources(handout) == (
        "Sources: Test suite, accessed October 2026, example.org/test-facts; "
        "Second site, accessed November 2026, example.org/more")


def test_a_source_in_an_unknown_shape_is_refused_naming_the_key(tiny):
    toml = tiny.content / "tiny-topic" / "topic.toml"
    good = toml.read_text()
    toml.write_text(good.replace('accessed = 2026-10-01\n',
                                 'accessed = 2026-10-01\npublisher_in = { es = 3 }\n'))
    with pytest.raises(HandoutsError, match="publisher_in.es"):
        load_topic(tiny, "tiny-topic")
    toml.write_text(good.replace('accessed = 2026-10-01\n',
                                 'accessed = 2026-10-01\nlang = "../x"\n'))
    with pytest.raises(HandoutsError, match="topic.toml"):
        load_topic(tiny, "tiny-topic")


def test_an_accessed_label_must_hold_the_date(tiny):
    labels = tiny.content / "_blocks" / "en" / "labels.toml"
    labels.write_text(labels.read_text().replace('accessed = "accessed {date}"',
                                                 'accessed = "accessed {when}"'))
    with pytest.raises(HandoutsError, match="accessed"):
        load_labels(tiny, "en")
