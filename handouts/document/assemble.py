"""Assembling the document model: content + clinic + options, rendered and parsed."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from handouts.document.citations import cited_in
from handouts.document.markdown import parse_blocks, parse_sections
from handouts.document.model import Block, Document, GlossaryEntry, Section
from handouts.document.templating import render_template
from handouts.errors import HandoutsError, Warnings
from handouts.inputs.clinic_content import ClinicOverride, load_override
from handouts.inputs.clinics import Clinic
from handouts.inputs.layouts import Layout
from handouts.inputs.paths import Roots
from handouts.inputs.topics import Topic, block_path, load_labels, read_block, read_markdown


@dataclass(frozen=True)
class Options:
    """What staff choose for one handout."""

    lang: str = "en"
    level: str = "standard"
    date: _dt.date | None = None  # the printed date; None means today (or SOURCE_DATE_EPOCH)
    patient_name: str | None = None
    note: str | None = None


def template_context(topic: Topic, clinic: Clinic, layout: Layout, options: Options,
                     generated: _dt.date) -> dict[str, object]:
    return _context(topic, clinic.template_values(lang=options.lang), options, layout.name,
                    layout.large_print, generated)


def placeholder_context(topic: Topic, options: Options, generated: _dt.date
                        ) -> dict[str, object]:
    """Template values for checking content without a clinic: neutral placeholders."""
    clinic = {"name": "Your clinic", "phone": "(555) 010-0000", "website": "",
              "after_hours": "(555) 010-0001", "address": ["1 Main Street"],
              "footer_note": "", "email": ""}
    return _context(topic, clinic, options, "letter", False, generated)


def _context(topic: Topic, clinic_values: dict[str, object], options: Options,
             layout_name: str, large_print: bool, generated: _dt.date) -> dict[str, object]:
    """What content templates can read: clinic, topic, options, today and year."""
    language = topic.language(options.lang)
    return {
        "clinic": clinic_values,
        "topic": {"slug": topic.slug, "title": language.title,
                  "summary": language.summary(options.level),
                  "reviewed": topic.reviewed.isoformat(), "reviewed_year": topic.reviewed.year},
        "options": {"lang": options.lang, "level": options.level, "layout": layout_name,
                    "large_print": large_print},
        "today": generated.isoformat(),
        "year": generated.year,
    }


def render_sections(roots: Roots, topic: Topic, options: Options,
                    context: dict[str, object], warnings: Warnings,
                    override: ClinicOverride | None = None,
                    ) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
    """The content file of one language and level: rendered, parsed and checked against
    topic.toml's list of sections; with a clinic's override, its sections merged in."""
    _, intro, sections = _rendered_sections(roots, topic, options, context, warnings, override)
    return intro, sections


def _rendered_sections(roots: Roots, topic: Topic, options: Options,
                       context: dict[str, object], warnings: Warnings,
                       override: ClinicOverride | None,
                       ) -> tuple[list[str], tuple[Block, ...], tuple[Section, ...]]:
    path = topic.markdown_path(options.lang, options.level)
    text = render_template(read_markdown(path, warnings), path, context, roots.content)
    intro, sections = _parsed_sections(topic, text, path)
    if override is None:
        return [text], intro, sections
    own_text = render_template(override.text, override.path, context, roots.content)
    own_intro, own = parse_sections(own_text, override.path)
    if own_intro:
        raise HandoutsError("a clinic's file holds only sections; move or remove the text "
                            "before the first one", override.path)
    return [text, own_text], intro, merge_sections(sections, own, override)


def merge_sections(shipped: tuple[Section, ...], own: tuple[Section, ...],
                   override: ClinicOverride) -> tuple[Section, ...]:
    """Shipped sections with the clinic's versions in their place and the clinic's added
    sections before or after the shipped section they name; the clinic's are marked."""
    mine = {section.key: replace(section, adapted=True) for section in own}
    merged: list[Section] = []
    for section in shipped:
        merged += [mine[key] for key, where, anchor in override.added
                   if where == "before" and anchor == section.key]
        merged.append(mine.get(section.key, section))
        merged += [mine[key] for key, where, anchor in override.added
                   if where == "after" and anchor == section.key]
    return tuple(merged)


