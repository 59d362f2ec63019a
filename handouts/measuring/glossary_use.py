"""Which glossary terms a handout uses, and which it uses before explaining them."""

from __future__ import annotations

import re

from handouts.document.model import Document, GlossaryEntry
from handouts.inputs.glossary import Term, load_glossary
from handouts.inputs.paths import Roots
from handouts.measuring.plain_language import Finding, Unit, body_units
from handouts.measuring.readability import split_sentences


def terms_used(units: list[Unit], terms: tuple[Term, ...]) -> list[Term]:
    """Glossary terms the text uses, in the order they first appear."""
    text = "\n".join(unit.text for unit in units)
    found = [(match.start(), term) for term in terms
             if (match := term.pattern.search(text)) is not None]
    return [term for _, term in sorted(found, key=lambda pair: pair[0])]


def unexplained(units: list[Unit], terms: tuple[Term, ...]) -> list[Finding]:
    """A term is explained where it is first used when its plain wording is in the same
    sentence or one of the next two, or it stands in parentheses after a plain phrase."""
    sentences: list[tuple[str, str]] = []
    for unit in units:
        if unit.kind != "heading":  # a heading names a subject; the text explains it
            sentences.extend((unit.section, s) for s in split_sentences(unit.text))
    findings = []
    for term in terms:
        for index, (section, sentence) in enumerate(sentences):
            match = term.pattern.search(sentence)
            if not match:
                continue
            nearby = " ".join(s for _, s in sentences[index:index + 3]).lower()
            in_parentheses = re.search(rf"\(\s*{re.escape(match.group(0))}\s*\)", sentence,
                                       re.IGNORECASE) is not None
            if term.plain.lower() not in nearby and not in_parentheses:
                findings.append(Finding("unexplained-term", section, sentence[:90],
                                        f"'{term.term}' is used before it is explained; "
                                        f"say '{term.plain}' beside it"))
            break
    return findings


def words_for(roots: Roots, document: Document) -> tuple[GlossaryEntry, ...]:
    """The 'Words to know' box of an easy handout: glossary terms it uses."""
    terms = load_glossary(roots, document.lang)
    if not terms:
        return ()
    units = body_units(document.intro, document.sections)
    return tuple(GlossaryEntry(term.term, term.definition) for term in terms_used(units, terms))
