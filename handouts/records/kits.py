"""Visit kits: named sets of topics a clinic gives together, saved per clinic, made as one PDF."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from handouts.errors import HandoutsError
from handouts.inputs.paths import checked_name
from handouts.records.accounts import now
from handouts.records.schema import kits

MAX_TOPICS = 12


@dataclass(frozen=True)
class Kit:
    id: int
    clinic: str
    name: str
    topics: tuple[str, ...]
    lang: str
    level: str
    layout: str
    created_by: str


def _kit(row) -> Kit:
    return Kit(row.id, row.clinic, row.name, tuple(json.loads(row.topics)), row.lang,
               row.level, row.layout, row.created_by)


def checked_kit_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise HandoutsError("give the kit a name of 1 to 120 characters, like \"New bone "
                            "metastasis diagnosis\"")
    return name


def save_kit(engine: Engine, clinic: str, name: str, topics: list[str] | tuple[str, ...],
             lang: str, level: str, layout: str, created_by: str) -> Kit:
    """Save a new kit for a clinic; the names are checked, the topics kept in order."""
    name = checked_kit_name(name)
    for value, kind in ((clinic, "clinic"), (lang, "language"), (level, "level"),
                        (layout, "layout")):
        checked_name(value, kind)
    ordered = list(dict.fromkeys(checked_name(topic, "topic") for topic in topics))
    if not ordered:
        raise HandoutsError("choose at least one topic for the kit")
    if len(ordered) > MAX_TOPICS:
        raise HandoutsError(f"a kit can hold at most {MAX_TOPICS} topics")
    try:
        with engine.begin() as connection:
            connection.execute(insert(kits).values(
                clinic=clinic, name=name, topics=json.dumps(ordered), lang=lang, level=level,
                layout=layout, created_by=created_by, created_at=now()))
    except IntegrityError:
        raise HandoutsError(f"this clinic already has a kit named '{name}'") from None
    return kit_named(engine, clinic, name)


def kits_for(engine: Engine, clinic: str) -> list[Kit]:
    with engine.connect() as connection:
        rows = connection.execute(select(kits).where(kits.c.clinic == clinic)
                                  .order_by(kits.c.name)).all()
    return [_kit(row) for row in rows]


def kit_named(engine: Engine, clinic: str, name: str) -> Kit | None:
    with engine.connect() as connection:
        row = connection.execute(select(kits).where(kits.c.clinic == clinic,
                                                    kits.c.name == name)).first()
    return _kit(row) if row else None


def kit_by_id(engine: Engine, kit_id: int) -> Kit | None:
    with engine.connect() as connection:
        row = connection.execute(select(kits).where(kits.c.id == kit_id)).first()
    return _kit(row) if row else None


def delete_kit(engine: Engine, kit_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(delete(kits).where(kits.c.id == kit_id))


@dataclass(frozen=True)
class KitPart:
    topic: str
    title: str
    pages: int
    content_version: str


# The cover's words in the kit's language (English for a language not listed).
COVER_LABELS = {
    "en": {"from": "Your visit kit from {clinic}", "inside": "Inside this kit",
           "page": "page", "pages": "pages"},
    "es": {"from": "Su paquete de la visita, de {clinic}", "inside": "Qué contiene",
           "page": "página", "pages": "páginas"},
}


def merge_kit(kit: Kit, clinic_name: str, parts: list[tuple[KitPart, bytes]]) -> bytes:
    """One PDF: a cover listing what is inside, then each handout starting on a fresh sheet
    (duplex: a blank back page after an odd page count)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    cover = PdfReader(io.BytesIO(_cover(kit, clinic_name, [p for p, _ in parts])))
    for page in cover.pages:
        writer.add_page(page)
    if len(cover.pages) % 2:
        box = cover.pages[-1].mediabox
        writer.add_blank_page(width=float(box.width), height=float(box.height))
    for _, data in parts:
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            writer.add_page(page)
        if len(reader.pages) % 2:
            box = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(box.width), height=float(box.height))
    writer.add_metadata({"/Title": f"{kit.name} ({clinic_name})", "/Producer": "handouts"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _cover(kit: Kit, clinic_name: str, parts: list[KitPart]) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    from handouts.layout.fonts import family

    labels = COVER_LABELS.get(kit.lang, COVER_LABELS["en"])
    face = family("Atkinson Hyperlegible")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    canvas.setTitle(kit.name)
    canvas.setFont(face.face("bold"), 24)
    canvas.drawString(72, 700, kit.name[:60])
    canvas.setFont(face.face("regular"), 13)
    canvas.drawString(72, 676, labels["from"].format(clinic=clinic_name)[:90])
    canvas.setFont(face.face("bold"), 14)
    canvas.drawString(72, 636, labels["inside"])
    canvas.setFont(face.face("regular"), 13)
    y = 612
    for number, part in enumerate(parts, 1):
        pages = f"{part.pages} {labels['page'] if part.pages == 1 else labels['pages']}"
        canvas.drawString(72, y, f"{number}. {part.title}"[:80])
        canvas.drawString(460, y, pages)
        y -= 22
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
