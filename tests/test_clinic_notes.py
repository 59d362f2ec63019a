"""The clinic's footer note (e.g. free interpreters) in each handout's own language: a table
keyed by language in the clinic profile, the older single string read as English only, and
a handout in a language with no note printing none rather than another language's."""

from __future__ import annotations

import shutil

import pytest
from conftest import TINY_CLINIC, page_texts, run_cli

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.errors import HandoutsError
from handouts.inputs.clinics import load_clinic
from handouts.inputs.paths import Roots
from handouts.layout.html_edition import render_html

ENGLISH = "Interpreters are free. Ask us for one in your language."
SPANISH = "Los intérpretes son gratis. Pídanos uno en su idioma."
BOTH = f'\n[footer_note]\nen = "{ENGLISH}"\nes = "{SPANISH}"\n'


def with_clinic(roots, extra: str):
    (roots.clinics / "tiny.toml").write_text(TINY_CLINIC + extra)
    return load_clinic(roots, "tiny")


def test_a_note_per_language_is_read_from_a_table(tiny):
    clinic = with_clinic(tiny, BOTH)
    assert clinic.footer_note("en") == ENGLISH
    assert clinic.footer_note("es") == SPANISH
    assert clinic.footer_note("fr") is None
    assert clinic.template_values(lang="es")["footer_note"] == SPANISH


def test_the_older_single_string_is_english_only(tiny):
    clinic = with_clinic(tiny, f'footer_note = "{ENGLISH}"\n')
    assert clinic.footer_note("en") == ENGLISH
    assert clinic.footer_note("es") is None  # never English on a Spanish handout
    assert clinic.template_values(lang="es")["footer_note"] == ""


@pytest.mark.parametrize("extra, fragments", [
    ('\n[footer_note]\nenglish = "Free interpreters."\n',
     ["tiny.toml", "footer_note.english", "not a language code"]),
    ('\n[footer_note]\nes = ""\n', ["tiny.toml", "footer_note.es", "must not be empty"]),
    ('\n[footer_note]\nes = 3\n', ["tiny.toml", "footer_note.es", "expected text"]),
    ("footer_note = 3\n", ["tiny.toml", "footer_note", "expected text"]),
])
def test_a_bad_note_is_one_line_naming_the_file_and_key(tiny, tmp_path, extra, fragments):
    (tiny.clinics / "tiny.toml").write_text(TINY_CLINIC + extra)
    with pytest.raises(HandoutsError) as caught:
        load_clinic(tiny, "tiny")
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    out = tmp_path / "out.pdf"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "-o", str(out),
                     roots=tiny)
    assert result.exit_code == 1 and not out.exists()
    assert result.stderr.strip().count("\n") == 0 and "footer_note" in result.stderr


def shipped_note(shipped, lang: str, layout: str = "letter") -> tuple[str, str]:
    handout = build_handout(shipped, "spinal-cord-compression", "riverside", layout,
                            Options(lang=lang, level="easy"))
    return " ".join(page_texts(handout.pdf)), render_html(handout.document,
                                                         load_clinic(shipped, "riverside"))


@pytest.mark.parametrize("lang, own, other", [("en", ENGLISH, SPANISH),
                                              ("es", SPANISH, ENGLISH)])
def test_each_shipped_handout_prints_the_note_in_its_own_language(shipped, lang, own,
                                                                  other):
    printed, html = shipped_note(shipped, lang)
    assert own in printed and other not in printed
    assert f"<em>{own}</em>" in html and other not in html


def test_a_spanish_handout_without_a_spanish_note_prints_none(shipped, tmp_path):
    clinics = tmp_path / "clinics"
    shutil.copytree(shipped.clinics, clinics)
    profile = clinics / "riverside.toml"
    text = profile.read_text()
    older = text[:text.index("[footer_note]")] + f'footer_note = "{ENGLISH}"\n\n' \
        + text[text.index("[mail]"):]
    profile.write_text(older)
    roots = Roots(shipped.content, clinics, shipped.layouts)
    spanish = build_handout(roots, "spinal-cord-compression", "riverside", "letter",
                            Options(lang="es", level="easy"))
    english = build_handout(roots, "spinal-cord-compression", "riverside", "letter",
                            Options(lang="en", level="easy"))
    assert ENGLISH not in " ".join(page_texts(spanish.pdf))
    assert SPANISH not in " ".join(page_texts(spanish.pdf))
    assert ENGLISH in " ".join(page_texts(english.pdf))
