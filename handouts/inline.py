"""Turning inline content into ReportLab paragraph markup: escaped, with font fallback."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .errors import Warnings
from .fonts import REPLACEMENT, FontFamily, split_by_face
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
            return f"<b>{self.markup(node.children)}</b>"
        if isinstance(node, Emphasis):
            return f"<i>{self.markup(node.children)}</i>"
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
            elif face_family is None:
                self.missing.update(run)
                fallback = "".join(REPLACEMENT for _ in run)
                out.append(f'<font name="NotoSans">{fallback}</font>')
            else:
                out.append(f'<font name="{face_family.key}">{escape(run)}</font>')
        return "".join(out)

    def report_missing(self) -> None:
        if self.missing:
            shown = " ".join(f"{c} (U+{ord(c):04X})" for c in sorted(self.missing)[:12])
            self.warnings.add(f"no embedded font has these characters; printed as "
                              f"{REPLACEMENT}: {shown}")
