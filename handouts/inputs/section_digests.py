"""Sections of a content file as written (before templates are filled in), and a digest of
each: what translations and clinic overrides record as the text they were made from."""

from __future__ import annotations

import hashlib
import re

# '## Heading {#key}' (and, in a clinic's override, '## Heading {#key after=other}')
SECTION_HEADING = re.compile(
    r"^##[ \t]+(?P<title>.*?)[ \t]*\{#(?P<key>[a-z0-9][a-z0-9-]*)"
    r"(?:[ \t]+(?P<place>(?:after|before)=[a-z0-9-]*))?[ \t]*\}[ \t]*$")
DIGEST_LENGTH = 16
_COMMENT = re.compile(r"<!--.*?-->", re.S)
OPENING = "_opening"  # what comes before the first section (key points, a 911 box); never
# a section key, which cannot start with '_'


def split_sections(text: str) -> tuple[str, dict[str, str]]:
    """The text before the first section, and each section's text (its heading line
    included) by key, in file order."""
    intro: list[str] = []
    sections: dict[str, list[str]] = {}
    current = intro
    for line in text.splitlines():
        match = SECTION_HEADING.match(line)
        if match:
            current = sections.setdefault(match["key"], [])
        current.append(line)
    return "\n".join(intro), {key: "\n".join(lines).strip() + "\n"
                              for key, lines in sections.items()}


def section_digest(text: str) -> str:
    """Changes when the words change; not when lines are re-wrapped or spaces added."""
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode()).hexdigest()[:DIGEST_LENGTH]


def section_digests(text: str) -> dict[str, str]:
    """Each section's digest, and the opening's when there is one."""
    opening, sections = split_sections(text)
    digests = {OPENING: section_digest(opening)} if _COMMENT.sub("", opening).strip() else {}
    digests.update({key: section_digest(body) for key, body in sections.items()})
    return digests


def part_name(key: str) -> str:
    return "the opening (before the first section)" if key == OPENING else f"'{key}'"
