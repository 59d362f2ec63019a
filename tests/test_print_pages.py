"""Pages on paper: every shipped handout prints duplex without a blank back (an even page
count), the back matter fills the room before it, and the waste tool measures it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import DATE, REPO, page_texts

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.inputs.paths import Roots
from handouts.inputs.topics import load_topic, topic_names

SHIPPED = Roots.under(REPO)
VERSIONS = [(name, lang, level) for name in topic_names(SHIPPED)
            for lang, level in load_topic(SHIPPED, name).versions()]


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
def test_every_shipped_handout_has_an_even_page_count(layout):
    counts = {}
    for topic, lang, level in VERSIONS:
        handout = build_handout(SHIPPED, topic, "riverside", layout,
                                Options(lang=lang, level=level, date=DATE))
        counts[(topic, lang, level)] = handout.pages
        pages = page_texts(handout.pdf)
        # the closing ends the handout; in large print it can start a page earlier, and an
        # odd count adds a notes page after it
        closing = " ".join(pages[-3:])
        assert "Published by" in closing or "Publicado por" in closing
    odd = {key: count for key, count in counts.items() if count % 2}
    assert odd == {}, odd


def test_a_short_handout_is_not_padded_and_an_odd_one_ends_with_a_notes_page(tiny):
    one = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE))
    assert one.pages == 1  # a single sheet, printed on one side: nothing added
    markdown = tiny.content / "tiny-topic" / "en" / "standard.md"
    markdown.write_text(markdown.read_text() + "\n" + "\n\n".join(
        f"Paragraph {n}: " + "words that fill the page " * 12 for n in range(28)))
    longer = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE))
    assert longer.pages % 2 == 0
    last = page_texts(longer.pdf)[-1]
    if "Published by" not in last:
        assert last.split("Tiny Clinic", 1)[1].strip().startswith("Notes")


def test_the_waste_tool_reports_each_kind_of_unused_paper_and_counts_notes_pages_as_unused():
    result = subprocess.run([sys.executable, str(REPO / "tools" / "print_waste.py"),
                             "--layout", "letter"], capture_output=True, text=True,
                            cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    # a heading, one line per handout, the total, and how notes pages are counted
    assert len(lines) == len(VERSIONS) + 3
    assert "notes page" in lines[-1] and "whole unused page" in lines[-1]
    rows = [line.replace("(", " ").replace(")", " ").replace("+", " ").split()
            for line in lines[1:-1]]
    for row in rows:
        *_, pages, waste, blank, backs, notes = row[:-4] if row[0] == "total" else row
        # notes pages and blank backs are whole pages of unused paper, added to the blank
        # space measured in the content pages
        assert float(waste) == pytest.approx(float(blank) + int(backs) + int(notes), abs=0.011)
        if row[0] != "total":
            assert int(backs) == int(pages) % 2
    total = rows[-1]
    assert total[0] == "total"
    pages, waste = int(total[1]), float(total[2])
    # before issue 16 these handouts wasted 23.9 pages of paper in 68 (35%)
    assert waste / pages < 0.3, lines[-2]
