"""What the app offers: topics with their languages, levels and dates, and a word search.

The search looks at titles, summaries, keywords, glossary terms, codes and the text itself,
in every language, ignoring case and accents ("metastasis" finds "metástasis"). The
catalogue is read again when a file under content/ changes, so edits show without a restart.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
import unicodedata
from dataclasses import dataclass

from handouts.errors import HandoutsError
from handouts.inputs.clinics import clinic_names, load_clinic
from handouts.inputs.layouts import load_layout
from handouts.inputs.paths import Roots, names_in
from handouts.inputs.safe_files import read_toml
from handouts.inputs.topics import load_topic, topic_names
from handouts.web.file_stamps import FileStamps

_WORD = re.compile(r"[\w.]+")


def folded(text: str) -> str:
    """Lowercase without accents, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Version:
    lang: str
    title: str
    summary: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class TopicEntry:
    slug: str
    reviewed: _dt.date
    versions: tuple[Version, ...]
    keywords: tuple[str, ...]
    codes: tuple[tuple[str, str], ...]  # (system, code)
    fields: tuple[tuple[str, str, int], ...]  # (why, folded text, weight) for the search

    def title(self, lang: str = "en") -> str:
        for version in self.versions:
            if version.lang == lang:
                return version.title
        return self.versions[0].title

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(v.lang for v in self.versions)

    @property
    def all_levels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(level for v in self.versions for level in v.levels))

    def version(self, lang: str) -> Version | None:
        return next((v for v in self.versions if v.lang == lang), None)


@dataclass(frozen=True)
class Hit:
    topic: TopicEntry
    score: int
    why: tuple[str, ...]


@dataclass(frozen=True)
class Option:
    name: str
    label: str
    description: str = ""
    patient_references: bool = False  # a clinic that keeps chart numbers in its records


def layout_label(name: str) -> str:
    """'booklet-letter' -> 'Booklet, letter'; 'a4' -> 'A4'."""
    words = [w.upper() if re.fullmatch(r"[a-z]\d", w) else w for w in name.split("-")]
    if words[0] == "booklet" and len(words) > 1:
        return "Booklet, " + " ".join(words[1:])
    return " ".join(words).capitalize() if not re.fullmatch(r"[A-Z]\d", words[0]) \
        else " ".join(words)


class Catalogue:
    """Topics, clinics and layouts as the pages list them; reloaded when files change."""

    def __init__(self, roots: Roots):
        self.roots = roots
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._topics: dict[str, TopicEntry] = {}
        self._problems: list[str] = []
        self._stamps = FileStamps()
        self._options: dict[str, tuple[tuple, object]] = {}

    def _files_signature(self) -> tuple:
        return self._stamps.signature(self.roots.content)

    def topics(self) -> dict[str, TopicEntry]:
        signature = self._files_signature()
        with self._lock:
            if signature != self._signature:
                self._topics, self._problems = _load_topics(self.roots)
                self._signature = signature
            return self._topics

    def _kept(self, name: str, folder, compute):
        """What `compute` returns, kept while no file below the folder changes."""
        signature = self._stamps.signature(folder)
        with self._lock:
            known = self._options.get(name)
        if known is not None and known[0] == signature:
            return known[1]
        value = compute()
        with self._lock:
            self._options[name] = (signature, value)
        return value

    def problems(self) -> list[str]:
        self.topics()
        return list(self._problems)

    def topic(self, slug: str) -> TopicEntry | None:
        return self.topics().get(slug)

    def clinics(self) -> list[Option]:
        return list(self._kept("clinics", self.roots.clinics, self._clinics))

    def _clinics(self) -> list[Option]:
        options = []
        for name in clinic_names(self.roots):
            try:
                clinic = load_clinic(self.roots, name)
                options.append(Option(name, clinic.name,
                                      patient_references=clinic.patient_references))
            except HandoutsError:
                continue  # a broken profile is shown on the clinics page, not offered here
        return options

    def layouts(self) -> list[Option]:
        return list(self._kept("layouts", self.roots.layouts, self._layouts))

    def _layouts(self) -> list[Option]:
        options = []
        for name in names_in(self.roots.layouts, ".toml"):
            try:
                layout = load_layout(self.roots, name)
            except HandoutsError:
                continue
            options.append(Option(name, layout_label(name), layout.description or ""))
        # the everyday layout first
        return sorted(options, key=lambda o: (o.name != "letter", o.name))

    def booklet_layouts(self) -> set[str]:
        return set(self._kept("booklets", self.roots.layouts, self._booklet_layouts))

    def _booklet_layouts(self) -> set[str]:
        names = set()
        for name in names_in(self.roots.layouts, ".toml"):
            try:
                if load_layout(self.roots, name).booklet is not None:
                    names.add(name)
            except HandoutsError:
                continue
        return names

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        words = [w.strip(".") for w in _WORD.findall(folded(query or ""))]
        words = [w for w in words if w]
        if not words:
            return []
        hits = []
        for entry in self.topics().values():
            score, why = 0, []
            for word in words:
                best = 0
                for reason, text, weight in entry.fields:
                    if _matches(word, text, reason):
                        if weight > best:
                            best = weight
                        if reason not in why:
                            why.append(reason)
                if best == 0:
                    break  # every word must match somewhere
                score += best
            else:
                hits.append(Hit(entry, score, tuple(why)))
        hits.sort(key=lambda h: (-h.score, h.topic.title()))
        return hits[:limit]


