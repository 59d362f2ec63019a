"""Dates as readers of each language write them ("November 27, 2026", "27 de noviembre de
2026"), from the Unicode CLDR data that Babel ships; ISO 8601 stays for metadata."""

from __future__ import annotations

import datetime as _dt
import functools

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton


@functools.lru_cache(maxsize=64)
def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def long_date(day: _dt.date, lang: str) -> str:
    """The full date in the language's own form; ISO for a language CLDR does not know."""
    locale = _locale(lang)
    return format_date(day, "long", locale=locale) if locale else day.isoformat()


def month_year(day: _dt.date, lang: str) -> str:
    """Month and year ("November 2026", "noviembre de 2026")."""
    locale = _locale(lang)
    return format_skeleton("yMMMM", day, locale=locale) if locale else f"{day:%Y-%m}"
