"""Laying out the document model as ReportLab flowables on branded, numbered pages."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import ActionFlowable, LayoutError

from handouts import __version__
from handouts.document.citations import sources_text
from handouts.document.dates import long_date, month_year
from handouts.document.model import (
    Block,
    BulletList,
    Callout,
    Document,
    Heading,
    Link,
    NotesArea,
    Rule,
    Text,
    plain_text,
)
from handouts.document.model import ListItem as ListItemBlock
from handouts.document.model import Paragraph as ParagraphBlock
from handouts.document.model import Table as TableBlock
from handouts.errors import HandoutsError, Warnings
from handouts.inputs.clinics import Clinic, unbreakable
from handouts.inputs.layouts import Layout
from handouts.layout.containers import Box, BoxLook, Indented, Marker, Stack
from handouts.layout.fonts import FontFamily, family, script_needing_shaping
from handouts.layout.inline import InlineWriter
from handouts.layout.pages import GREY_TEXT, RULE_GREY, PageDecoration, canvas_class, rl_colour
from handouts.layout.tagging import Element, Metadata, Tags, artifact, marked
from handouts.layout.typeset import Run, TextBlock, text_width

BODY_TEXT = HexColor("#1A1A1A")
EMERGENCY_RED = HexColor("#A8231B")  # 6.8:1 on white, a safety colour, never a brand colour
EMERGENCY_TINT = HexColor("#FCEDEB")
LIST_KEEP = 2  # a list splits leaving at least this many items on each side
TABLE_CELL_PADDING = 10.0  # left and right together
SHORT_GLOSSARY = 6
# Sections a reader can take in any order: kept whole and moved on to the next column when
# they do not fit (the blocks after them fill the room), if no taller than this share of one
ORDER_FREE_SECTIONS = frozenset({"questions", "notes"})
MOVABLE_HEIGHT = 0.6
# An odd-length handout whose last page is used less than this is laid out again with
# TIGHT_SPACING between blocks, and kept if that saves a page (an even count for duplex).
EVEN_PAGES_RETRY = 0.5
LAST_PAGE_SLIVER = 0.2
TIGHT_SPACING = 0.6  # a "Words to know" box this short is kept on one page
BOX_ICONS = {"emergency": "warning", "call": "phone", "important": "important"}
BOX_BORDERS = {"emergency": 2.5, "call": 0.75, "important": 0.75}


class Gap(Spacer):
    """Vertical space that shrinks to what is left of the frame and vanishes at the top of
    a column or page: a gap after the last line on a page never pushes anything (or an
    empty page) on, and a new page never starts with blank space."""

    _ZEROSIZE = True  # asks to be placed even when no room is left: it then takes none

    def __init__(self, height: float):
        super().__init__(1, height)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return self.width, 0.0
        return self.width, max(0.0, min(self.height, available_height))


class Together(KeepTogether):
    """Flowables kept on one page (or column) when they fit on one.

    They are measured without a canvas: with one, ReportLab copies the whole current frame
    on every measure (for content generated while measuring, which handouts never have),
    a tenth of all layout time."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        missing = object()
        canvas = self.__dict__.get("canv", missing)
        self.canv = None
        try:
            return super().wrap(available_width, available_height)
        finally:
            if canvas is missing:
                del self.canv
            else:
                self.canv = canvas


class Floating(Together):
    """A block kept whole that may wait for the next column. When it does not fit in what
    is left of this one, the blocks after it fill that room and it starts the next column
    (a float, as in a magazine). Kinds: "page-one" (the 911 box: it may wait only for a
    later column of page 1, so it stays on page 1) and "back" (back matter and the
    sections a reader can take in any order: questions, notes, words to know, links, how to
    reach the clinic)."""

    def __init__(self, flowables: list[Flowable], kind: str):
        super().__init__(_flattened(flowables))  # measured whole (a nested keep-together
        self.float_kind = kind                    # would measure as endless)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """As a keep-together, but without the lines to write on that may be fewer (they
        take the room left) and the space after it: it fits when it fits without them."""
        width, height = super().wrap(available_width, available_height)
        for flowable in self._content:
            if isinstance(flowable, RuledLines) and flowable.extra:
                self._H -= flowable.count * flowable.spacing
        if isinstance(self._content[-1], Gap):  # space after it: none at a column's foot
            self._H -= self._content[-1].height
        return width, height


def _flattened(flowables: list[Flowable]) -> list[Flowable]:
    out: list[Flowable] = []
    for flowable in flowables:
        if isinstance(flowable, KeepTogether):
            out.extend(_flattened(flowable._content))
        else:
            out.append(flowable)
    return out


class EndOfContent(Flowable):
    """Marks where the handout's content ends: the document notes the page and how much of
    it is used there, lets every block still waiting in, and (printed duplex, an odd count
    leaves a blank back) may add a notes page, all in the same pass."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        pass


