"""Plain-language checks of body text: the text as a reader meets it (sentence by sentence),
long sentences and paragraphs, passive voice, dense abbreviations and hidden jargon.

How the body text is read (the rules every score and check here rests on):

1. Body text is what is printed from the lead under the title to the notes: headings, the
   lead, paragraphs, lists and every box, after templating. The back matter (contacts,
   learn-more links, sources, copyright, disclaimer) is not body text, and neither are the
   labels of write-on fields ("Next appointment: ____"), which are filled in, not read.
2. A heading is not a sentence: its words are read with the first sentence after it.
3. A bold run-in label that opens a paragraph ("**Steroids.** These ease swelling.") is not
   a sentence: it is read with the sentence it introduces.
4. A list is read with its lead-in: a sentence or box title that ends in a colon is read
   with the first item. Each item of four or more words is a sentence of its own.
5. A fragment of one to three words (a short list item such as "the ribs", or "Fainting.")
   is read with the sentence before it in the same section (or, first in its section,
   with the sentence after it); it never counts as a sentence of its own.
6. Abbreviations count as spoken: MRI is three syllables ("em-ar-eye"); the glossary's
   `spoken` gives those read as a word.
"""

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
    Strong,
    Table,
    plain_text,
)
from handouts.measuring.readability import (
    is_abbreviation,
    split_sentences,
    spoken_syllables,
    words,
)

MAX_SENTENCE_WORDS = 20
MAX_PARAGRAPH_SENTENCES = 5
FRAGMENT_WORDS = 3  # rule 5: this many words or fewer is a fragment, not a sentence
OPENING = "opening"  # the section name of what comes before the first heading


@dataclass(frozen=True)
class Unit:
    """One piece of body text that reads as a whole: a paragraph, list item, heading..."""

    section: str
    kind: str  # paragraph | item | heading | box-title | field | cell
    text: str
    label: str = ""  # a bold run-in label the text opens with ("Steroids.")


@dataclass(frozen=True)
class Sentence:
    section: str
    text: str


def body_units(intro: tuple[Block, ...], sections: tuple[Section, ...],
               lead: str | None = None) -> list[Unit]:
    """The body text in reading order, from the lead under the title; copyright and
    disclaimer blocks are not body text."""
    units = [Unit(OPENING, "paragraph", lead)] if lead else []
    units += _units(OPENING, intro)
    for section in sections:
        units.append(Unit(section.key, "heading", plain_text(section.heading.content)))
        units.extend(_units(section.key, section.blocks))
    return units


def _units(section: str, blocks: tuple[Block, ...]) -> list[Unit]:
    out: list[Unit] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(Unit(section, "paragraph", plain_text(block.content),
                            _run_in_label(block)))
        elif isinstance(block, Heading):
            out.append(Unit(section, "heading", plain_text(block.content)))
        elif isinstance(block, BulletList):
            for item in block.items:
                for unit in _units(section, item.blocks):
                    out.append(Unit(section, "item" if unit.kind == "paragraph" else unit.kind,
                                    unit.text, unit.label))
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


def _run_in_label(paragraph: Paragraph) -> str:
    """'**Steroids.** These ease...': the bold words that open a paragraph and end in a stop
    or colon, when more text follows."""
    content = paragraph.content
    if len(content) < 2 or not isinstance(content[0], Strong):
        return ""
    label = plain_text(content[0].children).strip()
    return label if label.endswith((".", ":")) else ""


def reader_sentences(units: list[Unit], headings: bool = True) -> list[Sentence]:
    """The sentences a reader reads, by the rules in this module's docstring (without
    `headings`, headings are left out: sentence length is a matter of the text itself)."""
    out: list[Sentence] = []
    waiting = ""  # heading, label, lead-in or fragment words waiting for their sentence
    section = None
    for unit in units:
        if unit.section != section:
            if waiting and section is not None:
                _attach_to_last(out, section, waiting)
            waiting, section = "", unit.section
        if unit.kind == "field":
            continue  # rule 1: write-on labels are not read as text
        if unit.kind == "heading":
            if headings:
                waiting = _join(waiting, unit.text)
            continue
        text = unit.text
        pieces = []
        if unit.label and text.startswith(unit.label):
            rest = text[len(unit.label):]
            first, *more = split_sentences(rest) or [""]
            pieces = [_join(unit.label, first), *more]
        else:
            pieces = split_sentences(text)
        for piece in pieces:
            piece = _join(waiting, piece)
            waiting = ""
            if len(words(piece)) <= FRAGMENT_WORDS:
                if out and out[-1].section == section:
                    out[-1] = Sentence(section, _join(out[-1].text, piece))
                else:
                    waiting = piece
            elif piece.rstrip().endswith(":"):
                waiting = piece  # rule 4: a lead-in is read with the first item
            else:
                out.append(Sentence(section, piece))
    if waiting and section is not None:
        _attach_to_last(out, section, waiting)
    return out


def _attach_to_last(out: list[Sentence], section: str, text: str) -> None:
    if out and out[-1].section == section:
        out[-1] = Sentence(section, _join(out[-1].text, text))
    else:
        out.append(Sentence(section, text))


