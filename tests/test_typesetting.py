"""Setting text: words, lines, page breaks inside a paragraph, and what lands in the PDF."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from handouts.layout.containers import Box, BoxLook, Indented, Marker
from handouts.layout.fonts import family
from handouts.layout.typeset import LINE_BREAK, Run, TextBlock, text_width

FAMILY = family("Atkinson Hyperlegible")
REGULAR, BOLD = FAMILY.face("regular"), FAMILY.face("bold")
SIZE = 12
STYLE = ParagraphStyle("t", fontName=REGULAR, fontSize=SIZE, leading=16, textColor=HexColor(
    "#1A1A1A"), spaceShrinkage=0)


def line_texts(block: TextBlock, width: float | None = None) -> list[str]:
    """Each laid-out line as the text it draws (laid out at width, if given)."""
    if width is not None:
        block.wrap(width, 1000)
    out = []
    for words, _, _ in block._lines:
        text = ""
        for index, (pieces, _, space) in enumerate(words):
            if index and space:
                text += " "
            text += "".join(piece[2] for piece in pieces)
        out.append(text)
    return out


def set_text(runs: list[Run], width: float, style: ParagraphStyle = STYLE) -> TextBlock:
    block = TextBlock(runs, style, FAMILY)
    block.wrap(width, 1000)
    return block


def pdf_of(*flowables, width: float = 300, height: float = 400) -> PdfReader:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width + 40, height + 40), invariant=1)
    y = height + 20
    for flowable in flowables:
        _, h = flowable.wrap(width, height)
        y -= h
        flowable.drawOn(canvas, 20, y)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def test_a_word_continues_across_a_change_of_style():
    block = set_text([Run("Take "), Run("ibuprofen", bold=True), Run(", then rest.")], 1000)
    words = block._words
    assert len(words) == 4
    pieces = words[1][0]
    assert [(face, text) for face, _, text, _ in pieces] == [(BOLD, "ibuprofen"),
                                                               (REGULAR, ",")]
    assert words[1][1] == text_width("ibuprofen", BOLD, SIZE) + text_width(",", REGULAR, SIZE)


def test_spaces_collapse_and_leading_and_trailing_spaces_vanish():
    block = set_text([Run("  two   spaces "), Run(" here  ")], 1000)
    assert line_texts(block) == ["two spaces here"]


def test_lines_break_greedily_at_spaces():
    text = "one two three four five six seven eight nine ten"
    width = stringWidth("one two three four", REGULAR, SIZE) + 1
    assert line_texts(set_text([Run(text)], width)) == [
        "one two three four", "five six seven", "eight nine ten"]


def test_a_line_break_starts_a_new_line():
    block = set_text([Run("Phone: 555"), LINE_BREAK, Run("After hours: 556")], 1000)
    assert line_texts(block) == ["Phone: 555", "After hours: 556"]


def test_a_web_address_wider_than_the_line_breaks_after_a_slash():
    url = "www.cancer.gov/about-cancer/treatment/types/radiation-therapy"
    width = stringWidth("www.cancer.gov/about-cancer/treat", REGULAR, SIZE)
    lines = line_texts(set_text([Run("See "), Run(url, link="https://" + url)], width))
    assert lines == ["See", "www.cancer.gov/about-cancer/", "treatment/types/radiation-therapy"]


def test_a_long_word_without_break_points_is_cut_between_characters():
    word = "x" * 60
    width = stringWidth("x" * 25, REGULAR, SIZE) + 0.1
    assert line_texts(set_text([Run(word)], width)) == ["x" * 25, "x" * 25, "x" * 10]


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC.,;:/-()'", min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(WORDS, min_size=1, max_size=8), st.booleans()),
                min_size=1, max_size=10),
       st.floats(min_value=40, max_value=400))
def test_lines_fit_their_room_and_keep_every_word_in_order(parts, width):
    runs = [Run(" ".join(words) + " ", bold=bold) for words, bold in parts]
    block = set_text(runs, width)
    for _, line_width, _ in block._lines:
        assert line_width <= width + 1e-6
    joined = " ".join(word for words, _ in parts for word in words)
    assert "".join(line_texts(block)).replace(" ", "") == joined.replace(" ", "")


def test_lines_measure_what_the_font_draws():
    block = set_text([Run("Ask your "), Run("care team", bold=True), Run(" first.")], 1000)
    (_, width, _), = block._lines
    expected = (stringWidth("Ask your ", REGULAR, SIZE) + stringWidth("care team", BOLD, SIZE)
                + stringWidth(" first.", REGULAR, SIZE))
    assert abs(width - expected) < 1e-9


NARROW = stringWidth("word0", REGULAR, SIZE) + 1


def ten_lines() -> TextBlock:
    text = " ".join(f"word{n}" for n in range(10))
    block = TextBlock([Run(text)], STYLE, FAMILY)
    block.wrap(NARROW, 1000)
    assert len(block._lines) == 10
    return block


def test_a_paragraph_splits_at_the_line_that_no_longer_fits():
    first, rest = ten_lines().split(NARROW, 16 * 4 + 3)
    assert line_texts(first, NARROW) == ["word0", "word1", "word2", "word3"]
    assert line_texts(rest, NARROW) == [f"word{n}" for n in range(4, 10)]


def test_a_paragraph_never_leaves_one_line_alone_at_the_foot_of_a_page():
    assert ten_lines().split(NARROW, 16 * 1.5) == []


def test_a_paragraph_never_leaves_its_last_line_alone_at_the_head_of_the_next():
    first, rest = ten_lines().split(NARROW, 16 * 9)
    assert len(line_texts(first, NARROW)) == 8 and len(line_texts(rest, NARROW)) == 2


def test_only_the_first_part_of_a_split_heading_is_a_bookmark():
    block = ten_lines()
    block.outline_text = "Heading"
    first, rest = block.split(NARROW, 16 * 4)
    assert first.outline_text == "Heading" and rest.outline_text == ""


def test_text_and_links_reach_the_pdf():
    block = TextBlock([Run("Read "), Run("the guide", link="https://example.org/guide"),
                       Run(" (example.org/guide) <b>today</b> & (now)")], STYLE, FAMILY,
                      link_colour=HexColor("#1F5A96"))
    reader = pdf_of(block, width=500)
    text = reader.pages[0].extract_text()
    assert "Read the guide (example.org/guide) <b>today</b> & (now)" in text
    (annotation,) = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert annotation["/A"]["/URI"] == "https://example.org/guide"
    left, _, right, _ = (float(v) for v in annotation["/Rect"])
    drawn = (text_width("the", REGULAR, SIZE) + text_width(" ", REGULAR, SIZE)
             + text_width("guide", REGULAR, SIZE))  # each word kerned on its own
    assert abs((right - left) - drawn) < 0.01


def test_a_list_item_draws_its_marker_before_its_text():
    item = Indented(TextBlock([Run("first point")], STYLE, FAMILY), 18,
                    Marker("\u2022", BOLD, SIZE, HexColor("#0B6E5F")))
    assert "\u2022 first point" in pdf_of(item).pages[0].extract_text().replace("\u2022first",
                                                                                 "\u2022 first")


def test_a_box_is_as_tall_as_its_rows_and_splits_between_them():
    look = BoxLook(HexColor("#EEEEEE"), HexColor("#1F5A96"), 5, (10, 9, 8, 11), 2)
    rows = [[TextBlock([Run(f"row {n}")], STYLE, FAMILY)] for n in range(4)]
    box = Box(rows, look)
    _, height = box.wrap(200, 1000)
    assert height == 10 + 4 * 16 + 3 * 2 + 8
    first, rest = box.split(200, 10 + 2 * 16 + 2 + 8 + 1)
    assert [len(row) for row in first.rows] == [1, 1]
    assert [len(row) for row in rest.rows] == [1, 1]
    assert box.split(200, 10 + 8 + 15) == []
    assert "row 0" in pdf_of(box).pages[0].extract_text()
