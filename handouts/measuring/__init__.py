"""Measuring text: reading grade and plain-language findings."""
