"""Typesetting for print: hyphenation (per language, body text only, soft hyphens
honoured), kerning from the fonts' own pairs, and scripts that need shaping refused."""

from __future__ import annotations

import io

from conftest import DATE, TINY_MARKDOWN, page_texts, run_cli
from pypdf import PdfReader
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.document.model import Paragraph, plain_text
from handouts.layout.fonts import family
from handouts.layout.typeset import SOFT_HYPHEN, Run, TextBlock, break_points, text_width

FAMILY = family("Atkinson Hyperlegible")
REGULAR = FAMILY.face("regular")


def style(lang: str = "en", size: float = 12) -> ParagraphStyle:
    return ParagraphStyle("t", fontName=REGULAR, fontSize=size, leading=size * 1.4,
                          textColor=HexColor("#1A1A1A"), spaceShrinkage=0,
                          hyphenationLang=lang)


def lines_of(text: str, width: float, lang: str = "en") -> list[str]:
    block = TextBlock([Run(text)], style(lang), FAMILY)
    block.wrap(width, 10_000)
    out = []
    for words, _, _ in block._lines:
        line = ""
        for index, (pieces, _, space) in enumerate(words):
            line += (" " if index and space else "") + "".join(p[2] for p in pieces)
        out.append(line)
    return out


def test_a_long_word_at_a_line_end_is_hyphenated_at_a_dictionary_point():
    width = text_width("Your calcium is high, which doctors call hypercal-", REGULAR, 12) + 1
    lines = lines_of("Your calcium is high, which doctors call hypercalcemia today.", width)
    assert lines[0].endswith(f" hypercal{SOFT_HYPHEN}"), lines  # drawn as a hyphen
    assert "".join(line[:-1] if line.endswith(SOFT_HYPHEN) else line + " "
                   for line in lines).split() == \
        "Your calcium is high, which doctors call hypercalcemia today.".split()


def test_names_numbers_and_addresses_are_never_hyphenated():
    for word in ("Riverside", "Hypercalcemia", "(555)", "010-4477", "riverside.example.org",
                 "https://example.org/hypercalcemia", "COVID-19"):
        assert break_points(word, "en") == (), word
    assert break_points("hypercalcemia", "en")
    assert break_points("radioterapia", "es")
    assert break_points("hypercalcemia", "xx") == ()  # no dictionary: no hyphens


def test_soft_hyphens_are_the_only_break_points_and_invisible_when_unused():
    word = f"bis{SOFT_HYPHEN}phos{SOFT_HYPHEN}phonates"
    assert [point[0] for point in break_points(word, "en")] == [3, 8]
    assert text_width(word, REGULAR, 12) == text_width("bisphosphonates", REGULAR, 12)
    lines = lines_of(f"Some medicines are called {word} here.", 190)
    assert lines[0].endswith(f" bis{SOFT_HYPHEN}"), lines
    assert lines[1].startswith(f"phos{SOFT_HYPHEN}phonates")  # an unused one stays unseen


def test_headings_and_titles_are_never_hyphenated(shipped):
    handout = build_handout(shipped, "hypercalcemia", "riverside", "large-print",
                            Options(date=DATE))
    headings = [" ".join(plain_text(s.heading.content).split())
                for s in handout.document.sections]
    text = " ".join(page_texts(handout.pdf))
    for heading in headings + [handout.document.title]:
        assert heading in text, heading  # whole, not broken with a hyphen


def loose_lines(text: str, width: float, size: float, lang: str) -> int:
    """Lines (all but a paragraph's last) that leave more than a tenth of the room empty."""
    block = TextBlock([Run(text)], style(lang, size), FAMILY)
    block.wrap(width, 100_000)
    return sum(line_width < width * 0.9 for _, line_width, _ in block._lines[:-1])


def test_hyphenation_cuts_loose_lines_in_narrow_columns_and_large_print(shipped):
    without = with_hyphens = 0
    for layout in ("letter", "large-print"):
        handout = build_handout(shipped, "bone-metastasis", "riverside", layout,
                                Options(date=DATE))
        paragraphs = [plain_text(block.content) for section in handout.document.sections
                      for block in section.blocks if isinstance(block, Paragraph)]
        width, size = handout.layout.column_width, handout.layout.body_size
        without += sum(loose_lines(text, width, size, "") for text in paragraphs)
        with_hyphens += sum(loose_lines(text, width, size, "en") for text in paragraphs)
    assert without >= 20  # the measure means something
    # plain-language content has few long words to break, so the gain is a third, not more
    assert with_hyphens <= without * 0.7, (without, with_hyphens)


def test_words_are_kerned_by_the_fonts_pairs():
    assert text_width("AVATAR", REGULAR, 20) < stringWidth("AVATAR", REGULAR, 20) - 2
    block = TextBlock([Run("AVATAR Today")], style(size=20), FAMILY)
    block.wrap(400, 100)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(440, 100), invariant=1)
    block.drawOn(canvas, 20, 40)
    canvas.showPage()
    canvas.save()
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    content = reader.pages[0].get_contents().get_data()
    assert b"] TJ" in content  # the kerned pairs are placed with TJ adjustments
    assert reader.pages[0].extract_text().split() == ["AVATAR", "Today"]


def test_text_that_needs_shaping_is_refused_naming_file_and_script(tiny):
    markdown = tiny.content / "tiny-topic" / "en" / "standard.md"
    bone = "\u0939\u0921\u094d\u0921\u0940"  # Hindi for bone: needs its conjunct shaped
    markdown.write_text(TINY_MARKDOWN.replace("This topic is tiny.", f"Tiny: {bone}."))
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", roots=tiny)
    assert result.exit_code == 1, result.output
    error = result.stderr.strip()
    assert len(error.splitlines()) == 1 and "Traceback" not in result.output
    assert "standard.md" in error and "Devanagari" in error


def test_a_patient_name_that_needs_shaping_is_refused_without_echoing_it(tiny):
    name = "\u0633\u0645\u064a\u0631\u0629"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--patient-name", name,
                     roots=tiny)
    assert result.exit_code == 1, result.output
    assert "Arabic" in result.stderr and name not in result.output


def test_soft_hyphens_in_content_reach_the_page_and_show_only_at_a_break(tiny, tmp_path):
    word = "\u00ad".join(["bis", "phos", "pho", "nates"])
    markdown = tiny.content / "tiny-topic" / "en" / "standard.md"
    markdown.write_text(TINY_MARKDOWN.replace(
        "This topic is tiny.", f"This topic is tiny. {word} " * 12))
    out = tmp_path / "soft.pdf"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "-o", str(out), roots=tiny)
    assert result.exit_code == 0 and "invisible" not in result.stderr
    raw = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "bisphosphonates" in raw  # unbroken: the soft hyphens do not show
    assert all(raw[i + 1] == "\n" for i, char in enumerate(raw) if char == "\u00ad")
    assert " ".join(page_texts(out)).count("bisphosphonates") == 12
