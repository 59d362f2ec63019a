"""Print packs: many finished PDFs in one print job, each starting on a fresh sheet."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from handouts.errors import HandoutsError
from handouts.finishing.atomic_write import write_atomically
from handouts.layout.fonts import family


@dataclass(frozen=True)
class PackEntry:
    path: Path
    label: str
    copies: int
    pages: int

    @property
    def sheets_per_copy(self) -> int:
        """Duplex: two pages a sheet; an odd count gets a blank back page."""
        return (self.pages + 1) // 2


def write_pack(entries: Sequence[PackEntry], target: Path, separator: bool = False) -> int:
    """Merge entries (each repeated by its copies) into one PDF; returns its page count."""
    if not entries:
        raise HandoutsError("nothing to pack: no handout was built", target)
    writer = PdfWriter()
    digest = hashlib.sha256()
    if separator:
        _append(writer, PdfReader(io.BytesIO(_separator_page(entries))), duplex_pad=True)
    for entry in entries:
        data = entry.path.read_bytes()
        digest.update(data)
        reader = PdfReader(io.BytesIO(data))
        for _ in range(entry.copies):
            _append(writer, reader, duplex_pad=True)
    identifier = ByteStringObject(digest.digest()[:16])
    writer._ID = ArrayObject([identifier, identifier])
    writer.add_metadata({"/Title": f"Print pack: {len(entries)} handouts",
                         "/Producer": "handouts"})
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomically(target, buffer.getvalue())
    return len(writer.pages)


def _append(writer: PdfWriter, reader: PdfReader, duplex_pad: bool) -> None:
    for page in reader.pages:
        writer.add_page(page)
    if duplex_pad and len(reader.pages) % 2:
        last = reader.pages[-1].mediabox
        writer.add_blank_page(width=float(last.width), height=float(last.height))


def _separator_page(entries: Sequence[PackEntry]) -> bytes:
    face = family("Atkinson Hyperlegible")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.setFont(face.face("bold"), 20)
    canvas.drawString(72, 720, "Print pack")
    canvas.setFont(face.face("regular"), 11)
    y = 690
    total_sheets = 0
    for entry in entries:
        sheets = entry.sheets_per_copy * entry.copies
        total_sheets += sheets
        line = f"{entry.copies} x {entry.label}: {entry.pages} pages, {sheets} sheets"
        canvas.drawString(72, y, line[:110])
        y -= 16
        if y < 80:
            canvas.showPage()
            canvas.setFont(face.face("regular"), 11)
            y = 720
    canvas.setFont(face.face("bold"), 11)
    canvas.drawString(72, max(y - 10, 60), f"Total: {total_sheets} sheets, printed duplex")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


MANIFEST_FIELDS = ("file", "topic", "clinic", "lang", "level", "layout", "status", "copies",
                   "pages", "sheets_per_copy", "sheets_total", "reason", "form_id")


def write_manifest(rows: Sequence[dict], target: Path) -> None:
    """A manifest of every item as JSON or CSV (by the file's extension)."""
    if target.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in MANIFEST_FIELDS})
        data = buffer.getvalue().encode()
    elif target.suffix.lower() == ".json":
        data = (json.dumps({"items": list(rows)}, indent=2) + "\n").encode()
    else:
        raise HandoutsError("a manifest must end in .json or .csv", target)
    write_atomically(target, data)
