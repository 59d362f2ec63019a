"""Layout rules a reader relies on, checked on every shipped handout in every layout:
no page is empty but for its header and footer, a heading never ends a page, and a box is
never split across pages."""

from __future__ import annotations

import re

import pytest
from conftest import DATE, REPO, page_texts

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.document.model import Callout, plain_text
from handouts.inputs.paths import Roots
from handouts.inputs.topics import load_topic, topic_names

SHIPPED = Roots.under(REPO)
VERSIONS = [(name, lang, level) for name in topic_names(SHIPPED)
            for lang, level in load_topic(SHIPPED, name).versions()]


def last_text(block) -> str:
    """The words of the last line of text in a block, however deeply it is nested."""
    while not hasattr(block, "content"):
        block = block.items[-1] if hasattr(block, "items") else block.blocks[-1]
    return " ".join(plain_text(block.content).split()[-4:]).replace("\xa0", " ")


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print", "booklet-letter"])
@pytest.mark.parametrize("topic,lang,level", VERSIONS)
def test_no_bare_page_no_stranded_heading_no_split_box(topic, lang, level, layout):
    handout = build_handout(SHIPPED, topic, "riverside", layout,
                            Options(lang=lang, level=level, date=DATE))
    pages = page_texts(handout.pdf)
    footer = handout.document.title if handout.layout.footer_title else "(555) 010-4477"
    for number, text in enumerate(pages, start=1):
        body = re.sub(r"Page \d+ of \d+|P\u00e1gina \d+ de \d+", "", text)
        for repeated in ("Riverside Cancer Center", handout.document.title, "(555) 010-4477",
                         "\u2022"):
            body = body.replace(repeated, "", 1 if repeated.startswith("Riverside") else -1)
        assert body.split(), f"page {number} holds nothing but its header and footer"
    for section in handout.document.sections:
        heading = " ".join(plain_text(section.heading.content).split())
        page = next(text for text in pages if heading in text)
        after = page.split(heading, 1)[1].strip()
        assert not after.startswith(footer), f"'{heading}' ends a page"
        for block in section.blocks:
            if isinstance(block, Callout) and block.title:
                title = " ".join(plain_text(block.title).split())
                last = last_text(block)
                holder = [text for text in pages if title in text]
                assert holder, title
                assert last in holder[0], f"box '{title}' is split across pages"
