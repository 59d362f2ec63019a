"""Plain-language checks of body text: long sentences and paragraphs, passive voice,
medical terms used before they are explained."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handouts.document.model import (
    Block,
    BulletList,
    Callout,
    Heading,
    NotesArea,
    Paragraph,
    Section,
    Table,
    plain_text,
)
from handouts.measuring.readability import split_sentences, words

MAX_SENTENCE_WORDS = 20
MAX_PARAGRAPH_SENTENCES = 5


@dataclass(frozen=True)
class Unit:
    """One piece of body text that reads as a whole: a paragraph, list item, heading..."""

    section: str
    kind: str  # paragraph | item | heading | box-title | field | cell
    text: str


def body_units(intro: tuple[Block, ...], sections: tuple[Section, ...],
               lead: str | None = None) -> list[Unit]:
    """The body text in reading order, from the lead under the title; copyright and
    disclaimer blocks are not body text."""
    units = [Unit("intro", "paragraph", lead)] if lead else []
    units += _units("intro", intro)
    for section in sections:
        units.append(Unit(section.key, "heading", plain_text(section.heading.content)))
        units.extend(_units(section.key, section.blocks))
    return units


def _units(section: str, blocks: tuple[Block, ...]) -> list[Unit]:
    out: list[Unit] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(Unit(section, "paragraph", plain_text(block.content)))
        elif isinstance(block, Heading):
            out.append(Unit(section, "heading", plain_text(block.content)))
        elif isinstance(block, BulletList):
            for item in block.items:
                for unit in _units(section, item.blocks):
                    out.append(Unit(section, "item" if unit.kind == "paragraph" else unit.kind,
                                    unit.text))
        elif isinstance(block, Callout):
            if block.title:
                out.append(Unit(section, "box-title", plain_text(block.title)))
            out.extend(_units(section, block.blocks))
        elif isinstance(block, NotesArea):
            if block.title:
                out.append(Unit(section, "box-title", plain_text(block.title)))
            out.extend(Unit(section, "field", field) for field in block.fields)
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                out.extend(Unit(section, "cell", plain_text(cell)) for cell in row)
    return [unit for unit in out if unit.text.strip()]


@dataclass(frozen=True)
class Finding:
    kind: str  # long-sentence | long-paragraph | passive-voice | unexplained-term
    section: str
    text: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "section": self.section, "text": self.text,
                "detail": self.detail}


_PASSIVE = {
    "en": re.compile(
        r"\b(?:am|is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?"
        r"(?!(?:tired|worried|scared|married|interested|supposed|able|used|allowed|"
        r"broken|sure|ready|likely|afraid|concerned|pleased|done|gone|confused|"
        r"tired|worried|numb|bored|located)\b)"
        r"(\w+ed|made|given|taken|seen|known|found|put|sent|told|kept|held|shown|"
        r"hurt|cut|set|built|paid|done|written|chosen|spread)\b", re.IGNORECASE),
    "es": re.compile(
        r"\b(?:es|son|fue|fueron|será|serán|sea|sean|ser|sido|era|eran)\s+(?:\w+mente\s+)?"
        r"(\w+(?:ado|ada|ados|adas|ido|ida|idos|idas))\b", re.IGNORECASE),
}


def lint(units: list[Unit], lang: str) -> list[Finding]:
    findings: list[Finding] = []
    passive = _PASSIVE.get(lang)
    for unit in units:
        sentences = split_sentences(unit.text)
        if unit.kind == "paragraph" and len(sentences) > MAX_PARAGRAPH_SENTENCES:
            findings.append(Finding("long-paragraph", unit.section, _snippet(unit.text),
                                    f"{len(sentences)} sentences; keep paragraphs to "
                                    f"{MAX_PARAGRAPH_SENTENCES} or fewer"))
        for sentence in sentences:
            count = len(words(sentence))
            if count > MAX_SENTENCE_WORDS:
                findings.append(Finding("long-sentence", unit.section, _snippet(sentence),
                                        f"{count} words; aim for 15, at most "
                                        f"{MAX_SENTENCE_WORDS}"))
            if passive is not None:
                match = passive.search(sentence)
                if match:
                    findings.append(Finding("passive-voice", unit.section, _snippet(sentence),
                                            f"'{match.group(0)}': say who does what"))
    return findings


def _snippet(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
