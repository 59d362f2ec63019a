"""Flowables that hold other flowables: list items with their bullets, and tinted boxes.

Both lay their content out directly, like a frame does: measured once per width, drawn
top down, split only between the flowables they hold (or inside a list item's text)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.platypus import Flowable

from handouts.layout.tagging import Element, artifact
from handouts.layout.typeset import draw_string, text_width


@dataclass(frozen=True)
class Marker:
    """What a list item's first line starts with: a bullet or a number, in one face."""

    text: str
    face: str
    size: float
    colour: object  # a ReportLab colour
    right: float = 0.0  # numbers: where their right edge lies (they line up on the period)
    tag: Element | None = None  # the list item's label (Lbl) in a tagged PDF


class Indented(Flowable):
    """One flowable of a list item, indented; the first carries the item's marker, drawn
    at the left edge on the baseline of its first line."""

    def __init__(self, content: Flowable, indent: float, marker: Marker | None = None):
        super().__init__()
        self.content, self.indent, self.marker = content, indent, marker

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, self.height = self.content.wrap(available_width - self.indent, available_height)
        self.width = available_width
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        parts = self.content.split(available_width - self.indent, available_height)
        return [Indented(part, self.indent, self.marker if not index else None)
                for index, part in enumerate(parts)]

    def getSpaceBefore(self) -> float:  # noqa: N802 (ReportLab's names)
        return self.content.getSpaceBefore()

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.content.getSpaceAfter()

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        marker = self.marker
        if marker is not None:
            # the content's first baseline lies one font size below its top
            left = x
            if marker.right:
                left += marker.right - text_width(marker.text, marker.face, marker.size)
            draw_string(canvas, left, y + self.height - marker.size, marker.text, marker.face,
                        marker.size, marker.colour, marker.tag)
        self.content.drawOn(canvas, x + self.indent, y)


@dataclass(frozen=True)
class BoxLook:
    """How a box looks. Kinds of box differ in more than colour (most clinic printers print
    black and white): a rule round the box, and an icon at its top left."""

    background: object  # ReportLab colours
    bar: object
    bar_width: float
    padding: tuple[float, float, float, float]  # top, right, bottom, left
    row_gap: float  # between the blocks a box holds
    border: float = 0.0  # a rule of this width all round, in the bar's colour
    icon: str = ""  # "warning" (a triangle with !), "phone", "important" (a circle with !)
    icon_size: float = 0.0
    keep: int = 1  # a split leaves at least this many blocks on each side (title aside)


