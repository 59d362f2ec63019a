"""Translation records: which English text each version was translated from, section by
section, and who translated and reviewed it (content/<topic>/<lang>/translation.toml)."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path

from handouts.inputs.paths import inside
from handouts.inputs.safe_files import read_toml
from handouts.inputs.section_digests import DIGEST_LENGTH
from handouts.inputs.toml_tables import TableReader
from handouts.inputs.topics import Topic

TRANSLATION_FILE = "translation.toml"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class TranslationRecord:
    """One level of one translation: the digests of the English sections it matches."""

    lang: str
    level: str
    source: str  # the language translated from
    translated_by: str
    reviewed_by: str
    marked: _dt.date  # when someone last confirmed it says what the source says
    sections: dict[str, str]  # section key -> digest of the source section then


def translation_path(topic: Topic, lang: str) -> Path:
    return topic.folder / lang / TRANSLATION_FILE


def load_translations(topic: Topic, lang: str) -> dict[str, TranslationRecord]:
    """The records of one language, by level; empty if it has none yet."""
    path = translation_path(topic, lang)
    if not path.is_file():
        return {}
    table = TableReader(read_toml(inside(path, topic.folder.parent)), path)
    source = table.text("source", SOURCE_LANGUAGE, max_length=20)
    records = {}
    for level in [key for key in table.data if key != "source"]:
        entry = table.table(level)
        marked = entry.date("marked")
        sections_table = entry.table("sections")
        sections = {}
        for key in list(sections_table.data):
            digest = sections_table.text(key, max_length=64)
            if len(digest) != DIGEST_LENGTH or any(c not in "0123456789abcdef" for c in digest):
                raise sections_table.fail(key, "is not a section digest; run `handouts "
                                          "translation mark-current` instead of editing it")
            sections[key] = digest
        sections_table.finish()
        records[level] = TranslationRecord(
            lang, level, source, entry.text("translated_by", max_length=120),
            entry.text("reviewed_by", max_length=120), marked, sections)
        entry.finish()
    table.finish()
    return records


def translation_file_text(source: str, records: dict[str, TranslationRecord]) -> str:
    """The file `handouts translation mark-current` writes (TOML, levels in name order)."""
    lines = [
        "# Which English text this translation was made from, section by section, and who",
        "# translated and reviewed it. Written by `handouts translation mark-current`;",
        "# `handouts check` reports each section whose English has changed since.",
        f"source = {_quoted(source)}",
    ]
    for level in sorted(records):
        record = records[level]
        lines += ["", f"[{level}]", f"translated_by = {_quoted(record.translated_by)}",
                  f"reviewed_by = {_quoted(record.reviewed_by)}",
                  f"marked = {record.marked.isoformat()}", "", f"[{level}.sections]"]
        lines += [f"{key} = {_quoted(digest)}" for key, digest in record.sections.items()]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string
