"""`handouts new-topic`: a new topic from a correct skeleton, every placeholder marked TODO
so that `handouts check` fails until an author has replaced it."""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from pathlib import Path

from handouts.errors import HandoutsError
from handouts.inputs.paths import Roots, checked_name
from handouts.inputs.topics import DEFAULT_REVIEW_MONTHS, default_form_code

TODO = "TODO"
DEFAULT_LANGUAGES = ("en", "es")
DEFAULT_LEVELS = ("easy", "standard")
DEFAULT_SECTIONS = ("what-it-is", "tests", "treatments", "risks", "get-help", "questions",
                    "notes")
HEADINGS = {
    "en": {"what-it-is": "What it is", "tests": "Tests you may need",
           "treatments": "Treatments", "risks": "Risks to know about",
           "get-help": "When to get help", "questions": "Questions to ask your care team",
           "notes": "Notes"},
    "es": {"what-it-is": "Qué es", "tests": "Pruebas que puede necesitar",
           "treatments": "Tratamientos", "risks": "Riesgos que debe conocer",
           "get-help": "Cuándo pedir ayuda",
           "questions": "Preguntas para su equipo de atención", "notes": "Notas"},
}
GET_HELP = {
    "en": ("> [!EMERGENCY] Call 911 or go to the emergency room right away if you have:\n"
           f"> - {TODO}: the signs that need help now\n\n"
           "> [!CALL] Call your care team at {{ clinic.phone }} if you have:\n"
           f"> - {TODO}: the signs that need a call today\n"),
    "es": ("> [!EMERGENCY] Llame al 911 o vaya a la sala de emergencias de inmediato si "
           f"tiene:\n> - {TODO}: las señales que necesitan ayuda ya\n\n"
           "> [!CALL] Llame a su equipo de atención al {{ clinic.phone }} si tiene:\n"
           f"> - {TODO}: las señales que necesitan una llamada hoy\n"),
}
NOTES = {
    "en": "> [!NOTES] For your care team to fill in\n> - Next appointment:\n"
          "> - Care team phone: {{ clinic.phone }}\n",
    "es": "> [!NOTES] Para que su equipo de atención lo complete\n> - Próxima cita:\n"
          "> - Teléfono del equipo: {{ clinic.phone }}\n",
}


def new_topic(roots: Roots, slug: str, languages: tuple[str, ...] = (),
              levels: tuple[str, ...] = (), sections: tuple[str, ...] = (),
              today: _dt.date | None = None) -> list[Path]:
    """Write content/<slug>/ (topic.toml and <lang>/<level>.md) in one step: all of it or,
    on any failure, nothing. Returns the files written."""
    checked_name(slug, "topic")
    languages = _unique(languages or DEFAULT_LANGUAGES, "language")
    levels = _unique(levels or DEFAULT_LEVELS, "level")
    sections = _unique(sections or DEFAULT_SECTIONS, "section")
    if "en" not in languages:
        raise HandoutsError("a topic starts in English (--lang en): translations are "
                            "checked against it")
    folder = roots.content / slug
    if folder.exists():
        raise HandoutsError(f"topic '{slug}' already exists; nothing was written", folder)
    files = {Path("topic.toml"): topic_toml(slug, languages, levels, sections,
                                            today or _dt.date.today())}
    for lang in languages:
        for level in levels:
            files[Path(lang) / f"{level}.md"] = content_file(lang, sections)
    try:
        roots.content.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=roots.content))
    except OSError as error:
        raise HandoutsError(f"cannot write the topic ({error.strerror})",
                            roots.content) from None
    try:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")
        os.rename(staging, folder)
    except OSError as error:
        raise HandoutsError(f"cannot write the topic ({error.strerror}); nothing was "
                            "written", folder) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in files]


def _unique(names: tuple[str, ...], kind: str) -> tuple[str, ...]:
    for name in names:
        if kind == "section":
            if not name or name.lower() != name or not all(
                    c.isalnum() or c == "-" for c in name):
                raise HandoutsError(f"'{name}' is not a section key (lowercase, hyphens)")
        else:
            checked_name(name, kind)
    if len(set(names)) != len(names):
        raise HandoutsError(f"a {kind} is named twice")
    return tuple(names)


def topic_toml(slug: str, languages: tuple[str, ...], levels: tuple[str, ...],
               sections: tuple[str, ...], today: _dt.date) -> str:
    quoted = json.dumps  # a JSON string is a TOML basic string
    lines = [
        f"# {slug}: {TODO}: one line saying what this topic is for.",
        f"reviewed = {today.isoformat()}",
        f"reviewed_by = {quoted(f'{TODO}: the clinical reviewer (a role or a name)')}",
        f"review_every = {DEFAULT_REVIEW_MONTHS}  # months until the next review is due",
        f"form_code = {quoted(default_form_code(slug))}  # printed on every copy, with "
        "language, level and version",
        "sections = [" + ", ".join(quoted(key) for key in sections) + "]",
        f"keywords = [{quoted(slug.replace('-', ' '))}, \"patient education\"]",
        "",
        "[[sources]]",
        f"title = {quoted(f'{TODO}: the guideline or fact sheet these facts come from')}",
        f"publisher = {quoted(f'{TODO}: who publishes it')}",
        "# url = \"https://...\"",
    ]
    for lang in languages:
        lines += ["", f"[languages.{lang}]",
                  f"title = {quoted(f'{TODO}: the title in {lang}')}",
                  "levels = [" + ", ".join(quoted(level) for level in levels) + "]",
                  "", f"[languages.{lang}.summary]"]
        lines += [f"{level} = {quoted(f'{TODO}: two sentences on what this handout covers.')}"
                  for level in levels]
    return "\n".join(lines) + "\n"


def content_file(lang: str, sections: tuple[str, ...]) -> str:
    headings = HEADINGS.get(lang, HEADINGS["en"])
    words = lang if lang in GET_HELP else "en"
    parts = []
    for key in sections:
        heading = headings.get(key) or key.replace("-", " ").capitalize()
        if key == "get-help":
            body = GET_HELP[words]
        elif key == "notes":
            body = NOTES[words]
        else:
            body = f"{TODO}: write this section in short, plain sentences.\n"
        parts.append(f"## {heading} {{#{key}}}\n\n{body}")
    return "\n".join(parts)
