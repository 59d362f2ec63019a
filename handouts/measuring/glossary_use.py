"""Which glossary terms a handout uses, and which it uses before explaining them."""

from __future__ import annotations

import re

from handouts.document.model import Document, GlossaryEntry
from handouts.inputs.glossary import Term, load_glossary
from handouts.inputs.paths import Roots
from handouts.measuring.plain_language import Finding, Unit, body_units, reader_sentences


def terms_used(units: list[Unit], terms: tuple[Term, ...]) -> list[Term]:
    """Glossary terms the text uses, in the order they first appear."""
    text = "\n".join(unit.text for unit in units)
    found = [(match.start(), term) for term in terms
             if (match := term.pattern.search(text)) is not None]
    return [term for _, term in sorted(found, key=lambda pair: pair[0])]


def unexplained(units: list[Unit], terms: tuple[Term, ...],
                printed: tuple[GlossaryEntry, ...] = ()) -> list[Finding]:
    """A term counts as explained only where its explanation is printed: in the "Words to
    know" box of this version (`printed`), or beside its first use in the text (its plain
    wording in the sentence before, the same one or the next, or the term in parentheses
    right after the plain words)."""
    in_box = {entry.term for entry in printed}
    sentences = [(s.section, s.text) for s in reader_sentences(
        [unit for unit in units if unit.kind != "heading"])]  # a heading names, text explains
    findings = []
    for term in terms:
        if term.term in in_box:
            continue
        for index, (section, sentence) in enumerate(sentences):
            match = term.pattern.search(sentence)
            if not match:
                continue
            nearby = " ".join(s for _, s in sentences[max(0, index - 1):index + 2]).lower()
            in_parentheses = re.search(rf"\(\s*{re.escape(match.group(0))}\s*\)", sentence,
                                       re.IGNORECASE) is not None
            if term.plain.lower() not in nearby and not in_parentheses:
                findings.append(Finding("unexplained-term", section, sentence[:90],
                                        f"'{term.term}' is used before it is explained; "
                                        f"say '{term.plain}' beside it"))
            break
    return findings


def known_forms(terms: tuple[Term, ...]) -> set[str]:
    """Every spelling of every glossary term, lower case, word by word as well."""
    known: set[str] = set()
    for term in terms:
        for form in term.forms:
            known.add(form.lower())
            known.update(word.lower() for word in form.split())
    return known


def spoken_forms(terms: tuple[Term, ...]) -> dict[str, str]:
    """Abbreviation -> how it is said, for each glossary term that gives one."""
    return {form: term.spoken for term in terms if term.spoken for form in term.forms}


def words_for(roots: Roots, document: Document) -> tuple[GlossaryEntry, ...]:
    """The 'Words to know' box of an easy handout: glossary terms it uses."""
    terms = load_glossary(roots, document.lang)
    if not terms:
        return ()
    units = body_units(document.intro, document.sections)
    return tuple(GlossaryEntry(term.term, term.definition) for term in terms_used(units, terms))
