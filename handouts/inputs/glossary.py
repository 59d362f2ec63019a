"""Glossary of medical terms per language (content/_glossary/<lang>.toml): plain wording
and short definitions, read and validated."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import HandoutsError
from handouts.inputs.paths import Roots, inside
from handouts.inputs.safe_files import read_toml
from handouts.inputs.toml_tables import TableReader

GLOSSARY_FOLDER = "_glossary"


@dataclass(frozen=True)
class Term:
    term: str
    forms: tuple[str, ...]  # the spellings that count as a use (plural, adjective...)
    plain: str  # the words of its explanation that must be printed beside the term
    definition: str
    pattern: re.Pattern
    spoken: str = ""  # how an abbreviation is said aloud ("em ar eye"), for syllable counts


def glossary_path(roots: Roots, lang: str) -> Path:
    return roots.content / GLOSSARY_FOLDER / f"{lang}.toml"


def load_glossary(roots: Roots, lang: str) -> tuple[Term, ...]:
    path = glossary_path(roots, lang)
    if not path.is_file():
        return ()
    inside(path, roots.content)
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
        spoken = entry.text("spoken", "", max_length=100)
        entry.finish()
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
        terms.append(Term(term, forms, plain, definition, pattern, spoken))
    table.finish()
    if not terms:
        raise HandoutsError("the glossary lists no terms ([[term]] entries)", path)
    return tuple(terms)
