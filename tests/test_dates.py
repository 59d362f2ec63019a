"""Printed dates: English and Spanish written as CLDR (through Babel) writes them, other
languages by Babel itself, ISO 8601 for a language nobody knows."""

from __future__ import annotations

import datetime as dt

import pytest
from babel import Locale
from babel.dates import format_date, format_skeleton

from handouts.document.dates import long_date, month_year

DAYS = [dt.date(year, month, day) for year in (1999, 2026, 2100) for month in range(1, 13)
        for day in (1, 9, 28)]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_english_and_spanish_dates_are_cldrs_for_every_month(lang):
    locale = Locale.parse(lang)
    assert [long_date(day, lang) for day in DAYS] == \
        [format_date(day, "long", locale=locale) for day in DAYS]
    assert [month_year(day, lang) for day in DAYS] == \
        [format_skeleton("yMMMM", day, locale=locale) for day in DAYS]


def test_what_readers_see():
    day = dt.date(2026, 11, 27)
    assert long_date(day, "en") == "November 27, 2026"
    assert long_date(day, "es") == "27 de noviembre de 2026"
    assert month_year(day, "en") == "November 2026"
    assert month_year(day, "es") == "noviembre de 2026"


def test_other_languages_come_from_babel_and_unknown_ones_are_iso():
    day = dt.date(2026, 3, 5)
    assert long_date(day, "fr") == "5 mars 2026"
    assert long_date(day, "en-GB") == "5 March 2026"
    assert month_year(day, "de") == "März 2026"
    assert long_date(day, "qq") == "2026-03-05"
    assert month_year(day, "qq") == "2026-03"
