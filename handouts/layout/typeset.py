"""Setting runs of text into lines and drawing them: the paragraph of every handout.

Our text arrives already structured (runs of plain text, each with a weight, a slant, a font
family and perhaps a link), so it is set directly instead of being written out as ReportLab
paragraph markup and parsed back. Lines break at spaces, greedily, as ReportLab's
left-aligned paragraphs do; a word wider than the line (a web address) is split after a
slash or hyphen, or else between characters. A
paragraph never leaves its first line alone at the foot of a column nor its last line alone
at the head of the next (no orphans, no widows).

Setting text this way is several times faster than ReportLab's general Paragraph, which is
most of what makes a batch of handouts fast (see benchmarks/run.py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable

from handouts.layout.fonts import FontFamily, kerning
from handouts.layout.hyphenation import Hyphenator
from handouts.layout.hyphenation import hyphenator as _hyphenator
from handouts.layout.tagging import END, Element, canvas_tags

_FUZZ = 1e-6
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True, slots=True)
class Run:
    """Plain text in one style. family None: the paragraph's own family."""

    text: str
    bold: bool = False
    italic: bool = False
    family: FontFamily | None = None
    link: str | None = None


LINE_BREAK = Run("\n")

# Words and lines are plain tuples: a handout has thousands of them.
# A piece: (face, link, text, width). A space: (face, link, width), typed in that run.
# A word: (pieces, width, the space before it or None).
# A line: (words, width, ended by a line break); its first word's space is not drawn.
_Piece = tuple[str, "str | None", str, float]
_Space = tuple[str, "str | None", float]
_Word = tuple[tuple[_Piece, ...], float, "_Space | None"]
_Line = tuple[tuple[_Word, ...], float, bool]

_BREAK: _Word = ((), 0.0, None)  # a hard line break in the word list (compared by identity)


# Glyph widths are a pure function of face, size and text; words repeat across paragraphs.
_widths: dict[tuple[str, str, float], float] = {}
_WIDTH_CACHE_LIMIT = 200_000


def text_width(text: str, face: str, size: float) -> float:
    """The width of text as drawn: the glyphs' advances and the face's kerning between
    them; soft hyphens take no room (they show only where a line breaks)."""
    key = (text, face, size)
    width = _widths.get(key)
    if width is None:
        if len(_widths) >= _WIDTH_CACHE_LIMIT:
            _widths.clear()
        if SOFT_HYPHEN in text:
            text = _visible(text)
        width = stringWidth(text, face, size)
        kerns = _kerned(text, face)
        if kerns:
            width += sum(kern[1] for kern in kerns) * size / 1000
        _widths[key] = width
    return width


def _visible(text: str) -> str:
    """Text as drawn: soft hyphens inside it vanish; one that ends it is where a word was
    hyphenated at a line's end, and shows (as the soft hyphen it is, so that a reader or
    a screen reader joins the word again, as PDF asks: ISO 32000, 14.8.2.2.3)."""
    if text[-1] == SOFT_HYPHEN:
        return text[:-1].replace(SOFT_HYPHEN, "") + SOFT_HYPHEN
    return text.replace(SOFT_HYPHEN, "")


# Kerned pairs per face, per word: (index, adjustment, the adjustment as a TJ number).
_word_kerns: dict[str, dict[str, tuple[tuple[int, float, str], ...]]] = {}


def _kerns(word: str, face: str) -> tuple[tuple[int, float, str], ...]:
    """The kerned pairs inside one word (a string without spaces) in one face."""
    cache = _word_kerns.get(face)
    if cache is None:
        cache = _word_kerns[face] = {}
    found = cache.get(word)
    if found is None:
        if len(cache) >= _WIDTH_CACHE_LIMIT:
            cache.clear()
        table = kerning(face)
        found = cache[word] = tuple(
            (index, value, fp_str(-value)) for index, value in table.adjustments(word)
        ) if table is not None and len(word) > 1 else ()
    return found


def _kerned(text: str, face: str) -> list[tuple[int, float, str]]:
    """The kerned pairs of a string of words and spaces: each word's pairs, placed."""
    cache = _word_kerns.get(face) or {}
    get = cache.get
    out: list[tuple[int, float, str]] = []
    start = 0
    for word in text.split(" "):
        found = get(word)
        if found is None:
            found = _kerns(word, face)
        if found:
            if start:
                out.extend((start + index, value, number) for index, value, number in found)
            else:
                out.extend(found)
        start += len(word) + 1
    return out


def _style_of(bold: bool, italic: bool) -> str:
    if bold and italic:
        return "bolditalic"
    return "bold" if bold else "italic" if italic else "regular"


