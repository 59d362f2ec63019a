"""The chart strip: a small "education given" block for paper charts, as a label or on a page.

It names the handout, its version (form identifier), the date, who gave it, and has tick boxes
for the teach-back outcome, so a nurse can stick it in (or tear it off for) a paper chart.
`label_pdf` draws it alone on a 4 x 2 inch label; `stamp_last_page` draws it at the foot of
a handout's last page, when that space is empty.
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from handouts.errors import HandoutsError
from handouts.layout.fonts import family

LABEL_SIZE = (4 * inch, 2 * inch)  # a common shipping label (Avery 5163 and alike)
STRIP_HEIGHT = 78.0  # points, on a page
TEACH_BACK_BOXES = ("Explained back in own words", "Needs review", "Not assessed", "Declined")


@dataclass(frozen=True)
class StripFacts:
    title: str
    form_id: str  # the handout's version: "BM-ES-EASY · 2026-11 · 7f3a9c"
    lang: str
    level: str
    date: _dt.date
    staff: str | None  # None: a line to sign by hand
    clinic: str


def _fit(canvas: Canvas, text: str, face: str, size: float, width: float) -> str:
    """The text, shortened with an ellipsis to fit `width`."""
    if canvas.stringWidth(text, face, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", face, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_strip(canvas: Canvas, facts: StripFacts, x: float, y: float, width: float,
               height: float, font: str = "Atkinson Hyperlegible") -> None:
    """The block inside the box (x, y, width, height); y is its bottom edge."""
    regular = family(font).face("regular")
    bold = family(font).face("bold")
    pad = 5.0
    canvas.saveState()
    canvas.setStrokeGray(0.2)
    canvas.setLineWidth(0.8)
    canvas.setDash(3, 2)  # a cut line look: this block is for the chart
    canvas.rect(x, y, width, height)
    canvas.setDash()
    size = 7.5 if height < 100 else 8.0
    text_x = x + pad
    inner = width - 2 * pad
    box = size * 0.9
    boxes_width = (canvas.stringWidth("Teach-back:", bold, size) + 4
                   + sum(box + 3 + canvas.stringWidth(c, regular, size) + 8
                         for c in TEACH_BACK_BOXES))
    line = (height - 2 * pad) / (5 if boxes_width <= inner else 6)  # boxes on one line or two
    top = y + height - pad - size
    canvas.setFillGray(0)
    canvas.setFont(bold, size + 1)
    canvas.drawString(text_x, top, "EDUCATION GIVEN")
    canvas.setFont(regular, size)
    canvas.drawRightString(x + width - pad, top, _fit(canvas, facts.clinic, regular, size,
                                                      inner / 2))
    rows = [
        f"Handout: {facts.title}",
        f"Version: {facts.form_id}   ({facts.lang}, {facts.level})",
        f"Date: {facts.date.isoformat()}    Given by: "
        + (facts.staff or "_" * 24) + "    Initials: ______",
    ]
    for number, row in enumerate(rows, start=1):
        canvas.drawString(text_x, top - number * line, _fit(canvas, row, regular, size, inner))
    # teach-back tick boxes
    box_y = top - 4 * line
    canvas.setFont(bold, size)
    label = "Teach-back:"
    canvas.drawString(text_x, box_y, label)
    cursor = text_x + canvas.stringWidth(label, bold, size) + 4
    canvas.setFont(regular, size)
    for choice in TEACH_BACK_BOXES:
        needed = box + 3 + canvas.stringWidth(choice, regular, size) + 8
        if cursor + needed > x + width - pad:  # wrap the boxes onto the next line
            box_y -= line * 0.95
            cursor = text_x
        canvas.rect(cursor, box_y - 1, box, box)
        canvas.drawString(cursor + box + 3, box_y, choice)
        cursor += needed
    canvas.restoreState()


def label_pdf(facts: StripFacts, font: str = "Atkinson Hyperlegible") -> bytes:
    """The strip alone on a label-sized page (4 x 2 in)."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=LABEL_SIZE, invariant=1, pageCompression=1,
                    initialFontName=family(font).face("regular"))
    canvas.setTitle(f"Education given: {facts.title}")
    canvas.setAuthor(facts.clinic)
    canvas.setSubject(facts.form_id)
    margin = 0.12 * inch
    draw_strip(canvas, facts, margin, margin, LABEL_SIZE[0] - 2 * margin,
               LABEL_SIZE[1] - 2 * margin, font)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _text_heights(page) -> list[float]:
    """The baseline height of every piece of text drawn on a pypdf page."""
    heights: list[float] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text and text.strip():
            heights.append(tm[5] * cm[3] + cm[5] if cm else tm[5])

    page.extract_text(visitor_text=visit)
    return heights


def stamp_last_page(pdf: bytes, facts: StripFacts, box: tuple[float, float, float],
                    font: str = "Atkinson Hyperlegible") -> bytes:
    """Draw the strip at the foot of the last page, above the footer.

    `box` is (left, bottom, width) of the text area: the strip sits on its bottom edge.
    Refused when text already fills that space (then print the strip as a label).
    """
    import pikepdf
    from pypdf import PdfReader

    left, bottom, width = box
    reader = PdfReader(io.BytesIO(pdf))
    last = reader.pages[-1]
    page_width, page_height = float(last.mediabox.width), float(last.mediabox.height)
    top_of_strip = bottom + STRIP_HEIGHT + 6
    if any(bottom - 2 < height < top_of_strip for height in _text_heights(last)):
        raise HandoutsError("the last page has no room for the chart strip; print it as a "
                            "label instead (--chart-strip label)")
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=(page_width, page_height), invariant=1,
                    initialFontName=family(font).face("regular"))
    draw_strip(canvas, facts, left, bottom, width, STRIP_HEIGHT, font)
    canvas.showPage()
    canvas.save()
    with pikepdf.open(io.BytesIO(pdf)) as document, \
            pikepdf.open(io.BytesIO(overlay.getvalue())) as strip:
        target = pikepdf.Page(document.pages[-1])
        target.add_overlay(strip.pages[0])
        out = io.BytesIO()
        document.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()
