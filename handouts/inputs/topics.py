"""Loading topics: topic.toml metadata, the Markdown of each language and level, blocks."""

from __future__ import annotations

import datetime as _dt
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import HandoutsError, Warnings
from handouts.inputs.codes import read_codes
from handouts.inputs.paths import Roots, checked_name, inside, names_in
from handouts.inputs.safe_files import MAX_BLOCK_BYTES, MAX_MARKDOWN_BYTES, read_text, read_toml
from handouts.inputs.toml_tables import TableReader
from handouts.inputs.urls import safe_url

BLOCKS_FOLDER = "_blocks"
REQUIRED_BLOCKS = ("copyright", "disclaimer")
LABEL_KEYS = (
    "page_of", "reviewed", "printed", "learn_more", "sources", "prepared_for", "note_from",
    "words_to_know", "contact", "phone", "after_hours", "website", "level_easy",
    "level_standard", "notes", "password_hint", "form", "adapted",
)
DEFAULT_REVIEW_MONTHS = 24
_FORM_CODE = re.compile(r"[A-Z][A-Z0-9]{0,7}")


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str | None
    year: int | None = None  # when it was published or last updated
    accessed: _dt.date | None = None  # when the project last read it online
    # the publisher as printed in another language ([sources.publisher_in] es = "...")
    publishers: tuple[tuple[str, str], ...] = ()
    lang: str | None = None  # a page in one language: cited only on handouts in it

    @property
    def dated(self) -> bool:
        return self.year is not None or self.accessed is not None

    def publisher_in(self, lang: str) -> str:
        return dict(self.publishers).get(lang, self.publisher)


@dataclass(frozen=True)
class LinkItem:
    label: str
    url: str


@dataclass(frozen=True)
class Language:
    code: str
    title: str
    summaries: dict[str, str]  # level -> the lead printed under the title
    levels: tuple[str, ...]
    learn_more: tuple[LinkItem, ...]
    # who reviewed the content, as printed in this language ("Revisado ... por {reviewer}");
    # None prints the topic's own reviewed_by
    reviewed_by: str | None = None

    def summary(self, level: str) -> str:
        return self.summaries.get(level) or self.summaries[""]


@dataclass(frozen=True)
class Topic:
    slug: str
    folder: Path
    reviewed: _dt.date
    section_keys: tuple[str, ...]
    sources: tuple[Source, ...]
    languages: dict[str, Language]
    keywords: tuple[str, ...]
    reviewed_by: str = ""
    review_every: int = DEFAULT_REVIEW_MONTHS  # months
    form_code: str = ""  # the short name on paper: BM in "BM-EN-EASY · 2026-11 · 7f3a9c"
    # [codes]: code system (icd10cm, snomed, rxnorm, loinc) -> codes, checked (inputs/codes.py)
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def review_due(self) -> _dt.date:
        return add_months(self.reviewed, self.review_every)

    def language(self, code: str) -> Language:
        if code not in self.languages:
            raise HandoutsError(
                f"topic '{self.slug}' has no language '{code}'; it has: "
                f"{', '.join(sorted(self.languages))}")
        return self.languages[code]

    def markdown_path(self, lang: str, level: str) -> Path:
        language = self.language(lang)
        if level not in language.levels:
            raise HandoutsError(
                f"topic '{self.slug}' has no level '{level}' in language '{lang}'; it has: "
                f"{', '.join(language.levels)}")
        return inside(self.folder / lang / f"{level}.md", self.folder.parent)

    def versions(self) -> list[tuple[str, str]]:
        return [(lang, level) for lang in sorted(self.languages)
                for level in self.languages[lang].levels]


def topic_names(roots: Roots) -> list[str]:
    return [name for name in names_in(roots.content, folders=True)
            if (roots.content / name / "topic.toml").is_file()]