def _words(runs: list[Run], family: FontFamily, base_bold: bool, size: float) -> list[_Word]:
    """Cut the runs into words: what lies between spaces, across changes of style."""
    words: list[_Word] = []
    pieces: list[_Piece] = []
    width = 0.0
    space_before: _Space | None = None
    pending: _Space | None = None  # a space seen since the last piece
    faces: dict[tuple[bool, bool, int], str] = {}
    known = _widths.get  # text_width, inlined: this loop measures every word of a handout
    for run in runs:
        if run is LINE_BREAK:
            if pieces:
                words.append((tuple(pieces), width, space_before))
                pieces, width = [], 0.0
            words.append(_BREAK)
            pending = None
            continue
        key = (run.bold, run.italic, id(run.family))
        face = faces.get(key)
        if face is None:
            face = faces[key] = (run.family or family).face(
                _style_of(run.bold or base_bold, run.italic))
        link = run.link
        space = (face, link, text_width(" ", face, size))
        first, *rest = run.text.split(" ")
        if first:  # continues the word before, if no space came between
            if not pieces:
                space_before, pending, width = pending, None, 0.0
            part_width = known((first, face, size)) or text_width(first, face, size)
            pieces.append((face, link, first, part_width))
            width += part_width
        if not rest:
            continue
        if pieces:
            words.append((tuple(pieces), width, space_before))
            pieces, width = [], 0.0
        if pending is None:
            pending = space
        for part in rest:
            if not part:
                continue
            part_width = known((part, face, size)) or text_width(part, face, size)
            if pieces:
                words.append((tuple(pieces), width, space_before))
                space_before = space
            else:
                space_before, pending = pending, None
            pieces, width = [(face, link, part, part_width)], part_width
        if not rest[-1]:  # the run ends with a space
            if pieces:
                words.append((tuple(pieces), width, space_before))
                pieces, width = [], 0.0
            if pending is None:
                pending = space
    if pieces:
        words.append((tuple(pieces), width, space_before))
    return words


# Where a long word (in practice, a web address) had best be cut: after one of these.
_BREAK_AFTER = frozenset("/-?&=")


def _split_long(word: _Word, room: float, size: float) -> list[_Word]:
    """A word wider than the line, cut into parts that fit: after a slash or a hyphen
    where one is on the line, else between characters."""
    chars = [(face, link, char, text_width(char, face, size))
             for face, link, text, _ in word[0] for char in text]
    parts: list[_Word] = []
    start = 0
    while start < len(chars):
        end, width, cut = start, 0.0, 0
        while end < len(chars) and (end == start or width + chars[end][3] <= room + _FUZZ):
            width += chars[end][3]
            end += 1
            if chars[end - 1][2] in _BREAK_AFTER:
                cut = end
        if end < len(chars) and start < cut < end:
            end = cut
        part = _joined(chars[start:end], size)
        while part[1] > room + _FUZZ and end - start > 1:  # a kerned pair that widens it
            end -= 1
            part = _joined(chars[start:end], size)
        parts.append(part)
        start = end
    return parts


def _joined(chars: list[tuple[str, str | None, str, float]], size: float) -> _Word:
    pieces: list[_Piece] = []
    for face, link, char, _ in chars:
        if pieces and pieces[-1][0] == face and pieces[-1][1] == link:
            pieces[-1] = (face, link, pieces[-1][2] + char, 0.0)
        else:
            pieces.append((face, link, char, 0.0))
    measured = tuple((face, link, text, text_width(text, face, size))
                     for face, link, text, _ in pieces)
    return measured, sum(piece[3] for piece in measured), None