class Box(Flowable):
    continues = False  # the rest of a split box
    """A tinted box with a coloured bar down its left edge, holding rows: one row per
    block, a list's items in one row. Rows are row_gap apart; the flowables within a row
    are spaced as on a page. A box taller than a page splits between two flowables."""

    def __init__(self, rows: list[list[Flowable]], look: BoxLook,
                 continued: Callable[[], Flowable] | None = None):
        super().__init__()
        self.rows = [row for row in rows if row]
        self.look = look
        # a titled box that splits: its first row is its title, and the part on the next
        # page starts with continued() ("Words to know (continued)")
        self.continued = continued
        self._placed: list[tuple[Flowable, float, float]] = []  # flowable, height, gap above
        self._size: tuple[float, float] | None = None

    def _measure(self, width: float) -> None:
        if self._size is not None and self._size[0] == width:
            return
        top, right, bottom, left = self.look.padding
        inner = width - left - right
        placed: list[tuple[Flowable, float, float]] = []
        for row in self.rows:
            space_after = None
            for flowable in row:
                _, height = flowable.wrap(inner, 1e9)
                if space_after is not None:
                    gap = max(space_after, flowable.getSpaceBefore())
                else:
                    gap = self.look.row_gap if placed else 0.0
                placed.append((flowable, height, gap))
                space_after = flowable.getSpaceAfter()
        self._placed = placed
        self._size = (width, top + bottom + sum(height + gap for _, height, gap in placed))

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._measure(available_width)
        self.width, self.height = self._size
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self._measure(available_width)
        top, _, bottom, _ = self.look.padding
        used, fit = top + bottom, 0
        for _, height, gap in self._placed:
            if used + gap + height > available_height:
                break
            used += gap + height
            fit += 1
        if fit == len(self._placed):
            return [self]
        titled = 1 if self.continued is not None else 0
        fit = min(fit, len(self._placed) - self.look.keep)
        if fit < max(1, titled + self.look.keep):
            return []
        first: list[list[Flowable]] = []
        rest: list[list[Flowable]] = []
        seen = 0
        for row in self.rows:
            first.append(row[:max(0, fit - seen)])
            rest.append(row[max(0, fit - seen):])
            seen += len(row)
        if self.continued is not None:
            rest.insert(0, [self.continued()])
        after = Box(rest, self.look, self.continued)
        after.continues = True  # the next column starts with it, before any waiting block
        return [Box(first, self.look, self.continued), after]

    def draw(self) -> None:
        canvas, look = self.canv, self.look
        top, _, _, left = look.padding
        with artifact(canvas):
            canvas.saveState()
            canvas.setFillColor(look.background)
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
            canvas.setFillColor(look.bar)
            # the bar is centred on the box's edge, as a table's rule would be
            canvas.rect(-look.bar_width / 2, 0, look.bar_width, self.height, stroke=0, fill=1)
            if look.border:
                canvas.setStrokeColor(look.bar)
                canvas.setLineWidth(look.border)
                inset = look.border / 2
                canvas.rect(inset, inset, self.width - 2 * inset, self.height - 2 * inset,
                            stroke=1, fill=0)
            if look.icon:
                x = look.bar_width / 2 + (left - look.bar_width / 2 - look.icon_size) / 2
                draw_icon(canvas, look.icon, x, self.height - top - look.icon_size,
                          look.icon_size, look.bar, look.background)
            canvas.restoreState()
        y = self.height - top
        for flowable, height, gap in self._placed:
            y -= gap + height
            flowable.drawOn(canvas, left, y)


def draw_icon(canvas, icon: str, x: float, y: float, size: float, ink, paper) -> None:
    """A box's icon in a size x size square with its lower left corner at (x, y): drawn
    as shapes, so it needs no font and reads in black and white."""
    canvas.saveState()
    canvas.setFillColor(ink)
    canvas.setStrokeColor(paper)
    middle = x + size / 2
    if icon == "warning":
        path = canvas.beginPath()
        path.moveTo(x, y + size * 0.06)
        path.lineTo(x + size, y + size * 0.06)
        path.lineTo(middle, y + size * 0.98)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)
        _exclamation(canvas, middle, y + size * 0.16, size * 0.62, paper)
    else:
        canvas.circle(middle, y + size / 2, size / 2, stroke=0, fill=1)
        if icon == "phone":
            canvas.setLineWidth(size * 0.16)
            canvas.setLineCap(1)
            # a handset: an arc with an earpiece and a mouthpiece at its ends
            canvas.arc(x + size * 0.24, y + size * 0.24, x + size * 0.76, y + size * 0.76,
                       startAng=120, extent=210)
            canvas.setFillColor(paper)
            for angle_x, angle_y in ((0.345, 0.69), (0.69, 0.33)):
                canvas.circle(x + size * angle_x, y + size * angle_y, size * 0.11, stroke=0,
                              fill=1)
        else:
            _exclamation(canvas, middle, y + size * 0.18, size * 0.64, paper)
    canvas.restoreState()


def _exclamation(canvas, middle: float, bottom: float, height: float, colour) -> None:
    canvas.setFillColor(colour)
    stem = height * 0.17
    canvas.roundRect(middle - stem / 2, bottom + height * 0.3, stem, height * 0.7,
                     stem / 2, stroke=0, fill=1)
    canvas.circle(middle, bottom + stem * 0.6, stem * 0.6, stroke=0, fill=1)