def load_topic(roots: Roots, slug: str) -> Topic:
    checked_name(slug, "topic")
    folder = roots.content / slug
    path = folder / "topic.toml"
    if not path.is_file():
        known = ", ".join(topic_names(roots)) or "none"
        raise HandoutsError(f"unknown topic '{slug}' (topics in {roots.content}: {known})")
    table = TableReader(read_toml(inside(path, roots.content)), path)
    reviewed = table.date("reviewed")
    reviewed_by = table.text("reviewed_by", max_length=120)
    review_every = table.number("review_every", DEFAULT_REVIEW_MONTHS, minimum=1, maximum=120)
    if review_every != int(review_every):
        raise table.fail("review_every", "must be a whole number of months, like 24")
    form_code = table.text("form_code", default_form_code(slug), max_length=8)
    if not _FORM_CODE.fullmatch(form_code):
        raise table.fail("form_code", f"'{form_code}' is not a form code: use 1 to 8 capital "
                         "letters and digits, starting with a letter, like \"BM\"")
    keys = tuple(table.text_list("sections"))
    for key in keys:
        if not key or not all(c.isalnum() or c == "-" for c in key) or key.lower() != key:
            raise table.fail("sections", f"'{key}' is not a section key (lowercase, hyphens)")
    if len(set(keys)) != len(keys):
        raise table.fail("sections", "lists a section twice")
    sources = []
    for entry in table.tables("sources"):
        url = entry.text("url", required=False, max_length=500)
        if url and not safe_url(url):
            raise entry.fail("url", "must start with http:// or https://")
        year = entry.number("year", 0, minimum=0, maximum=2200) or None
        accessed = entry.date("accessed") if entry.has("accessed") else None
        publishers = entry.table("publisher_in", required=False)
        translated = ()
        if publishers is not None:
            translated = tuple(
                (_language_code(code, path), publishers.text(code, max_length=200))
                for code in sorted(publishers.data))
            publishers.finish()
        lang = entry.text("lang", required=False, max_length=20)
        sources.append(Source(entry.text("title", max_length=300),
                              entry.text("publisher", max_length=200), url,
                              int(year) if year else None, accessed, translated,
                              _language_code(lang, path) if lang else None))
        entry.finish()
    if not sources:
        raise HandoutsError("missing required key 'sources': list where the facts come from "
                            "([[sources]] with title and publisher)", path)
    keywords = tuple(table.text_list("keywords", required=False))
    codes = read_codes(table.table("codes", required=False), path)
    languages_table = table.table("languages")
    languages = {}
    for code in list(languages_table.data):
        checked = _language_code(code, path)
        languages[checked] = _language(languages_table.table(code), checked, folder)
    languages_table.finish()
    if not languages:
        raise table.fail("languages", "list at least one language, like [languages.en]")
    table.finish()
    return Topic(slug, folder, reviewed, keys, tuple(sources), languages, keywords,
                 reviewed_by, int(review_every), form_code, codes)


def default_form_code(slug: str) -> str:
    """Initials of a slug's words (bone-metastasis: BM), or the first three letters of a
    one-word slug (hypercalcemia: HYP)."""
    words = [w for w in slug.split("-") if w]
    code = "".join(w[0] for w in words) if len(words) > 1 else slug[:3]
    code = "".join(c for c in code.upper() if c.isalnum())[:8]
    return code if code[:1].isalpha() else "T" + code[:7]


