"""Glossary of medical terms per language: plain wording and short definitions."""

from __future__ import annotations

from .model import Document, GlossaryEntry
from .paths import Roots


def words_for(roots: Roots, document: Document) -> tuple[GlossaryEntry, ...]:
    """The glossary terms a handout uses (filled in by the reading-level feature)."""
    return ()
