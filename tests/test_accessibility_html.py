"""The HTML edition: the same handout as one self-contained, accessible web page, checked
in a real browser (Debian's Chromium) with axe-core."""

from __future__ import annotations

import re
from html import unescape

import pytest
from browser_support import assert_accessible, axe_violations
from conftest import REPO, run_cli

from handouts.build import build_handout
from handouts.check import _comparable, reading_units
from handouts.document.assemble import Options
from handouts.inputs.paths import Roots

ROOTS = Roots.under(REPO)


def html_file(tmp_path, topic="bone-metastasis", clinic="riverside", lang="en",
              level="standard"):
    out = tmp_path / f"{topic}-{lang}-{level}.html"
    result = run_cli("generate", topic, "--clinic", clinic, "--lang", lang, "--level", level,
                     "--date", "2026-11-26", "--format", "html", "-o", str(out), roots=ROOTS)
    assert result.exit_code == 0, result.output
    return out


def test_generate_format_html_writes_one_self_contained_page(tmp_path):
    html = html_file(tmp_path, lang="es").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"es\">")
    # nothing is fetched from anywhere: the logo is inline, styles are embedded
    assert not re.search(r'(src|href)="(?!data:|https?://|mailto:|tel:|#)', html)
    assert not re.search(r'<(link|script)\b', html)
    assert '<img src="data:image/png;base64,' in html
    assert 'alt="Riverside Cancer Center"' in html
    assert "<main>" in html and "<header>" in html and "<footer>" in html
    assert "@media print" in html


def test_html_edition_says_what_the_pdf_says_in_the_same_order(tmp_path):
    handout = build_handout(ROOTS, "hypercalcemia", "lakeside", "letter",
                            Options(lang="en", level="easy"))
    from handouts.build import html_edition

    body = html_edition(handout).decode("utf-8").split("<main>")[1].replace("<br>", " ")
    text = _comparable(unescape(re.sub(r"<[^>]+>", "", body)))
    position = 0
    for unit in reading_units(handout.document):
        found = text.find(unit, position)
        assert found >= 0, unit
        position = found + len(unit)


def test_html_edition_is_deterministic(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert html_file(tmp_path / "a").read_bytes() == html_file(tmp_path / "b").read_bytes()


def test_password_is_refused_for_the_html_edition(tmp_path):
    result = run_cli("generate", "bone-metastasis", "--clinic", "riverside", "--format", "html",
                     "--password-env", "PW", "-o", str(tmp_path / "x.html"), roots=ROOTS,
                     env={"PW": "secret-words"})
    assert result.exit_code == 1
    assert "HTML edition cannot be encrypted" in result.output + (result.stderr or "")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize(("topic", "lang", "level"), [
    ("bone-metastasis", "en", "standard"), ("hypercalcemia", "es", "easy"),
    ("radiation-to-bone", "en", "easy")])
def test_html_edition_passes_axe_core_in_chromium(tmp_path, page, topic, lang, level):
    path = html_file(tmp_path, topic, "lakeside" if lang == "es" else "riverside", lang, level)
    page.goto(path.as_uri())
    assert page.evaluate("document.documentElement.lang") == lang
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
                           ".map(h => Number(h.tagName[1]))")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:], strict=False))
    assert page.evaluate("document.querySelectorAll('ul li, ol li').length") > 3
    assert page.evaluate("[...document.images].every(i => i.alt && i.complete "
                         "&& i.naturalWidth > 0)")
    assert_accessible(page, f"the HTML edition of {topic} ({lang}, {level})")
    # the print stylesheet keeps it readable on paper too
    page.emulate_media(media="print")
    assert not axe_violations(page)


def test_email_can_attach_the_html_edition_beside_the_pdf(tmp_path):
    from email import message_from_bytes

    eml = tmp_path / "m.eml"
    result = run_cli("email", "bone-metastasis", "--clinic", "riverside", "--to",
                     "patient@example.org", "--attach-html", "--save-eml", str(eml),
                     roots=ROOTS)
    assert result.exit_code == 0, result.output
    parts = {part.get_filename(): part for part in message_from_bytes(eml.read_bytes()).walk()
             if part.get_filename()}
    assert set(parts) == {"bone-metastasis-en-standard.pdf", "bone-metastasis-en-standard.html"}
    html = parts["bone-metastasis-en-standard.html"].get_payload(decode=True).decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    refused = run_cli("email", "bone-metastasis", "--clinic", "riverside", "--to",
                      "patient@example.org", "--attach-html", "--password-env", "PW",
                      "--save-eml", str(tmp_path / "n.eml"), roots=ROOTS,
                      env={"PW": "secret-words"})
    assert refused.exit_code == 1 and not (tmp_path / "n.eml").exists()
