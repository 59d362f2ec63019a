"""The same document model as HTML + CSS, for timing WeasyPrint on identical content."""

from __future__ import annotations

from html import escape

from handouts.document.model import (
    Block,
    BulletList,
    Callout,
    Document,
    Emphasis,
    Heading,
    LineBreak,
    Link,
    NotesArea,
    Paragraph,
    Rule,
    Strong,
    Table,
    Text,
)
from handouts.inputs.clinics import Clinic
from handouts.inputs.layouts import Layout
from handouts.layout.fonts import family


def inline(content) -> str:
    out = []
    for node in content:
        if isinstance(node, Text):
            out.append(escape(node.text))
        elif isinstance(node, LineBreak):
            out.append("<br>")
        elif isinstance(node, Strong):
            out.append(f"<strong>{inline(node.children)}</strong>")
        elif isinstance(node, Emphasis):
            out.append(f"<em>{inline(node.children)}</em>")
        elif isinstance(node, Link):
            out.append(f'<a href="{escape(node.url)}">{inline(node.children)}</a>')
    return "".join(out)


def block(node: Block) -> str:
    if isinstance(node, Paragraph):
        return f"<p>{inline(node.content)}</p>"
    if isinstance(node, Heading):
        return f"<h{node.level}>{inline(node.content)}</h{node.level}>"
    if isinstance(node, BulletList):
        tag = "ol" if node.ordered else "ul"
        items = "".join(f"<li>{''.join(block(b) for b in item.blocks)}</li>"
                        for item in node.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(node, Callout):
        return (f'<div class="box {node.kind}"><p class="box-title">{inline(node.title)}</p>'
                f"{''.join(block(b) for b in node.blocks)}</div>")
    if isinstance(node, NotesArea):
        fields = "".join(f'<p class="field">{escape(f)}</p>' for f in node.fields)
        lines = '<div class="line"></div>' * node.lines
        return f'<div class="notes"><h3>{inline(node.title)}</h3>{fields}{lines}</div>'
    if isinstance(node, Table):
        rows = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>"
                       for row in node.rows)
        return f"<table>{rows}</table>"
    if isinstance(node, Rule):
        return "<hr>"
    return ""


def to_html(document: Document, clinic: Clinic, layout: Layout) -> str:
    fonts = family(clinic.font).files
    body = [f"<h1>{escape(document.title)}</h1>", f'<p class="lead">{escape(document.summary)}</p>']
    body.append('<div class="columns">')
    body += [block(b) for b in document.intro]
    for section in document.sections:
        body.append(f"<h2>{inline(section.heading.content)}</h2>")
        body += [block(b) for b in section.blocks]
    body.append('<div class="closing"><div class="box call"><p class="box-title">'
                f'{escape(document.labels["contact"])}</p><p><strong>{escape(clinic.name)}'
                f'</strong><br>{"<br>".join(escape(a) for a in clinic.address)}</p>'
                f"<p>{escape(clinic.phone)}</p></div>")
    body += [f'<div class="small">{block(b)}</div>'
             for b in document.copyright + document.disclaimer]
    body.append("</div></div>")
    primary, accent = clinic.primary.hex, clinic.accent.hex
    css = f"""
@font-face {{ font-family: Body; src: url("file://{fonts['regular']}"); }}
@font-face {{ font-family: Body; font-weight: bold; src: url("file://{fonts['bold']}"); }}
@font-face {{ font-family: Body; font-style: italic; src: url("file://{fonts['italic']}"); }}
@page {{
  size: {layout.page_width}pt {layout.page_height}pt;
  margin: {layout.margin_top + 30}pt {layout.margin_right}pt {layout.margin_bottom}pt
          {layout.margin_left}pt;
  @top-left {{ content: "{escape(clinic.name)}"; color: {primary}; font: bold 12pt Body;
               border-bottom: 1.2pt solid {accent}; }}
  @bottom-left {{ content: "{escape(document.title)} \\2022 {escape(clinic.phone)}";
                  font: 9.5pt Body; color: #4A4A4A; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font: bold 9.5pt Body;
                   color: #4A4A4A; }}
}}
body {{ font-family: Body; font-size: {layout.body_size}pt; line-height: {layout.body_leading}pt;
        color: #1A1A1A; orphans: 2; widows: 2; }}
h1 {{ color: {primary}; font-size: {layout.title_size}pt; line-height: 1.15; margin: 0 0 8pt; }}
h2 {{ color: {primary}; font-size: {layout.heading_sizes[0]}pt; break-after: avoid;
      margin: 16pt 0 6pt; }}
h3 {{ font-size: {layout.heading_sizes[1]}pt; break-after: avoid; }}
.lead {{ font-size: {layout.body_size * 1.15}pt; }}
ul, ol {{ padding-left: 18pt; }} li::marker {{ color: {accent}; }}
.box {{ break-inside: avoid; padding: 10pt 12pt; border-left: 5pt solid {primary};
        background: #EAF0F6; margin: 8pt 0; }}
.box.emergency {{ border-color: #A8231B; background: #FCEDEB; }}
.box-title {{ font-weight: bold; }}
.notes .line {{ border-bottom: 0.7pt solid #B8B8B8; height: 33pt; }}
.closing {{ break-inside: avoid; }}
.columns {{ column-count: {layout.columns}; column-gap: {layout.column_gap}pt; }}
.small {{ font-size: {layout.small_size}pt; line-height: 1.35; color: #4A4A4A; }}
"""
    return (f'<!doctype html><html lang="{document.lang}"><head><meta charset="utf-8">'
            f"<title>{escape(document.title)}</title><style>{css}</style></head>"
            f"<body>{''.join(body)}</body></html>")
