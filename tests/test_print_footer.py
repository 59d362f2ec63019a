"""The footer and the page furniture: the phone and the page number are never cut, the
footer always ends, 'Page N of M' labels are checked, large print's small text is large,
and nothing is printed nearer the sheet's edge than an office printer can print."""

from __future__ import annotations

import re

import pytest
from conftest import DATE, pdf_reader, run_cli

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.layout.fonts import family
from handouts.layout.pages import FOOTER_SEPARATOR, PRINTABLE_EDGE, footer_left_text
from handouts.layout.typeset import text_width

FACE = family("Atkinson Hyperlegible").face("regular")
PHONE = "(555) 010-4477"
TITLE = "High Calcium in the Blood (Hypercalcemia)"


def width(text: str) -> float:
    return text_width(text, FACE, 14)


def text_with_sizes(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    """(text, font size, baseline y) of each string shown on one page."""
    out: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text.replace("\xa0", " "), size * tm[3] * cm[3], tm[5] * cm[3] + cm[5]))

    pdf_reader(pdf).pages[page].extract_text(visitor_text=visit)
    return out


def test_the_phone_is_kept_whole_and_the_title_gives_way():
    everything = FOOTER_SEPARATOR.join([TITLE, PHONE])
    assert footer_left_text(TITLE, PHONE, "", width(everything), width) == everything
    shortened = footer_left_text(TITLE, PHONE, "", width(everything) - 20, width)
    assert shortened.endswith(FOOTER_SEPARATOR + PHONE)
    assert shortened.startswith("High Calcium in the") and "\u2026" in shortened
    assert width(shortened) <= width(everything) - 20
    # too little room for a useful part of the title: the title is dropped, not the phone
    assert footer_left_text(TITLE, PHONE, "", width(PHONE) + 30, width) == PHONE


@pytest.mark.parametrize("room", [-50.0, 0.0, 1.0, 5.0, 40.0])
def test_the_footer_ends_whatever_the_room(room):
    """Rooms narrower than an ellipsis once made the shortening loop for ever."""
    assert footer_left_text(TITLE, PHONE, "Easy reading", room, width) == PHONE
    assert footer_left_text(TITLE, "", "", room, width) == ""
    assert footer_left_text("x" * 500, "", "", room, width) == ""


def test_large_print_footer_keeps_phone_and_page_number_at_14_pt(shipped):
    handout = build_handout(shipped, "hypercalcemia", "riverside", "large-print",
                            Options(date=DATE))
    for page in range(handout.pages):
        strings = text_with_sizes(handout.pdf, page)
        footer = [(text, size) for text, size, y in strings if y < 72]
        footer_text = " ".join(text for text, _ in footer)
        assert PHONE in footer_text, footer_text
        assert f"Page {page + 1} of {handout.pages}" in footer_text
        assert min(size for _, size in footer) >= 14
    # the small print ends the content (a notes page may follow it)
    small = [size for page in range(handout.pages)
             for text, size, _ in text_with_sizes(handout.pdf, page)
             if "Published by" in text or "Sources" in text]
    assert small and min(small) >= 14


def test_a_large_print_layout_with_small_text_under_14_pt_is_refused(tiny):
    path = tiny.layouts / "large-print.toml"
    path.write_text(path.read_text().replace("small_size = 14", "small_size = 12"))
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--layout", "large-print",
                     roots=tiny)
    assert result.exit_code == 1
    assert "large-print.toml" in result.stderr and "small_size" in result.stderr
    assert "14" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("label", [
    "Page {page} of {pages} {x}", "Page {page:>999999999} of {pages}", "Page {page",
    "Page {page!r} of {pages}", "Page {page.__class__} of {pages}", "Page {0} of {pages}",
    "Page {page} of {page}", "Page of", "Page {page}}} of {pages}}",
])
def test_page_labels_are_format_strings_with_page_and_pages_only(tiny, label):
    path = tiny.content / "_blocks" / "en" / "labels.toml"
    text = path.read_text()
    path.write_text(text.replace('page_of = "Page {page} of {pages}"',
                                 f"page_of = '{label}'"))
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", roots=tiny)
    assert result.exit_code == 1, result.output
    assert "labels.toml" in result.stderr and "page_of" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_long_label_in_a_narrow_layout_still_prints_page_and_phone(tiny, tmp_path):
    labels = tiny.content / "_blocks" / "en" / "labels.toml"
    labels.write_text(labels.read_text().replace(
        'page_of = "Page {page} of {pages}"',
        'page_of = "This is page number {page} in a handout of {pages} pages in all"'))
    (tiny.layouts / "narrow.toml").write_text(
        'page_size = ["3.5in", "8in"]\nbody_size = 12\nsmall_size = 12\n'
        '[margins]\ntop = "0.5in"\nbottom = "0.9in"\nleft = "0.4in"\nright = "0.4in"\n')
    out = tmp_path / "narrow.pdf"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--layout", "narrow",
                     "-o", str(out), roots=tiny)
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    pages = len(pdf_reader(pdf).pages)
    for page in range(pages):
        footer = " ".join(t for t, _, y in text_with_sizes(pdf, page) if y < 0.9 * 72)
        assert "(555) 000-1111" in footer
        assert re.sub(r"\s+", " ", f"This is page number {page + 1} in a handout of {pages} "
                      "pages in all") in re.sub(r"\s+", " ", footer)


@pytest.mark.parametrize("layout", ["booklet-letter", "booklet-a4", "letter", "a4",
                                    "large-print"])
def test_header_and_footer_keep_clear_of_the_sheet_edge(shipped, layout):
    handout = build_handout(shipped, "hypercalcemia", "riverside", layout, Options(date=DATE))
    height = handout.layout.page_height
    for page in range(1, handout.pages - 1):
        for text, size, y in text_with_sizes(handout.pdf, page):
            assert y - size * 0.25 >= PRINTABLE_EDGE - 0.01, (page, text)  # descenders
            assert height - (y + size) >= PRINTABLE_EDGE - 0.01, (page, text)
