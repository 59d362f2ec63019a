"""Loading layouts/<name>.toml: paper, margins, type sizes, header and footer content."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import cm, inch, mm

from handouts.errors import HandoutsError
from handouts.inputs.paths import Roots, named_file, names_in
from handouts.inputs.safe_files import read_toml
from handouts.inputs.toml_tables import TableReader

PAPER = {
    "letter": (8.5 * inch, 11 * inch),
    "legal": (8.5 * inch, 14 * inch),
    "a4": (210 * mm, 297 * mm),
    "a5": (148 * mm, 210 * mm),
    "half-letter": (5.5 * inch, 8.5 * inch),
}
# Large print's smallest text (footer, sources, copyright), as large-print guidance asks.
LARGE_PRINT_SMALLEST = 14.0
_UNITS = {"in": inch, "mm": mm, "cm": cm, "pt": 1.0}
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(in|mm|cm|pt)\s*")


@dataclass(frozen=True)
class Booklet:
    """A layout whose pages are imposed two-up on a larger sheet and folded."""

    sheet: str  # key of PAPER, landscape


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    page_width: float
    page_height: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    body_size: float
    body_leading: float
    title_size: float
    heading_sizes: tuple[float, float, float]  # ## , ###, ####
    small_size: float
    header_logo: bool
    header_clinic_name: bool
    footer_title: bool
    footer_phone: bool
    footer_level: bool
    large_print: bool
    booklet: Booklet | None
    path: Path
    columns: int = 1
    column_gap: float = 0.3 * inch

    @property
    def frame_width(self) -> float:
        return self.page_width - self.margin_left - self.margin_right

    @property
    def column_width(self) -> float:
        return (self.frame_width - self.column_gap * (self.columns - 1)) / self.columns


def layout_names(roots: Roots) -> list[str]:
    return names_in(roots.layouts, ".toml")


def load_layout(roots: Roots, name: str) -> Layout:
    return parse_layout(named_file(roots.layouts, name, ".toml", "layout"), name)


def parse_layout(path: Path, name: str) -> Layout:
    table = TableReader(read_toml(path), path)
    description = table.text("description", "")
    width, height = _paper(table, "page_size")
    margins = table.table("margins")
    margin = {side: _length(margins, side, minimum=0.25 * inch, maximum=2 * inch)
              for side in ("top", "bottom", "left", "right")}
    margins.finish()
    body_size = table.number("body_size", minimum=8, maximum=28)
    body_leading = table.number("body_leading", body_size * 1.4, minimum=body_size + 2,
                                maximum=body_size * 2.5)
    title_size = table.number("title_size", body_size * 2, minimum=body_size, maximum=60)
    sizes = table.data.get("heading_sizes", [body_size * 1.45, body_size * 1.2, body_size])
    table.has("heading_sizes")
    if (not isinstance(sizes, list) or len(sizes) != 3
            or not all(isinstance(s, int | float) and body_size <= s <= 48 for s in sizes)):
        raise table.fail("heading_sizes", f"give three sizes in points, each between the body "
                         f"size ({body_size:g}) and 48, like [18, 15, 13]")
    large_print = table.boolean("large_print", False)
    small_size = table.number(
        "small_size", max(LARGE_PRINT_SMALLEST if large_print else 8.0, body_size * 0.75),
        minimum=7, maximum=body_size)
    if large_print and body_size < 16:
        raise table.fail("body_size", "a large-print layout needs body text of at least 16 pt")
    columns = table.integer("columns", 1, minimum=1, maximum=2)
    if large_print and columns > 1:
        raise table.fail("columns", "large print is set in one column")
    if large_print and small_size < LARGE_PRINT_SMALLEST:
        raise table.fail("small_size", f"is {small_size:g}; large print's smallest text (the "
                         f"footer, sources, copyright) must be at least "
                         f"{LARGE_PRINT_SMALLEST:g} pt")
    column_gap = (_length(table, "column_gap", minimum=0.1 * inch, maximum=1 * inch)
                  if table.has("column_gap") else 0.3 * inch)
    header = table.table("header", required=False) or TableReader({}, path, "header")
    footer = table.table("footer", required=False) or TableReader({}, path, "footer")
    booklet_table = table.table("booklet", required=False)
    booklet = None
    if booklet_table is not None:
        sheet = booklet_table.text("sheet")
        if sheet not in PAPER:
            raise booklet_table.fail("sheet", f"use one of {', '.join(PAPER)}")
        sw, sh = PAPER[sheet]
        if abs(sh - 2 * width) > 3 or abs(sw - height) > 3:
            raise booklet_table.fail("sheet", f"two {width / inch:.2f} x {height / inch:.2f} in "
                                     f"pages do not fit side by side on {sheet} paper")
        booklet_table.finish()
        booklet = Booklet(sheet)
    layout = Layout(
        name=name, description=description, page_width=width, page_height=height,
        margin_top=margin["top"], margin_bottom=margin["bottom"], margin_left=margin["left"],
        margin_right=margin["right"], body_size=body_size, body_leading=body_leading,
        title_size=title_size, heading_sizes=tuple(float(s) for s in sizes),
        small_size=small_size,
        header_logo=header.boolean("logo", True),
        header_clinic_name=header.boolean("clinic_name", True),
        footer_title=footer.boolean("title", True), footer_phone=footer.boolean("phone", True),
        footer_level=footer.boolean("level", False), large_print=large_print,
        booklet=booklet, path=path, columns=columns, column_gap=column_gap,
    )
    header.finish()
    footer.finish()
    table.finish()
    if layout.column_width < 2.5 * inch:
        raise table.fail("margins", "leave at least 2.5 in for each column of text")
    return layout


def _paper(table: TableReader, key: str) -> tuple[float, float]:
    table.has(key)
    value = table.data.get(key)
    if isinstance(value, str) and value in PAPER:
        return PAPER[value]
    if isinstance(value, list) and len(value) == 2:
        width = _parse_length(value[0])
        height = _parse_length(value[1])
        if width and height and 2 * inch <= width <= 20 * inch and 2 * inch <= height <= 20 * inch:
            return width, height
    raise table.fail(key, f"use one of {', '.join(PAPER)}, or [width, height] like "
                     "[\"5.5in\", \"8.5in\"]")


def _parse_length(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = _LENGTH.fullmatch(value)
        if match:
            return float(match.group(1)) * _UNITS[match.group(2)]
    return None


def _length(table: TableReader, key: str, *, minimum: float, maximum: float) -> float:
    table.has(key)
    if key not in table.data:
        raise HandoutsError(f"missing required key '{table.key_name(key)}'", table.path)
    value = _parse_length(table.data[key])
    if value is None:
        raise table.fail(key, "expected a length like \"0.75in\", \"20mm\" or 54 (points)")
    if not minimum <= value <= maximum:
        raise table.fail(key, f"must be between {minimum / inch:g} in and {maximum / inch:g} in")
    return value
