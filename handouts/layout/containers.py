"""Flowables that hold other flowables: list items with their bullets, and tinted boxes.

Both lay their content out directly, like a frame does: measured once per width, drawn
top down, split only between the flowables they hold (or inside a list item's text)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import Flowable

from handouts.layout.typeset import draw_string, text_width


@dataclass(frozen=True)
class Marker:
    """What a list item's first line starts with: a bullet or a number, in one face."""

    text: str
    face: str
    size: float
    colour: object  # a ReportLab colour
    right: float = 0.0  # numbers: where their right edge lies (they line up on the period)


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
                        marker.size, marker.colour)
        self.content.drawOn(canvas, x + self.indent, y)


@dataclass(frozen=True)
class BoxLook:
    background: object  # ReportLab colours
    bar: object
    bar_width: float
    padding: tuple[float, float, float, float]  # top, right, bottom, left
    row_gap: float  # between the blocks a box holds


class Box(Flowable):
    """A tinted box with a coloured bar down its left edge, holding rows: one row per
    block, a list's items in one row. Rows are row_gap apart; the flowables within a row
    are spaced as on a page. A box taller than a page splits between two flowables."""

    def __init__(self, rows: list[list[Flowable]], look: BoxLook):
        super().__init__()
        self.rows = [row for row in rows if row]
        self.look = look
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
        if fit == 0:
            return []
        if fit == len(self._placed):
            return [self]
        first: list[list[Flowable]] = []
        rest: list[list[Flowable]] = []
        seen = 0
        for row in self.rows:
            first.append(row[:max(0, fit - seen)])
            rest.append(row[max(0, fit - seen):])
            seen += len(row)
        return [Box(first, self.look), Box(rest, self.look)]

    def draw(self) -> None:
        canvas, look = self.canv, self.look
        top, _, _, left = look.padding
        canvas.saveState()
        canvas.setFillColor(look.background)
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(look.bar)
        # the bar is centred on the box's edge, as a table's rule would be
        canvas.rect(-look.bar_width / 2, 0, look.bar_width, self.height, stroke=0, fill=1)
        canvas.restoreState()
        y = self.height - top
        for flowable, height, gap in self._placed:
            y -= gap + height
            flowable.drawOn(canvas, left, y)
