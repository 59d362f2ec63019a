"""Print packs: many finished PDFs in one print job, each starting on a fresh sheet."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from handouts.errors import HandoutsError
from handouts.finishing.atomic_write import write_atomically, writing_atomically
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
    """Merge entries (each repeated by its copies) into one PDF; returns its page count.

    The pack is streamed to disk one handout at a time, so memory stays flat however many
    handouts it holds; the copies of one handout share its fonts, images and page
    contents, so a copy adds a few hundred bytes, not a whole handout."""
    if not entries:
        raise HandoutsError("nothing to pack: no handout was built", target)
    digest = hashlib.sha256()
    with writing_atomically(target) as out:
        writer = _StreamingWriter(out)
        if separator:
            separator_pdf = _separator_page(entries)
            digest.update(separator_pdf)
            writer.append(_open(separator_pdf, target), 1, None)
        for entry in entries:
            try:
                data = entry.path.read_bytes()
            except OSError as error:
                raise HandoutsError(f"cannot read this handout for the pack "
                                    f"({error.strerror})", entry.path) from None
            digest.update(data)
            writer.append(_open(data, entry.path), entry.copies, entry.path)
            del data
        writer.finish(f"Print pack: {len(entries)} handouts", digest.digest()[:16])
    return writer.page_count


def _open(data: bytes, path: Path) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, pikepdf.PasswordError) as error:
        raise HandoutsError(f"cannot read this PDF for the pack ({error})", path) from None
    if pdf.is_encrypted:
        pdf.close()
        raise HandoutsError("is password-protected; a print pack needs unprotected PDFs", path)
    return pdf


# An indirect reference "12 0 R" outside strings; strings are matched so they are skipped.
_TOKENS = re.compile(rb"\((?:[^\\)]|\\.)*\)|<[0-9A-Fa-f\s]*>|(?<![\w#.+-])(\d+) (\d+) R\b")
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
# Objects of the source's document structure: a page's pack copy must not drag them in.
_DOCUMENT_LEVEL = {"/Pages", "/Catalog", "/StructTreeRoot", "/StructElem", "/Outlines"}
_PAGES_PER_NODE = 64


class _StreamingWriter:
    """Writes a PDF object by object: pages copied from sources with their objects
    renumbered, then the page tree, catalog, cross-reference table and trailer."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.position = 0
        # compact arrays, not lists of Python ints: a pack of any size stays small in memory
        self.offsets = array("q", [0])  # file offset by object number (0: the free head)
        self.nodes: list[tuple[int, array]] = []  # page tree nodes: number, kids
        self.orientations: set[str] = set()
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return sum(len(kids) for _, kids in self.nodes)

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def _allocate(self) -> int:
        self.offsets.append(-1)
        return len(self.offsets) - 1

    def _object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self._write(b"\nstream\n" + stream + b"\nendstream")
        self._write(b"\nendobj\n")

    def _parent(self) -> int:
        if not self.nodes or len(self.nodes[-1][1]) >= _PAGES_PER_NODE:
            self.nodes.append((self._allocate(), array("q")))
        return self.nodes[-1][0]

    def _page(self, body: bytes, number: int | None = None) -> None:
        parent = self._parent()
        number = number or self._allocate()
        self._object(number, b"<< /Parent %d 0 R " % parent + body[2:].lstrip())
        self.nodes[-1][1].append(number)

    def append(self, source: pikepdf.Pdf, copies: int, path: Path | None) -> None:
        """Every page of source, copies times, then a blank back if the count is odd."""
        with source:
            pages = [page.obj for page in source.pages]
            if not pages:
                raise HandoutsError("has no pages", path)
            numbers: dict[tuple[int, int], int | None] = {}
            pending: list[pikepdf.Object] = []

            def renumber(match: re.Match) -> bytes:
                if match.group(1) is None:
                    return match.group(0)  # a string
                objgen = (int(match.group(1)), int(match.group(2)))
                if objgen not in numbers:
                    target = source.get_object(objgen)
                    kind = target.get("/Type") if isinstance(target, pikepdf.Dictionary) \
                        else None
                    if kind is not None and str(kind) in _DOCUMENT_LEVEL:
                        numbers[objgen] = None
                    else:
                        numbers[objgen] = self._allocate()
                        pending.append(target)
                number = numbers[objgen]
                return b"null" if number is None else b"%d 0 R" % number

            bodies = []
            for page in pages:
                _push_inherited(page)
                numbers[page.objgen] = self._allocate()  # links to a page find its copy
            for page in pages:
                del page["/Parent"]
                bodies.append(_TOKENS.sub(renumber, page.unparse(resolved=True)))
                self.orientations.add(_orientation(page))
            blank = (b"<< /Type /Page /MediaBox " +
                     pikepdf.Array(pages[-1].MediaBox).unparse(resolved=True) +
                     b" /Resources << >> >>") if len(pages) % 2 else None
            for page, body in zip(pages, bodies, strict=True):
                self._page(body, numbers[page.objgen])
            if blank:
                self._page(blank)
            while pending:
                target = pending.pop()
                number = numbers[target.objgen]
                if isinstance(target, pikepdf.Stream):
                    raw = target.read_raw_bytes()
                    target.stream_dict.Length = len(raw)
                    body = _TOKENS.sub(renumber, target.stream_dict.unparse(resolved=True))
                    self._object(number, body, raw)
                else:
                    self._object(number, _TOKENS.sub(renumber, target.unparse(resolved=True)))
            for _ in range(copies - 1):  # later copies share everything but the page dicts
                for body in bodies:
                    self._page(body)
                if blank:
                    self._page(blank)

    def finish(self, title: str, identifier: bytes) -> None:
        root_pages, catalog, info = self._allocate(), self._allocate(), self._allocate()
        for number, kids in self.nodes:
            self._object(number, b"<< /Type /Pages /Parent %d 0 R /Count %d /Kids [%s] >>" % (
                root_pages, len(kids), b" ".join(b"%d 0 R" % kid for kid in kids)))
        self._object(root_pages, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (
            self.page_count, b" ".join(b"%d 0 R" % number for number, _ in self.nodes)))
        duplex = {"portrait": b" /Duplex /DuplexFlipLongEdge",
                  "landscape": b" /Duplex /DuplexFlipShortEdge"}
        preferences = b"<< /PrintScaling /None%s >>" % (
            duplex[next(iter(self.orientations))] if len(self.orientations) == 1 else b"")
        self._object(catalog, b"<< /Type /Catalog /Pages %d 0 R /ViewerPreferences %s >>" % (
            root_pages, preferences))
        self._object(info, b"<< /Title %s /Producer (handouts) >>"
                     % pikepdf.String(title).unparse())
        xref = self.position
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets))
        for start in range(1, len(self.offsets), 4096):  # in slices: flat memory here too
            self._write(b"".join(b"%010d 00000 n \n" % offset
                                 for offset in self.offsets[start:start + 4096]))
        identifier_hex = identifier.hex().encode()
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
                    b"startxref\n%d\n%%%%EOF\n" % (len(self.offsets), catalog, info,
                                                    identifier_hex, identifier_hex, xref))


