"""The shipped topics: the facts a clinician asked for are in every version, every handout
opens with key points and the 911 box on its first page, and the two new topics render in
every layout, language and level."""

from __future__ import annotations

import pytest
from conftest import DATE, REPO, page_texts

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.inputs.layouts import layout_names
from handouts.inputs.paths import Roots
from handouts.inputs.topics import load_topic, topic_names


@pytest.mark.parametrize("topic", ["bone-medicines", "spinal-cord-compression"])
@pytest.mark.parametrize("lang,level", [("en", "easy"), ("en", "standard"), ("es", "easy"),
                                        ("es", "standard")])
def test_new_topics_render_with_key_points_and_911_on_page_one(shipped, topic, lang, level):
    handout = build_handout(shipped, topic, "riverside", "letter",
                            Options(lang=lang, level=level, date=DATE))
    first = " ".join(page_texts(handout.pdf)[0].split())
    assert ("Key points" if lang == "en" else "Puntos clave") in first
    assert ("Call 911" if lang == "en" else "Llame al 911") in first


@pytest.mark.parametrize("layout", layout_names(Roots.under(REPO)))
def test_new_topics_render_in_every_layout_language_and_level(shipped, layout):
    for topic in ("bone-medicines", "spinal-cord-compression"):
        for lang, level in load_topic(shipped, topic).versions():
            handout = build_handout(shipped, topic, "lakeside", layout,
                                    Options(lang=lang, level=level, date=DATE))
            pages = page_texts(handout.pdf)
            text = " ".join(pages)
            title = load_topic(shipped, topic).language(lang).title
            assert " ".join(title.split()[:2]) in text, (topic, lang, level, layout)
            assert ("Published by" if lang == "en" else "Publicado por") in text
            # the 911 box on the first page a reader opens to (a booklet's first is its cover)
            first = pages[1] if layout.startswith("booklet") else pages[0]
            assert ("Call 911" if lang == "en" else "Llame al 911") in first, (
                topic, lang, level, layout)


def test_every_shipped_handout_has_the_911_box_on_its_first_page(shipped):
    for name in topic_names(shipped):
        for lang, level in load_topic(shipped, name).versions():
            handout = build_handout(shipped, name, "riverside", "letter",
                                    Options(lang=lang, level=level, date=DATE))
            first = " ".join(page_texts(handout.pdf)[0].split())
            assert ("Call 911" if lang == "en" else "Llame al 911") in first, (name, lang, level)


FACTS = {
    # fact -> words every version of the topic must print (en, es)
    "bone-metastasis": [("bones thin", "delgados"),
                        ("Denosumab", "denosumab"), ("dentist", "dentista"),
                        ("legal right", "derecho legal"), ("band around", "banda alrededor"),
                        ("breastfeeding", "amamantando|dando pecho"),
                        ("Palliative care", "Cuidados paliativos")],
    "hypercalcemia": [("Denosumab", "denosumab"), ("Calcitonin", "Calcitonina"),
                      ("100.4", "100.4")],
    "radiation-to-bone": [("permanent|do not wash off", "permanentes|no se quitan"),
                          ("breastfeeding", "amamantando|dando pecho"),
                          ("days", "días")],
    "spinal-cord-compression": [("band around", "banda"), ("911", "911")],
    "bone-medicines": [("dentist", "dentista"), ("jaw", "mandíbula"), ("kidney", "riñones"),
                       ("vitamin D", "vitamina D")],
}


@pytest.mark.parametrize("topic", sorted(FACTS))
def test_each_corrected_fact_is_in_every_version(shipped, topic):
    import re

    for lang, level in load_topic(shipped, topic).versions():
        text = (shipped.content / topic / lang / f"{level}.md").read_text()
        text = " ".join(text.split())
        for english, spanish in FACTS[topic]:
            pattern = english if lang == "en" else spanish
            assert re.search(pattern, text, re.IGNORECASE), (topic, lang, level, pattern)
        assert "a person you trust can sign" not in text
        assert "persona de su confianza puede firmar" not in text
        assert "help keep your bones strong" not in text


def test_spanish_handouts_name_their_reviewer_in_spanish(shipped):
    for name in topic_names(shipped):
        spanish = build_handout(shipped, name, "riverside", "letter",
                                Options(lang="es", level="easy", date=DATE))
        text = " ".join(page_texts(spanish.pdf))
        assert "por los editores de contenido de handouts" in text, name
        assert "handouts content editors" not in text, name
    english = build_handout(shipped, "hypercalcemia", "riverside", "letter",
                            Options(lang="en", level="easy", date=DATE))
    assert "by handouts content editors" in " ".join(page_texts(english.pdf))
