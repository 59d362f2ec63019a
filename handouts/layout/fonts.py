"""Registering the embedded font families once, and choosing a face for every character."""

from __future__ import annotations

import codecs
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, makeToUnicodeCMap

from handouts.inputs.font_names import FONT_FAMILIES
from handouts.inputs.prepared_cache import cached, source_key

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

    def splitString(self, text: str, doc, encoding: str = "utf-8"):  # noqa: N802
        """ReportLab's TTFont.splitString, answered in C when every character of text is
        already in the document's first subset (nearly always: a handout uses fewer than
        200 different characters); otherwise ReportLab's own, which adds characters."""
        state = self.state.get(doc)
        if state is not None and isinstance(text, str):
            assignments = state.assignments
            known = state.__dict__.get("_handouts_codes")
            if known is None or known[0] != len(assignments):
                codes = {code: number for code, number in assignments.items() if number < 256}
                if 32 in codes:
                    codes[0xA0] = codes[32]  # ReportLab draws a no-break space as a space
                known = state._handouts_codes = (len(assignments), codes)
            try:
                data = codecs.charmap_encode(text, "strict", known[1])[0]
            except UnicodeError:
                pass  # a character not yet in the subset, or in a later one
            else:
                return [(0, data)] if data else []
        return TTFont.splitString(self, text, doc, encoding)

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
            font.Widths = _Numbers(list(map(self.face.getCharWidth, subset)))
            cmap = pdfdoc.PDFStream()
            cmap.content = makeToUnicodeCMap(base_font_name, subset)
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_font_name)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base_font_name, subset)
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


class _Numbers(pdfdoc.PDFArray):
    """A PDF array of numbers (a font's widths), formatted as ReportLab's PDFArray
    formats it, without its general per-element dispatch."""

    def format(self, document, IND=b"\n "):  # noqa: N803 (ReportLab's signature)
        if not all(type(value) in (int, float) for value in self.sequence):
            return super().format(document, IND)
        items = [fp_str(value).encode("ascii") for value in self.sequence]
        if self.multiline and rl_config.pdfMultiLine or self.multiline == "forced":
            return b"[ " + IND.join(items) + b" ]"
        for index in reversed(range(10, len(items), 10)):
            items.insert(index, b"\n ")
        return b"[ " + b" ".join(items) + b" ]"


class Kerning:
    """A face's kerning pairs, read from its GPOS 'kern' feature (pair adjustments, by
    glyph and by class), in thousandths of the font size as ReportLab measures widths.
    Pairs are looked up as they are met and remembered.

    The tables are kept by character rather than by glyph (our typesetter draws one glyph
    per character, so a glyph no character maps to is never met), as plain data that the
    user's cache folder keeps between runs: reading them with fontTools costs more than
    laying out a page."""

    def __init__(self, path: Path):
        tables = cached("kerning", source_key(path, _kerning_code()),
                        lambda: read_kerning(path))
        self._characters = frozenset(tables["characters"])
        self._scale = tables["scale"]
        self._subtables = [(kind, coverage, data) for kind, coverage, data
                           in tables["subtables"]]
        self._pairs: dict[tuple[str, str], float] = {}

    def pair(self, left: str, right: str) -> float:
        """The adjustment between two characters (negative: closer together)."""
        key = (left, right)
        value = self._pairs.get(key)
        if value is None:
            value = self._pairs[key] = self._lookup(left, right)
        return value

    def _lookup(self, left: str, right: str) -> float:
        if left not in self._characters or right not in self._characters:
            return 0.0
        for kind, coverage, data in self._subtables:
            index = coverage.get(left)
            if index is None:
                continue
            if kind == 1:
                value = data[index].get(right)
                if value is None:
                    continue  # the next subtable may hold this pair
                return value * self._scale
            classes_first, classes_second, matrix = data
            return matrix[classes_first.get(left, 0)][classes_second.get(right, 0)] * \
                self._scale
        return 0.0

    def adjustments(self, text: str) -> tuple[tuple[int, float], ...]:
        """(index, adjustment before the character at index) for every kerned pair in a
        word; pairs with a space are not kerned (words are measured one by one)."""
        pair = self.pair
        return tuple((index, value) for index, value in
                     ((index, pair(text[index - 1], text[index]))
                      for index in range(1, len(text)))
                     if value)


def _kerning_code() -> list[Path | None]:
    """The code that prepares kerning tables: this module and fontTools (its version)."""
    import importlib.util

    spec = importlib.util.find_spec("fontTools")
    return [Path(__file__), Path(spec.origin) if spec and spec.origin else None]


