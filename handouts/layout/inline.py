"""Turning inline content into runs of text to set: plain text only, with font fallback."""

from __future__ import annotations

from pathlib import Path

from handouts.document.model import Emphasis, Inline, LineBreak, Link, Strong, Text, plain_text
from handouts.errors import HandoutsError, Warnings
from handouts.layout.fonts import REPLACEMENT, FontFamily, drawable_runs, shaped_text_at
from handouts.layout.typeset import LINE_BREAK, Run


class InlineWriter:
    """Text stays text: nothing in content is ever read as markup by the layout."""

    def __init__(self, family: FontFamily, warnings: Warnings, show_urls: bool = True,
                 source: Path | None = None):
        self.family = family
        self.source = source  # the file most text comes from, named in errors
        self.warnings = warnings
        self.show_urls = show_urls
        self.missing: set[str] = set()
        self._bold = False
        self._italic = False
        self._link: str | None = None

    def runs(self, content: tuple[Inline, ...] | list[Inline]) -> list[Run]:
        out: list[Run] = []
        for node in content:
            self._node(node, out)
        return out

    def text(self, text: str, bold: bool = False, italic: bool = False) -> list[Run]:
        """Runs for plain text (a label, a name, a phone number)."""
        out: list[Run] = []
        self._bold, self._italic = bold, italic
        try:
            self._text(text, out)
        finally:
            self._bold = self._italic = False
        return out

    def lines(self, *lines: list[Run]) -> list[Run]:
        """Runs that each start a new line."""
        out: list[Run] = []
        for index, line in enumerate(lines):
            if index:
                out.append(LINE_BREAK)
            out.extend(line)
        return out

    def _node(self, node: Inline, out: list[Run]) -> None:
        if isinstance(node, Text):
            self._text(node.text, out)
        elif isinstance(node, LineBreak):
            out.append(LINE_BREAK)
        elif isinstance(node, Strong | Emphasis):
            attribute = "_bold" if isinstance(node, Strong) else "_italic"
            outer = getattr(self, attribute)
            setattr(self, attribute, True)
            try:
                for child in node.children:
                    self._node(child, out)
            finally:
                setattr(self, attribute, outer)
        elif isinstance(node, Link):
            self._link_runs(node, out)
        else:
            raise TypeError(f"unknown inline node {node!r}")

    def _link_runs(self, node: Link, out: list[Run]) -> None:
        outer, self._link = self._link, node.url
        try:
            if node.children:
                for child in node.children:
                    self._node(child, out)
            else:
                self._text(node.url, out)
        finally:
            self._link = outer
        shown = plain_text(node.children).strip()
        address = node.url.split(":", 1)[1].lstrip("/") if ":" in node.url else node.url
        if self.show_urls and shown.rstrip("/") != address.rstrip("/") and shown != node.url:
            # on paper a reader cannot click: print where the link goes
            self._text(f" ({address})", out)

    def _text(self, text: str, out: list[Run]) -> None:
        text = " ".join(text.replace("\t", " ").split("\n"))
        found = shaped_text_at(text)
        if found:
            where, script = found
            shown = " ".join(text[where:].split())[:16]
            raise HandoutsError(
                f"text in the {script} script (\u201c{shown}\u201d) cannot be printed yet: its "
                f"letters need joining or reordering (shaping), which handouts does not do, "
                f"so it would print as wrong words. Take it out, or print this handout in a "
                f"language written in Latin, Greek or Cyrillic letters", self.source)
        for run, face_family, missing in drawable_runs(text, self.family):
            self.missing.update(missing)
            out.append(Run(run, self._bold, self._italic,
                           None if face_family is self.family else face_family, self._link))

    def report_missing(self) -> None:
        if self.missing:
            shown = " ".join(f"{c} (U+{ord(c):04X})" for c in sorted(self.missing)[:12])
            self.warnings.add(f"no embedded font has these characters; printed as "
                              f"{REPLACEMENT}: {shown}")