class RuledLines(Flowable):
    """Lines to write on, spaced for handwriting."""

    def __init__(self, count: int, spacing: float, colour, extra: bool = False):
        super().__init__()
        self.count, self.spacing, self.colour = count, spacing, colour
        self.extra = extra  # more lines after the first ones: dropped when no room is left

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.count * self.spacing

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Lines to write on can be fewer: as many as fit (two at least), never a page of
        lines torn away from their heading."""
        fit = int(available_height // self.spacing)
        if fit >= self.count:
            return [self]
        if self.extra:
            return [RuledLines(fit, self.spacing, self.colour, True) if fit else Gap(0)]
        return [RuledLines(fit, self.spacing, self.colour)] if fit >= 2 else []

    def draw(self) -> None:
        with artifact(self.canv):
            self.canv.setStrokeColor(self.colour)
            self.canv.setLineWidth(0.7)
            for index in range(self.count):
                y = index * self.spacing + 1
                self.canv.line(0, y, self.width, y)


class TaggedTable(Table):
    """A ReportLab table whose grid, tints and plain-string cells are artifacts; its
    cells' paragraphs carry their own tags (TH, TD, or P in a form's labels)."""

    def _drawBkgrnd(self) -> None:  # noqa: N802 (ReportLab's names)
        with artifact(self.canv):
            super()._drawBkgrnd()

    def _drawLines(self) -> None:  # noqa: N802
        with artifact(self.canv):
            super()._drawLines()

    def _drawCell(self, cellval, cellstyle, pos, size) -> None:  # noqa: N802
        if isinstance(cellval, str):
            with artifact(self.canv):
                super()._drawCell(cellval, cellstyle, pos, size)
        else:
            super()._drawCell(cellval, cellstyle, pos, size)


class Figure(Image):
    """An image that is content: a Figure element with its alternative text."""

    def __init__(self, data: bytes, width: float, height: float, tag: Element | None):
        super().__init__(io.BytesIO(data), width=width, height=height, hAlign="LEFT")
        self.tag = tag

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        if self.tag is not None:
            left = self._hAlignAdjust(x, _sW)
            self.tag.bbox = (left, y, left + self.drawWidth, y + self.drawHeight)
        with marked(canvas, self.tag):
            super().drawOn(canvas, x, y, _sW)


class _HandoutDoc(BaseDocTemplate):
    """The document: bookmarks for headings, floats that wait for the next column, and the
    end of the content noted (and a notes page added after an odd count)."""

    columns = 1
    min_fill = 0.0  # a float waits only when at least this much room is left to fill
    notes_page: Callable[[], list[Flowable]] | None = None  # None: no notes page is added
    content_end: tuple[int, float] = (0, 0.0)  # the last page of content, how much used

    def handle_documentBegin(self) -> None:  # noqa: N802 (ReportLab's names)
        self._waiting: list[Flowable] = []
        self._fresh_frame = False
        self._no_waiting = False  # floats let in at the end of the text wait no more
        self._after_rest = False  # a split block's rest went first: now the waiting ones
        super().handle_documentBegin()

    def handle_frameBegin(self, *args, **kwargs) -> None:  # noqa: N802
        super().handle_frameBegin(*args, **kwargs)
        self._fresh_frame = True
        self._no_waiting = False

    def filterFlowables(self, flowables: list[Flowable]) -> None:  # noqa: N802
        if flowables is self._hanging:  # ReportLab's own page-begin actions
            return
        first = flowables[0]
        if self._waiting and self._fresh_frame and getattr(first, "continues", False):
            # the rest of a box or list split at the column's foot comes first, then the
            # blocks waiting for this column
            self._fresh_frame, self._after_rest = False, True
            return
        if self._waiting and (self._fresh_frame or self._after_rest
                              or isinstance(first, EndOfContent)):
            # a new column (or the end of the text): the waiting blocks come first
            self._no_waiting = not (self._fresh_frame or self._after_rest)
            if hasattr(flowables[0], "_postponed"):
                # a block put off to this column may be put off once more by the floats
                # that now come before it (ReportLab takes a second time as a loop)
                del flowables[0]._postponed
            flowables[0:0] = self._waiting
            self._waiting = []
            first = flowables[0]
        self._fresh_frame = self._after_rest = False
        if isinstance(first, EndOfContent):
            self.content_end = (self.page, _last_page_used(self.frame, self.columns))
            flowables[0] = None
            if self.notes_page is not None and self.page % 2 and self.page > 1:
                # the blank back becomes a page of lines for the reader's notes, as a
                # booklet's spare pages do (the same sheets, printed duplex)
                flowables[1:1] = [NextPageTemplate("notes"), PageBreak(), *self.notes_page()]
            return
        kind = getattr(first, "float_kind", None)
        if kind and self._waits(first, kind):
            self._waiting.append(first)
            flowables[0] = None

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        first, count = flowables[0], len(flowables)
        super().handle_flowable(flowables)
        if (flowables and len(flowables) == count and flowables[0] is not first
                and isinstance(flowables[0], TextBlock)):
            # a paragraph split at a column's foot: its rest starts the next column, before
            # any block waiting for it (boxes and stacks mark their own rests)
            flowables[0].continues = True

    def _waits(self, flowable: Flowable, kind: str) -> bool:
        """Whether a float that does not fit here waits for the next column, letting the
        blocks after it fill the room left."""
        frame = self.frame
        if frame._atTop or self._no_waiting:
            return False
        if kind == "page-one" and (self.page != 1 or frame is self.pageTemplate.frames[-1]):
            return False
        space = 0.0
        if frame._oASpace:
            space = max(flowable.getSpaceBefore() - frame._prevASpace, 0.0)
        room = frame._y - frame._y1p - space
        if room < self.min_fill:
            return False
        flowable.wrap(frame._getAvailableWidth(), room)
        return room < flowable._H <= frame._height

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Stack):  # headings drawn by a stack are bookmarked too
            for inner in flowable.outline:
                self.afterFlowable(inner)
            return
        text = getattr(flowable, "outline_text", None)
        if text:
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=flowable.outline_level, closed=False)


@dataclass
class _Styles:
    body: ParagraphStyle
    lead: ParagraphStyle
    title: ParagraphStyle
    headings: dict[int, ParagraphStyle]
    small: ParagraphStyle
    box_title: ParagraphStyle
    list_body: ParagraphStyle
    lead_in: ParagraphStyle


def _styles(layout: Layout, clinic: Clinic, main: FontFamily, lang: str = "",
            spacing: float = 1.0) -> _Styles:
    """The paragraph styles. Body text is hyphenated in the handout's language; titles,
    headings and box titles never are (hyphenationLang ""). Spacing scales the space
    between blocks (never the type size or the line spacing)."""
    regular, bold = main.face("regular"), main.face("bold")
    size, leading = layout.body_size, layout.body_leading
    gap = size * spacing  # the unit of space between blocks
    body = ParagraphStyle(
        "Body", fontName=regular, fontSize=size, leading=leading, textColor=BODY_TEXT,
        alignment=TA_LEFT, spaceAfter=gap * 0.65, allowWidows=0, allowOrphans=0,
        splitLongWords=1, wordWrap=None, hyphenationLang=lang,
    )
    primary = rl_colour(clinic.primary)
    h2, h3, h4 = layout.heading_sizes
    headings = {
        2: ParagraphStyle("H2", parent=body, fontName=bold, fontSize=h2, leading=h2 * 1.25,
                          textColor=primary, spaceBefore=gap * 1.3, spaceAfter=gap * 0.5,
                          keepWithNext=1, hyphenationLang=""),
        3: ParagraphStyle("H3", parent=body, fontName=bold, fontSize=h3, leading=h3 * 1.3,
                          textColor=BODY_TEXT, spaceBefore=gap * 0.8, spaceAfter=gap * 0.35,
                          keepWithNext=1, hyphenationLang=""),
        4: ParagraphStyle("H4", parent=body, fontName=bold, fontSize=h4, leading=h4 * 1.3,
                          textColor=BODY_TEXT, spaceBefore=gap * 0.6, spaceAfter=gap * 0.25,
                          keepWithNext=1, hyphenationLang=""),
    }
    return _Styles(
        body=body,
        lead=ParagraphStyle("Lead", parent=body, fontSize=size * 1.15,
                            leading=layout.body_leading * 1.15, spaceAfter=gap * 0.9),
        title=ParagraphStyle("Title", parent=body, fontName=bold, fontSize=layout.title_size,
                             leading=layout.title_size * 1.15, textColor=primary,
                             spaceAfter=gap * 0.6, hyphenationLang=""),
        headings=headings,
        small=ParagraphStyle("Small", parent=body, fontSize=layout.small_size,
                             leading=layout.small_size * 1.35, textColor=GREY_TEXT,
                             spaceAfter=layout.small_size * 0.5),
        box_title=ParagraphStyle("BoxTitle", parent=body, fontName=bold, fontSize=size * 1.08,
                                 leading=leading * 1.08, spaceAfter=gap * 0.3,
                                 hyphenationLang=""),
        list_body=ParagraphStyle("ListBody", parent=body, spaceAfter=gap * 0.3),
        lead_in=ParagraphStyle("LeadIn", parent=body, keepWithNext=1),
    )


class _Builder:
    def __init__(self, document: Document, clinic: Clinic, layout: Layout, warnings: Warnings,
                 source: Path | None = None, spacing: float = 1.0):
        self.document, self.clinic, self.layout = document, clinic, layout
        self.family = family(clinic.font)
        self.spacing = spacing
        self.styles = _styles(layout, clinic, self.family, document.lang, spacing)
        self.inline = InlineWriter(self.family, warnings, source=source)
        self.link_colour = rl_colour(clinic.primary)
        self.labels = document.labels
        self.width = layout.column_width  # boxes and tables fill one column
        self.body_frame_height = layout.page_height - layout.margin_top - layout.margin_bottom
        # the structure tree, built in reading order alongside the flowables
        self.tags = Tags(document.lang)
        self.parent: Element | None = None  # where new elements go (None: the document)
        self.heading_level = 1  # the last heading's level: levels never skip one
        self.logo_tag: Element | None = None

    def para(self, runs: list[Run], style: ParagraphStyle, outline: str = "",
             level: int = 0, role: str | None = "P") -> TextBlock:
        """A paragraph; with outline text, also a bookmark in the PDF's outline. Its text
        is tagged with the role (None: an artifact)."""
        tag = self.tags.add(self.parent, role) if role else None
        return TextBlock(runs, style, self.family, self.link_colour, outline, level, tag=tag)

    def heading_role(self, level: int) -> str:
        """H1..H6 for a heading at this level, never more than one below the last one."""
        level = max(1, min(level, self.heading_level + 1, 6))
        self.heading_level = level
        return f"H{level}"

    @contextlib.contextmanager
    def within(self, role: str, alt: str | None = None) -> Iterator[Element]:
        """Elements made inside this block are its kids."""
        element = self.tags.add(self.parent, role, alt)
        outer, self.parent = self.parent, element
        try:
            yield element
        finally:
            self.parent = outer

    def labelled(self, label: str, value: str) -> list[Run]:
        """'Label: value' with the label in bold."""
        return [*self.inline.text(label, bold=True), *self.inline.text(" " + value)]

    # -- the whole story --
    def story(self) -> list[Flowable]:
        """A handout: title and lead, the sections, then contacts and the required blocks."""
        story: list[Flowable] = self.title_block()
        self.under_title: list[Flowable] = []
        if self.layout.header_logo:  # the header's logo on the first page comes first
            self.logo_tag = self.tags.add(None, "Figure", alt=self.clinic.name)
            self.tags.root.kids.insert(0, self.tags.root.kids.pop())
        if self.layout.columns > 1:
            story.append(FrameBreak())  # the title spans the columns; the text flows below
        story.extend(self.personal_note())
        story.extend(self.body())
        story[1:1] = self.under_title  # the 911 box, when it fits on page 1 only there
        story.extend(self.learn_more())
        # the contact box stays whole; when it does not fit in a column's end, the small
        # print after it fills that room and the box starts the next column
        contact_box, small_print = self.closing()
        story.append(Floating(contact_box, "back"))
        story.extend(small_print)
        return [*keep_headings_with_next(story), EndOfContent()]

    def title_block(self, title_style: ParagraphStyle | None = None) -> list[Flowable]:
        doc, styles = self.document, self.styles
        self.heading_level = 0
        return [self.para(self.inline.text(doc.title), title_style or styles.title, doc.title,
                          role=self.heading_role(1)),
                self.para(self.inline.text(doc.summary), styles.lead)]

    def title_height(self) -> float:
        """How tall the title block is across the full width (the first page's top frame)."""
        height = 0.0
        for flowable in self.title_block():  # never drawn: their elements stay empty
            height += flowable.wrap(self.layout.frame_width, 10_000)[1]
            height += flowable.getSpaceAfter()
        return height + 2

    def booklet_story(self, notes_pages: int) -> list[Flowable]:
        """A booklet: a cover, the sections, notes pages that pad it to a multiple of four
        pages, and a back cover with contacts and the required blocks."""
        story: list[Flowable] = [*self.cover(), NextPageTemplate("page"), PageBreak()]
        story.extend(self.body())
        story.extend(self.learn_more())
        story.append(EndOfContent())  # blocks waiting for a column come in before the notes
        for _ in range(notes_pages):
            story.extend([PageBreak(), *self.notes_page()])
        contact_box, small_print = self.closing()
        story.extend([NextPageTemplate("back"), PageBreak(), *contact_box, *small_print])
        return keep_headings_with_next(story)

    def body(self) -> list[Flowable]:
        doc, styles = self.document, self.styles
        intro: list[list[Flowable]] = []  # built in reading order (the tags' order)
        for block in doc.intro:
            flowables = self.block(block, 0)
            if isinstance(block, Callout) and block.kind == "emergency":
                # the 911 box stays on page 1: when it does not fit under the key points,
                # the text goes on below them and the box heads the next column
                flowables = [Floating(flowables[0]._content, "page-one")]
            intro.append(flowables)
        order, under_title = self.intro_order()
        if under_title is not None:  # story() puts it right under the title
            self.under_title = intro[under_title]
        story: list[Flowable] = [flowable for index in order for flowable in intro[index]
                                 if index != under_title]
        for section in doc.sections:
            heading = section.heading
            with self.within("Sect"):
                part = [self.para(self.inline.runs(heading.content), styles.headings[2],
                                  plain_text(heading.content), role=self.heading_role(2))]
                if section.adapted:
                    part.append(self.adapted_note())
                part.extend(self.blocks(section.blocks))
            story.extend(self.movable(part) if section.key in ORDER_FREE_SECTIONS else part)
        if doc.words_to_know:
            story.extend(self.words_to_know())
        return story

    def intro_order(self) -> tuple[list[int], int | None]:
        """The order on paper of the blocks before the first section, and the one (if any)
        that goes right under the title. The 911 box must be on page 1: in columns it waits
        for column 2 when it does not fit under the key points; in one column it goes
        before the key points, and before the summary too when that is what it takes. The
        tagged text keeps the reading order of the content."""
        intro = self.document.intro
        order: list[int] = list(range(len(intro)))
        kinds = [block.kind if isinstance(block, Callout) else "" for block in intro]
        if (self.layout.columns > 1 or self.layout.booklet is not None
                or "emergency" not in kinds or "keypoints" not in kinds):
            return order, None  # (a booklet's text starts after its cover)
        first, emergency = kinds.index("keypoints"), kinds.index("emergency")
        if emergency < first:
            return order, None
        room = self.body_frame_height - self.title_height()
        probe = _Builder(self.document, self.clinic, self.layout, Warnings(), None,
                         self.spacing)
        heights = [sum(flowable.wrap(self.width, 1e9)[1] + flowable.getSpaceBefore()
                       for flowable in probe.block(block, 0)) for block in intro[:emergency + 1]]
        if sum(heights) <= room:
            return order, None
        order.insert(first, order.pop(emergency))
        if heights[-1] <= room:
            return order, None
        return order, emergency

    def movable(self, flowables: list[Flowable]) -> list[Flowable]:
        """A section a reader can take in any order, as one float when it is short enough
        to wait for the next column (a longer one flows and splits where it is)."""
        unit = Floating(keep_headings_with_next(flowables), "back")
        unit.wrap(self.width, self.body_frame_height)  # its height: unit._H
        return [unit] if unit._H <= self.body_frame_height * MOVABLE_HEIGHT else flowables

    def adapted_note(self) -> Flowable:
        """'Adapted by <clinic>' under the heading of a section the clinic wrote itself."""
        note = self.labels["adapted"].replace("{clinic}", self.clinic.name)
        return self.para(self.inline.text(note, italic=True), ParagraphStyle(
            "Adapted", parent=self.styles.small, keepWithNext=1))

    def cover(self) -> list[Flowable]:
        layout, clinic = self.layout, self.clinic
        frame_height = layout.page_height - layout.margin_top - layout.margin_bottom
        logo_height = min(1.4 * inch, frame_height * 0.22)
        logo = Figure(clinic.logo.png, logo_height * clinic.logo.aspect, logo_height,
                      self.tags.add(self.parent, "Figure", alt=clinic.name))
        name_style = ParagraphStyle("CoverClinic", parent=self.styles.box_title,
                                    textColor=rl_colour(clinic.primary))
        title = ParagraphStyle("CoverTitle", parent=self.styles.title,
                               fontSize=layout.title_size * 1.1,
                               leading=layout.title_size * 1.25)
        return [logo, Gap(layout.body_size), self.para(self.inline.text(clinic.name), name_style),
                Gap(frame_height * 0.12), _HRule(rl_colour(clinic.accent), 2.5),
                Gap(layout.body_size * 1.2), *self.title_block(title), *self.personal_note()]

    def notes_page(self) -> list[Flowable]:
        """A page of ruled lines, filling the body frame below its heading."""
        layout = self.layout
        spacing = layout.body_leading * 1.9
        style = ParagraphStyle("NotesPageHeading", parent=self.styles.headings[2],
                               spaceBefore=0, keepWithNext=0)
        with self.within("Sect"):
            heading = self.para(self.inline.text(self.labels["notes"]), style,
                                role=self.heading_role(2))
        room = self.body_frame_height - style.leading - style.spaceAfter - spacing
        return [heading, Gap(spacing * 0.5),
                RuledLines(max(1, int(room // spacing)), spacing, RULE_GREY)]

    def personal_note(self) -> list[Flowable]:
        doc = self.document
        rows = []
        with self.within("Div"):
            if doc.prepared_for:
                rows.append([self.para(self.labelled(self.labels["prepared_for"],
                                                      doc.prepared_for), self.styles.body)])
            if doc.clinician_note:
                rows.append([self.para(self.labelled(self.labels["note_from"],
                                                      doc.clinician_note), self.styles.body)])
        return [self.box(rows, rl_colour(self.clinic.primary),
                         rl_colour(self.clinic.primary.tint(0.92)))] if rows else []

    # -- blocks --
    def blocks(self, blocks: tuple[Block, ...], depth: int = 0) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            out.extend(self.block(block, depth))
        return out

    def block(self, block: Block, depth: int) -> list[Flowable]:
        styles = self.styles
        if isinstance(block, ParagraphBlock):
            style = styles.list_body if depth else styles.body
            if not depth and plain_text(block.content).rstrip().endswith(":"):
                style = styles.lead_in  # "You have the right to:" stays with its list
            return [self.para(self.inline.runs(block.content), style)]
        if isinstance(block, Heading):
            level = max(3, min(block.level, 4)) if block.level > 2 else 2
            return [self.para(self.inline.runs(block.content), styles.headings[level],
                              plain_text(block.content), level - 2 if level < 4 else 1,
                              role=self.heading_role(block.level))]
        if isinstance(block, BulletList):
            if depth == 0:
                # a list may go on in the next column, never leaving an item on its own
                # (so a list of three stays whole); its lead-in or heading goes with two
                return [Stack(self.list_rows(block, depth), keep=LIST_KEEP),
                        Gap(styles.body.spaceAfter * 0.6)]
            return self.list_items(block, depth)
        if isinstance(block, Callout):
            return [self.callout(block)]
        if isinstance(block, NotesArea):
            return self.notes(block)
        if isinstance(block, TableBlock):
            return [self.table(block)]
        if isinstance(block, Rule):
            return [Gap(4), _HRule(RULE_GREY), Gap(8)]  # drawn as an artifact
        raise TypeError(f"unknown block {block!r}")

    def list_items(self, block: BulletList, depth: int) -> list[Flowable]:
        """A list as its items' flowables, indented, each item's first with its marker."""
        return [flowable for row in self.list_rows(block, depth) for flowable in row]

    def list_rows(self, block: BulletList, depth: int) -> list[list[Flowable]]:
        """A list as one row per item: its flowables, indented, the first with the marker."""
        size = self.layout.body_size
        face, colour = self.family.face("bold"), rl_colour(self.clinic.accent)
        out: list[list[Flowable]] = []
        first = block.start if block.ordered else 0
        indent, right = size * 1.5, 0.0
        if block.ordered:  # the label column is as wide as the widest number, plus a gap
            right = max(text_width(f"{number}.", face, size)
                        for number in range(first, first + len(block.items)))
            indent = max(indent, right + size * 0.5)
        with self.within("L"):
            for number, item in enumerate(block.items, start=first):
                text = f"{number}." if block.ordered else "\u2022" if depth == 0 else "\u2013"
                with self.within("LI"):
                    label = self.tags.add(self.parent, "Lbl")
                    with self.within("LBody") as body:
                        flowables = self.blocks(item.blocks, depth + 1) or [
                            self.para([], self.styles.body)]
                    if (len(flowables) == 1 and isinstance(flowables[0], TextBlock)
                            and body.kids == [flowables[0].tag]):
                        # an item of one paragraph: its text is the body's own content
                        body.kids.clear()
                        flowables[0].tag = body
                out.append([Indented(flowable, indent,
                                     Marker(text, face, size, colour, right, label)
                                     if not index else None)
                            for index, flowable in enumerate(flowables)])
        return out

    def box(self, rows: list[list[Flowable]], bar, background, icon: str = "",
            border: float = 0.0) -> Together:
        """A tinted box with a coloured bar on its left: one row per block; with an icon
        at its top left and a rule round it, for the kinds a reader must tell apart."""
        return Together(self.box_parts(rows, bar, background, icon, border))

    def box_parts(self, rows: list[list[Flowable]], bar, background, icon: str = "",
                  border: float = 0.0, keep: int = 1,
                  continued: Callable[[], Flowable] | None = None) -> list[Flowable]:
        size = self.layout.body_size
        if not any(rows):  # an empty box ("> " alone) draws nothing, even in a list item
            return [Gap(0)]
        icon_size = self.styles.box_title.leading * 1.15 if icon else 0.0
        left = size * 1.1 + (icon_size + size * 0.5 if icon else 0.0)
        look = BoxLook(background, bar, 6 if border > 1 else 5,
                       (size * 0.8 + border, size * 0.9 + border, size * 0.6 + border, left),
                       2, border, icon, icon_size, keep)
        return [Gap(size * 0.3 * self.spacing), Box(rows, look, continued),
                Gap(size * 0.9 * self.spacing)]

    def callout(self, block: Callout) -> Flowable:
        clinic = self.clinic
        # in black and white the kinds differ by icon and rule: a triangle and a heavy rule
        # round an emergency box, a phone or a ! in a circle and a thin rule round a call
        # or important box, a bar alone beside a tip
        icon, border = BOX_ICONS.get(block.kind, ""), BOX_BORDERS.get(block.kind, 0.0)
        if block.kind == "emergency":
            bar, background, title_colour = EMERGENCY_RED, EMERGENCY_TINT, EMERGENCY_RED
        elif block.kind in ("call", "important", "keypoints"):
            bar = rl_colour(clinic.primary)
            background, title_colour = rl_colour(clinic.primary.tint(0.92)), bar
        else:
            bar = rl_colour(clinic.accent)
            background, title_colour = rl_colour(clinic.accent.tint(0.92)), BODY_TEXT
        rows: list[list[Flowable]] = []
        with self.within("Div"):  # a box reads as a group under its own heading
            if block.title:
                style = ParagraphStyle("BoxTitleColoured", parent=self.styles.box_title,
                                       textColor=title_colour)
                rows.append([self.para(self.inline.runs(block.title), style,
                                       role=self.box_heading())])
            for inner in block.blocks:
                if isinstance(inner, BulletList):
                    rows.append(self.list_items(inner, 0))
                else:
                    rows.extend([flowable] for flowable in self.block(inner, depth=1))
        return self.box(rows, bar, background, icon, border)

    def box_heading(self) -> str:
        """A box's title is a heading one level below its section's (H3 in a section, H2
        outside one); what follows the box goes on at the section's level."""
        in_section = self.parent is not None and any(
            element.role == "Sect" for element in self._ancestors())
        role = self.heading_role(3 if in_section else 2)
        return role

    def _ancestors(self) -> Iterator[Element]:
        element = self.parent
        while element is not None:
            yield element
            element = element.parent

    def notes(self, block: NotesArea) -> list[Flowable]:
        size = self.layout.body_size
        spacing = self.layout.body_leading * 1.9
        parts: list[Flowable] = []
        group = self.tags.add(self.parent, "Div")  # labels to write after; lines: artifacts
        outer, self.parent = self.parent, group
        if block.title:
            parts.append(self.para(self.inline.runs(block.title), self.styles.headings[3],
                                   role=self.box_heading()))
        if block.fields:
            label_width = min(self.width * 0.5,
                              max(self.family_width(f) for f in block.fields) + size)
            label_style = ParagraphStyle("FieldLabel", parent=self.styles.body, spaceAfter=0)
            rows = [[self.para(self.inline.text(field), label_style), ""]
                    for field in block.fields]
            table = TaggedTable(rows, colWidths=[label_width, self.width - label_width],
                                hAlign="LEFT")
            table.setStyle(TableStyle([
                ("LINEBELOW", (1, 0), (1, -1), 0.7, RULE_GREY),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), spacing - self.layout.body_leading),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("FONTNAME", (0, 0), (-1, -1), self.family.face("regular")),
            ]))
            parts.append(table)
        parts.append(Gap(spacing * 0.5))
        self.parent = outer
        # the lines to write on keep at least two with the fields; there are fewer of them
        # when the column has less room (they never carry over to the next page)
        lines = RuledLines(block.lines, spacing, RULE_GREY)
        return [Together([*parts, RuledLines(min(2, block.lines), spacing, RULE_GREY)]),
                RuledLines(block.lines - 2, spacing, RULE_GREY, extra=True)] \
            if block.lines > 2 \
            else [Together([*parts, lines])]

    def family_width(self, text: str) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(text, self.family.face("regular"), self.layout.body_size)

    def table(self, block: TableBlock) -> Flowable:
        styles = self.styles
        header_style = ParagraphStyle("TableHead", parent=styles.body,
                                      fontName=self.family.face("bold"), spaceAfter=0,
                                      hyphenationLang="")
        cell_style = ParagraphStyle("TableCell", parent=styles.body, spaceAfter=0)
        width = max(len(block.header), *(len(r) for r in block.rows)) if block.rows else len(
            block.header)
        rows = []
        if not (block.header or block.rows) or width == 0:
            return Gap(0)
        with self.within("Table"):
            if block.header:
                with self.within("TR"):
                    rows.append([self.cell(c, header_style, "TH") for c in block.header])
            for row in block.rows:
                with self.within("TR"):
                    cells = [self.cell(c, cell_style, "TD") for c in row]
                    rows.append(cells + [self.cell((), cell_style, "TD")
                                         for _ in range(width - len(cells))])
        table = TaggedTable(rows, colWidths=column_widths(rows, self.width, TABLE_CELL_PADDING),
                            repeatRows=1 if block.header else 0, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, RULE_GREY),
            ("BACKGROUND", (0, 0), (-1, 0), rl_colour(self.clinic.primary.tint(0.9)))
            if block.header else ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ("LEFTPADDING", (0, 0), (-1, -1), TABLE_CELL_PADDING / 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), TABLE_CELL_PADDING / 2),
            ("FONTNAME", (0, 0), (-1, -1), self.family.face("regular")),
        ]))
        return Together([table, Gap(self.layout.body_size)]) if len(rows) < 12 else table

    def cell(self, content, style: ParagraphStyle, role: str) -> TextBlock:
        """A table cell: its text tagged as the cell (header cells head their column)."""
        tag = self.tags.add(self.parent, role, scope="Column" if role == "TH" else None)
        return TextBlock(self.inline.runs(content), style, self.family, self.link_colour,
                         tag=tag)

    def words_to_know(self) -> list[Flowable]:
        """The glossary box: kept whole when short; a longer one may continue on the next
        page or column, under "Words to know (continued)", never leaving one or two entries
        on their own."""
        title = self.labels["words_to_know"]
        with self.within("Sect"):
            rows: list[list[Flowable]] = [[self.para(self.inline.text(title),
                                                     self.styles.box_title,
                                                     role=self.heading_role(2))]]
            for entry in self.document.words_to_know:
                rows.append([self.para([*self.inline.text(entry.term, bold=True),
                                        *self.inline.text(": " + entry.definition)],
                                       self.styles.list_body)])
        bar, background = rl_colour(self.clinic.accent), rl_colour(self.clinic.accent.tint(0.92))
        if len(rows) - 1 <= SHORT_GLOSSARY:
            return [Floating(self.box_parts(rows, bar, background), "back")]
        continued = f"{title} {self.labels['continued']}"
        # the repeated title is read once, where the box starts: here it is an artifact
        return self.box_parts(rows, bar, background, keep=3, continued=lambda: self.para(
            self.inline.text(continued), self.styles.box_title, role=None))

    # -- what every handout ends with --
    def learn_more(self) -> list[Flowable]:
        """The topic's links as a list: label, then the address a reader can type."""
        doc, labels = self.document, self.labels
        if not doc.learn_more:
            return []
        links = BulletList(tuple(
            ListItemBlock((ParagraphBlock((Text(f"{link.label}: "), Link(
                link.url, (Text(_display_url(link.url)),)))),))
            for link in doc.learn_more))
        with self.within("Sect"):
            heading = self.para(self.inline.text(labels["learn_more"]), self.styles.headings[2],
                                labels["learn_more"], role=self.heading_role(2))
            return [Floating([heading, Together(self.list_items(links, 0)), Gap(
                self.layout.body_size * self.spacing)], "back")]

    def closing(self) -> tuple[list[Flowable], list[Flowable]]:
        """How to reach the clinic (a box), then the small print: sources, dates,
        copyright and disclaimer."""
        doc, styles, labels, clinic = self.document, self.styles, self.labels, self.clinic
        text = self.inline.text
        contact_group = self.tags.add(self.parent, "Div")
        outer, self.parent = self.parent, contact_group
        contact = [self.para(text(labels["contact"]), ParagraphStyle(
            "ContactTitle", parent=styles.box_title, textColor=rl_colour(clinic.primary)),
            role=self.heading_role(2)),
            self.para(self.inline.lines(text(clinic.name, bold=True),
                                        *(text(line) for line in clinic.address)),
                      styles.list_body)]
        lines = [self.labelled(labels["phone"], unbreakable(clinic.phone))]
        if clinic.after_hours:
            lines.append(self.labelled(labels["after_hours"], unbreakable(clinic.after_hours)))
        if clinic.website:
            lines.append(self.labelled(labels["website"], _display_url(clinic.website)))
        contact.append(self.para(self.inline.lines(*lines), styles.list_body))
        note = clinic.footer_note(doc.lang)
        if note:
            contact.append(self.para(text(note, italic=True), styles.list_body))
        self.parent = outer
        small = styles.small
        sources = sources_text(doc.sources, doc.lang, labels)
        reviewed = labels["reviewed"].replace("{reviewer}", doc.reviewed_by)
        dates = "  ".join((reviewed.replace("{date}", month_year(doc.reviewed, doc.lang)),
                           f"{labels['printed']} {long_date(doc.generated, doc.lang)}.",
                           f"{labels['form']} {unbreakable(doc.form_id)}"))
        contact_box = self.box_parts([[row] for row in contact], rl_colour(clinic.primary),
                                     rl_colour(clinic.primary.tint(0.94)))
        small_print: list[Flowable] = [
            self.para(self.labelled(labels["sources"], sources), small),
            self.para(text(dates), small),
        ]
        for block in doc.copyright + doc.disclaimer:
            small_print.extend(self.small_block(block))
        return contact_box, small_print

    def small_block(self, block: Block) -> list[Flowable]:
        if isinstance(block, ParagraphBlock | Heading):
            style = self.styles.small
            if isinstance(block, Heading):
                style = ParagraphStyle("SmallHead", parent=style,
                                       fontName=self.family.face("bold"))
            return [self.para(self.inline.runs(block.content), style)]
        return self.block(block, 1)