def _push_inherited(page: pikepdf.Dictionary) -> None:
    """Copy attributes a page inherits from its page tree onto the page itself."""
    node = page.get("/Parent")
    while node is not None:
        for key in _INHERITED:
            if key not in page and key in node:
                page[key] = node[key]
        node = node.get("/Parent")


def _orientation(page: pikepdf.Dictionary) -> str:
    box = [float(value) for value in page.MediaBox]
    wide = abs(box[2] - box[0]) > abs(box[3] - box[1])
    if int(page.get("/Rotate", 0)) % 180:
        wide = not wide
    return "landscape" if wide else "portrait"


def _separator_page(entries: Sequence[PackEntry]) -> bytes:
    face = family("Atkinson Hyperlegible")
    regular, bold = face.face("regular"), face.face("bold")
    buffer = io.BytesIO()
    # the initial font is the embedded one: a canvas otherwise starts every page in
    # Helvetica, which a PDF carries unembedded
    canvas = Canvas(buffer, pagesize=letter, invariant=1, initialFontName=regular,
                    initialFontSize=11)
    canvas.setFont(bold, 20)
    canvas.drawString(72, 720, "Print pack")
    canvas.setFont(regular, 11)
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
            canvas.setFont(regular, 11)
            y = 720
    canvas.setFont(bold, 11)
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