def break_lines(words: list[_Word], room: float, size: float, tolerance: float = 0.0,
                hyphenation: str = "") -> list[_Line]:
    """Greedy line breaking: each line takes as many words as fit. As in ReportLab, a line
    may run past the room by `tolerance` points per word already on it (a twentieth of a
    space each by default: under two points on a full line, unseen in a margin or gutter).

    With a hyphenation language, a word that does not fit is hyphenated when that saves a
    loose line: its first part (and a hyphen) ends the line, the rest starts the next. No
    more than two lines in a row end in a hyphen."""
    lines: list[_Line] = []
    line: list[_Word] = []
    width = 0.0
    index, count, carry = 0, len(words), None
    hyphens_in_a_row = 0
    while True:
        if carry is not None:
            word, carry = carry, None
        elif index < count:
            word = words[index]
            index += 1
        else:
            break
        if word is _BREAK:
            lines.append((tuple(line), width, True))
            line, width = [], 0.0
            continue
        pieces, word_width, space = word
        if line:
            space_width = space[2] if space else 0.0
            wider = width + space_width + word_width
            if wider <= room + tolerance * len(line) + _FUZZ:
                line.append(word)
                width = wider
                continue
            left = room - width - space_width
            parts = (_hyphenate(word, left, size, hyphenation)
                     if hyphenation and hyphens_in_a_row < 2 and left > room * LOOSE_LINE
                     else None)
            if parts is not None:
                head, carry = parts
                line.append(head)
                lines.append((tuple(line), width + space_width + head[1], False))
                line, width = [], 0.0
                hyphens_in_a_row += 1
                continue
            lines.append((tuple(line), width, False))
            hyphens_in_a_row = 0
        if word_width <= room + _FUZZ:
            line, width = [word], word_width
            continue
        parts = _hyphenate(word, room, size, hyphenation) if hyphenation else None
        if parts is not None:
            lines.append(((parts[0],), parts[0][1], False))
            carry = parts[1]
            continue
        *whole, last = _split_long(word, room, size)
        lines.extend(((part,), part[1], False) for part in whole)
        line, width = [last], last[1]
    if line:
        lines.append((tuple(line), width, False))
    return lines


# A line that would end with more than this share of its room empty is worth hyphenating.
LOOSE_LINE = 0.08


def _hyphenate(word: _Word, room: float, size: float,
               language: str) -> tuple[_Word, _Word] | None:
    """The word cut at its last break point that leaves a first part (with its hyphen)
    within room: (first part, the rest), or None."""
    pieces, _, space = word
    if len(pieces) != 1:
        return None  # a word that changes style inside is left whole
    face, link, text, _ = pieces[0]
    if link is not None:
        return None
    for head_end, tail_start, mark in reversed(break_points(text, language)):
        head = text[:head_end] + mark
        head_width = text_width(head, face, size)
        if head_width <= room + _FUZZ:
            tail = text[tail_start:]
            tail_width = text_width(tail, face, size)
            return (((face, None, head, head_width),), head_width, space), \
                (((face, None, tail, tail_width),), tail_width, None)
    return None


def hyphenator(language: str) -> Hyphenator | None:
    """The hyphenation patterns for a language code (en is US English), or None."""
    return _hyphenator(language)


_NOT_HYPHENATED = frozenset("0123456789@/:.\u00a0_#+=&?")


@functools.lru_cache(maxsize=65536)
def break_points(text: str, language: str) -> tuple[tuple[int, int, str], ...]:
    """Where a word may be broken at a line's end: (end of the first part, start of the
    rest, what the first part gets: a hyphen (drawn as a soft hyphen, so text read back
    from the PDF joins the word again), or nothing after a hyphen already there).

    Soft hyphens in the text, where there are any, are the only points. Otherwise the
    language's dictionary finds them, in plain lower-case words of letters only: never in
    names (capitalised), numbers, phone numbers, addresses or abbreviations."""
    if SOFT_HYPHEN in text:
        return tuple((index, index + 1, SOFT_HYPHEN) for index, char in enumerate(text)
                     if char == SOFT_HYPHEN and 0 < index < len(text) - 1)
    core = text.rstrip(",;:!?.)\u201d\u2019\"'")
    core_start = len(core) - len(core.lstrip("(\u201c\u2018\"'"))
    if len(core) - core_start < 7 or not core[core_start].islower() or \
            not _NOT_HYPHENATED.isdisjoint(core):
        return ()
    dictionary = _hyphenator(language)
    points: list[tuple[int, int, str]] = []
    position = core_start
    for segment in core[core_start:].split("-"):
        if dictionary is not None and len(segment) >= 7 and segment.isalpha():
            points.extend((position + at, position + at, SOFT_HYPHEN)
                          for at in dictionary.positions(segment))
        position += len(segment) + 1
        if position < len(core):  # after a hyphen that is already there
            points.append((position, position, ""))
    return tuple(points)


def _fragments(line: _Line) -> list[list]:
    """A line as drawable fragments [face, link, text, width]: neighbouring pieces in the
    same face with the same link are drawn as one string."""
    out: list[list] = []
    last: list = ["", None, "", 0.0]
    for index, (pieces, _, space) in enumerate(line[0]):
        if index and space:
            face, link, width = space
            if last[0] == face and last[1] == link:
                last[2] += " "
                last[3] += width
            else:
                last = [face, link, " ", width]
                out.append(last)
        for face, link, text, width in pieces:
            if last[0] == face and last[1] == link:
                last[2] += text
                last[3] += width
            else:
                last = [face, link, text, width]
                out.append(last)
    return out


