"""A clinic's own versions of shipped sections, kept in the clinic's folder
(clinics/<slug>/content/<topic>/<lang>/<level>.md) so that updating content/ never loses
them; beside each, <level>.base.md keeps the shipped text the clinic's version was made from."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import HandoutsError, Warnings
from handouts.inputs.paths import checked_name, inside, names_in
from handouts.inputs.safe_files import MAX_MARKDOWN_BYTES, read_text
from handouts.inputs.section_digests import SECTION_HEADING, split_sections
from handouts.inputs.topics import Topic

CONTENT_FOLDER = "content"
BASE_SUFFIX = ".base.md"
_BASE_DATE = re.compile(r"<!--\s*shipped text as of (\d{4}-\d{2}-\d{2})")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class ClinicOverride:
    """One clinic's sections for one topic, language and level."""

    clinic: str
    topic: str
    lang: str
    level: str
    path: Path
    text: str  # the file with placements taken out of its headings, ready to render
    replaced: tuple[str, ...]  # shipped sections the clinic rewrote, in file order
    added: tuple[tuple[str, str, str], ...]  # (key, "after" | "before", shipped key)
    base_path: Path
    base_sections: dict[str, str]  # the shipped text each rewrite was made from
    base_date: _dt.date | None

    @property
    def keys(self) -> tuple[str, ...]:
        return self.replaced + tuple(key for key, _, _ in self.added)

    @property
    def version(self) -> str:
        return f"{self.lang}/{self.level}"


def override_root(clinic_folder: Path) -> Path:
    """clinics/<slug>/content: the clinic's own sections, by topic."""
    return clinic_folder / CONTENT_FOLDER


def override_path(clinic_folder: Path, topic: str, lang: str, level: str) -> Path:
    for name, kind in ((topic, "topic"), (lang, "language"), (level, "level")):
        checked_name(name, kind)
    return override_root(clinic_folder) / topic / lang / f"{level}.md"


def base_path_for(path: Path) -> Path:
    return path.with_name(path.name[: -len(".md")] + BASE_SUFFIX)


def overridden_versions(clinic_folder: Path) -> list[tuple[str, str, str]]:
    """(topic, lang, level) of every override file a clinic has."""
    found = []
    root = override_root(clinic_folder)
    for topic in names_in(root, folders=True):
        for lang in names_in(root / topic, folders=True):
            for name in names_in(root / topic / lang, ".md"):
                if not name.endswith(BASE_SUFFIX[: -len(".md")]) and "." not in name:
                    found.append((topic, lang, name))
    return found


def load_override(clinic_folder: Path, clinic: str, topic: Topic, lang: str, level: str,
                  warnings: Warnings | None = None) -> ClinicOverride | None:
    """The clinic's sections for this version, checked against the topic; None if it has
    none."""
    path = override_path(clinic_folder, topic.slug, lang, level)
    if not path.is_file():
        return None
    raw = read_text(inside(path, clinic_folder.parent), limit=MAX_MARKDOWN_BYTES,
                    warnings=warnings)
    intro, _ = split_sections(raw)
    if _COMMENT.sub("", intro).strip():
        raise HandoutsError("a clinic's file holds only sections, each opened by "
                            "'## Heading {#key}'; move or remove the text before the first "
                            "one", path)
    replaced: list[str] = []
    added: list[tuple[str, str, str]] = []
    lines = []
    for number, line in enumerate(raw.splitlines(), 1):
        match = SECTION_HEADING.match(line)
        if match:
            key, place = match["key"], match["place"]
            if key in replaced or key in (k for k, _, _ in added):
                raise HandoutsError(f"line {number}: section '{key}' appears twice", path)
            if place is None:
                if key not in topic.section_keys:
                    raise HandoutsError(
                        f"line {number}: '{key}' is not a section of {topic.slug} (its "
                        f"sections: {', '.join(topic.section_keys)}); to add a section of "
                        f"your own, say where: '## Title {{#{key} after=get-help}}'", path)
                replaced.append(key)
            else:
                where, anchor = place.split("=", 1)
                if key in topic.section_keys:
                    raise HandoutsError(
                        f"line {number}: '{key}' is a shipped section; your version replaces "
                        f"it where it is, so drop '{place}'", path)
                if anchor not in topic.section_keys:
                    raise HandoutsError(
                        f"line {number}: '{place}': there is no shipped section '{anchor}' "
                        f"(sections: {', '.join(topic.section_keys)})", path)
                added.append((key, where, anchor))
                line = line[: match.start("place")].rstrip() + line[match.end("place"):]
        lines.append(line)
    if not replaced and not added:
        raise HandoutsError("no sections found; a clinic's file holds sections opened by "
                            "'## Heading {#key}'", path)
    base_path = base_path_for(path)
    base_sections: dict[str, str] = {}
    base_date = None
    if base_path.is_file():
        base_text = read_text(inside(base_path, clinic_folder.parent),
                              limit=MAX_MARKDOWN_BYTES, warnings=warnings)
        base_sections = split_sections(base_text)[1]
        found = _BASE_DATE.search(base_text)
        if found:
            try:
                base_date = _dt.date.fromisoformat(found[1])
            except ValueError:
                base_date = None
    return ClinicOverride(clinic, topic.slug, lang, level, path, "\n".join(lines) + "\n",
                          tuple(replaced), tuple(added), base_path, base_sections, base_date)


def base_file_text(sections: dict[str, str], day: _dt.date) -> str:
    """What <level>.base.md holds: the shipped sections a clinic's versions were made from."""
    head = (f"<!-- shipped text as of {day.isoformat()}: what this clinic's own sections "
            "were made from.\n     Written by `handouts override`; `handouts check` compares "
            "it with the shipped file. Do not edit. -->\n\n")
    return head + "\n".join(sections[key] for key in sections)
