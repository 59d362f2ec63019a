"""The two new topics after the second clinical review: the spinal cord compression sheet
keeps all its text on the front of one letter or A4 sheet (the back matter on the back),
its same-day box gives the after-hours line and a way in when nobody answers, and sudden,
very bad back pain means 911 in it as in the other handouts; the bone-medicines handout
says what a clinician asked for, in all four versions."""

from __future__ import annotations

import re

import pytest
from conftest import DATE, page_texts

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.document.model import Callout, plain_text
from handouts.inputs.topics import load_topic
from handouts.measuring.plain_language import body_units

VERSIONS = [("en", "easy"), ("en", "standard"), ("es", "easy"), ("es", "standard")]


def _box_text(callout: Callout) -> str:
    """Everything a box prints, its title and its items, as one string."""
    parts = [plain_text(callout.title)]

    def walk(blocks):
        for block in blocks:
            content = getattr(block, "content", None)
            if content is not None and not isinstance(content, str):
                parts.append(plain_text(content))
            for item in getattr(block, "items", ()):
                walk(item.blocks)
            walk(getattr(block, "blocks", ()))

    walk(callout.blocks)
    return " ".join(" ".join(parts).split())


def _boxes(document, kind: str) -> list[str]:
    found = []

    def walk(blocks):
        for block in blocks:
            if isinstance(block, Callout):
                if block.kind == kind:
                    found.append(_box_text(block))
                walk(block.blocks)

    walk(document.intro)
    for section in document.sections:
        walk(section.blocks)
    return found


@pytest.mark.parametrize("layout", ["letter", "a4"])
@pytest.mark.parametrize("lang,level", VERSIONS)
def test_spinal_cord_compression_fits_the_front_of_one_sheet(shipped, lang, level, layout):
    handout = build_handout(shipped, "spinal-cord-compression", "riverside", layout,
                            Options(lang=lang, level=level, date=DATE))
    front, *back = page_texts(handout.pdf)
    assert handout.pages == 2, (lang, level, layout, handout.pages)  # one sheet, duplex
    for section in handout.document.sections:
        heading = plain_text(section.heading.content)
        assert heading in front, (heading, lang, level, layout)
        assert heading not in " ".join(back)
    for kind in ("keypoints", "emergency", "call"):
        box, = _boxes(handout.document, kind)
        last_words = " ".join(box.split()[-4:])
        assert last_words in front, (kind, last_words, lang, level, layout)


@pytest.mark.parametrize("lang,level", VERSIONS)
def test_the_same_day_box_gives_after_hours_and_the_emergency_room_when_nobody_answers(
        shipped, lang, level):
    handout = build_handout(shipped, "spinal-cord-compression", "riverside", "letter",
                            Options(lang=lang, level=level, date=DATE))
    box, = _boxes(handout.document, "call")
    assert "(555) 010-4477" in box and "(555) 010-4400" in box  # riverside's two lines
    if lang == "en":
        assert "If you cannot reach us, go to the emergency room. Do not wait until morning." \
            in box
    else:
        assert "vaya a emergencias. No espere hasta la mañana." in box


SUDDEN_PAIN = {"en": r"sudden, very bad (pain in your back or neck|back or neck pain)",
               "es": r"(repentino|de repente)"}


@pytest.mark.parametrize("topic", ["spinal-cord-compression", "bone-metastasis",
                                   "radiation-to-bone"])
def test_sudden_very_bad_back_pain_means_911_in_every_handout_about_the_spine(shipped,
                                                                             topic):
    """One rule for one symptom: a patient holding two handouts is not told 911 by one and
    'call the same day' by the other."""
    for lang, level in load_topic(shipped, topic).versions():
        handout = build_handout(shipped, topic, "riverside", "letter",
                                Options(lang=lang, level=level, date=DATE))
        box, = _boxes(handout.document, "emergency")
        assert re.search(SUDDEN_PAIN[lang], box), (topic, lang, level, box)


BONE_MEDICINES = {
    # what every version says -> (English pattern, Spanish pattern)
    "fever after the drip still means a call": (r"call us for any fever of 100\.4",
                                                r"llámenos si tiene fiebre de 38"),
    "denosumab with kidney disease or dialysis": (r"dialysis", r"diálisis"),
    "calcium checked by a blood test before doses": (
        r"calcium with a blood test before doses", r"calcio con un análisis de sangre antes"),
    "do not stop or skip denosumab": (r"do not stop or skip denosumab",
                                      r"no deje el denosumab ni se salte dosis"),
    "broken bones in the spine after stopping": (r"spine", r"columna"),
    "jaw osteonecrosis at cancer doses": (r"1 to 5 in 100", r"entre 1 y 5 de cada 100"),
    "exposed bone or a gum sore": (r"bone in your mouth", r"hueso en la boca"),
    "no calcium after high calcium unless told": (r"if your calcium has been high",
                                                  r"si ha tenido el calcio alto"),
    "breastfeeding": (r"breastfe", r"pecho|amamantando"),
    "birth control after the last dose": (r"for some months after", r"unos meses después"),
    "an uneven heartbeat means 911": (r"heartbeat", r"latidos muy rápidos"),
    "the 911 box is at the start, not on a page number": (
        r'see the "Call 911" box at the start of this handout',
        r"consulte el recuadro «Llame al 911» al comienzo de este folleto"),
}


@pytest.mark.parametrize("lang,level", VERSIONS)
def test_bone_medicines_says_what_the_clinical_review_asked(shipped, lang, level):
    handout = build_handout(shipped, "bone-medicines", "riverside", "letter",
                            Options(lang=lang, level=level, date=DATE))
    document = handout.document  # the text as printed, whole sentences across page breaks
    text = " ".join(unit.text for unit in body_units(document.intro, document.sections,
                                                     document.summary))
    for fact, (english, spanish) in BONE_MEDICINES.items():
        pattern = english if lang == "en" else spanish
        assert re.search(pattern, text, re.IGNORECASE), (fact, lang, level)
    for wrong in ("In rare cases these medicines harm the jawbone", "casos raros, estos",
                  "on page 1", "de la página 1", "La mayoría de las personas",
                  "Dígale a todo dentista", "sin riesgo"):
        assert wrong not in text, (wrong, lang, level)
    emergency, = _boxes(handout.document, "emergency")
    assert re.search(r"heartbeat|latidos", emergency)


def test_easy_english_names_both_bisphosphonates_it_gives(shipped):
    text = (shipped.content / "bone-medicines" / "en" / "easy.md").read_text()
    for name in ("Bisphosphonates", "Zoledronic acid", "Pamidronate", "Denosumab"):
        assert name in text
