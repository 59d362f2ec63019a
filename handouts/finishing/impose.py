"""Imposing a finished booklet PDF two-up on sheets for duplex printing and folding."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, ByteStringObject, NameObject
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from handouts.errors import HandoutsError

MARK_LENGTH = 14.0
MARK_COLOUR = HexColor("#808080")


def sheet_sides(pages: int) -> list[tuple[int, int]]:
    """(left, right) page indexes (0-based) for each sheet side, in printing order.

    Saddle stitch: sheet s carries pages N-2s and 2s+1 on its front, 2s+2 and N-2s-1 on its
    back (1-based). Printed duplex, flipped on the short edge, stacked and folded, the
    pages read 1..N."""
    if pages <= 0 or pages % 4:
        raise HandoutsError(f"a booklet needs a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 1 - 2 * sheet, 2 * sheet))          # front
        sides.append((2 * sheet + 1, pages - 2 - 2 * sheet))      # back
    return sides


def impose(pdf: bytes, sheet_size: tuple[float, float], marks: bool = False) -> bytes:
    """Two booklet pages side by side on each landscape sheet, in saddle-stitch order."""
    reader = PdfReader(io.BytesIO(pdf))
    sheet_width, sheet_height = max(sheet_size), min(sheet_size)  # landscape
    page_width = float(reader.pages[0].mediabox.width)
    page_height = float(reader.pages[0].mediabox.height)
    if abs(2 * page_width - sheet_width) > 3 or abs(page_height - sheet_height) > 3:
        raise HandoutsError(f"two {page_width:.0f} x {page_height:.0f} pt pages do not fill a "
                            f"{sheet_width:.0f} x {sheet_height:.0f} pt sheet")
    overlay = _marks_page(sheet_width, sheet_height) if marks else None
    writer = PdfWriter()
    for left, right in sheet_sides(len(reader.pages)):
        sheet = writer.add_blank_page(width=sheet_width, height=sheet_height)
        sheet.merge_transformed_page(reader.pages[left], Transformation())
        sheet.merge_transformed_page(reader.pages[right],
                                     Transformation().translate(tx=page_width, ty=0))
        if overlay is not None:
            sheet.merge_page(overlay)
        sheet.compress_content_streams()  # the merged stream is written uncompressed
    if reader.metadata:
        writer.add_metadata({key: str(value) for key, value in reader.metadata.items()})
    lang = reader.trailer["/Root"].get("/Lang")
    if lang:
        writer._root_object[NameObject("/Lang")] = lang
    # a fixed document ID derived from the input keeps the output byte-identical per input
    digest = ByteStringObject(hashlib.sha256(pdf).digest()[:16])
    writer._ID = ArrayObject([digest, digest])
    writer._root_object[NameObject("/PageLayout")] = NameObject("/SinglePage")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _marks_page(width: float, height: float):
    """Fold marks at the middle of the long edges; trim marks at each page's corners."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1)
    canvas.setStrokeColor(MARK_COLOUR)
    canvas.setLineWidth(0.5)
    middle = width / 2
    canvas.setDash(3, 2)
    canvas.line(middle, height, middle, height - MARK_LENGTH * 1.5)
    canvas.line(middle, 0, middle, MARK_LENGTH * 1.5)
    canvas.setDash()
    for x in (0, width):
        for y in (0, height):
            step_x = MARK_LENGTH if x == 0 else -MARK_LENGTH
            step_y = MARK_LENGTH if y == 0 else -MARK_LENGTH
            canvas.line(x, y + step_y * 0.0, x + step_x * 0.6, y)
            canvas.line(x, y, x, y + step_y * 0.6)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0]

