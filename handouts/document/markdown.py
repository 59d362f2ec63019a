"""Parsing Markdown (CommonMark via markdown-it-py) into the document model."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from handouts.document.model import (
    CALLOUT_KINDS,
    Block,
    BulletList,
    Callout,
    Emphasis,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListItem,
    NotesArea,
    Paragraph,
    Rule,
    Section,
    Strong,
    Table,
    Text,
    plain_text,
)
from handouts.errors import HandoutsError
from handouts.inputs.urls import safe_url

# Raw HTML is off: "<b>" or "<img src=...>" in content stays the literal text typed.
_PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 40}).enable("table")
_SECTION_KEY = re.compile(r"\s*\{#([a-z0-9][a-z0-9-]*)\}\s*$")
_CALLOUT = re.compile(r"^\[!([A-Za-z]+)\][ \t]*")
MAX_LIST_DEPTH = 6  # deeper lists are drawn at this depth (README, "Limits")
NOTES_LINES = 6


def parse_sections(text: str, path: Path) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
    """A content file: blocks before the first section, then sections opened by
    '## Heading {#key}'."""
    converter = _Converter(path)
    intro: list[Block] = []
    sections: list[tuple[str, Heading, list[Block]]] = []
    for node in _parse(text, path).children:
        if node.type == "heading" and node.tag == "h2":
            heading = converter.heading(node)
            key = _section_key(node, heading, path)
            sections.append((key, Heading(2, _strip_key(heading.content)), []))
        elif node.type == "heading" and node.tag == "h1":
            raise converter.error(node, "use '## Heading {#key}' for sections; the title "
                                  "comes from topic.toml")
        else:
            target = sections[-1][2] if sections else intro
            target.extend(converter.blocks([node]))
    return tuple(intro), tuple(Section(k, h, tuple(b)) for k, h, b in sections)


def parse_blocks(text: str, path: Path) -> tuple[Block, ...]:
    """A short block of text (copyright, disclaimer): any Markdown, no sections."""
    return tuple(_Converter(path).blocks(_parse(text, path).children))


def _parse(text: str, path: Path) -> SyntaxTreeNode:
    try:
        return SyntaxTreeNode(_PARSER.parse(text))
    except Exception as error:  # markdown-it never should, but a person gets one line
        raise HandoutsError(f"cannot parse the Markdown ({error})", path) from None


def _section_key(node: SyntaxTreeNode, heading: Heading, path: Path) -> str:
    match = _SECTION_KEY.search(plain_text(heading.content))
    if not match:
        line = node.map[0] + 1 if node.map else "?"
        raise HandoutsError(
            f"line {line}: section heading '{plain_text(heading.content)}' needs a key, "
            "like '## What is it? {#what-it-is}'", path)
    return match.group(1)


def _strip_key(content: tuple[Inline, ...]) -> tuple[Inline, ...]:
    last = content[-1]
    if isinstance(last, Text):
        stripped = _SECTION_KEY.sub("", last.text).rstrip()
        return content[:-1] + ((Text(stripped),) if stripped else ())
    return content


class _Converter:
    def __init__(self, path: Path):
        self.path = path

    def error(self, node: SyntaxTreeNode, problem: str) -> HandoutsError:
        line = f"line {node.map[0] + 1}: " if node.map else ""
        return HandoutsError(f"{line}{problem}", self.path)

    # -- blocks --
    def blocks(self, nodes: list[SyntaxTreeNode], depth: int = 0) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            kind = node.type
            if kind == "paragraph":
                content = self.inline_of(node)
                if content:
                    out.append(Paragraph(content))
            elif kind == "heading":
                out.append(self.heading(node))
            elif kind in ("bullet_list", "ordered_list"):
                out.append(self.list_block(node, depth))
            elif kind == "blockquote":
                out.append(self.callout(node, depth))
            elif kind in ("code_block", "fence", "html_block"):
                for line in node.content.strip("\n").split("\n"):
                    if line.strip():
                        out.append(Paragraph((Text(line),)))
            elif kind == "hr":
                out.append(Rule())
            elif kind == "table":
                out.append(self.table(node))
            else:  # a construct we do not draw: keep its text rather than lose it
                text = node.content if hasattr(node, "content") else ""
                if text.strip():
                    out.append(Paragraph((Text(text),)))
        return out

    def heading(self, node: SyntaxTreeNode) -> Heading:
        level = min(int(node.tag[1]), 4)
        return Heading(level, self.inline_of(node))

    def list_block(self, node: SyntaxTreeNode, depth: int) -> BulletList:
        items = []
        for item in node.children:
            blocks = self.blocks(item.children, depth + 1)
            if depth + 1 >= MAX_LIST_DEPTH:
                blocks = _flatten_lists(blocks)
            items.append(ListItem(tuple(blocks)))
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        return BulletList(tuple(items), ordered=ordered, start=start)

    def callout(self, node: SyntaxTreeNode, depth: int) -> Block:
        children = list(node.children)
        kind, title = "tip", ()
        if children and children[0].type == "paragraph":
            first = self.inline_of(children[0])
            marker = _CALLOUT.match(first[0].text) if first and isinstance(first[0], Text) else None
            if marker:
                kind = marker.group(1).lower()
                rest = (Text(first[0].text[marker.end():]),) + first[1:]
                title, body_start = _split_first_line(rest)
                children = children[1:]
                body = [Paragraph(body_start)] if body_start else []
                if kind == "notes":
                    return self.notes(title, children)
                if kind not in CALLOUT_KINDS:
                    raise self.error(node, f"unknown box '[!{marker.group(1)}]'; use one of "
                                     + ", ".join(f"[!{k.upper()}]" for k in
                                                 CALLOUT_KINDS + ("notes",)))
                return Callout(kind, title, tuple(body + self.blocks(children, depth)))
        return Callout(kind, title, tuple(self.blocks(children, depth)))

    def notes(self, title: tuple[Inline, ...], nodes: list[SyntaxTreeNode]) -> NotesArea:
        fields: list[str] = []
        for block in self.blocks(nodes):
            if isinstance(block, BulletList):
                for item in block.items:
                    fields.extend(plain_text(b.content) for b in item.blocks
                                  if isinstance(b, Paragraph))
            elif isinstance(block, Paragraph):
                fields.append(plain_text(block.content))
        return NotesArea(title, tuple(f for f in fields if f.strip()), NOTES_LINES)

    def table(self, node: SyntaxTreeNode) -> Table:
        header: tuple[tuple[Inline, ...], ...] = ()
        rows = []
        for part in node.children:
            for row in part.children:
                cells = tuple(self.inline_of(cell) for cell in row.children)
                if part.type == "thead":
                    header = cells
                else:
                    rows.append(cells)
        return Table(header, tuple(rows))

    # -- inline --
    def inline_of(self, node: SyntaxTreeNode) -> tuple[Inline, ...]:
        inline = node.children[0] if node.children and node.children[0].type == "inline" else None
        return tuple(self.inlines(inline.children)) if inline is not None else ()

    def inlines(self, nodes: list[SyntaxTreeNode]) -> list[Inline]:
        out: list[Inline] = []
        for node in nodes:
            kind = node.type
            if kind in ("text", "code_inline", "html_inline"):
                _append_text(out, node.content)
            elif kind == "softbreak":  # kept as a line end so a box title can end there
                _append_text(out, "\n")
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "strong":
                out.append(Strong(tuple(self.inlines(node.children))))
            elif kind == "em":
                out.append(Emphasis(tuple(self.inlines(node.children))))
            elif kind == "link":
                children = self.inlines(node.children)
                url = safe_url(str(node.attrs.get("href", "")))
                if url:
                    out.append(Link(url, tuple(children)))
                else:
                    out.extend(children)
            elif kind == "image":  # never load a file named in content: keep the alt text
                _append_text(out, plain_text(self.inlines(node.children)))
            else:
                _append_text(out, node.content or "")
        return out


def _append_text(out: list[Inline], text: str) -> None:
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    elif text:
        out.append(Text(text))


def _split_first_line(content: tuple[Inline, ...]) -> tuple[tuple[Inline, ...], tuple[Inline, ...]]:
    """The callout title is the rest of the marker's line; later lines are body text."""
    for index, node in enumerate(content):
        if isinstance(node, LineBreak):
            return content[:index], content[index + 1:]
    # markdown-it turned the line end into a space inside a text run: find it again
    title: list[Inline] = []
    for index, node in enumerate(content):
        if isinstance(node, Text) and "\n" in node.text:
            head, tail = node.text.split("\n", 1)
            return tuple(title + [Text(head)]), (Text(tail),) + content[index + 1:]
        title.append(node)
    return content, ()


def _flatten_lists(blocks: list[Block]) -> list[Block]:
    flat: list[Block] = []
    for block in blocks:
        if isinstance(block, BulletList):
            for item in block.items:
                flat.extend(_flatten_lists(list(item.blocks)))
        else:
            flat.append(block)
    return flat
