"""Registering the embedded font families once, and choosing a face for every character."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, makeToUnicodeCMap

from handouts.inputs.font_names import FONT_FAMILIES

_BUNDLED = Path(__file__).parent / "font_files"
FALLBACK_FAMILY = "Noto Sans"
REPLACEMENT = "\ufffd"
_STYLES = ("regular", "bold", "italic", "bolditalic")


@dataclass(frozen=True, eq=False)  # one object per family (see family()), hashed by identity
class FontFamily:
    name: str
    files: dict[str, Path]  # style -> TrueType file

    @functools.cached_property
    def key(self) -> str:
        return "".join(ch for ch in self.name if ch.isalnum())

    def face(self, style: str = "regular") -> str:
        """The ReportLab font name of one style of this family (registering it if needed)."""
        return _face(self, style)


@functools.cache
def _face(font_family: FontFamily, style: str) -> str:
    register(font_family)
    return f"{font_family.key}-{style}"


def _atkinson() -> dict[str, Path]:
    import fontpkg_atkinson_hyperlegible as package

    folder = Path(package.ROOT) / "files"
    stem = "AtkinsonHyperlegible"
    return {"regular": folder / f"{stem}-Regular.ttf", "bold": folder / f"{stem}-Bold.ttf",
            "italic": folder / f"{stem}-Italic.ttf",
            "bolditalic": folder / f"{stem}-BoldItalic.ttf"}


def _noto() -> dict[str, Path]:
    folder = _BUNDLED / "noto-sans"
    return {"regular": folder / "NotoSans-Regular.ttf", "bold": folder / "NotoSans-Bold.ttf",
            "italic": folder / "NotoSans-Italic.ttf",
            "bolditalic": folder / "NotoSans-BoldItalic.ttf"}


_FAMILIES = {"Atkinson Hyperlegible": _atkinson, "Noto Sans": _noto}
assert set(_FAMILIES) == set(FONT_FAMILIES), "inputs/font_names.py and the files disagree"


def subset_tag(font_digest: bytes, subset: list[int]) -> str:
    """Six capital letters naming one subset of one font file: derived from the file and
    the characters in the subset (in their order, which is the subset's encoding), so the
    same subset always gets the same tag and different subsets get different ones."""
    digest = hashlib.sha256(font_digest + ",".join(map(str, subset)).encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(6):
        number, letter = divmod(number, 26)
        letters.append(chr(ord("A") + letter))
    return "".join(letters)


class TaggedTTFont(TTFont):
    """A TrueType font whose subsets are tagged from their contents.

    ReportLab tags every document's first subset AAAAAA+, its second AAAAAB+ and so on:
    unique within one file, but a print pack that merges handouts then holds several
    different subsets under one name, which PDF forbids and some printers trip over
    (they reuse a font by name and print the wrong letters)."""

    @functools.cached_property
    def file_digest(self) -> bytes:
        return hashlib.sha256(self.face._ttf_data).digest()

    def addObjects(self, doc) -> None:  # noqa: N802 (ReportLab's name)
        """ReportLab's TTFont.addObjects, with the tag from subset_tag."""
        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        for number, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(number, doc)[1:]
            base_font_name = (subset_tag(self.file_digest, subset) + "+"
                              + (self.face.name + self.face.subfontNameX).decode("pdfdoc"))
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {number}"
            font.Name = internal_name
            font.BaseFont = base_font_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            cmap = pdfdoc.PDFStream()
            cmap.content = makeToUnicodeCMap(base_font_name, subset)
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_font_name)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base_font_name, subset)
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


def known_families() -> list[str]:
    return sorted(_FAMILIES)


@functools.cache
def family(name: str) -> FontFamily:
    return FontFamily(name, _FAMILIES[name]())


@functools.cache
def register(font_family: FontFamily) -> None:
    """Register the four faces with ReportLab (the one global registry, touched once each)."""
    for style in _STYLES:
        pdfmetrics.registerFont(TaggedTTFont(f"{font_family.key}-{style}",
                                             str(font_family.files[style])))
    key = font_family.key
    addMapping(key, 0, 0, f"{key}-regular")
    addMapping(key, 1, 0, f"{key}-bold")
    addMapping(key, 0, 1, f"{key}-italic")
    addMapping(key, 1, 1, f"{key}-bolditalic")
    # ReportLab also maps <b>/<i> inside a paragraph through the face names themselves.
    for style in _STYLES:
        face = f"{key}-{style}"
        addMapping(face, 0, 0, f"{key}-regular")
        addMapping(face, 1, 0, f"{key}-bold")
        addMapping(face, 0, 1, f"{key}-italic")
        addMapping(face, 1, 1, f"{key}-bolditalic")


@functools.cache
def coverage(font_family: FontFamily) -> frozenset[int]:
    """The code points the family's regular face has glyphs for."""
    register(font_family)
    face = pdfmetrics.getFont(font_family.face("regular")).face
    return frozenset(cp for cp, glyph in face.charToGlyph.items() if glyph)


@functools.cache
def _ascii_coverage(font_family: FontFamily) -> frozenset[str]:
    """The ASCII characters the family draws, and the spaces that need no glyph."""
    cover = coverage(font_family)
    return frozenset(chr(cp) for cp in range(128) if cp in cover) | frozenset("\n\t ")


def split_by_face(text: str, main: FontFamily) -> list[tuple[str, FontFamily | None]]:
    """Cut text into runs the main family can draw, runs for the fallback family, and
    runs of characters no embedded font has (family None: draw REPLACEMENT instead)."""
    if text.isascii() and set(text) <= _ascii_coverage(main):
        return [(text, main)] if text else []
    main_cover = coverage(main)
    runs: list[tuple[str, FontFamily | None]] = []
    fallback: FontFamily | None = None
    for char in text:
        cp = ord(char)
        if cp in main_cover or char in "\n\t ":
            chosen: FontFamily | None = main
        else:
            fallback = fallback or family(FALLBACK_FAMILY)
            chosen = fallback if cp in coverage(fallback) else None
        if runs and runs[-1][1] is chosen:
            runs[-1] = (runs[-1][0] + char, chosen)
        else:
            runs.append((char, chosen))
    return runs


def drawable_runs(text: str, main: FontFamily) -> list[tuple[str, FontFamily, str]]:
    """split_by_face, ready to draw: (text, the family that draws it, the characters no
    embedded font has). Those characters become REPLACEMENT, drawn by the fallback family."""
    out: list[tuple[str, FontFamily, str]] = []
    for run, face_family in split_by_face(text, main):
        if face_family is None:
            out.append((REPLACEMENT * len(run), family(FALLBACK_FAMILY), run))
        else:
            out.append((run, face_family, ""))
    return out
