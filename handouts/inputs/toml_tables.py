"""Typed reading of TOML tables: every key checked once, errors name the file and the key."""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from pathlib import Path
from typing import Any

from handouts.errors import HandoutsError

# controls other than tab/newline/CR (which only separate words here) and bidi controls
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class TableReader:
    """Take values out of one TOML table; `finish()` refuses keys nobody asked for."""

    def __init__(self, data: Any, path: Path, where: str = ""):
        if not isinstance(data, dict):
            raise HandoutsError(f"{where or 'the file'} must be a table", path)
        self.data = data
        self.path = path
        self.where = where
        self._seen: set[str] = set()

    def key_name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> HandoutsError:
        return HandoutsError(f"key '{self.key_name(key)}': {problem}", self.path)

    def has(self, key: str) -> bool:
        self._seen.add(key)
        return key in self.data

    def _get(self, key: str, required: bool) -> Any:
        self._seen.add(key)
        if key not in self.data:
            if required:
                raise HandoutsError(f"missing required key '{self.key_name(key)}'", self.path)
            return None
        return self.data[key]

    def text(self, key: str, default: str | None = None, *, required: bool = True,
             max_length: int = 2000) -> str | None:
        value = self._get(key, required and default is None)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(key, f"expected text in quotes, got {type_name(value)}")
        self._check_characters(key, value)
        value = " ".join(value.split())
        if required and not value:
            raise self.fail(key, "must not be empty")
        if len(value) > max_length:
            raise self.fail(key, f"is {len(value)} characters long; the limit is {max_length}")
        return value

    def number(self, key: str, default: float | None = None, *, minimum: float | None = None,
               maximum: float | None = None) -> float:
        value = self._get(key, default is None)
        if value is None:
            return float(default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {type_name(value)}")
        if not math.isfinite(value):  # nan passes every comparison with a limit
            raise self.fail(key, f"is {value}; give an ordinary number")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"is {value}; it must be at least {minimum:g}")
        if maximum is not None and value > maximum:
            raise self.fail(key, f"is {value}; it must be at most {maximum:g}")
        return float(value)

    def integer(self, key: str, default: int | None = None, *, minimum: int | None = None,
                maximum: int | None = None) -> int:
        """A whole number: 1.5 columns or copies is refused, not rounded."""
        value = self.number(key, default, minimum=minimum, maximum=maximum)
        if value != int(value):
            raise self.fail(key, f"is {value:g}; give a whole number")
        return int(value)

    def _check_characters(self, key: str, value: str) -> None:
        """TOML escapes can carry NUL, ESC or bidi overrides onto the page, into the PDF's
        metadata or into a file name: refused, naming the character."""
        found = _CONTROL.search(value)
        if found:
            raise self.fail(key, f"contains the invisible control character "
                            f"U+{ord(found.group()):04X}; remove it")

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {type_name(value)}")
        return value

    def date(self, key: str) -> _dt.date:
        value = self._get(key, True)
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, "expected a date like 2026-11-20")

    def text_list(self, key: str, *, required: bool = True) -> list[str]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, 'expected a list of text, like ["one", "two"]')
        for text in value:
            self._check_characters(key, text)
        if required and not value:
            raise self.fail(key, "must list at least one item")
        return [" ".join(v.split()) for v in value]

    def table(self, key: str, *, required: bool = True) -> TableReader | None:
        value = self._get(key, required)
        if value is None:
            return None
        return TableReader(value, self.path, self.key_name(key))

    def tables(self, key: str) -> list[TableReader]:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "expected a list of tables ([[...]] entries)")
        return [TableReader(v, self.path, f"{self.key_name(key)}[{i}]")
                for i, v in enumerate(value)]

    def finish(self) -> None:
        unknown = [key for key in self.data if key not in self._seen]
        if not unknown:
            return
        key = unknown[0]
        close = difflib.get_close_matches(key, sorted(self._seen), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else (
            f"; known keys: {', '.join(sorted(self._seen))}")
        raise HandoutsError(f"unknown key '{self.key_name(key)}'{hint}", self.path)


def type_name(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)
