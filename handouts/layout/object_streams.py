"""Saving ReportLab's document with its small objects packed into one compressed object
stream and a cross-reference stream (PDF 1.5 and later): the hundreds of structure elements
of a tagged handout then cost a few kilobytes instead of tens.

ReportLab writes every object on its own, uncompressed, with a classic cross-reference
table. This formats the same objects in the same order (so the same inputs still give the
same bytes); only the container differs. Streams (page content, fonts, images, metadata)
stay objects of their own, as the format requires."""

from __future__ import annotations

import zlib

from reportlab.pdfbase.pdfdoc import NoEncryption, PDFFile, format, pdfdocEnc

PDF_VERSION = (1, 7)  # ISO 32000-1, which PDF/UA-1 builds on; object streams need 1.5


def save_compact(document) -> bytes:
    """The document's PDF bytes, as ReportLab's PDFDocument.format would give them but
    with object and cross-reference streams. Encrypted documents (never made by ReportLab
    here) keep ReportLab's own writer: their objects must be encrypted one by one."""
    if type(document.encrypt) is not NoEncryption:
        return type(document).format(document)
    document.encrypt.prepare(document)
    document._pdfVersion = max(tuple(document._pdfVersion), PDF_VERSION)
    catalog, info = document.Reference(document.Catalog), document.Reference(document.info)
    number_to_id = document.numberToId
    output = document.__accum__ = PDFFile(document._pdfVersion)
    entries: dict[int, tuple[int, int, int]] = {}  # number -> (type, field 2, field 3)
    packed: list[tuple[int, bytes]] = []
    number = 0
    # objects may register new objects while they are formatted: loop until none are left
    while number + 1 in number_to_id:
        number += 1
        name = number_to_id[number]
        body = format(document.idToObject[name], document, toplevel=1)
        if body.rstrip().endswith(b"endstream"):
            text = pdfdocEnc(f"{number} 0 obj\n") + body
            entries[number] = (1, output.add(text + (b"" if text.endswith(b"\n") else b"\n")
                                             + b"endobj\n"), 0)
        else:
            packed.append((number, body))
    del document.__accum__
    stream_number, xref_number = number + 1, number + 2
    header, bodies, offset = [], [], 0
    for index, (packed_number, body) in enumerate(packed):
        header.append(f"{packed_number} {offset}")
        bodies.append(body)
        offset += len(body) + 1
        entries[packed_number] = (2, stream_number, index)
    first = (" ".join(header) + "\n").encode("ascii")
    data = zlib.compress(first + b"\n".join(bodies) + b"\n", 3)
    entries[stream_number] = (1, output.add(
        pdfdocEnc(f"{stream_number} 0 obj\n<< /Type /ObjStm /N {len(packed)} /First "
                  f"{len(first)} /Filter /FlateDecode /Length {len(data)} >>\nstream\n")
        + data + b"\nendstream\nendobj\n"), 0)
    xref_offset = output.offset
    entries[xref_number] = (1, xref_offset, 0)
    rows = [bytes((0,)) + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for entry_number in range(1, xref_number + 1):
        kind, second, third = entries[entry_number]
        rows.append(bytes((kind,)) + second.to_bytes(4, "big") + third.to_bytes(2, "big"))
    table = zlib.compress(b"".join(rows), 3)
    identifier = format(document.ID(), document)
    output.add(
        pdfdocEnc(f"{xref_number} 0 obj\n<< /Type /XRef /Size {xref_number + 1} /W [1 4 2] "
                  "/Root ") + format(catalog, document) + b" /Info " + format(info, document)
        + b" /ID " + identifier
        + pdfdocEnc(f" /Filter /FlateDecode /Length {len(table)} >>\nstream\n")
        + table + pdfdocEnc(f"\nendstream\nendobj\nstartxref\n{xref_offset}\n%%EOF\n"))
    return output.format(document)
