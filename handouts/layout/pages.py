"""Branded pages: the header (logo, clinic name) and the footer (title, Page N of M, phone)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from handouts.inputs.clinics import Clinic
from handouts.inputs.layouts import Layout
from handouts.layout.fonts import FontFamily, drawable_runs
from handouts.layout.logo_image import logo_reader
from handouts.layout.object_streams import save_compact
from handouts.layout.tagging import (
    END,
    FOOTER_ARTIFACT,
    HEADER_ARTIFACT,
    Element,
    Metadata,
    Tags,
    artifact,
)

GREY_TEXT = HexColor("#4A4A4A")  # 8.9:1 on white
RULE_GREY = HexColor("#B8B8B8")
# Nothing is printed nearer the paper's edge than this: office printers leave about 0.25 in
# unprinted, and a booklet's sheet is trimmed or folded by hand.
PRINTABLE_EDGE = 0.35 * inch
FOOTER_SEPARATOR = "  \u2022  "


class DeferredCanvas(Canvas):
    """Keeps each page open until the document ends, so footers can say 'of M'.

    ReportLab numbers a bookmark by the page being written, so bookmarks are replayed when
    their page is finally written. With tags, the document is saved as a tagged PDF."""

    page_decorator: Callable[[Canvas, int, int], None] | None = None
    date_text: str = "D:20000101000000+00'00'"
    tags: Tags | None = None
    metadata: Metadata | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []
        self._held_bookmarks: list[tuple[str, dict]] = []
        date_text = self.date_text
        self.setDateFormatter(lambda *parts: date_text)

    def bookmarkPage(self, key, **kwargs):
        self._held_bookmarks.append((key, kwargs))

    def showPage(self):
        state = dict(self.__dict__)
        state["_held_bookmarks"] = list(self._held_bookmarks)
        self._held_pages.append(state)
        self._held_bookmarks = []
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for state in self._held_pages:
            bookmarks = state.pop("_held_bookmarks")
            self.__dict__.update(state)
            for key, kwargs in bookmarks:
                Canvas.bookmarkPage(self, key, **kwargs)
            if self.page_decorator is not None:
                with artifact(self, FOOTER_ARTIFACT):  # the footer: a pagination artifact
                    self.page_decorator(self, self._pageNumber, total)
            Canvas.showPage(self)
        if self.tags is not None:
            self.tags.write(self, self._doc.Pages.pages, self.metadata)
        document = self._doc
        document.format = functools.partial(save_compact, document)
        Canvas.save(self)


def canvas_class(decorator: Callable[[Canvas, int, int], None], pdf_date: str,
                 tags: Tags | None = None, metadata: Metadata | None = None) -> type:
    """A DeferredCanvas subclass bound to one document's footer, date and tags."""
    return type("HandoutCanvas", (DeferredCanvas,),
                {"page_decorator": staticmethod(decorator), "date_text": pdf_date,
                 "tags": tags, "metadata": metadata})


@functools.lru_cache(maxsize=32)
def _reader(png: bytes) -> ImageReader:
    """One decoded logo per process: every handout of a batch draws the same one."""
    return logo_reader(png)  # from the cache folder when it can, without loading Pillow


def rl_colour(colour) -> Color:
    return HexColor(colour.hex)