def _join(first: str, second: str) -> str:
    return f"{first} {second}".strip() if first else second


@dataclass(frozen=True)
class Finding:
    kind: str  # long-sentence | long-paragraph | passive-voice | unexplained-term | ...
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

MAX_ABBREVIATIONS_PER_SENTENCE = 2  # a third in one sentence is alphabet soup
SHORT_SENTENCE_WORDS = 8  # where one long word makes the sentence the hard part
JARGON_SYLLABLES = {"en": 4, "es": 5}  # Spanish words run longer: tratamiento has four
# Long words every adult reader knows: not jargon however many syllables they have.
EVERYDAY_LONG_WORDS = {
    "en": {"emergency", "information", "interpreter", "usually", "especially", "everybody",
           "everything", "everyone", "actually", "anybody", "television", "immediately",
           "american", "necessary", "constipation", "ibuprofen", "diarrhea", "appointment",
           "medication"},
    "es": {"emergencia", "emergencias", "información", "intérprete", "normalmente",
           "necesario", "necesita", "medicamento", "medicamentos", "tratamiento",
           "tratamientos", "posible", "alrededor", "importante", "laboratorio",
           "naturalmente", "enfermedad", "inmediato", "inmediata", "inyección",
           "electricidad", "comunicarse", "generalmente", "radiografía", "televisión",
           "experiencia", "problemas", "conocerá", "actividades", "americano",
           "acostumbre", "costumbre", "diferente", "entiende", "necesitan", "preguntas",
           "respuesta", "embarazada", "medicina", "medicinas", "vitamina", "hinchazón",
           "estreñimiento", "adormecimiento", "hormigueo", "sangrado", "infección",
           "equivocado", "procedimientos", "ibuprofeno", "estómago", "anticoagulante",
           "antiinflamatorios", "fortalecerlos", "debilitado", "deshaciendo", "imágenes",
           "directivas", "anticipadas", "paliativos", "representante", "combinación",
           "crecimiento", "posición", "facilidad", "atención", "confusión", "latidos",
           "alimentación", "cantidad", "sustancias", "sustancia", "electrocardiograma",
           "diuréticos", "antiácidos", "acidez", "calcitonina", "vomitar", "despertarlo",
           "desmayo", "irregulares", "organización", "semanas", "espalda", "empeorarlo",
           "acomodarlo", "tranquilamente", "estreñido", "estreñida"},
}


def lint(units: list[Unit], lang: str, known_terms: set[str] | None = None,
         spoken: dict[str, str] | None = None) -> list[Finding]:
    """Findings on the body text. `known_terms` are the glossary's forms (lower case):
    words a handout may use because it explains them; `spoken` how abbreviations are said."""
    findings: list[Finding] = []
    passive = _PASSIVE.get(lang)
    known = known_terms or set()
    for unit in units:
        sentences = split_sentences(unit.text)
        if unit.kind == "paragraph" and len(sentences) > MAX_PARAGRAPH_SENTENCES:
            findings.append(Finding("long-paragraph", unit.section, _snippet(unit.text),
                                    f"{len(sentences)} sentences; keep paragraphs to "
                                    f"{MAX_PARAGRAPH_SENTENCES} or fewer"))
        for sentence in sentences:
            if passive is not None:
                match = passive.search(sentence)
                if match:
                    findings.append(Finding("passive-voice", unit.section, _snippet(sentence),
                                            f"'{match.group(0)}': say who does what"))
    for sentence in reader_sentences(units, headings=False):
        found = words(sentence.text)
        if len(found) > MAX_SENTENCE_WORDS:
            findings.append(Finding("long-sentence", sentence.section, _snippet(sentence.text),
                                    f"{len(found)} words as read; aim for 15, at most "
                                    f"{MAX_SENTENCE_WORDS}"))
        abbreviations = sorted({w for w in found if is_abbreviation(w)})
        unknown = [w for w in abbreviations if w.lower() not in known]
        if unknown:
            findings.append(Finding("unexplained-abbreviation", sentence.section,
                                    _snippet(sentence.text),
                                    f"{', '.join(unknown)} is not in the glossary; spell it "
                                    "out or add it with its plain words"))
        if len(abbreviations) > MAX_ABBREVIATIONS_PER_SENTENCE:
            findings.append(Finding("abbreviation-dense", sentence.section,
                                    _snippet(sentence.text),
                                    f"{len(abbreviations)} abbreviations in one sentence "
                                    f"({', '.join(abbreviations)}); keep to "
                                    f"{MAX_ABBREVIATIONS_PER_SENTENCE}"))
        if len(found) <= SHORT_SENTENCE_WORDS:
            long_word = JARGON_SYLLABLES.get(lang, 4)
            hidden = [w for w in found if spoken_syllables(w, lang, spoken) >= long_word
                      and not is_abbreviation(w) and w.lower() not in known
                      and w.lower() not in EVERYDAY_LONG_WORDS.get(lang, set())]
            if hidden:
                findings.append(Finding("hidden-jargon", sentence.section,
                                        _snippet(sentence.text),
                                        f"'{hidden[0]}' is a long word in a short sentence: "
                                        "use a plain word, or add it to the glossary and "
                                        "explain it"))
    return findings


def _snippet(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
