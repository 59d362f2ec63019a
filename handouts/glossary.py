"""Glossary of medical terms per language (content/_glossary/<lang>.toml): plain wording,
short definitions, which terms a handout uses, and which it uses unexplained."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import HandoutsError
from .files import read_toml
from .model import Document, GlossaryEntry
from .paths import Roots
from .plain_language import Finding, Unit, body_units
from .readability import split_sentences
from .tables import TableReader

GLOSSARY_FOLDER = "_glossary"


@dataclass(frozen=True)
class Term:
    term: str
    forms: tuple[str, ...]  # the spellings that count as a use (plural, adjective...)
    plain: str  # plain wording that explains it when it sits beside the term
    definition: str
    pattern: re.Pattern

    def entry(self) -> GlossaryEntry:
        return GlossaryEntry(self.term, self.definition)


def glossary_path(roots: Roots, lang: str) -> Path:
    return roots.content / GLOSSARY_FOLDER / f"{lang}.toml"


def load_glossary(roots: Roots, lang: str) -> tuple[Term, ...]:
    path = glossary_path(roots, lang)
    if not path.is_file():
        return ()
    stat = path.stat()
    return _load(path, stat.st_size, stat.st_mtime_ns)


@functools.cache
def _load(path: Path, size: int, mtime: int) -> tuple[Term, ...]:
    table = TableReader(read_toml(path), path)
    terms = []
    for entry in table.tables("term"):
        term = entry.text("term", max_length=100)
        forms = tuple(entry.text_list("forms", required=False)) or (term,)
        plain = entry.text("plain", max_length=200)
        definition = entry.text("definition", max_length=400)
        entry.finish()
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
        terms.append(Term(term, forms, plain, definition, pattern))
    table.finish()
    if not terms:
        raise HandoutsError("the glossary lists no terms ([[term]] entries)", path)
    return tuple(terms)


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
    return tuple(term.entry() for term in terms_used(units, terms))
