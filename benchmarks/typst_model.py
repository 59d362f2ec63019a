"""The same document model as a Typst source, for timing Typst on identical content.

Like html_model.py for WeasyPrint: two columns, the title across both, boxes, a notes
area, a header with the clinic's name and a footer with the title, phone and "Page N of
M", in the clinic's font, with hyphenation on (Typst kerns by default). No logo, as in
the HTML version. Text goes in as Typst string literals, so nothing in it is markup.
"""

from __future__ import annotations

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


def literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def inline(content) -> str:
    out = []
    for node in content:
        if isinstance(node, Text):
            out.append(f"#{literal(node.text)}")
        elif isinstance(node, LineBreak):
            out.append("#linebreak()")
        elif isinstance(node, Strong):
            out.append(f"#strong[{inline(node.children)}]")
        elif isinstance(node, Emphasis):
            out.append(f"#emph[{inline(node.children)}]")
        elif isinstance(node, Link):
            out.append(f"#link({literal(node.url)})[{inline(node.children)}]")
    return "".join(out)


def block(node: Block) -> str:
    if isinstance(node, Paragraph):
        return inline(node.content) + "\n\n"
    if isinstance(node, Heading):
        return f"#heading(level: {node.level})[{inline(node.content)}]\n"
    if isinstance(node, BulletList):
        function = "enum" if node.ordered else "list"
        items = ", ".join(f"[{''.join(block(b) for b in item.blocks).strip()}]"
                          for item in node.items)
        return f"#{function}({items})\n"
    if isinstance(node, Callout):
        colour = "emergency" if node.kind == "emergency" else "primary"
        tint = "emergency-tint" if node.kind == "emergency" else "tint"
        return (f"#block(breakable: false, width: 100%, fill: {tint}, inset: (x: 12pt, y: 10pt),"
                f" stroke: (left: 5pt + {colour}))[#strong[{inline(node.title)}]\n\n"
                f"{''.join(block(b) for b in node.blocks)}]\n")
    if isinstance(node, NotesArea):
        fields = "".join(f"#{literal(f)}: #box(width: 1fr, stroke: (bottom: 0.7pt + luma(184)))"
                         "\n\n" for f in node.fields)
        return (f"#heading(level: 3)[{inline(node.title)}]\n{fields}"
                f"#for _ in range({node.lines}) [#v(22pt) #line(length: 100%, "
                "stroke: 0.7pt + luma(184))]\n")
    if isinstance(node, Table):
        cells = [f"[#strong[{inline(c)}]]" for c in node.header]
        cells += [f"[{inline(c)}]" for row in node.rows for c in row]
        columns = max([len(node.header)] + [len(row) for row in node.rows])
        return f"#table(columns: {columns}, {', '.join(cells)})\n"
    if isinstance(node, Rule):
        return "#line(length: 100%, stroke: 0.5pt + luma(184))\n"
    return ""


def to_typst(document: Document, clinic: Clinic, layout: Layout, family: str,
             variant: int = 0) -> str:
    """variant != 0 changes the letter spacing by a millionth of a point: invisible, yet a
    source Typst has not laid out before (its memoised layout cannot be reused)."""
    body = [block(b) for b in document.intro]
    for section in document.sections:
        body.append(block(section.heading))
        body += [block(b) for b in section.blocks]
    address = "".join(f"#linebreak()#{literal(line)}" for line in clinic.address)
    body.append(f"#block(breakable: false, width: 100%, fill: tint, inset: (x: 12pt, y: 10pt),"
                f" stroke: (left: 5pt + primary))[#strong[#{literal(document.labels['contact'])}]"
                f"\n\n#strong[#{literal(clinic.name)}]{address}\n\n#{literal(clinic.phone)}]\n")
    body += [f"#text(size: {layout.small_size}pt, fill: luma(74))[{block(b)}]"
             for b in document.copyright + document.disclaimer]
    h2, h3 = layout.heading_sizes[0], layout.heading_sizes[1]
    return f"""
#let primary = rgb("{clinic.primary.hex}")
#let accent = rgb("{clinic.accent.hex}")
#let tint = rgb("#EAF0F6")
#let emergency = rgb("#A8231B")
#let emergency-tint = rgb("#FCEDEB")
#set document(title: {literal(document.title)})
#set page(width: {layout.page_width}pt, height: {layout.page_height}pt,
  margin: (top: {layout.margin_top + 30}pt, bottom: {layout.margin_bottom}pt,
           left: {layout.margin_left}pt, right: {layout.margin_right}pt),
  columns: {layout.columns},
  header: block(width: 100%, stroke: (bottom: 1.2pt + accent), inset: (bottom: 4pt))[
    #text(fill: primary, weight: "bold", size: 12pt)[#{literal(clinic.name)}]],
  footer: context text(size: 9.5pt, fill: luma(74))[
    #{literal(document.title)} • #{literal(clinic.phone)} #h(1fr)
    #strong[Page #counter(page).display() of #counter(page).final().first()]])
#set columns(gutter: {layout.column_gap}pt)
#set text(font: {literal(family)}, size: {layout.body_size}pt, lang: {literal(document.lang)},
  hyphenate: true, fill: rgb("#1A1A1A"), tracking: {variant * 1e-6:.6f}pt,
  top-edge: 1em, bottom-edge: 0pt)
#let gap = {layout.body_leading - layout.body_size:.2f}pt
#set par(leading: gap, spacing: gap + {layout.body_size * 0.65:.2f}pt)
#show heading: set block(above: {layout.body_size * 1.3:.2f}pt + gap,
                         below: {layout.body_size * 0.5:.2f}pt + gap)
#show heading: set text(fill: primary)
#show heading.where(level: 2): set text(size: {h2}pt)
#show heading.where(level: 3): set text(size: {h3}pt)
#place(top, float: true, scope: "parent")[
  #text(size: {layout.title_size}pt, weight: "bold", fill: primary)[#{literal(document.title)}]
  #v(4pt)
  #text(size: {layout.body_size * 1.15:.2f}pt)[#{literal(document.summary)}]
]
{"".join(body)}
"""
