"""Numbered lists: the label column is as wide as the widest number, so "10." and "100."
never touch or cover their text."""

from __future__ import annotations

from conftest import TINY_MARKDOWN, pdf_reader, run_cli

from handouts.layout.fonts import family
from handouts.layout.typeset import text_width

BOLD = family("Atkinson Hyperlegible").face("bold")


def placed_strings(pdf: bytes) -> list[tuple[str, float, float]]:
    """(text, x, y) of every string shown, in drawing order, on every page."""
    out: list[tuple[str, float, float]] = []
    for page in pdf_reader(pdf).pages:
        def visit(text, cm, tm, font, size):
            if text.strip():
                out.append((text.strip(), tm[4] + cm[4], round(tm[5] + cm[5], 1)))
        page.extract_text(visitor_text=visit)
    return out


def test_numbers_up_to_three_digits_keep_a_gap_before_their_text(tiny, tmp_path):
    items = "".join(f"{n}. item number {n} of the list\n" for n in range(1, 106))
    (tiny.content / "tiny-topic" / "en" / "standard.md").write_text(
        TINY_MARKDOWN.replace("- first point\n- second point\n", items))
    out = tmp_path / "list.pdf"
    assert run_cli("generate", "tiny-topic", "--clinic", "tiny", "-o", str(out),
                   roots=tiny).exit_code == 0
    strings = placed_strings(out.read_bytes())
    size = 12.5  # the letter layout's body size
    checked = set()
    for index, (text, x, _) in enumerate(strings[:-1]):
        if text.endswith(".") and text[:-1].isdigit():
            number = int(text[:-1])
            following = strings[index + 1]
            assert following[0].startswith(f"item number {number}"), following
            label_right = x + text_width(text, BOLD, size)
            assert following[1] - label_right >= size * 0.45, (text, following)
            checked.add(number)
    assert checked == set(range(1, 106))
    # the numbers line up on their right edge (the periods form a column)
    rights = {round(x + text_width(t, BOLD, size), 1) for t, x, _ in strings
              if t.endswith(".") and t[:-1].isdigit()}
    assert len(rights) <= 2  # one per column of the two-column page
