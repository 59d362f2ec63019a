"""Where a word may be hyphenated: Liang's patterns from the dictionaries pyphen ships, parsed
once and kept in the user's cache folder between runs.

pyphen parses a language's pattern file on every run (about 50 ms for US English, more than
laying out a page). The parsed patterns are plain data, so they are cached keyed by the
pattern file and the code that parses it (pyphen's, and this module); the positions are
found as pyphen finds them (tests/test_prepared_cache.py holds both to the same answers)."""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

from handouts.inputs.prepared_cache import cached, source_key

LEFT = RIGHT = 3  # the shortest part a hyphen may leave at either end of a word


class Hyphenator:
    """One language's patterns: where words may be hyphenated."""

    def __init__(self, patterns: dict[str, str], left: int = LEFT, right: int = RIGHT):
        # letters -> "offset values" ("2 1,0,3"), read into numbers when first met: a
        # table of strings is one object to the garbage collector, not tens of thousands
        self.patterns = patterns
        self._read: dict[str, tuple[int, tuple[int, ...]]] = {}
        self.maxlen = max(map(len, patterns), default=0)
        self.left, self.right = left, right
        self._found: dict[str, list[int]] = {}

    def _pattern(self, letters: str) -> tuple[int, tuple[int, ...]] | None:
        found = self._read.get(letters)
        if found is None:
            text = self.patterns.get(letters)
            if text is None:
                return None
            offset, values = text.split(" ")
            found = self._read[letters] = (int(offset), tuple(map(int, values.split(","))))
        return found

    def positions(self, word: str) -> list[int]:
        """The indexes in word after which a hyphen may go, as pyphen's Pyphen.positions
        gives them for the same patterns and the same shortest parts."""
        right = len(word) - self.right
        return [i for i in self._points(word.lower()) if self.left <= i <= right]

    def _points(self, word: str) -> list[int]:
        points = self._found.get(word)
        if points is None:
            pointed = f".{word}."
            references = [0] * (len(pointed) + 1)
            known, pattern_of, maxlen = self.patterns, self._pattern, self.maxlen
            for i in range(len(pointed) - 1):
                for j in range(i + 1, min(i + maxlen, len(pointed)) + 1):
                    letters = pointed[i:j]
                    if letters not in known:
                        continue
                    offset, values = pattern_of(letters)
                    start = i + offset
                    references[start:start + len(values)] = map(
                        max, values, references[start:start + len(values)])
            points = self._found[word] = [i - 1 for i, value in enumerate(references)
                                          if value % 2]
        return points


def _dictionaries() -> Path | None:
    """pyphen's folder of pattern files, found without importing pyphen."""
    spec = importlib.util.find_spec("pyphen")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "dictionaries"


def dictionary_file(language: str) -> Path | None:
    """The pattern file for a language code (en is US English), chosen as pyphen's
    language_fallback chooses: the code, then shorter and shorter prefixes of it."""
    folder = _dictionaries()
    try:
        names = sorted(os.listdir(folder)) if folder is not None else []
    except OSError:
        return None
    languages: dict[str, str] = {}
    for name in names:
        if name.startswith("hyph_") and name.endswith(".dic"):
            code = name[5:-4]
            languages[code] = name
            languages.setdefault(code.split("_")[0], name)
    lowercase = {code.lower(): code for code in languages}
    parts = ("en_US" if language == "en" else language).replace("-", "_").lower().split("_")
    while parts:
        code = lowercase.get("_".join(parts))
        if code is not None:
            return folder / languages[code]
        parts.pop()
    return None


def _parse(path: Path) -> dict[str, str]:
    import pyphen

    return {letters: f"{offset} {','.join(str(int(value)) for value in values)}"
            for letters, (offset, values) in pyphen.HyphDict(path).patterns.items()}


def patterns(language: str) -> dict[str, str] | None:
    """The parsed patterns for a language code (en is US English), from the user's cache
    folder when it holds them; None when pyphen has no dictionary for the language."""
    path = dictionary_file(language)
    if path is None:
        return None
    folder = _dictionaries()
    code = [Path(__file__), folder.parent / "__init__.py" if folder else None]
    return cached("hyphenation", source_key(path, code), lambda: _parse(path))


@functools.cache
def hyphenator(language: str) -> Hyphenator | None:
    """The hyphenator for a language code (en is US English), or None without a dictionary."""
    found = patterns(language)
    return Hyphenator(found) if found is not None else None
