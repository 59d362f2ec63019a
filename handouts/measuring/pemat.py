"""The PEMAT-P items a program can check: AHRQ's Patient Education Materials Assessment Tool
for printable materials scores understandability and actionability as the share of items
met (70% or more counts as understandable or actionable). A full PEMAT needs a human
reader; these are the items the text itself can answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handouts.document.model import Block, BulletList, Callout, Section
from handouts.measuring.plain_language import OPENING, Finding, Unit
from handouts.measuring.readability import words

PASSING_SHARE = 0.7  # AHRQ: 70% or more of the items met
MAX_SECTION_WORDS = 400  # "short sections": about a page of a letter column at most
_YOU = {"en": re.compile(r"\byou\b|\byour\b", re.IGNORECASE),
        "es": re.compile(r"\busted\b|\bsu\b|\bsus\b|\ble\b|\blo\b|\bla\b", re.IGNORECASE)}
_HARD_NUMBERS = re.compile(r"%|\bper ?cent\b|\bpor ciento\b|\b\d+/\d+\b|\bmg\b|\bmmol\b")


@dataclass(frozen=True)
class Item:
    number: int  # the item's number in PEMAT-P
    domain: str  # understandability | actionability
    name: str
    met: bool

    def as_dict(self) -> dict[str, object]:
        return {"item": self.number, "domain": self.domain, "name": self.name,
                "met": self.met}


def assess(intro: tuple[Block, ...], sections: tuple[Section, ...], units: list[Unit],
           findings: list[Finding], lang: str, sentences: int) -> list[Item]:
    kinds = set(_callout_kinds(intro)) | {k for s in sections for k in _callout_kinds(s.blocks)}
    lead = [u for u in units if u.section == OPENING and u.kind == "paragraph"]
    found = {f.kind for f in findings}
    passive = sum(f.kind == "passive-voice" for f in findings)
    section_words = [sum(len(words(u.text)) for u in units if u.section == s.key)
                     for s in sections]
    headings = [u.text for u in units if u.kind == "heading"]
    text = " ".join(u.text for u in units)
    lists = any(isinstance(b, BulletList) for s in sections for b in s.blocks) or any(
        isinstance(b, Callout) and any(isinstance(x, BulletList) for x in b.blocks)
        for b in intro)
    you = _YOU.get(lang, _YOU["en"])
    return [
        Item(1, "understandability", "purpose evident at the start (a lead under the title)",
             bool(lead)),
        Item(2, "understandability", "common, everyday language (no hidden jargon)",
             "hidden-jargon" not in found),
        Item(3, "understandability", "active voice (passive in 1 sentence of 10 or fewer)",
             passive * 10 <= max(sentences, 1)),
        Item(4, "understandability", "medical terms defined where used",
             "unexplained-term" not in found),
        Item(5, "understandability", "numbers clear (no percentages, fractions or doses)",
             not _HARD_NUMBERS.search(text)),
        Item(8, "understandability", f"short sections (each {MAX_SECTION_WORDS} words or "
             "fewer)", all(n <= MAX_SECTION_WORDS for n in section_words)),
        Item(9, "understandability", "informative headings (two words or more)",
             all(len(words(h)) >= 2 for h in headings if h.strip().lower() not in
                 ("notes", "notas"))),
        Item(11, "understandability", "a summary: a key points box opens the handout",
             any(isinstance(b, Callout) and b.kind == "keypoints" for b in intro)),
        Item(20, "actionability", "at least one action the reader can take (a call box)",
             bool(kinds & {"emergency", "call"})),
        Item(21, "actionability", "addresses the reader directly", bool(you.search(text))),
        Item(22, "actionability", "actions broken into explicit steps (lists)", lists),
        Item(26, "actionability", "says what to do and when (a 911 box and a call box)",
             {"emergency", "call"} <= kinds),
    ]


def scores(items: list[Item]) -> dict[str, float]:
    """Share of items met per domain, as a percentage."""
    out = {}
    for domain in ("understandability", "actionability"):
        chosen = [i for i in items if i.domain == domain]
        if chosen:
            out[domain] = 100.0 * sum(i.met for i in chosen) / len(chosen)
    return out


def _callout_kinds(blocks: tuple[Block, ...]):
    for block in blocks:
        if isinstance(block, Callout):
            yield block.kind
        elif isinstance(block, BulletList):
            for item in block.items:
                yield from _callout_kinds(item.blocks)
