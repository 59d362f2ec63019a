"""The pypdf imposition and pack merge that pikepdf replaced, kept to measure side by side.

Copied from handouts/finishing/impose.py and pack.py before the change (marks and the
separator page left out): the same saddle-stitch order, the same page merge."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter, Transformation

from handouts.finishing.impose import sheet_sides


def impose_with_pypdf(pdf: bytes, sheet_size: tuple[float, float]) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    sheet_width, sheet_height = max(sheet_size), min(sheet_size)
    page_width = float(reader.pages[0].mediabox.width)
    writer = PdfWriter()
    for left, right in sheet_sides(len(reader.pages)):
        sheet = writer.add_blank_page(width=sheet_width, height=sheet_height)
        sheet.merge_transformed_page(reader.pages[left], Transformation())
        sheet.merge_transformed_page(reader.pages[right],
                                     Transformation().translate(tx=page_width, ty=0))
        sheet.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pack_with_pypdf(paths: list[Path], target: Path) -> int:
    writer = PdfWriter()
    for path in paths:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        for page in reader.pages:
            writer.add_page(page)
        if len(reader.pages) % 2:
            last = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(last.width), height=float(last.height))
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())
    return len(writer.pages)
