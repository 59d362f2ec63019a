"""Shortcuts taken for speed give exactly the bytes of the general code they stand in for
(how much faster is measured in benchmarks/run.py, never here)."""

from __future__ import annotations

import io

import pytest
from reportlab import rl_config
from reportlab.lib.colors import black
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from handouts.layout import fonts
from handouts.layout.fonts import _Numbers, coverage, family
from handouts.layout.typeset import draw_string


def draw_everything(monkeypatch, fast: bool) -> bytes:
    """A page showing every character the face has (more than one subset's worth), a
    no-break space and characters it has not (drawn as its .notdef glyph), string by string."""
    if not fast:
        monkeypatch.setattr(fonts.TaggedTTFont, "splitString", TTFont.splitString)
    atkinson = family("Atkinson Hyperlegible")
    face = atkinson.face("regular")
    characters = [chr(code) for code in sorted(coverage(atkinson)) if code > 32]
    assert len(characters) > 300  # more than one 256-character subset
    texts = ["plain words first", "a\u00a0no-break space", "\u4e00 not in the font \u0416"]
    texts += ["".join(characters[start:start + 40]) for start in range(0, len(characters), 40)]
    texts += ["words again, from the first subset", ""]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for line, text in enumerate(texts):
        draw_string(canvas, 40, 800 - line * 14, text, face, 10, black)
    canvas.showPage()
    canvas.save()
    getFont(face).state.clear()
    return buffer.getvalue()


def test_strings_split_into_subsets_as_reportlab_splits_them(monkeypatch):
    fast = draw_everything(monkeypatch, fast=True)
    assert fast == draw_everything(monkeypatch, fast=False)


@pytest.mark.parametrize("multiline", [0, 1])
def test_font_widths_are_formatted_as_reportlabs_arrays(monkeypatch, multiline):
    monkeypatch.setattr(rl_config, "pdfMultiLine", multiline)
    document = pdfdoc.PDFDocument()
    for numbers in ([], [500], [250, 500.5, 1000], list(range(0, 2300, 9)),
                    [0.1 * n for n in range(37)]):
        assert _Numbers(numbers).format(document) == pdfdoc.PDFArray(numbers).format(document)
    mixed = [1, pdfdoc.PDFName("Name"), 2.5]  # not all numbers: ReportLab's own way
    assert _Numbers(mixed).format(document) == pdfdoc.PDFArray(mixed).format(document)


def test_only_the_layout_pass_kept_is_written(monkeypatch):
    """A handout laid out again (less space between blocks to save a page, or a booklet's
    padding) writes the PDF of the pass it keeps, and only that one."""
    from conftest import DATE, REPO

    from handouts.build import build_handout
    from handouts.document.assemble import Options
    from handouts.inputs.paths import Roots
    from handouts.layout import pages, render

    passes, saves = [], []
    real_render, real_save = render._render, pages.DeferredCanvas.save
    monkeypatch.setattr(render, "_render", lambda *a, **k: passes.append(1) or real_render(
        *a, **k))
    monkeypatch.setattr(pages.DeferredCanvas, "save", lambda self: saves.append(1) or
                        real_save(self))
    laid_again = 0
    for topic in ("bone-metastasis", "hypercalcemia", "radiation-to-bone"):
        for layout in ("letter", "booklet-letter"):
            passes.clear()
            saves.clear()
            handout = build_handout(Roots.under(REPO), topic, "riverside", layout,
                                    Options(date=DATE))
            assert handout.pdf.startswith(b"%PDF-") and handout.pdf.rstrip().endswith(b"%%EOF")
            assert len(saves) == 1
            laid_again += len(passes) > 1
    assert laid_again  # some of these are laid out more than once
