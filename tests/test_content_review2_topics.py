"""Bone metastasis, high calcium and radiation to the bone after the second clinical review:
the pointer to the 911 box names no page (large print and booklets move it), the jaw risk is
given as a number, not "rare", denosumab is not stopped or skipped alone, the easy high-calcium
sheet asks for 911 on signs a person (or their family) can see, and the chance of a second
radiation treatment is given as numbers; the glossaries say the same."""

from __future__ import annotations

import re
import tomllib

import pytest

from handouts.inputs.topics import load_topic

TOPICS = ["bone-metastasis", "hypercalcemia", "radiation-to-bone"]


def versions(shipped, topic: str):
    for lang, level in load_topic(shipped, topic).versions():
        text = (shipped.content / topic / lang / f"{level}.md").read_text(encoding="utf-8")
        yield lang, level, " ".join(text.split())


def glossary_definition(shipped, lang: str, term: str) -> str:
    table = tomllib.loads((shipped.content / "_glossary" / f"{lang}.toml").read_text("utf-8"))
    entry, = (t for t in table["term"] if t["term"] == term)
    return entry["definition"]


@pytest.mark.parametrize("topic", TOPICS)
def test_the_pointer_to_the_911_box_names_no_page(shipped, topic):
    for lang, level, text in versions(shipped, topic):
        assert not re.search(r"page \d|página \d", text), (topic, lang, level)
        pointer = ('see the "Call 911" box at the start of this handout' if lang == "en" else
                   "consulte el recuadro «Llame al 911» al comienzo de este folleto")
        assert pointer in text, (topic, lang, level)


ALL_TOPICS = [*TOPICS, "bone-medicines", "spinal-cord-compression"]


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_no_pointer_to_the_911_box_says_where_on_the_page_it_is(shipped, topic):
    """The layout puts the 911 box beside the key points (columns), before them (large print)
    or after them: 'below' or 'que sigue' is true in only some layouts."""
    wrong = re.compile(r"box below|box above|recuadro (de abajo|de arriba|que sigue)"
                       r"|recuadro «Llame al 911» que sigue")
    for lang, level, text in versions(shipped, topic):
        assert not wrong.search(text), (topic, lang, level)


def test_jaw_osteonecrosis_is_given_as_a_number_not_called_rare(shipped):
    for lang, level, text in versions(shipped, "bone-metastasis"):
        assert not re.search(r"\brare\b|\brar[oa]s?\b", text, re.IGNORECASE), (lang, level)
        assert ("1 to 5 in 100" if lang == "en" else "entre 1 y 5 de cada 100") in text
        assert ("the longer you take them" if lang == "en" else "cuanto más tiempo") in text
    english = glossary_definition(shipped, "en", "osteonecrosis of the jaw")
    spanish = glossary_definition(shipped, "es", "osteonecrosis de la mandíbula")
    assert "rare" not in english.lower() and "raro" not in spanish.lower()
    assert "1 to 5 in 100" in english and "entre 1 y 5 de cada 100" in spanish


def test_bisphosphonates_are_not_defined_as_only_given_in_a_vein(shipped):
    english = glossary_definition(shipped, "en", "bisphosphonates")
    spanish = glossary_definition(shipped, "es", "bisfosfonatos")
    assert not english.startswith("Medicines given in a vein")
    assert "most often given in a vein" in english
    assert "por lo general se ponen en la vena" in spanish


def test_bone_metastasis_warns_not_to_stop_or_skip_denosumab(shipped):
    for lang, level, text in versions(shipped, "bone-metastasis"):
        warning = ("Do not stop or skip denosumab" if lang == "en" else
                   "No deje ni se salte el denosumab")
        assert warning in text, (lang, level)


def test_easy_high_calcium_asks_for_911_on_signs_a_person_or_family_can_see(shipped):
    for lang, level, text in versions(shipped, "hypercalcemia"):
        if level != "easy":
            continue
        assert "If your calcium gets very high, call 911" not in text
        if lang == "en":
            assert "If you get confused or are very hard to wake up, call 911." in text
            assert "[!EMERGENCY] You or your family: call 911 now if:" in text
        else:
            assert "Si está confundido o es muy difícil despertarlo, hay que llamar al 911." in text
            assert "[!EMERGENCY] Usted o su familia: llamen al 911 ya si:" in text


def test_radiation_gives_the_chance_of_a_second_treatment_as_numbers(shipped):
    for lang, level, text in versions(shipped, "radiation-to-bone"):
        assert "a little more likely" not in text and "un poco más probable" not in text
        assert ("1 in 5" if lang == "en" else "1 de cada 5") in text, (lang, level)
        assert ("1 in 12" if lang == "en" else "1 de cada 12") in text, (lang, level)