class TextBlock(Flowable):
    """A paragraph of runs in one ParagraphStyle (size, leading, colour, spacing,
    keep-with-next). A heading may carry an outline entry (a PDF bookmark); its tag is the
    structure element its text belongs to (None: drawn as an artifact in a tagged PDF)."""

    def __init__(self, runs: list[Run], style: ParagraphStyle, family: FontFamily,
                 link_colour=None, outline: str = "", level: int = 0,
                 _words_: list[_Word] | None = None, tag: Element | None = None):
        super().__init__()
        self.tag = tag
        self.style = style
        self.family = family
        self.link_colour = link_colour
        self.outline_text = outline
        self.outline_level = level
        self._base_bold = style.fontName == family.face("bold")
        self._words = _words_ if _words_ is not None else _words(
            runs, family, self._base_bold, style.fontSize)
        self._lines: list[_Line] = []
        self._wrapped_for: float | None = None
        # the language to hyphenate in ("" in headings and titles: never hyphenated)
        self._language = getattr(style, "hyphenationLang", "") or ""

    def _set(self, width: float) -> None:
        if self._wrapped_for != width:
            size = self.style.fontSize
            tolerance = getattr(self.style, "spaceShrinkage", 0.0) * text_width(
                " ", self.style.fontName, size)
            self._lines = break_lines(self._words, width, size, tolerance, self._language)
            self._wrapped_for = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._set(available_width)
        self.width = available_width
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def minWidth(self) -> float:  # noqa: N802 (ReportLab's name)
        """The widest piece that cannot be broken: a word, or a part of a word up to a
        point where it may be hyphenated."""
        size, language = self.style.fontSize, self._language
        widest = 0.0
        for word in self._words:
            pieces = word[0]
            points = break_points(pieces[0][2], language) if language and len(pieces) == 1 \
                else ()
            if not points:
                widest = max(widest, word[1])
                continue
            face, text = pieces[0][0], pieces[0][2]
            start = 0
            for head_end, tail_start, mark in (*points, (len(text), len(text), "")):
                widest = max(widest, text_width(text[start:head_end] + mark, face, size))
                start = tail_start
        return widest

    def maxWidth(self) -> float:  # noqa: N802
        """The widest line when no line has to break: the text's natural width."""
        widest = width = 0.0
        for word in self._words:
            if word is _BREAK:
                widest, width = max(widest, width), 0.0
                continue
            width += (word[2][2] if width and word[2] else 0.0) + word[1]
        return max(widest, width)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self._set(available_width)
        lines = self._lines
        fit = int(available_height / self.style.leading)
        if fit <= 1 or not lines:
            return []  # a lone first line (an orphan) moves on with the rest
        if len(lines) <= fit:
            return [self]
        if len(lines) == fit + 1:  # a lone last line (a widow) takes company with it
            if len(lines) <= 3:
                return []
            fit -= 1
        head = self._part(lines[:fit], first=True)
        # read aloud, the two parts still have a space between them where the line broke
        head._trailing_space = bool(lines[fit - 1][2] or (
            lines[fit][0] and lines[fit][0][0][2] is not None))
        return [head, self._part(lines[fit:], first=False)]

    _trailing_space = False  # the first part of a split paragraph: ends where a space was

    def _part(self, lines: list[_Line], first: bool) -> TextBlock:
        words: list[_Word] = []
        for line_words, _, hard_break in lines:
            words.extend(line_words)
            if hard_break:
                words.append(_BREAK)
        part = TextBlock([], self.style, self.family, self.link_colour,
                         self.outline_text if first else "", self.outline_level, words,
                         self.tag)
        if "keepWithNext" in self.__dict__:
            part.keepWithNext = self.keepWithNext
        return part

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        """Draw at (x, y) by placing the text there, rather than saving the graphics
        state and moving the origin as a general flowable does (a paragraph is drawn
        hundreds of times per handout)."""
        self._write(canvas, self._hAlignAdjust(x, _sW), y)

    def draw(self) -> None:
        self._write(self.canv, 0.0, 0.0)

    def _write(self, canvas, left: float, bottom: float) -> None:
        """Write the lines as one PDF text object: the first line placed by a text matrix,
        the next ones by T* (next line, at the leading); each fragment in its font subset
        (TrueType faces only, which is all handouts embed). In a tagged PDF the text is
        marked as its element's content, each link's text as a Link element inside it."""
        if not self._lines:
            return
        style = self.style
        document = canvas._doc
        size, leading = style.fontSize, style.leading
        size_text = fp_str(size)
        colours = {False: _fill(style.textColor), True: _fill(self.link_colour or style.textColor)}
        y = bottom + self.height - size  # the first baseline: one font size below the top
        tags, page = canvas_tags(canvas), canvas._pageNumber
        tagged, last = tags is not None, len(self._lines) - 1
        code = ["q BT"]
        if tags is not None:
            code.append(tags.opener(self.tag, page))
            # links are elements of their own only inside real content
            tags = tags if code[-1].endswith("BDC") and self.tag is not None else None
        code.append(f"1 0 0 1 {fp_str(left, y)} Tm {fp_str(leading)} TL")
        subset_now, colour_now = None, None
        links: list[tuple[str, float, float, float, Element | None]] = []
        link_now: str | None = None
        link_element: Element | None = None
        for index, line in enumerate(self._lines):
            if index:
                code.append("T*")
            x = left
            fragments = _fragments(line)
            if tagged and fragments and (self._trailing_space if index == last else (
                    line[2] or self._lines[index + 1][0][0][2] is not None)):
                # the space the line broke at, drawn past its end: text read aloud (or
                # copied) keeps its words apart (the parts of a word cut in two do not)
                fragments[-1][2] += " "
            for face, link, chunk, width in fragments:
                if tags is not None and link != link_now and chunk.strip():
                    code.append(END)  # the text so far; a link's text is a Link element
                    if link:
                        link_element = tags.add(self.tag, "Link")
                        code.append(tags.begin(link_element, page))
                    else:
                        code.append(tags.begin(self.tag, page))
                    link_now = link
                colour = colours[link is not None]
                if colour is not colour_now:
                    code.append(colour)
                    colour_now = colour
                subset_now = _show(code, chunk, face, size_text, document, subset_now)
                if link:
                    if link_element is not None:
                        link_element.text += chunk
                    links.append((link, x, y - index * leading, width, link_element))
                x += width
        if tagged:
            code.append(END)
        code.append("ET Q")
        canvas.addLiteral(" ".join(code))
        for link, x, base, width, element in links:
            bottom = base - size / 8
            rect = (x, bottom, x + width, bottom + leading)
            if element is None:
                canvas.linkURL(link, rect, relative=1, kind="URI")
            else:
                tags.link(canvas, element, link, canvas._absRect(rect, 1),
                          " ".join(element.text.split()) or link)


