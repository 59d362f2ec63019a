"""Dates as readers of each language write them ("November 27, 2026", "27 de noviembre de
2026"), from the Unicode CLDR data that Babel ships; ISO 8601 stays for metadata."""

from __future__ import annotations

import datetime as _dt
import functools

# The languages our content is written in, as CLDR writes their dates (tests/test_dates.py
# holds these to Babel's answers for every month): looking them up here spares loading
# Babel's locale data, which costs a one-page handout's layout on every run.
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}
_LONG = {"en": "{month} {day}, {year}", "es": "{day} de {month} de {year}"}
_MONTH_YEAR = {"en": "{month} {year}", "es": "{month} de {year}"}


@functools.lru_cache(maxsize=64)
def _locale(lang: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def long_date(day: _dt.date, lang: str) -> str:
    """The full date in the language's own form; ISO for a language CLDR does not know."""
    if lang in _LONG:
        return _LONG[lang].format(month=_MONTHS[lang][day.month - 1], day=day.day,
                                  year=day.year)
    locale = _locale(lang)
    if locale is None:
        return day.isoformat()
    from babel.dates import format_date

    return format_date(day, "long", locale=locale)


def month_year(day: _dt.date, lang: str) -> str:
    """Month and year ("November 2026", "noviembre de 2026")."""
    if lang in _MONTH_YEAR:
        return _MONTH_YEAR[lang].format(month=_MONTHS[lang][day.month - 1], year=day.year)
    locale = _locale(lang)
    if locale is None:
        return f"{day:%Y-%m}"
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", day, locale=locale)
