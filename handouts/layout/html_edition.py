"""The HTML edition: the same document model as one self-contained, accessible web page.

Everything a reader gets on paper, in the same order: the clinic's logo (inline, with the
clinic's name as its alternative text), the title and summary, the sections with their
boxes, lists, tables and notes, the links, and how to reach the clinic. The page declares
its language, has landmarks (banner, main, contentinfo), headings that never skip a level,
real lists and tables, the clinic's colours in an embedded stylesheet, and a print
stylesheet. Nothing is loaded from anywhere: it opens the same from an email attachment."""

from __future__ import annotations

import base64
from html import escape

from handouts.document.citations import Citation, citations
from handouts.document.dates import long_date, month_year
from handouts.document.model import (
    Block,
    BulletList,
    Callout,
    Document,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    NotesArea,
    Paragraph,
    Rule,
    Strong,
    Table,
    Text,
    plain_text,
)
from handouts.inputs.clinics import Clinic

BODY_TEXT = "#1A1A1A"
EMERGENCY_RED = "#A8231B"
EMERGENCY_TINT = "#FCEDEB"

_STYLE = """
:root { --primary: %(primary)s; --accent: %(accent)s; --primary-tint: %(primary_tint)s;
  --accent-tint: %(accent_tint)s; }
* { box-sizing: border-box; }
body { margin: 0; color: #1A1A1A; background: #fff; font-family: "Atkinson Hyperlegible",
  Verdana, "Segoe UI", Arial, sans-serif; font-size: 1.2rem; line-height: 1.55; }
header, main, footer { max-width: 46rem; margin: 0 auto; padding: 0 1.25rem; }
header { display: flex; align-items: center; gap: 1rem; padding-top: 1rem;
  padding-bottom: .75rem; border-bottom: 3px solid var(--accent); }
header img { height: 3.5rem; width: auto; }
header p { margin: 0; font-weight: bold; color: var(--primary); font-size: 1.25rem; }
h1 { color: var(--primary); font-size: 2.1rem; line-height: 1.2; margin: 1.5rem 0 .5rem; }
h2 { color: var(--primary); font-size: 1.55rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.3rem; margin: 1.4rem 0 .4rem; }
h4, h5, h6 { font-size: 1.2rem; margin: 1.2rem 0 .3rem; }
.lead { font-size: 1.35rem; }
a { color: var(--primary); text-decoration-thickness: .08em; text-underline-offset: .15em; }
a:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
li { margin: .3rem 0; }
li::marker { color: var(--accent); font-weight: bold; }
.box { margin: 1.2rem 0; padding: .8rem 1.1rem; border-left: 6px solid var(--accent);
  background: var(--accent-tint); border-radius: 2px; }
.box > :first-child { margin-top: 0; }
.box > :last-child { margin-bottom: 0; }
.box.call, .box.important, .box.note, .box.contact { border-color: var(--primary);
  background: var(--primary-tint); }
.box.call > h2, .box.call > h3, .box.important > h2, .box.important > h3,
.box.contact > h2 { color: var(--primary); }
.box.emergency { border-color: #A8231B; background: #FCEDEB; }
.box.emergency > h2, .box.emergency > h3 { color: #A8231B; }
table { border-collapse: collapse; width: 100%%; margin: 1rem 0; }
th, td { border: 1px solid #B8B8B8; padding: .4rem .6rem; text-align: left;
  vertical-align: top; }
thead th { background: var(--primary-tint); }
.field { display: flex; gap: .5rem; align-items: flex-end; }
.field .blank { flex: 1; border-bottom: 1px solid #767676; min-height: 1.6rem; }
.lines { height: 6rem; background: repeating-linear-gradient(to bottom, transparent 0,
  transparent 1.95rem, #B8B8B8 1.95rem, #B8B8B8 2rem); }
dt { font-weight: bold; }
dd { margin: 0 0 .5rem 0; }
hr { border: 0; border-top: 1px solid #B8B8B8; margin: 1.5rem 0; }
footer { margin-top: 2rem; padding-bottom: 2rem; }
footer .small { font-size: .95rem; color: #4A4A4A; }
address { font-style: normal; }
@media print {
  body { font-size: 12pt; }
  header, main, footer { max-width: none; padding: 0; }
  header img { height: 2.5rem; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .9em; }
  .box, table, .field, h2, h3 { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .box { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


class _Writer:
    def __init__(self, document: Document, clinic: Clinic):
        self.document, self.clinic = document, clinic
        self.labels = document.labels
        self.out: list[str] = []
        self.heading_level = 1
        self.in_section = False
        self.ids: set[str] = set()

    # -- helpers --
    def heading(self, level: int, content: str, element_id: str | None = None) -> None:
        """A heading never more than one level below the one before it."""
        level = max(2, min(level, self.heading_level + 1, 6))
        self.heading_level = level
        attribute = f' id="{element_id}"' if element_id else ""
        self.out.append(f"<h{level}{attribute}>{content}</h{level}>")

    def unique_id(self, base: str) -> str:
        candidate, number = "".join(c if c.isalnum() or c == "-" else "-" for c in base), 2
        candidate = candidate or "part"
        while candidate in self.ids:
            candidate, number = f"{candidate.rsplit('--', 1)[0]}--{number}", number + 1
        self.ids.add(candidate)
        return candidate

    def inline(self, content: tuple[Inline, ...] | list[Inline]) -> str:
        parts = []
        for node in content:
            if isinstance(node, Text):
                parts.append(escape(node.text, quote=False))
            elif isinstance(node, LineBreak):
                parts.append("<br>")
            elif isinstance(node, Strong):
                parts.append(f"<strong>{self.inline(node.children)}</strong>")
            elif isinstance(node, Emphasis):
                parts.append(f"<em>{self.inline(node.children)}</em>")
            elif isinstance(node, Link):
                shown = self.inline(node.children) if node.children else escape(
                    _display_url(node.url))
                parts.append(f'<a href="{escape(node.url)}">{shown}</a>')
        return "".join(parts)

    # -- blocks --
    def blocks(self, blocks: tuple[Block, ...]) -> None:
        for block in blocks:
            self.block(block)

    def block(self, block: Block) -> None:
        out = self.out
        if isinstance(block, Paragraph):
            out.append(f"<p>{self.inline(block.content)}</p>")
        elif isinstance(block, Heading):
            self.heading(block.level, self.inline(block.content))
        elif isinstance(block, BulletList):
            self.bullet_list(block)
        elif isinstance(block, Callout):
            self.callout(block)
        elif isinstance(block, NotesArea):
            self.notes(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Rule):
            out.append("<hr>")

    def bullet_list(self, block: BulletList) -> None:
        if block.ordered:
            start = f' start="{block.start}"' if block.start != 1 else ""
            self.out.append(f"<ol{start}>")
        else:
            self.out.append("<ul>")
        for item in block.items:
            self.out.append("<li>")
            if len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph):
                self.out.append(self.inline(item.blocks[0].content))
            else:
                self.blocks(item.blocks)
            self.out.append("</li>")
        self.out.append("</ol>" if block.ordered else "</ul>")

    def box_level(self) -> int:
        return 3 if self.in_section else 2

    def callout(self, block: Callout) -> None:
        if not block.title and not block.blocks:
            return
        if block.title:
            heading_id = self.unique_id(f"box-{plain_text(block.title)[:30].lower()}")
            self.out.append(f'<section class="box {block.kind}" '
                            f'aria-labelledby="{heading_id}">')
            self.heading(self.box_level(), self.inline(block.title), heading_id)
        else:
            self.out.append(f'<div class="box {block.kind}">')
        self.blocks(block.blocks)
        self.out.append("</section>" if block.title else "</div>")

    def notes(self, block: NotesArea) -> None:
        self.out.append('<div class="notes">')
        if block.title:
            self.heading(self.box_level(), self.inline(block.title))
        for field in block.fields:
            self.out.append(f'<p class="field"><span>{escape(field, quote=False)}</span>'
                            '<span class="blank" aria-hidden="true"></span></p>')
        if block.lines:
            self.out.append('<div class="lines" aria-hidden="true"></div>')
        self.out.append("</div>")

    def table(self, block: Table) -> None:
        if not block.header and not block.rows:
            return
        self.out.append("<table>")
        if block.header:
            cells = "".join(f'<th scope="col">{self.inline(cell)}</th>' for cell in block.header)
            self.out.append(f"<thead><tr>{cells}</tr></thead>")
        self.out.append("<tbody>")
        width = max([len(block.header), *(len(row) for row in block.rows)])
        for row in block.rows:
            cells = [f"<td>{self.inline(cell)}</td>" for cell in row]
            cells += ["<td></td>"] * (width - len(cells))
            self.out.append(f"<tr>{''.join(cells)}</tr>")
        self.out.append("</tbody></table>")

    # -- the page --
    def page(self) -> str:
        document, clinic, labels = self.document, self.clinic, self.labels
        colours = {"primary": clinic.primary.hex, "accent": clinic.accent.hex,
                   "primary_tint": clinic.primary.tint(0.92).hex,
                   "accent_tint": clinic.accent.tint(0.92).hex}
        logo = base64.b64encode(clinic.logo.png).decode("ascii")
        out = self.out
        out.append(f'<!DOCTYPE html>\n<html lang="{escape(document.lang)}">\n<head>\n'
                   '<meta charset="utf-8">\n'
                   '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                   f"<title>{escape(document.title)} \u2013 {escape(clinic.name)}</title>\n"
                   f'<meta name="description" content="{escape(document.summary)}">\n'
                   f"<style>{_STYLE % colours}</style>\n</head>\n<body>\n<header>\n"
                   f'<img src="data:image/png;base64,{logo}" alt="{escape(clinic.name)}">\n'
                   "</header>\n<main>\n")
        out.append(f"<h1>{escape(document.title, quote=False)}</h1>")
        out.append(f'<p class="lead">{escape(document.summary, quote=False)}</p>')
        self.personal_note()
        self.blocks(document.intro)
        for section in document.sections:
            heading_id = self.unique_id(section.key)
            out.append(f'<section aria-labelledby="{heading_id}">')
            self.heading_level = 1
            self.heading(2, self.inline(section.heading.content), heading_id)
            self.in_section = True
            self.blocks(section.blocks)
            self.in_section = False
            out.append("</section>")
        if document.words_to_know:
            self.listed_section("words-to-know", labels["words_to_know"], "dl", [
                f"<dt>{escape(entry.term)}</dt><dd>{escape(entry.definition)}</dd>"
                for entry in document.words_to_know], css_class="box")
        if document.learn_more:
            self.listed_section("learn-more", labels["learn_more"], "ul", [
                f'<li>{escape(link.label)}: <a href="{escape(link.url)}">'
                f"{escape(_display_url(link.url))}</a></li>" for link in document.learn_more])
        out.append("</main>\n<footer>")
        self.closing()
        out.append("</footer>\n</body>\n</html>\n")
        return "\n".join(out)

    def listed_section(self, key: str, title: str, tag: str, items: list[str],
                       css_class: str = "") -> None:
        """A back-matter section: its heading, then one list (items already marked up)."""
        self.heading_level = 1
        attribute = f' class="{css_class}"' if css_class else ""
        self.out.append(f'<section{attribute} aria-labelledby="{key}">')
        self.heading(2, escape(title), key)
        self.out.append(f"<{tag}>")
        self.out.extend(items)
        self.out.append(f"</{tag}></section>")

    def personal_note(self) -> None:
        document, labels = self.document, self.labels
        rows = []
        if document.prepared_for:
            rows.append(f"<p><strong>{escape(labels['prepared_for'])}</strong> "
                        f"{escape(document.prepared_for)}</p>")
        if document.clinician_note:
            rows.append(f"<p><strong>{escape(labels['note_from'])}</strong> "
                        f"{escape(document.clinician_note)}</p>")
        if rows:
            self.out.append('<div class="box note">' + "".join(rows) + "</div>")

    def closing(self) -> None:
        document, clinic, labels, out = self.document, self.clinic, self.labels, self.out
        self.heading_level = 1
        out.append('<section class="box contact" aria-labelledby="contact">')
        self.heading(2, escape(labels["contact"]), "contact")
        address = "<br>".join(escape(line) for line in clinic.address)
        out.append(f"<address><strong>{escape(clinic.name)}</strong><br>{address}</address>")
        lines = [f"<strong>{escape(labels['phone'])}</strong> "
                 f'<a href="tel:{_tel(clinic.phone)}">{escape(clinic.phone)}</a>']
        if clinic.after_hours:
            lines.append(f"<strong>{escape(labels['after_hours'])}</strong> "
                         f'<a href="tel:{_tel(clinic.after_hours)}">'
                         f"{escape(clinic.after_hours)}</a>")
        if clinic.website:
            lines.append(f"<strong>{escape(labels['website'])}</strong> "
                         f'<a href="{escape(clinic.website)}">'
                         f"{escape(_display_url(clinic.website))}</a>")
        out.append("<p>" + "<br>".join(lines) + "</p>")
        note = clinic.footer_note(document.lang)
        if note:
            out.append(f"<p><em>{escape(note)}</em></p>")
        out.append("</section>")
        cited, note = citations(document.sources, document.lang, labels)
        sources = "; ".join(_cited(c) for c in cited) + (f". {escape(note)}" if note else "")
        out.append(f'<p class="small"><strong>{escape(labels["sources"])}</strong> '
                   f"{sources}</p>")
        reviewed = labels["reviewed"].replace("{reviewer}", document.reviewed_by).replace(
            "{date}", month_year(document.reviewed, document.lang))
        out.append(f'<p class="small">{escape(reviewed)} {escape(labels["printed"])} '
                   f"{escape(long_date(document.generated, document.lang))}. "
                   f"{escape(labels['form'])} {escape(document.form_id)}</p>")
        for block in document.copyright + document.disclaimer:
            if isinstance(block, Paragraph | Heading):
                out.append(f'<p class="small">{self.inline(block.content)}</p>')
            else:
                self.block(block)


def _cited(cited: Citation) -> str:
    """A source as the PDF prints it (handouts/document/citations.py), its address a link."""
    if not cited.url:
        return escape(cited.text)
    return (f'{escape(cited.text)}, <a href="{escape(cited.url)}">'
            f"{escape(cited.address)}</a>")


def _display_url(url: str) -> str:
    for prefix in ("https://", "http://", "mailto:", "tel:"):
        if url.lower().startswith(prefix):
            return url[len(prefix):].rstrip("/")
    return url


def _tel(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit() or c == "+")


def render_html(document: Document, clinic: Clinic) -> str:
    """The handout as one self-contained, accessible HTML page (UTF-8 text)."""
    return _Writer(document, clinic).page()