def add_months(day: _dt.date, months: int) -> _dt.date:
    """The same day of the month, months later (or the month's last day: Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (_dt.date(year + month // 12, month % 12 + 1, 1) - _dt.timedelta(days=1)).day
    return _dt.date(year, month, min(day.day, last))


def _language_code(code: str, path: Path) -> str:
    try:
        return checked_name(code, "language")
    except HandoutsError as error:
        raise HandoutsError(str(error), path) from None


def _language(table: TableReader, code: str, folder: Path) -> Language:
    title = table.text("title", max_length=120)
    levels = tuple(table.text_list("levels"))
    summaries = _summaries(table, levels)
    for level in levels:
        try:
            checked_name(level, "level")
        except HandoutsError as error:
            raise table.fail("levels", str(error)) from None
        if not (folder / code / f"{level}.md").is_file():
            raise table.fail("levels", f"level '{level}' has no file {code}/{level}.md")
    links = []
    for entry in table.tables("learn_more"):
        url = entry.text("url", max_length=500)
        if not safe_url(url):
            raise entry.fail("url", "must start with http://, https://, mailto: or tel:")
        links.append(LinkItem(entry.text("label", max_length=200), url))
        entry.finish()
    reviewed_by = table.text("reviewed_by", required=False, max_length=120)
    table.finish()
    return Language(code, title, summaries, levels, tuple(links), reviewed_by)


def _summaries(table: TableReader, levels: tuple[str, ...]) -> dict[str, str]:
    """summary = "one lead for every level", or a table with one lead per level."""
    table.has("summary")
    raw = table.data.get("summary")
    if isinstance(raw, dict):
        per_level = table.table("summary")
        summaries = {level: per_level.text(level, max_length=400) for level in levels}
        per_level.finish()
        return summaries
    return {"": table.text("summary", max_length=400)}


def read_markdown(path: Path, warnings: Warnings) -> str:
    return read_text(path, limit=MAX_MARKDOWN_BYTES, warnings=warnings)


def block_path(roots: Roots, clinic_blocks: Path, lang: str, name: str) -> Path:
    """A clinic's own block (clinics/<slug>/<lang>/<name>.md) wins over the shipped one."""
    own = clinic_blocks / lang / f"{name}.md"
    if own.is_file():
        return inside(own, clinic_blocks.parent)
    shipped = roots.content / BLOCKS_FOLDER / lang / f"{name}.md"
    if not shipped.is_file():
        raise HandoutsError(f"the {name} block for language '{lang}' is missing", shipped)
    return inside(shipped, roots.content)


def read_block(path: Path, warnings: Warnings) -> str:
    return read_text(path, limit=MAX_BLOCK_BYTES, warnings=warnings)


def load_labels(roots: Roots, lang: str) -> dict[str, str]:
    """The words printed around the content (Page N of M, Last reviewed...) per language."""
    path = roots.content / BLOCKS_FOLDER / lang / "labels.toml"
    if not path.is_file():
        raise HandoutsError(f"labels for language '{lang}' are missing", path)
    table = TableReader(read_toml(inside(path, roots.content)), path)
    labels = {key: table.text(key, max_length=200) for key in LABEL_KEYS}
    # optional: after a box's title where the box goes on over a page
    labels["continued"] = table.text("continued", "(continued)", max_length=200)
    # optional: a web page cited without a publication year ("accessed November 2026")
    labels["accessed"] = table.text("accessed", "accessed {date}", max_length=200)
    labels["accessed_note"] = table.text(
        "accessed_note", "Web pages with no year: accessed {date}.", max_length=200)
    table.finish()
    for key, fields, example in (
            ("page_of", ("page", "pages"), "Page {page} of {pages}"),
            ("accessed", ("date",), "accessed {date}"),
            ("accessed_note", ("date",), "Web pages with no year: accessed {date}."),
            ("reviewed", ("date", "reviewer"), "Reviewed {date} by {reviewer}."),
            ("adapted", ("clinic",), "Adapted by {clinic}")):
        problem = label_problem(labels[key], fields)
        if problem:
            raise table.fail(key, f"{problem}; write it like \"{example}\"")
    return labels


def label_problem(label: str, fields: tuple[str, ...]) -> str | None:
    """Why a label with blanks ('Page {page} of {pages}') cannot be used, or None. It is a
    format string holding each of its fields, and nothing else in braces: no other names,
    no format widths or conversions (which could print the wrong thing or run out of
    memory); a literal brace is written twice."""
    allowed = " and ".join(f"{{{name}}}" for name in fields)
    try:
        found = [(name, spec, conversion)
                 for _, name, spec, conversion in string.Formatter().parse(label)
                 if name is not None]
    except ValueError:
        return "has a lone { or } (write {{ or }} for a brace)"
    for name, spec, conversion in found:
        if name not in fields:
            return f"may hold only {allowed}, not {{{name}}}"
        if spec or conversion:
            return f"{{{name}}} takes no format or conversion"
    if set(fields) - {name for name, _, _ in found}:
        return f"must hold {allowed}"
    return None