class _HRule(Flowable):
    def __init__(self, colour, thickness: float = 1):
        super().__init__()
        self.colour, self.thickness = colour, thickness

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.thickness

    def draw(self) -> None:
        with artifact(self.canv):
            self.canv.setStrokeColor(self.colour)
            self.canv.setLineWidth(self.thickness)
            self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)


def column_widths(rows: list[list], room: float, padding: float) -> list[float]:
    """Table columns sized from their content, as browsers size an automatic table: each
    column at least as wide as its widest unbreakable piece (a word, or a word's part up to
    a hyphenation point), and the room left shared in proportion to how much more each
    column's text would take on one line. When even the narrowest widths overflow, the
    columns shrink in proportion (the widest words are then cut)."""
    columns = max(len(row) for row in rows)
    narrowest, widest = [padding] * columns, [padding] * columns
    for row in rows:
        for index, cell in enumerate(row):
            if isinstance(cell, TextBlock):
                narrowest[index] = max(narrowest[index], cell.minWidth() + padding)
                widest[index] = max(widest[index], cell.maxWidth() + padding)
    if sum(widest) <= room:
        extra = (room - sum(widest)) / columns
        return [width + extra for width in widest]
    if sum(narrowest) <= room:
        stretch = [high - low for low, high in zip(narrowest, widest, strict=True)]
        share = (room - sum(narrowest)) / sum(stretch)
        return [low + part * share for low, part in zip(narrowest, stretch, strict=True)]
    return [width * room / sum(narrowest) for width in narrowest]