def _parsed_sections(topic: Topic, text: str, path: Path,
                     ) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
    intro, sections = parse_sections(text, path)
    found = tuple(section.key for section in sections)
    if found != topic.section_keys:
        missing = [k for k in topic.section_keys if k not in found]
        extra = [k for k in found if k not in topic.section_keys]
        detail = (f"missing {', '.join(missing)}" if missing else
                  f"not listed in topic.toml: {', '.join(extra)}" if extra else
                  "in a different order from topic.toml")
        raise HandoutsError(f"sections do not match topic.toml 'sections' ({detail})", path)
    return intro, sections


def build_document(roots: Roots, topic: Topic, clinic: Clinic, layout: Layout,
                   options: Options, generated: _dt.date, warnings: Warnings,
                   glossary: tuple[GlossaryEntry, ...] = ()) -> Document:
    language = topic.language(options.lang)
    context = template_context(topic, clinic, layout, options, generated)
    override = load_override(clinic.blocks_dir, clinic.slug, topic, options.lang,
                             options.level, warnings)
    rendered, intro, sections = _rendered_sections(roots, topic, options, context, warnings,
                                                   override)

    def block(name: str):
        block_file = block_path(roots, clinic.blocks_dir, options.lang, name)
        block_text = render_template(read_block(block_file, warnings), block_file, context,
                                     roots.content)
        rendered.append(block_text)
        blocks = parse_blocks(block_text, block_file)
        if not blocks:
            raise HandoutsError(f"the {name} block is empty", block_file)
        return blocks

    labels = load_labels(roots, options.lang)
    document = Document(
        topic=topic.slug, title=language.title, summary=language.summary(options.level),
        lang=options.lang,
        level=options.level, intro=intro, sections=sections, learn_more=language.learn_more,
        sources=cited_in(topic.sources, options.lang), copyright=block("copyright"),
        disclaimer=block("disclaimer"),
        reviewed=topic.reviewed, generated=generated, labels=labels,
        words_to_know=glossary, prepared_for=_one_line(options.patient_name),
        clinician_note=_one_line(options.note, limit=600), keywords=topic.keywords,
        reviewed_by=language.reviewed_by or topic.reviewed_by,
        adapted_by=clinic.name if any(section.adapted for section in sections) else None,
    )
    return identified(document, topic.form_code, rendered)


def identified(document: Document, form_code: str, rendered: list[str]) -> Document:
    """The document with its form identifier: a digest of exactly what it says.

    The digest covers the rendered text (content file, clinic overrides, copyright and
    disclaimer blocks, with the clinic's values filled in), title, summary, links, sources
    and review; never the printed date, the layout or anything about the patient, so the
    same text on any paper for any patient carries the same identifier."""
    material = json.dumps({
        "topic": document.topic, "lang": document.lang, "level": document.level,
        "title": document.title, "summary": document.summary, "rendered": rendered,
        "learn_more": [[link.label, link.url] for link in document.learn_more],
        "sources": [[s.title, s.publisher, s.url] for s in document.sources],
        "reviewed": document.reviewed.isoformat(), "reviewed_by": document.reviewed_by,
        "adapted": list(document.adapted_sections), "adapted_by": document.adapted_by,
    }, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(material.encode()).hexdigest()
    return replace(document, content_digest=digest,
                   form_id=form_identifier(form_code, document, digest))


def with_glossary(document: Document, glossary: tuple[GlossaryEntry, ...]) -> Document:
    """The document with its 'Words to know' box; the box is part of the text, so the form
    identifier moves with it."""
    if not glossary:
        return document
    material = json.dumps([document.content_digest,
                           [[entry.term, entry.definition] for entry in glossary]],
                          ensure_ascii=False)
    digest = hashlib.sha256(material.encode()).hexdigest()
    code = document.form_id.split("-", 1)[0]
    return replace(document, words_to_know=tuple(glossary), content_digest=digest,
                   form_id=form_identifier(code, document, digest))


def form_identifier(form_code: str, document: Document, digest: str) -> str:
    return (f"{form_code}-{document.lang.upper()}-{document.level.upper()} \u00b7 "
            f"{document.reviewed:%Y-%m} \u00b7 {digest[:6]}")


def _one_line(text: str | None, limit: int = 120) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) > limit:
        raise HandoutsError(f"the text given is {len(text)} characters; the limit is {limit}")
    return text or None