@dataclass
class PageDecoration:
    """Draws what repeats on every page around the flowing content."""

    clinic: Clinic
    layout: Layout
    family: FontFamily
    title: str
    page_label: str  # "Page {page} of {pages}"
    level_label: str | None
    covers: bool = False  # a booklet: no footer on the front and back covers
    logo_tag: Element | None = None  # the first page's logo, a Figure in a tagged PDF

    def _header_geometry(self) -> tuple[float, float, float]:
        """(top of the logo, logo height, y of the rule under the header)."""
        top = self.layout.page_height - max(self.layout.margin_top * 0.45, PRINTABLE_EDGE)
        height = max(22.0, self.layout.body_size * 1.9)
        return top, height, top - height - 6

    def frame_top(self) -> float:
        """Where flowing content may start, below the header rule."""
        return self._header_geometry()[2] - self.layout.body_size

    def draw_header(self, canvas: Canvas, doc) -> None:
        layout, clinic = self.layout, self.clinic
        top, height, rule_y = self._header_geometry()
        x = layout.margin_left
        tags = canvas.tags if isinstance(canvas, DeferredCanvas) else None
        canvas.saveState()
        if layout.header_logo:
            width = height * clinic.logo.aspect
            # one image object for every page: drawn into a form once, then referenced
            if not canvas.hasForm("header-logo"):
                canvas.beginForm("header-logo")
                canvas.drawImage(_reader(clinic.logo.header_png), x, top - height,
                                 width=width, height=height, mask="auto")
                canvas.endForm()
            # the first page's logo is the clinic's name for a screen reader; the others
            # repeat it, as the running header does
            figure = self.logo_tag if canvas.getPageNumber() == 1 else None
            if tags is not None:
                if figure is not None:
                    figure.bbox = (x, top - height, x + width, top)
                    canvas.addLiteral(tags.begin(figure, 1))
                else:
                    canvas.addLiteral(HEADER_ARTIFACT)
            canvas.doForm("header-logo")
            if tags is not None:
                canvas.addLiteral(END)
            x += width + 10
        if tags is not None:
            canvas.addLiteral(HEADER_ARTIFACT)
        if layout.header_clinic_name:
            size = max(layout.small_size, min(layout.body_size, 14))
            canvas.setFillColor(rl_colour(clinic.primary))
            self._draw_text(canvas, x, top - height / 2 - size * 0.35, clinic.name, size, "bold")
        canvas.setStrokeColor(rl_colour(clinic.accent))
        canvas.setLineWidth(1.2)
        canvas.line(layout.margin_left, rule_y, layout.page_width - layout.margin_right, rule_y)
        if tags is not None:
            canvas.addLiteral(END)
        canvas.restoreState()

    def draw_footer(self, canvas: Canvas, page: int, pages: int) -> None:
        """The footer: 'Page N of M' at the right; at the left the title, the clinic's
        phone and the reading level. The page number and the phone are never cut: the
        title gives way first (shortened at a word, then dropped), then the level."""
        if self.covers and page in (1, pages):
            return
        layout = self.layout
        size = layout.small_size
        y = self.footer_baseline()
        left, right = layout.margin_left, layout.page_width - layout.margin_right
        page_text = self.page_label.format(page=page, pages=pages)
        page_width = self._width(page_text, size, "bold")
        phone = self.clinic.phone if layout.footer_phone else ""
        level = self.level_label if layout.footer_level and self.level_label else ""
        title = self.title if layout.footer_title else ""
        room = right - left - page_width - size * 1.5
        if phone and self._width(phone, size, "regular") > room:
            # not even the phone fits beside the page number: it takes a line of its own
            phone_y, rule_y = y + size * 1.25, y + size * 2.75
            left_text = phone
        else:
            phone_y, rule_y = None, y + size * 1.5
            left_text = footer_left_text(title, phone, level, room,
                                         lambda text: self._width(text, size, "regular"))
        canvas.saveState()
        canvas.setStrokeColor(RULE_GREY)
        canvas.setLineWidth(0.6)
        canvas.line(left, rule_y, right, rule_y)
        canvas.setFillColor(GREY_TEXT)
        self._draw_text(canvas, right - page_width, y, page_text, size, "bold")
        if left_text:
            self._draw_text(canvas, left, y if phone_y is None else phone_y, left_text, size,
                            "regular")
        canvas.restoreState()

    def footer_baseline(self) -> float:
        """The footer's baseline: low in the bottom margin, yet with its descenders at least
        PRINTABLE_EDGE from the paper's edge (and from the sheet's, once imposed)."""
        size = self.layout.small_size
        return max(self.layout.margin_bottom * 0.45, PRINTABLE_EDGE + size * 0.25)

    def _width(self, text: str, size: float, style: str) -> float:
        return sum(stringWidth(run, fam.face(style), size)
                   for run, fam, _ in drawable_runs(text, self.family))

    def _draw_text(self, canvas: Canvas, x: float, y: float, text: str, size: float,
                   style: str) -> None:
        for run, fam, _ in drawable_runs(text, self.family):
            face = fam.face(style)
            canvas.setFont(face, size)
            canvas.drawString(x, y, run)
            x += stringWidth(run, face, size)


def footer_left_text(title: str, phone: str, level: str, room: float,
                     width: Callable[[str], float]) -> str:
    """What the footer's left part says within room points: the phone whole, then as much
    of the title as fits (cut at a word, with an ellipsis), then the level if it fits.
    Always ends: every step drops a word or a part."""
    fixed = [part for part in (phone,) if part]
    text = FOOTER_SEPARATOR.join(fixed)
    if level and width(FOOTER_SEPARATOR.join([*fixed, level])) <= room:
        fixed.append(level)
        text = FOOTER_SEPARATOR.join(fixed)
    if not title:
        return text
    words = title.split()
    shown = title
    while words:
        candidate = FOOTER_SEPARATOR.join([shown, *fixed])
        if width(candidate) <= room:
            return candidate
        words.pop()
        # a title cut to a word or two says nothing: drop it instead
        shown = " ".join(words).rstrip(",:;.-\u2013\u2014") + "\u2026" if len(words) > 2 else ""
        if not shown:
            break
    return text
