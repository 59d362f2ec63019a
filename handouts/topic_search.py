"""Finding topics by a clinical code (following the code hierarchy) or by words, any language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from handouts.errors import HandoutsError, Warnings
from handouts.inputs.codes import SYSTEMS, CodeMatch, match_codes, normalise
from handouts.inputs.paths import Roots
from handouts.inputs.topics import Topic, load_topic, topic_names

# Words that carry no meaning in a search ("what is bone metastasis", "qué es la ...").
_STOP_WORDS = frozenset("""
a an and are as at be by for from how i in is it my of on or the to what when with you your
al como con de del el en es la las lo los mi para por que qué se su un una y
""".split())


@dataclass(frozen=True)
class Found:
    """A topic that answers the search, and why."""

    topic: Topic
    reasons: tuple[str, ...]
    score: int  # higher is better
    code_match: CodeMatch | None = None

    @property
    def slug(self) -> str:
        return self.topic.slug

    def title(self, lang: str = "en") -> str:
        languages = self.topic.languages
        chosen = languages.get(lang) or languages.get("en") or next(iter(languages.values()))
        return chosen.title

    def as_json(self) -> dict:
        topic = self.topic
        return {
            "topic": topic.slug,
            "titles": {lang: topic.languages[lang].title for lang in sorted(topic.languages)},
            "languages": {lang: list(topic.languages[lang].levels)
                          for lang in sorted(topic.languages)},
            "reviewed": topic.reviewed.isoformat(),
            "codes": {system: list(codes) for system, codes in topic.codes.items()},
            "why": list(self.reasons),
            "match": None if self.code_match is None else {
                "system": self.code_match.system, "asked": self.code_match.asked,
                "coded": self.code_match.coded, "kind": self.code_match.kind},
        }


def load_topics(roots: Roots, warnings: Warnings | None = None) -> list[Topic]:
    """Every topic that loads; one that does not is a warning, not the end of the search."""
    topics = []
    for name in topic_names(roots):
        try:
            topics.append(load_topic(roots, name))
        except HandoutsError as error:
            if warnings is not None:
                warnings.add(f"topic '{name}' skipped: {error}")
    return topics


def find_by_code(roots: Roots, code: str, system: str = "icd10cm",
                 warnings: Warnings | None = None,
                 topics: list[Topic] | None = None) -> list[Found]:
    """Topics coded with `code`, with a broader code above it, or a narrower one below it;
    exact matches first. An unknown or malformed code is a HandoutsError saying why."""
    if system not in SYSTEMS:
        raise HandoutsError(f"unknown code system '{system}'; use one of: "
                            f"{', '.join(SYSTEMS)}")
    try:
        asked = normalise(system, code)
    except ValueError as error:
        raise HandoutsError(str(error)) from None
    found = []
    for topic in topics if topics is not None else load_topics(roots, warnings):
        matched = match_codes(topic.codes, system, asked)
        if matched is not None:
            found.append(Found(topic, (matched.reason(),), 100 - matched.rank, matched))
    return sorted(found, key=lambda f: (-f.score, f.slug))


def folded(text: str) -> str:
    """Lowercase without accents: 'Metástasis' and 'metastasis' read the same."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", folded(text))


def query_words(query: str) -> list[str]:
    words = _words(query)
    meaningful = [w for w in words if w not in _STOP_WORDS]
    return meaningful or words


def find_by_words(roots: Roots, query: str, lang: str | None = None,
                  warnings: Warnings | None = None,
                  topics: list[Topic] | None = None) -> list[Found]:
    """Topics whose titles, summaries, keywords or codes hold every word of the query (a word
    may be the start of a longer one), in any language or only `lang`; best first."""
    words = query_words(query)
    if not words:
        return []
    found = []
    for topic in topics if topics is not None else load_topics(roots, warnings):
        fields = _searchable(topic, lang)
        score = 0
        reasons: list[str] = []
        for word in words:
            hits = [(weight, label) for label, weight, field_words in fields
                    if any(w.startswith(word) for w in field_words)]
            if not hits:
                break
            weight, label = max(hits, key=lambda hit: hit[0])  # the first best field
            score += sum(weight for weight, _label in hits)
            reasons.append(f"'{word}' in the {label}")
        else:
            found.append(Found(topic, tuple(reasons), score))
    return sorted(found, key=lambda f: (-f.score, f.slug))


def _searchable(topic: Topic, lang: str | None) -> list[tuple[str, int, list[str]]]:
    fields: list[tuple[str, int, list[str]]] = []
    for code, language in sorted(topic.languages.items()):
        if lang is not None and code != lang:
            continue
        fields.append((f"title ({code})", 5, _words(language.title)))
        summaries = " ".join(dict.fromkeys(language.summaries.values()))
        fields.append((f"summary ({code})", 1, _words(summaries)))
    fields.append(("keywords", 3, _words(" ".join(topic.keywords))))
    codes = [c for system_codes in topic.codes.values() for c in system_codes]
    fields.append(("codes", 4, [folded(c) for c in codes] + _words(" ".join(codes))))
    fields.append(("topic name", 2, _words(topic.slug.replace("-", " "))))
    return fields


def looks_like_code(text: str) -> str | None:
    """The system whose code `text` is (ICD-10-CM or LOINC), for one search box for both."""
    text = text.strip()
    for system in ("icd10cm", "loinc"):
        try:
            normalise(system, text)
            return system
        except ValueError:
            continue
    return None


def find_topics(roots: Roots, query: str, lang: str | None = None,
                warnings: Warnings | None = None) -> list[Found]:
    """One search box: a code (C79.51, 17861-6) searches by code, anything else by words."""
    system = looks_like_code(query)
    if system is not None:
        return find_by_code(roots, query, system, warnings)
    return find_by_words(roots, query, lang, warnings)
