"""Booklets: padded to a multiple of four, imposed two-up so a duplex print folds in order."""

from __future__ import annotations

import html
import io
import re
import subprocess

import pytest
from conftest import DATE, make_tiny_roots, page_texts, pdf_reader, run_cli
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen.canvas import Canvas

from handouts.build import build_handout, print_ready
from handouts.document.assemble import Options
from handouts.finishing.impose import impose, sheet_sides

HALF_LETTER = (letter[1] / 2, letter[0])


def numbered_pdf(pages: int, size=HALF_LETTER) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, invariant=1)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 40)
        canvas.drawString(60, size[1] / 2, f"P{number}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def halves(pdf: bytes) -> list[tuple[str, str]]:
    """For each sheet side, the text on its left half and on its right half, as poppler
    reads it (pdftotext -bbox: every word with its position on the sheet)."""
    words = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    sides = []
    for match in re.finditer(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', words, re.S):
        middle = float(match.group(1)) / 2
        left: list[str] = []
        right: list[str] = []
        for x_min, x_max, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>',
                match.group(2)):
            (left if (float(x_min) + float(x_max)) / 2 < middle else right).append(
                html.unescape(word))
        sides.append((" ".join(left), " ".join(right)))
    return sides


def test_sheet_order_for_eight_pages():
    assert sheet_sides(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]


@pytest.mark.parametrize("pages", [8, 12])
def test_imposed_sheets_fold_into_pages_in_order(pages):
    sides = halves(impose(numbered_pdf(pages), letter))
    assert len(sides) == pages // 2
    # printed duplex flipped on the short edge, stacked and folded: a nested booklet
    expected = []
    for sheet in range(pages // 4):
        expected.append((f"P{pages - 2 * sheet}", f"P{2 * sheet + 1}"))
        expected.append((f"P{2 * sheet + 2}", f"P{pages - 2 * sheet - 1}"))
    assert sides == expected
    # reading the folded booklet: page k sits on exactly one half
    seen = sorted(int(t[1:]) for side in sides for t in side)
    assert seen == list(range(1, pages + 1))


def test_imposed_sheets_are_landscape_letter_or_a4():
    for size, logical in ((letter, HALF_LETTER), (A4, (A4[1] / 2, A4[0]))):
        page = pdf_reader(impose(numbered_pdf(4, logical), size)).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            round(size[1]), round(size[0]))


def test_pages_that_do_not_fill_the_sheet_are_refused():
    from handouts.errors import HandoutsError

    with pytest.raises(HandoutsError, match="do not fill"):
        impose(numbered_pdf(4, letter), letter)


def test_shipped_booklet_is_padded_with_notes_pages_and_ends_with_the_back_cover(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "booklet-letter",
                            Options(date=DATE))
    pages = page_texts(handout.pdf)
    assert len(pages) % 4 == 0
    # the cover: logo, clinic, title; no page number
    assert "Bone Metastasis" in pages[0] and "Riverside Cancer Center" in pages[0]
    assert "Page 1 of" not in pages[0]
    # the back cover: contacts, copyright and disclaimer; no page number
    assert "How to reach us" in pages[-1] and "Published by" in pages[-1]
    assert "Disclaimer" in pages[-1] and f"Page {len(pages)} of" not in pages[-1]
    # padding pages are Notes pages, never unexplained blanks
    for number, text in enumerate(pages[1:-1], start=2):
        assert f"Page {number} of {len(pages)}" in text
        assert len(text) > 40, f"page {number} is nearly empty: {text!r}"
    assert pages[-2].split("Notes")[0].strip().endswith("Riverside Cancer Center")


def test_shipped_booklet_imposed_page_numbers_on_each_half(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "booklet-letter",
                            Options(date=DATE))
    total = len(pdf_reader(handout.pdf).pages)
    sides = halves(print_ready(handout, impose=True, marks=True))
    assert len(sides) == total // 2

    def number(text: str) -> int:
        match = re.search(rf"Page (\d+) of {total}", text)
        if match:
            return int(match.group(1))
        if "Published by" in text:
            return total  # back cover
        assert "Bone Metastasis" in text  # front cover
        return 1

    order = [(number(left), number(right)) for left, right in sides]
    assert total % 4 == 0 and total >= 12  # content and covers, padded with notes pages
    # saddle stitch: sheet k carries (last - 2k, first + 2k), then (first + 2k + 1, ...)
    expected = []
    for k in range(total // 4):
        expected += [(total - 2 * k, 1 + 2 * k), (2 + 2 * k, total - 1 - 2 * k)]
    assert order == expected
    if total == 12:
        assert order == [(12, 1), (2, 11), (10, 3), (4, 9), (8, 5), (6, 7)]


def test_cli_booklet_with_and_without_imposing(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    imposed, reader = tmp_path / "imposed.pdf", tmp_path / "reader.pdf"
    base = ["generate", "bone-metastasis", "--clinic", "lakeside", "--layout", "booklet-a4",
            "--date", "2026-11-26"]
    assert run_cli(*base, "--marks", "-o", str(imposed)).exit_code == 0
    assert run_cli(*base, "--no-impose", "-o", str(reader)).exit_code == 0
    sheets, pages = pdf_reader(imposed).pages, pdf_reader(reader).pages
    assert len(sheets) * 2 == len(pages)
    assert round(float(sheets[0].mediabox.width)) == 842  # A4 landscape
    assert round(float(pages[0].mediabox.width)) == 420  # A5 portrait
    again = tmp_path / "again.pdf"
    assert run_cli(*base, "--marks", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == imposed.read_bytes()


def test_marks_need_a_booklet_layout(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    result = run_cli("generate", "bone-metastasis", "--clinic", "lakeside", "--marks",
                     "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1 and "--marks needs" in result.stderr


def test_booklet_prints_the_personal_note_once_on_the_cover(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "booklet-letter",
                            Options(date=DATE, patient_name="Pat Example"))
    pages = page_texts(handout.pdf)
    assert "Prepared for: Pat Example" in pages[0]
    assert sum(text.count("Pat Example") for text in pages) == 1


def test_imposed_sheets_are_compressed_and_the_booklet_stays_small(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "booklet-letter",
                            Options(date=DATE))
    imposed = print_ready(handout, impose=True)
    for sheet in pdf_reader(imposed).pages:
        contents = sheet["/Contents"].get_object()
        streams = contents if isinstance(contents, list) else [contents]
        for stream in streams:
            assert stream.get_object().get("/Filter") == "/FlateDecode"
    assert len(imposed) < 100 * 1024


ENDINGS = {  # the text of the last section, 'When to get help'
    "a heading": "Some text here.\n\n### A heading with nothing after it\n",
    "an empty section": "",
    "a long text and a heading": "Word " * 2000 + "\n\n### The end\n",
}


@pytest.mark.parametrize("layout", ["booklet-letter", "booklet-a4"])
@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_booklets_pad_to_a_multiple_of_four_whatever_the_content_ends_with(
        tmp_path, layout, ending):
    roots = make_tiny_roots(tmp_path)
    markdown = roots.content / "tiny-topic" / "en" / "standard.md"
    markdown.write_text("## What this is about {#about}\n\nA tiny topic.\n\n"
                        "## When to get help {#help}\n\n" + ENDINGS[ending])
    handout = build_handout(roots, "tiny-topic", "tiny", layout, Options(date=DATE))
    assert handout.pages % 4 == 0