@functools.lru_cache(maxsize=64)
def _fill(colour) -> str:
    """The PDF operator that sets a fill colour."""
    return f"{fp_str(*colour.rgb())} rg"


def _show(code: list[str], text: str, face: str, size_text: str, document,
          subset_now: tuple[str, int] | None) -> tuple[str, int] | None:
    """Append the operators that show text in a TrueType face: a font switch whenever
    the face or its subset changes, then the encoded string. Returns the subset now set."""
    font = getFont(face)
    if SOFT_HYPHEN in text:
        text = _visible(text)
    kerns = _kerned(text, face)
    start = 0
    for subset, data in font.splitString(text, document):
        if (face, subset) != subset_now:
            code.append(f"{font.getSubsetInternalName(subset, document)} {size_text} Tf")
            subset_now = (face, subset)
        end = start + len(data)  # a TrueType subset codes each character as one byte
        if kerns:
            # TJ moves left by its numbers: a negative kern (closer) is a positive number
            parts, cut = [], 0
            for index, _, number in kerns:
                if start < index < end:
                    parts.append(f"({escapePDF(data[cut:index - start])}) {number}")
                    cut = index - start
            if parts:
                parts.append(f"({escapePDF(data[cut:])})")
                code.append(f"[{' '.join(parts)}] TJ")
            else:
                code.append(f"({escapePDF(data)}) Tj")
        else:
            code.append(f"({escapePDF(data)}) Tj")
        start = end
    return subset_now


def draw_string(canvas, x: float, y: float, text: str, face: str, size: float, colour,
                tag: Element | None = None) -> None:
    """One string in one face at (x, y), written as a PDF text object (a list bullet),
    in a tagged PDF marked as the element's content (or as an artifact)."""
    tags = canvas_tags(canvas)
    opener = "" if tags is None else tags.opener(tag, canvas._pageNumber) + " "
    code = [f"q BT {opener}{_fill(colour)} 1 0 0 1 {fp_str(x, y)} Tm"]
    _show(code, text, face, fp_str(size), canvas._doc, None)
    code.append("ET Q" if tags is None else "EMC ET Q")
    canvas.addLiteral(" ".join(code))