BOOKLET_PADDING_TRIES = 4  # each try adds only the pages still missing


def keep_headings_with_next(story: list[Flowable]) -> list[Flowable]:
    """Group each heading with what follows it. ReportLab's own keepWithNext skips a
    following KeepTogether, which is how boxes and short lists arrive here."""
    out: list[Flowable] = []
    pending: list[Flowable] = []
    for flowable in story:
        style = getattr(flowable, "style", None)
        if getattr(style, "keepWithNext", 0):
            flowable.__dict__["keepWithNext"] = 0
            pending.append(flowable)
            continue
        if pending and isinstance(flowable, ActionFlowable):
            # a page break or template switch is no content to keep a heading with: a
            # heading that ends the text stays where it is (a Together holding a page break
            # would add a page, and a booklet's padding would never add up)
            out.extend(pending)
            out.append(flowable)
            pending = []
        elif pending and isinstance(flowable, Stack):
            # a heading or lead-in goes with the first items of its list
            out.append(Stack([[head] for head in pending] + flowable.rows,
                             len(pending) + flowable.head, flowable.keep))
            pending = []
        elif pending and isinstance(flowable, TextBlock):
            # a heading goes with the first lines of its text, not with all of it
            out.append(Stack([[head] for head in pending] + [[flowable]], len(pending),
                             split_text=True))
            pending = []
        elif pending:
            inner = flowable._content if isinstance(flowable, KeepTogether) else [flowable]
            out.append(Together(pending + list(inner)))
            pending = []
        else:
            out.append(flowable)
    return out + pending


