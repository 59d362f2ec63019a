"""Tables: columns sized from their content, words never cut between letters."""

from __future__ import annotations

from conftest import TINY_MARKDOWN, page_texts, run_cli

from handouts.layout.render import column_widths
from handouts.layout.typeset import TextBlock

TABLE = """
| Medicine | What it is for | How to take it |
|---|---|---|
| Acetaminophen | Pain and fever | Every 6 hours with water, never more than the label says |
| Ibuprofen | Pain, swelling and fever | With food |
| Hydromorphone | Strong pain | As your care team says |
"""


def test_table_columns_fit_their_longest_words_and_words_stay_whole(tiny, tmp_path):
    (tiny.content / "tiny-topic" / "en" / "standard.md").write_text(
        TINY_MARKDOWN.replace("Call us at", TABLE + "\nCall us at"))
    out = tmp_path / "table.pdf"
    for layout in ("letter", "large-print", "booklet-letter"):
        result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--layout", layout,
                         "--no-impose", "-o", str(out), roots=tiny)
        assert result.exit_code == 0, result.output
        text = " ".join(page_texts(out))
        for word in ("Acetaminophen", "Hydromorphone", "Ibuprofen", "swelling"):
            assert word in text, (layout, word)


def test_column_widths_share_the_room_by_content(tiny):
    from reportlab.lib.styles import ParagraphStyle

    from handouts.layout.fonts import family
    from handouts.layout.typeset import Run

    regular = family("Atkinson Hyperlegible")
    style = ParagraphStyle("cell", fontName=regular.face("regular"), fontSize=12, leading=16)

    def cell(text: str) -> TextBlock:
        return TextBlock([Run(text)], style, regular)

    rows = [[cell("Dose"), cell("When to take it and what to do if you forget a dose")],
            [cell("1"), cell("Morning")]]
    widths = column_widths(rows, 300, 10)
    assert abs(sum(widths) - 300) < 0.01
    assert widths[0] >= rows[0][0].minWidth() + 10 and widths[0] < widths[1] / 3
    # every column keeps room for its longest word
    rows = [[cell("Hydromorphone"), cell("a b c d e f g h i j k l m n o p q r s t u v w")]]
    widths = column_widths(rows, 200, 10)
    assert widths[0] >= rows[0][0].minWidth() + 10
