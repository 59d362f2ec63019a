"""Turning inline content into ReportLab paragraph markup: escaped, with font fallback."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .errors import Warnings
from .fonts import FALLBACK_FAMILY, REPLACEMENT, FontFamily, family, split_by_face
from .model import Emphasis, Inline, LineBreak, Link, Strong, Text, plain_text


class InlineWriter:
    """Every character of text is escaped: content can never become ReportLab markup."""

    def __init__(self, family: FontFamily, link_colour: str, warnings: Warnings,
                 show_urls: bool = True):
        self.family = family
        self.link_colour = link_colour
        self.warnings = warnings
        self.show_urls = show_urls
        self.missing: set[str] = set()
        self._bold = 0
        self._italic = 0

    def markup(self, content: tuple[Inline, ...] | list[Inline]) -> str:
        return "".join(self._node(node) for node in content).strip()

    def text(self, text: str) -> str:
        """Markup for plain text (a label, a name, a phone number)."""
        return self._text(text)

    def _node(self, node: Inline) -> str:
        if isinstance(node, Text):
            return self._text(node.text)
        if isinstance(node, LineBreak):
            return "<br/>"
        if isinstance(node, Strong):
            self._bold += 1
            try:
                return f"<b>{self.markup(node.children)}</b>"
            finally:
                self._bold -= 1
        if isinstance(node, Emphasis):
            self._italic += 1
            try:
                return f"<i>{self.markup(node.children)}</i>"
            finally:
                self._italic -= 1
        if isinstance(node, Link):
            return self._link(node)
        raise TypeError(f"unknown inline node {node!r}")

    def _link(self, node: Link) -> str:
        label = self.markup(node.children) or self._text(node.url)
        shown = plain_text(node.children).strip()
        address = node.url.split(":", 1)[1].lstrip("/") if ":" in node.url else node.url
        suffix = ""
        if self.show_urls and shown.rstrip("/") != address.rstrip("/") and shown != node.url:
            # on paper a reader cannot click: print where the link goes
            suffix = f" ({self._text(address)})"
        return (f"<a href={quoteattr(node.url)} color={quoteattr(self.link_colour)}>"
                f"{label}</a>{suffix}")

    def _text(self, text: str) -> str:
        text = " ".join(text.replace("\t", " ").split("\n"))
        out = []
        for run, face_family in split_by_face(text, self.family):
            if face_family is self.family:
                out.append(escape(run))
                continue
            if face_family is None:
                self.missing.update(run)
                run = REPLACEMENT * len(run)
                face_family = family(FALLBACK_FAMILY)
            # name the exact face: a <font> tag resets ReportLab's bold and italic
            out.append(f'<font name="{face_family.face(self._style())}">{escape(run)}</font>')
        return "".join(out)

    def _style(self) -> str:
        if self._bold and self._italic:
            return "bolditalic"
        return "bold" if self._bold else "italic" if self._italic else "regular"

    def report_missing(self) -> None:
        if self.missing:
            shown = " ".join(f"{c} (U+{ord(c):04X})" for c in sorted(self.missing)[:12])
            self.warnings.add(f"no embedded font has these characters; printed as "
                              f"{REPLACEMENT}: {shown}")