def _display_url(url: str) -> str:
    for prefix in ("https://", "http://", "mailto:", "tel:"):
        if url.lower().startswith(prefix):
            return url[len(prefix):].rstrip("/")
    return url


def _frame(x: float, y: float, width: float, height: float, name: str) -> Frame:
    """A frame without padding: margins and gaps come from the layout file alone."""
    return Frame(x, y, width, height, id=name, leftPadding=0, rightPadding=0, topPadding=0,
                 bottomPadding=0)


def _column_frames(layout: Layout, bottom: float, top: float, name: str) -> list[Frame]:
    return [_frame(layout.margin_left + index * (layout.column_width + layout.column_gap),
                   bottom, layout.column_width, top - bottom, f"{name}-{index}")
            for index in range(layout.columns)]


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Write compressed streams as binary, not also ASCII85-encoded (ReportLab's default,
    a relic of 7-bit mail): files are about 6% smaller and faster to write."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def pdf_date(document: Document) -> str:
    d = document.generated
    return f"D:{d.year:04d}{d.month:02d}{d.day:02d}000000+00'00'"


def render_pdf(document: Document, clinic: Clinic, layout: Layout, warnings: Warnings,
               extra_keywords: tuple[str, ...] = (), source: Path | None = None
               ) -> tuple[bytes, int]:
    """Lay the document out: the PDF's bytes (the same inputs, the same bytes) and its
    page count. Text that would print wrongly (a script that needs shaping) is refused,
    naming source (the topic's file) or, without echoing them, the patient's name or note.

    A booklet layout is laid out twice: once to count its pages, once with the notes pages
    that bring it to a multiple of four."""
    for personal, what in ((document.prepared_for, "patient's name"),
                           (document.clinician_note, "note")):
        script = script_needing_shaping(personal or "")
        if script:
            raise HandoutsError(f"the {what} is written in the {script} script, which "
                                f"handouts cannot print correctly yet (it needs shaping)")
    if layout.booklet is None:
        # an odd count ends with a notes page, added in the same pass
        pdf, pages, (content_pages, used) = _render(document, clinic, layout, warnings,
                                                    extra_keywords, None, source)
        if content_pages > 1 and (used < LAST_PAGE_SLIVER
                                  or content_pages % 2 and used < EVEN_PAGES_RETRY):
            # a last page that holds a sliver, or (printed duplex, an odd count leaves a
            # blank back or a notes page) little: less space between blocks (never smaller
            # type or tighter lines) may save that page
            tighter = _render(document, clinic, layout, Warnings(), extra_keywords, None,
                              source, spacing=TIGHT_SPACING)
            if tighter[2][0] < content_pages:
                pdf, pages = tighter[0], tighter[1]
        return pdf.bytes(), pages
    pdf, pages, _ = _render(document, clinic, layout, warnings, extra_keywords, 0, source)
    padding = 0
    for _ in range(BOOKLET_PADDING_TRIES):
        if pages % 4 == 0:
            return pdf.bytes(), pages
        # notes pages can move what comes before them (a block kept with the next one):
        # add what is still missing and lay out again until the count adds up
        padding += -pages % 4
        pdf, pages, _ = _render(document, clinic, layout, Warnings(), extra_keywords,
                                padding, source)
    if pages % 4:
        where = f" ({source})" if source else ""
        raise HandoutsError(f"the booklet came out at {pages} pages, not a multiple of 4, "
                            f"after {BOOKLET_PADDING_TRIES} tries{where}; please report it")
    return pdf.bytes(), pages


