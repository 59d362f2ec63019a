"""The pipeline in one call: load, render, parse, lay out, write."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from handouts.document.assemble import Options, build_document
from handouts.document.model import Document
from handouts.errors import HandoutsError, Warnings
from handouts.finishing.atomic_write import write_atomically
from handouts.inputs.clinics import Clinic, load_clinic
from handouts.inputs.layouts import Layout, load_layout
from handouts.inputs.paths import Roots, checked_name
from handouts.inputs.topics import Topic, load_topic
from handouts.layout.render import render_pdf


@dataclass
class Handout:
    """A laid-out handout: its document model and PDF bytes, not yet on disk."""

    document: Document
    clinic: Clinic
    layout: Layout
    topic: Topic
    pdf: bytes
    pages: int
    warnings: Warnings = field(default_factory=Warnings)

    def print_pages(self, impose: bool = True) -> int:
        """Pages of the print-ready file: imposed booklets carry two pages a side."""
        return self.pages // 2 if self.layout.booklet is not None and impose else self.pages


def generation_date(given: _dt.date | None) -> _dt.date:
    """The printed date: given, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if given is not None:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise HandoutsError(f"SOURCE_DATE_EPOCH '{epoch}' is not a number of seconds") \
                from None
    return _dt.date.today()


def default_output_name(topic: str, clinic: str, options: Options, layout: str,
                        suffix: str = "pdf") -> str:
    """Topic-based and never personal: the patient's name is not part of it."""
    return f"{topic}-{clinic}-{options.lang}-{options.level}-{layout}.{suffix}"


def html_edition(handout: Handout) -> bytes:
    """The handout as one self-contained, accessible HTML page (UTF-8)."""
    from handouts.layout.html_edition import render_html

    return render_html(handout.document, handout.clinic).encode("utf-8")


def build_handout(roots: Roots, topic_slug: str, clinic_slug: str, layout_name: str = "letter",
                  options: Options | None = None, clinic: Clinic | None = None,
                  topic: Topic | None = None, layout: Layout | None = None) -> Handout:
    """Everything up to the PDF bytes; nothing is written. A caller that has already
    loaded the clinic's profile, the topic or the layout (a batch) passes them in."""
    options = options or Options()
    checked_name(options.lang, "language")
    checked_name(options.level, "level")
    warnings = Warnings()
    topic = topic or load_topic(roots, topic_slug)
    topic.markdown_path(options.lang, options.level)  # fail early on a missing version
    clinic = clinic or load_clinic(roots, clinic_slug)
    options = _printable_personal_text(options, clinic)
    layout = layout or load_layout(roots, layout_name)
    generated = generation_date(options.date)
    from handouts.measuring.glossary_use import (
        words_for,  # reading-level feature; imported late to keep start-up lean
    )

    document = build_document(roots, topic, clinic, layout, options, generated, warnings)
    glossary = words_for(roots, document) if options.level == "easy" else ()
    if glossary:
        document = _with_glossary(document, glossary)
    pdf, pages = render_pdf(document, clinic, layout, warnings, measured_keywords(document),
                            source=topic.markdown_path(options.lang, options.level))
    return Handout(document, clinic, layout, topic, pdf, pages, warnings)


def _printable_personal_text(options: Options, clinic: Clinic) -> Options:
    """The patient's name and the note, cleaned of control and invisible characters, and
    printable by the embedded fonts. A character the fonts lack is refused without echoing
    it: a name is never spelled out in a terminal or a log."""
    from dataclasses import replace

    from handouts.inputs.safe_files import without_invisible
    from handouts.layout.fonts import (
        FALLBACK_FAMILY,
        coverage,
        family,
        script_needing_shaping,
    )

    cleaned = {}
    for field_name, what in (("patient_name", "the patient's name"), ("note", "the note")):
        text = getattr(options, field_name)
        if text is None:
            continue
        text = without_invisible(text)
        if script_needing_shaping(text):
            cleaned[field_name] = text  # the layout refuses it, naming the script
            continue
        covered = coverage(family(clinic.font)) | coverage(family(FALLBACK_FAMILY))
        missing = {c for c in text if not c.isspace() and ord(c) not in covered}
        if missing:
            raise HandoutsError(f"{what} has {len(missing)} character(s) that the handout's "
                                "fonts cannot print (another script?); write it in Latin, "
                                "Greek or Cyrillic letters, or leave it out and write it "
                                "by hand")
        cleaned[field_name] = text
    return replace(options, **cleaned) if cleaned else options


def measured_keywords(document: Document) -> tuple[str, ...]:
    """The measured reading level, recorded in the PDF's keywords."""
    from handouts.measuring.plain_language import body_units
    from handouts.measuring.readability import count, scores

    units = body_units(document.intro, document.sections, document.summary)
    values = scores(count([u.text for u in units], document.lang), document.lang)
    if document.lang == "es" and values:
        return (f"inflesz:{values['szigriszt_pazos']:.1f}", f"sol:{values['sol']:.1f}")
    if values:
        return (f"grade:{max(values['flesch_kincaid'], values['smog']):.1f}",
                f"flesch-kincaid:{values['flesch_kincaid']:.1f}", f"smog:{values['smog']:.1f}")
    return ()


def _with_glossary(document: Document, glossary) -> Document:
    from handouts.document.assemble import with_glossary

    return with_glossary(document, tuple(glossary))


def print_ready(handout: Handout, impose: bool = True, marks: bool | str = False) -> bytes:
    """The bytes to print: a booklet layout's pages imposed on sheets unless impose is off."""
    booklet = handout.layout.booklet
    if booklet is None or not impose:
        if marks:
            raise HandoutsError("--marks needs an imposed booklet layout")
        return handout.pdf
    from handouts.finishing.impose import impose as impose_pages
    from handouts.inputs.layouts import PAPER

    return impose_pages(handout.pdf, PAPER[booklet.sheet], marks=marks)


def generate(roots: Roots, topic_slug: str, clinic_slug: str, layout_name: str = "letter",
             options: Options | None = None, output: Path | None = None,
             output_dir: Path = Path("output"), impose: bool = True,
             marks: bool | str = False, password_env: str | None = None,
             finish=None, output_format: str = "pdf") -> tuple[Path, Handout]:
    """Build one handout and write it atomically, as a PDF or as its HTML edition
    (output_format "html"); returns where it went. `finish(handout, data)` may change the
    print-ready bytes before they are protected and written (the chart strip stamps its
    block on the last page)."""
    options = options or Options()
    if output_format not in ("pdf", "html"):
        raise HandoutsError(f"'{output_format}' is not an output format; use pdf or html")
    if output_format == "html" and password_env:
        raise HandoutsError("--password-env protects PDFs only; the HTML edition cannot be "
                            "encrypted")
    password = None
    if password_env:
        from handouts.finishing.protect import password_from_env

        password = password_from_env(password_env)  # checked before anything is built
    handout = build_handout(roots, topic_slug, clinic_slug, layout_name, options)
    if output is None:
        output = output_dir / default_output_name(topic_slug, clinic_slug, options, layout_name,
                                                  output_format)
    if output_format == "html":
        write_atomically(output, html_edition(handout))
        return output, handout
    data = print_ready(handout, impose, marks)
    if finish is not None:
        data = finish(handout, data)
    if password is not None:
        from handouts.finishing.protect import encrypt

        data = encrypt(data, password)
    # a handout that names a patient or carries a note is readable by its owner only
    write_atomically(output, data, private=bool(options.patient_name or options.note))
    return output, handout