def read_kerning(path: Path) -> dict:
    """A face's kerning tables by character, as plain data: the characters the face maps
    to glyphs, the scale to thousandths of the size, and the pair-adjustment subtables of
    its 'kern' feature in lookup order: [1, coverage, [second -> value per first]] for
    pairs by glyph, [2, coverage, [class of first, class of second, values]] by class."""
    from fontTools.ttLib import TTFont as ToolsFont

    font = ToolsFont(str(path), lazy=True)
    cmap = font.getBestCmap() or {}
    by_glyph: dict[str, list[str]] = {}
    for code, glyph in sorted(cmap.items()):
        by_glyph.setdefault(glyph, []).append(chr(code))

    def characters(glyphs: dict[str, int]) -> dict[str, int]:
        return {char: value for glyph, value in glyphs.items()
                for char in by_glyph.get(glyph, ())}

    subtables: list = []
    if "GPOS" in font:
        table = font["GPOS"].table
        lookups: list[int] = []
        for record in table.FeatureList.FeatureRecord if table.FeatureList else ():
            if record.FeatureTag == "kern":
                lookups.extend(i for i in record.Feature.LookupListIndex if i not in lookups)
        for index in sorted(lookups):
            lookup = table.LookupList.Lookup[index]
            for subtable in lookup.SubTable:
                if lookup.LookupType == 9:  # an extension: the real subtable is inside
                    subtable = subtable.ExtSubTable
                if getattr(subtable, "LookupType", 2) != 2 or subtable.Format not in (1, 2):
                    continue
                coverage = characters({name: index for index, name
                                       in enumerate(subtable.Coverage.glyphs)})
                if subtable.Format == 1:
                    sets = [characters({record.SecondGlyph:
                                        getattr(record.Value1, "XAdvance", 0) or 0
                                        for record in pair_set.PairValueRecord})
                            for pair_set in subtable.PairSet]
                    subtables.append([1, coverage, sets])
                    continue
                first = subtable.ClassDef1.classDefs if subtable.ClassDef1 else {}
                second = subtable.ClassDef2.classDefs if subtable.ClassDef2 else {}
                matrix = [[getattr(record.Value1, "XAdvance", 0) or 0 if record.Value1 else 0
                           for record in row.Class2Record] for row in subtable.Class1Record]
                subtables.append([2, coverage, [characters(first), characters(second),
                                                matrix]])
    return {"characters": "".join(chr(code) for code in sorted(cmap)),
            "scale": 1000 / font["head"].unitsPerEm, "subtables": subtables}


_font_files: dict[str, Path] = {}


@functools.cache
def kerning(face: str) -> Kerning | None:
    """The kerning pairs of a registered face (None for a face not registered here)."""
    path = _font_files.get(face)
    return Kerning(path) if path is not None else None


# Scripts whose letters must be joined, reordered or stacked by a shaping engine to read
# right (or, for Hebrew and Arabic, set right to left). Our typesetter draws one glyph per
# character, left to right: such text would print as wrong words, so it is refused.
_SHAPED_SCRIPTS = (
    (0x0590, 0x05FF, "Hebrew"), (0x0600, 0x06FF, "Arabic"), (0x0700, 0x074F, "Syriac"),
    (0x0750, 0x077F, "Arabic"), (0x0780, 0x07BF, "Thaana"), (0x07C0, 0x07FF, "N'Ko"),
    (0x0800, 0x08FF, "Arabic"), (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"),
    (0x0A00, 0x0A7F, "Gurmukhi"), (0x0A80, 0x0AFF, "Gujarati"), (0x0B00, 0x0B7F, "Odia"),
    (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"),
    (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"), (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"), (0x0F00, 0x0FFF, "Tibetan"), (0x1000, 0x109F, "Myanmar"),
    (0x1780, 0x17FF, "Khmer"), (0x1800, 0x18AF, "Mongolian"), (0xA8E0, 0xA8FF, "Devanagari"),
    (0xFB1D, 0xFB4F, "Hebrew"), (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
)


def script_needing_shaping(text: str) -> str | None:
    """The name of the first script in text that needs shaping to print right, or None."""
    found = shaped_text_at(text)
    return found[1] if found else None


def shaped_text_at(text: str) -> tuple[int, str] | None:
    """(where, script) of the first character in text that needs shaping, or None."""
    if text.isascii():
        return None
    for index, char in enumerate(text):
        code = ord(char)
        if 0x0590 <= code <= 0x18AF or 0xA8E0 <= code <= 0xA8FF or 0xFB1D <= code <= 0xFEFF:
            for low, high, name in _SHAPED_SCRIPTS:
                if low <= code <= high:
                    return index, name
    return None


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
        _font_files[f"{font_family.key}-{style}"] = font_family.files[style]
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
def _drawable(font_family: FontFamily) -> frozenset[str]:
    """The characters the family draws, and the spaces that need no glyph."""
    return frozenset(map(chr, coverage(font_family))) | frozenset("\n\t ")


def split_by_face(text: str, main: FontFamily) -> list[tuple[str, FontFamily | None]]:
    """Cut text into runs the main family can draw, runs for the fallback family, and
    runs of characters no embedded font has (family None: draw REPLACEMENT instead)."""
    if _drawable(main).issuperset(text):  # nearly always: one run, found in C
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