def _render(document: Document, clinic: Clinic, layout: Layout, warnings: Warnings,
            extra_keywords: tuple[str, ...], notes_pages: int | None,
            source: Path | None = None, spacing: float = 1.0
            ) -> tuple[_Laid, int, tuple[int, float]]:
    """The PDF (laid out, saved when asked), its page count, and where its content ends:
    the page, and how much of that page's body is used (0 to 1). Not a booklet: an odd
    count ends with a notes page."""
    builder = _Builder(document, clinic, layout, warnings, source, spacing)
    level_name = document.labels.get(f"level_{document.level}", document.level)
    booklet = notes_pages is not None
    decoration = PageDecoration(clinic, layout, builder.family, document.title,
                                document.labels["page_of"], level_name, covers=booklet)
    creator, producer = f"handouts {__version__}", f"handouts {__version__} (ReportLab)"
    buffer = io.BytesIO()
    keywords = list(document.keywords) + [f"language:{document.lang}",
                                          f"level:{document.level}"] + list(extra_keywords)
    keywords += [f"form:{document.form_id}", f"reviewed:{document.reviewed.isoformat()}"]
    keywords += [f"adapted:{key}" for key in document.adapted_sections]
    doc = _HandoutDoc(
        buffer, pagesize=(layout.page_width, layout.page_height),
        leftMargin=layout.margin_left, rightMargin=layout.margin_right,
        topMargin=layout.page_height - decoration.frame_top(),
        bottomMargin=layout.margin_bottom,
        title=document.title, author=clinic.name, subject=document.summary,
        keywords=keywords, creator=creator, producer=producer, lang=document.lang, invariant=1,
        initialFontName=builder.family.face("regular"),
    )
    top = decoration.frame_top()
    columns = _column_frames(layout, layout.margin_bottom, top, "body")
    page = PageTemplate("page", frames=columns, onPage=decoration.draw_header)
    builder.body_frame_height = columns[0].height
    if booklet:
        full = _frame(layout.margin_left, layout.margin_bottom, layout.frame_width,
                      layout.page_height - layout.margin_top - layout.margin_bottom, "full")
        doc.addPageTemplates([PageTemplate("cover", frames=[full]), page,
                              PageTemplate("back", frames=[full])])
        story = builder.booklet_story(notes_pages)
    elif layout.columns > 1:
        title_height = builder.title_height()
        title = _frame(layout.margin_left, top - title_height, layout.frame_width,
                       title_height, "title")
        first = PageTemplate("first", frames=[title, *_column_frames(
            layout, layout.margin_bottom, top - title_height, "first")],
            onPage=decoration.draw_header)
        doc.addPageTemplates([first, page])
        story = [NextPageTemplate("page"), *builder.story()]
    else:
        doc.addPageTemplates([page])
        story = builder.story()
    decoration.logo_tag = builder.logo_tag
    metadata = Metadata(document.title, document.summary, clinic.name, keywords, creator,
                        producer, document.generated)
    doc.columns, doc.min_fill = layout.columns, layout.body_leading * 2
    if not booklet:  # a notes page, if any, spans the full width whatever the columns
        doc.addPageTemplates([PageTemplate("notes", frames=[_frame(
            layout.margin_left, layout.margin_bottom, layout.frame_width,
            top - layout.margin_bottom, "notes")], onPage=decoration.draw_header)])
        doc.notes_page = builder.notes_page
    doc._doSave = 0  # ReportLab's switch: saved by _Laid.bytes() if this pass is the one kept
    try:
        with _binary_streams():
            doc.build(story, canvasmaker=canvas_class(decoration.draw_footer,
                                                      pdf_date(document), builder.tags,
                                                      metadata))
    except LayoutError:
        # ReportLab's message names the flowable by its memory address: say what to do
        raise HandoutsError(f"a block is too tall to fit on one {layout.name} page; split it "
                            "into shorter parts", source) from None
    if doc._waiting:  # never: every story ends with an EndOfContent or a page break
        raise HandoutsError("blocks were left waiting for a column; please report it", source)
    builder.inline.report_missing()
    end = doc.content_end if not booklet else (doc.page, 1.0)
    return _Laid(doc, buffer), doc.page, end


class _Laid:
    """A pass laid out and drawn but not yet saved: writing the PDF (the footers, the
    structure tree, the fonts' subsets, compression: about a third of a pass) is left
    until the pass is known to be the one kept."""

    def __init__(self, doc: _HandoutDoc, buffer: io.BytesIO):
        self.doc, self.buffer = doc, buffer

    def bytes(self) -> bytes:
        with _binary_streams():
            self.doc.canv.save()
        return self.buffer.getvalue()


def _last_page_used(frame: Frame, columns: int) -> float:
    """The share of the last page's body the content reached: full columns before the
    frame it ended in, and that frame down to where it stopped."""
    index = int(frame.id.rsplit("-", 1)[1]) if frame.id.rsplit("-", 1)[-1].isdigit() else 0
    used = (frame._y2 - frame._y) / frame._height if frame._height else 1.0
    return min(1.0, (index + used) / max(1, columns))
