"""Boxes in black and white: most clinic printers print grey, so each kind of box must be
told apart without colour (by its icon and its rule), and the "Words to know" box is kept
whole when short and titled "(continued)" when it goes on."""

from __future__ import annotations

import io
import itertools
import subprocess
from dataclasses import replace

from conftest import DATE, page_texts
from PIL import Image, ImageChops
from reportlab.pdfgen.canvas import Canvas

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.document.model import (
    BulletList,
    Callout,
    GlossaryEntry,
    ListItem,
    Paragraph,
    Text,
)
from handouts.errors import Warnings
from handouts.layout.render import _Builder, render_pdf

KINDS = ("emergency", "call", "important", "tip")


def box_in_grey(handout, kind: str) -> Image.Image:
    """One callout of the given kind, always with the same words, rendered in greyscale."""
    builder = _Builder(handout.document, handout.clinic, handout.layout, Warnings())
    callout = Callout(kind, (Text("Call us if you have:"),), (BulletList((
        ListItem((Paragraph((Text("a fever"),)),)),
        ListItem((Paragraph((Text("new pain"),)),)))),))
    box = builder.callout(callout)._content[1]  # the Box between its gaps
    width, height = box.wrap(builder.width, 1000)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width + 20, height + 20), invariant=1)
    box.drawOn(canvas, 10, 10)
    canvas.showPage()
    canvas.save()
    png = subprocess.run(["pdftoppm", "-gray", "-r", "72", "-png", "-singlefile", "-"],
                         input=buffer.getvalue(), capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def strongly_different(first: Image.Image, second: Image.Image) -> float:
    """The share of pixels whose grey differs by more than a fifth of the scale (an icon
    alone is about half a percent of a small box; boxes told apart by colour alone: 0)."""
    size = (min(first.width, second.width), min(first.height, second.height))
    difference = ImageChops.difference(first.crop((0, 0, *size)), second.crop((0, 0, *size)))
    histogram = difference.histogram()
    return sum(histogram[52:]) / (size[0] * size[1])


def test_every_kind_of_box_looks_different_in_greyscale(tiny):
    handout = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE))
    images = {kind: box_in_grey(handout, kind) for kind in KINDS}
    for first, second in itertools.combinations(KINDS, 2):
        share = strongly_different(images[first], images[second])
        assert share > 0.003, f"{first} and {second} boxes look alike in grey ({share:.2%})"
    # the emergency box is ringed by a heavy dark rule: its top edge is dark right across
    emergency = images["emergency"]
    top_row = [emergency.getpixel((x, 11)) for x in range(20, emergency.width - 20)]
    assert max(top_row) < 128


def with_glossary(handout, entries: int, filler_lines: int):
    """The handout with a glossary of the given length after filler text of about the given
    number of lines (pushing the box towards a page's foot); its pages' text."""
    filler = tuple(Paragraph((Text("Filler words to push the box down the page. " * 4),))
                   for _ in range(filler_lines // 4))
    document = replace(handout.document, intro=filler + handout.document.intro,
                       words_to_know=tuple(GlossaryEntry(
                           f"term{number:02d}", f"the meaning of word number {number}")
                           for number in range(entries)))
    pdf, _ = render_pdf(document, handout.clinic, handout.layout, Warnings())
    return page_texts(pdf)


def test_a_short_glossary_is_never_split(tiny):
    handout = build_handout(tiny, "tiny-topic", "tiny", "large-print", Options(date=DATE))
    for filler in range(0, 40, 2):
        pages = with_glossary(handout, 6, filler)
        holding = [text for text in pages if "term0" in text]
        assert len(holding) == 1, filler
        assert all(f"term{n:02d}" in holding[0] for n in range(6))
        assert "(continued)" not in " ".join(pages)


def test_a_long_glossary_goes_on_under_a_continued_title_with_company(tiny):
    handout = build_handout(tiny, "tiny-topic", "tiny", "large-print", Options(date=DATE))
    splits = 0
    for filler in range(0, 40, 2):
        pages = with_glossary(handout, 14, filler)
        holding = [text for text in pages if "term" in text]
        for index, text in enumerate(holding):
            count = sum(f"term{n:02d}:" in text for n in range(14))
            assert count >= 3, (filler, index, count)  # never one or two entries alone
            if index:
                assert "Words to know (continued)" in text
        splits += len(holding) > 1
    assert splits  # some filler lengths really do split it