def _matches(word: str, text: str, reason: str) -> bool:
    if reason.startswith("code"):
        # a query code finds topics coded with it or with one of its ancestors (C79.51 -> C79.5)
        return any(word == code or (word.startswith(code) and len(code) >= 3)
                   for code in text.split())
    return word in text


def _load_topics(roots: Roots) -> tuple[dict[str, TopicEntry], list[str]]:
    topics, problems = {}, []
    glossary = _glossary_terms(roots)
    for slug in topic_names(roots):
        try:
            topics[slug] = _entry(roots, slug, glossary)
        except HandoutsError as error:
            problems.append(str(error))
    return topics, problems


def _glossary_terms(roots: Roots) -> dict[str, list[tuple[str, list[str]]]]:
    """Per language: (term and its plain words, the forms that count as a use)."""
    terms: dict[str, list[tuple[str, list[str]]]] = {}
    folder = roots.content / "_glossary"
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            data = read_toml(path)
        except HandoutsError:
            continue
        for entry in data.get("term", []) if isinstance(data.get("term"), list) else []:
            if not isinstance(entry, dict):
                continue
            forms = [folded(f) for f in entry.get("forms", []) if isinstance(f, str)]
            words = " ".join(str(entry.get(k, "")) for k in ("term", "plain"))
            terms.setdefault(path.stem, []).append((folded(words), forms))
    return terms


def _entry(roots: Roots, slug: str, glossary) -> TopicEntry:
    topic = load_topic(roots, slug)
    versions, fields = [], []
    for code in sorted(topic.languages):
        language = topic.languages[code]
        summary = language.summaries.get("standard") or next(iter(language.summaries.values()))
        versions.append(Version(code, language.title, summary, language.levels))
        fields.append(("title", folded(language.title), 10))
        fields.append(("summary", folded(" ".join(language.summaries.values())), 4))
        body = ""
        for level in language.levels:
            try:
                body += " " + folded((topic.folder / code / f"{level}.md").read_text("utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
        fields.append(("text", body, 1))
        used = [words for words, forms in glossary.get(code, []) if any(f in body
                                                                         for f in forms)]
        if used:
            fields.append(("glossary term", " ".join(used), 3))
    fields.append(("keyword", folded(" ".join(topic.keywords)), 6))
    codes = _codes(roots, slug)
    if codes:
        fields.append(("code", " ".join(folded(code) for _, code in codes), 10))
    # English first, then the others alphabetically
    versions.sort(key=lambda v: (v.lang != "en", v.lang))
    return TopicEntry(slug, topic.reviewed, tuple(versions), topic.keywords, codes,
                      tuple(fields))


def _codes(roots: Roots, slug: str) -> tuple[tuple[str, str], ...]:
    """Codes listed in topic.toml ([codes] icd10cm = [...], snomed = [...], ...)."""
    try:
        raw = read_toml(roots.content / slug / "topic.toml").get("codes")
    except HandoutsError:
        return ()
    codes = []
    if isinstance(raw, dict):
        for system, values in sorted(raw.items()):
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str):
                    codes.append((system, value.strip()))
                elif isinstance(value, dict) and isinstance(value.get("code"), str):
                    codes.append((system, value["code"].strip()))
    return tuple(codes)
