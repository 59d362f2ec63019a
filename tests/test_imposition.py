"""Imposed sheets: they look like the pages they carry, marks where a printer prints them,
page boxes a print shop can trust, and print preferences that make duplex come out right."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest
from conftest import DATE, REPO, run_cli
from PIL import Image, ImageChops
from reportlab.lib.pagesizes import letter

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.finishing.impose import BLEED, SLUG, UNPRINTABLE, impose, sheet_sides
from handouts.inputs.paths import Roots

LANDSCAPE = (letter[1], letter[0])


@pytest.fixture(scope="module")
def booklet() -> bytes:
    """The shipped bone-metastasis booklet, page by page (the reader's PDF)."""
    return build_handout(Roots.under(REPO), "bone-metastasis", "riverside", "booklet-letter",
                         Options(date=DATE)).pdf


def render(pdf: bytes, dpi: int = 30) -> list[Image.Image]:
    """Every page as a greyscale image, rendered by poppler."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-", f"{folder}/p"], input=pdf,
                       capture_output=True, check=True)
        images = []
        for path in sorted(Path(folder).iterdir(), key=lambda p: int(p.stem.split("-")[-1])):
            with Image.open(path) as image:
                images.append(image.copy())
        return images


def marks(pdf: bytes) -> list[tuple[float, float, float, float]]:
    """The mark lines (x1, y1, x2, y2) drawn on the first sheet."""
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        lines, start = [], None
        for operands, operator in pikepdf.parse_content_stream(opened.pages[0]):
            if str(operator) == "m":
                start = [float(v) for v in operands]
            elif str(operator) == "l":
                lines.append((*start, *(float(v) for v in operands)))
        return lines


def boxes(pdf: bytes) -> dict[str, list[float]]:
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        page = opened.pages[0].obj
        return {key: [float(v) for v in page[f"/{key}"]]
                for key in ("MediaBox", "TrimBox", "BleedBox")}


def test_each_half_of_each_sheet_looks_like_the_page_it_carries(booklet):
    pages, sheets = render(booklet), render(impose(booklet, letter))
    for sheet, (left, right) in zip(sheets, sheet_sides(len(pages)), strict=True):
        width = sheet.width // 2
        for half, page in ((sheet.crop((0, 0, width, sheet.height)), pages[left]),
                           (sheet.crop((width, 0, 2 * width, sheet.height)), pages[right])):
            page = page.resize(half.size)
            difference = ImageChops.difference(half, page)
            # the same drawing at the same scale: at most a pixel of rounding at an edge
            assert sum(difference.histogram()[48:]) < 0.002 * half.width * half.height


def test_sheets_ask_for_short_edge_duplex_without_scaling(booklet):
    with pikepdf.open(io.BytesIO(impose(booklet, letter))) as opened:
        preferences = opened.Root.ViewerPreferences
        assert preferences.Duplex == "/DuplexFlipShortEdge"
        assert preferences.PrintScaling == "/None"
        assert opened.Root.Lang == "en"
        assert str(opened.docinfo.Title).startswith("Bone Metastasis")


def test_without_marks_the_sheet_is_the_trimmed_booklet(booklet):
    imposed = impose(booklet, letter)
    found = boxes(imposed)
    assert found["MediaBox"] == found["TrimBox"] == found["BleedBox"] == [0, 0, *LANDSCAPE]
    assert marks(imposed) == []


def test_office_marks_are_fold_marks_printed_inside_the_unprintable_border(booklet):
    imposed = impose(booklet, letter, marks="office")
    assert imposed == impose(booklet, letter, marks=True)  # --marks alone means office
    lines = marks(imposed)
    assert len(lines) == 2  # top and bottom of the fold; nothing to trim on an office sheet
    width, height = LANDSCAPE
    for x1, y1, x2, y2 in lines:
        assert x1 == x2 == pytest.approx(width / 2)
        for y in (y1, y2):
            assert UNPRINTABLE <= y <= height - UNPRINTABLE
            assert min(y, height - y) <= UNPRINTABLE + 0.25 * 72  # in the margin, not the text
    assert boxes(imposed)["TrimBox"] == [0, 0, *LANDSCAPE]


def test_print_shop_sheet_has_bleed_and_marks_outside_the_trim(booklet):
    imposed = impose(booklet, letter, marks="print-shop")
    found = boxes(imposed)
    width, height = LANDSCAPE
    assert found["MediaBox"] == pytest.approx([0, 0, width + 2 * SLUG, height + 2 * SLUG])
    assert found["TrimBox"] == pytest.approx([SLUG, SLUG, SLUG + width, SLUG + height])
    assert found["BleedBox"] == pytest.approx(
        [SLUG - BLEED, SLUG - BLEED, SLUG + width + BLEED, SLUG + height + BLEED])
    lines = marks(imposed)
    assert len(lines) == 8 + 2  # two at each corner, and the fold at top and bottom
    x0, y0, x1, y1 = found["BleedBox"]
    for a, b, c, d in lines:
        # no mark reaches into the bleed, so none shows on a trimmed sheet
        assert min(a, c) >= x1 - 0.01 or max(a, c) <= x0 + 0.01 \
            or min(b, d) >= y1 - 0.01 or max(b, d) <= y0 + 0.01
    folds = [line for line in lines if line[0] == line[2] == pytest.approx(SLUG + width / 2)]
    assert len(folds) == 2
    # inside the trim the sheet is the unmarked sheet
    shop, plain = render(imposed, 36)[0], render(impose(booklet, letter), 36)[0]
    trimmed = shop.crop((round(SLUG / 2), round(SLUG / 2), round(SLUG / 2) + plain.width,
                         round(SLUG / 2) + plain.height))
    difference = ImageChops.difference(trimmed, plain)
    assert sum(difference.histogram()[48:]) < 0.002 * plain.width * plain.height


def test_imposed_output_is_byte_identical_per_input_and_fonts_stay_embedded(booklet, tmp_path):
    for kind in (None, "office", "print-shop"):
        first, again = impose(booklet, letter, marks=kind), impose(booklet, letter, marks=kind)
        assert first == again
        fonts = subprocess.run(["pdffonts", "-"], input=first, capture_output=True,
                               check=True).stdout.decode().splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # embedded
        (tmp_path / "sheets.pdf").write_bytes(first)
        check = subprocess.run(["qpdf", "--check", str(tmp_path / "sheets.pdf")],
                               capture_output=True)
        assert check.returncode == 0, check.stdout


def test_cli_marks_for_a_print_shop(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    target = tmp_path / "shop.pdf"
    result = run_cli("generate", "bone-metastasis", "--clinic", "lakeside", "--layout",
                     "booklet-a4", "--date", "2026-11-26", "--marks", "print-shop",
                     "-o", str(target))
    assert result.exit_code == 0, result.stderr
    found = boxes(target.read_bytes())
    assert found["MediaBox"][2] == pytest.approx(found["TrimBox"][2] + SLUG)
    wrong = run_cli("generate", "bone-metastasis", "--clinic", "lakeside", "--layout",
                    "booklet-a4", "--marks", "poster", "-o", str(tmp_path / "x.pdf"))
    assert wrong.exit_code == 2 and "poster" in wrong.stderr