class Stack(Flowable):
    continues = False  # the rest of a split stack
    """Blocks that hold together the way a reader needs, yet may split between columns.

    Rows are laid out as a frame would (the space between two rows is the larger of the
    first's space after and the second's space before). The first `head` rows (a heading,
    a list's lead-in) never end a column: they go with at least `keep` rows after them, or
    with the first lines of the row after them when that row is text that can split. A
    split between rows leaves at least `keep` rows on each side (a list's items: never one
    stranded), so a short list of `2 * keep - 1` items or fewer stays whole."""

    def __init__(self, rows: list[list[Flowable]], head: int = 0, keep: int = 2,
                 split_text: bool = False):
        super().__init__()
        self.rows = [row for row in rows if row]
        self.head, self.keep = min(head, len(self.rows)), keep
        self.split_text = split_text  # the row after the head may split inside its text
        self._placed: list[tuple[Flowable, float, float]] = []
        self._row_ends: list[int] = []  # index in _placed after each row
        self._width: float | None = None
        self.outline: list[Flowable] = []  # headings with a bookmark, once measured

    def _measure(self, width: float) -> None:
        if self._width == width:
            return
        placed: list[tuple[Flowable, float, float]] = []
        ends: list[int] = []
        space_after = None
        for row in self.rows:
            for flowable in row:
                _, height = flowable.wrap(width, 1e9)
                gap = 0.0 if space_after is None else max(space_after,
                                                          flowable.getSpaceBefore())
                placed.append((flowable, height, gap))
                space_after = flowable.getSpaceAfter()
            ends.append(len(placed))
        self._placed, self._row_ends, self._width = placed, ends, width
        self.outline = [flowable for flowable, _, _ in placed
                        if getattr(flowable, "outline_text", None)]

    def getSpaceBefore(self) -> float:  # noqa: N802 (ReportLab's names)
        return self.rows[0][0].getSpaceBefore() if self.rows else 0.0

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.rows[-1][-1].getSpaceAfter() if self.rows else 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._measure(available_width)
        self.width = available_width
        self.height = sum(height + gap for _, height, gap in self._placed)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self._measure(available_width)
        rows, placed = self.rows, self._placed
        used, whole, start = 0.0, 0, 0
        for end in self._row_ends:  # whole rows that fit
            height = sum(h + gap for _, h, gap in placed[start:end])
            if used + height > available_height + 1e-6:
                break
            used += height
            whole += 1
            start = end
        if whole == len(rows):
            return [self]
        fit = min(whole, len(rows) - self.keep)
        if fit >= self.head + self.keep:
            return [self._part(rows[:fit], self.head), self._part(rows[fit:], 0, True)]
        if whole < self.head or (self.split_text and whole == self.head):
            # a heading with the first lines of the text after it, or a list's lead-in
            # split inside its text (its last lines go on with the items)
            row = rows[whole]
            start = self._row_ends[whole - 1] if whole else 0
            flowable, _, gap = placed[start]
            if len(row) == 1 and not getattr(flowable, "outline_text", "") and hasattr(
                    flowable, "_lines"):  # text, never a heading
                before = sum(h + g for _, h, g in placed[:start])
                parts = flowable.split(available_width, available_height - before - gap)
                if len(parts) == 2:
                    return [self._part([*rows[:whole], [parts[0]]], 0),
                            self._part([[parts[1]], *rows[whole + 1:]],
                                       max(0, self.head - whole), True)]
        return []

    def _part(self, rows: list[list[Flowable]], head: int, continues: bool = False) -> Stack:
        part = Stack(rows, head, self.keep, self.split_text)
        part.continues = continues  # the rest of a split: before any waiting block
        return part

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        top = y + self.height
        for flowable, height, gap in self._placed:
            top -= gap + height
            flowable.drawOn(canvas, x, top)
