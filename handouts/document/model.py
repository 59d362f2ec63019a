"""The document model: plain dataclasses between parsing and layout (or any other renderer)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from handouts.inputs.topics import LinkItem, Source  # noqa: F401  (part of the model)

# ---- inline content -------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    url: str  # only http, https, mailto and tel ever reach here
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Text | Strong | Emphasis | Link | LineBreak

# ---- blocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int  # 2 = section heading, 3 and below = sub-headings
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    ordered: bool = False
    start: int = 1


CALLOUT_KINDS = ("emergency", "call", "tip", "important", "keypoints")


@dataclass(frozen=True)
class Callout:
    """A box: 'emergency' (call 911), 'call' (call your care team), 'tip', 'important',
    'keypoints' (the short summary a handout opens with)."""

    kind: str
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class NotesArea:
    """Space to write on: labelled fields (Next appointment: ____) and ruled lines."""

    title: tuple[Inline, ...]
    fields: tuple[str, ...]
    lines: int


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]


@dataclass(frozen=True)
class Rule:
    pass


Block = Heading | Paragraph | BulletList | Callout | NotesArea | Table | Rule

# ---- the document ---------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    heading: Heading
    blocks: tuple[Block, ...]
    adapted: bool = False  # the clinic's own text, replacing or added to the shipped one


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str


@dataclass(frozen=True)
class Document:
    """Everything one handout says, in reading order, independent of page and paper."""

    topic: str
    title: str
    summary: str
    lang: str
    level: str
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]
    learn_more: tuple[LinkItem, ...]
    sources: tuple[Source, ...]
    copyright: tuple[Block, ...]
    disclaimer: tuple[Block, ...]
    reviewed: _dt.date
    generated: _dt.date
    labels: dict[str, str] = field(default_factory=dict)
    words_to_know: tuple[GlossaryEntry, ...] = ()
    prepared_for: str | None = None
    clinician_note: str | None = None
    keywords: tuple[str, ...] = ()
    reviewed_by: str = ""
    # Which text this is, printed and in the metadata: "BM-ES-EASY \u00b7 2026-11 \u00b7 7f3a9c"
    # (topic's form code, language, level, review month, digest of the rendered content).
    form_id: str = ""
    content_digest: str = ""  # the full digest behind form_id's six characters
    adapted_by: str | None = None  # the clinic whose own sections this handout carries

    @property
    def adapted_sections(self) -> tuple[str, ...]:
        return tuple(section.key for section in self.sections if section.adapted)


def plain_text(content: tuple[Inline, ...] | list[Inline]) -> str:
    """The characters a reader sees in some inline content."""
    parts: list[str] = []
    for node in content:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        else:
            parts.append(plain_text(node.children))
    return "".join(parts)
