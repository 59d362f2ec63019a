"""Kerning pairs and hyphenation patterns kept in the user's cache folder: the same answers as
reading the font with fontTools and the patterns with pyphen, never stale or another file's,
ignored when damaged, and a handout byte-identical whether the cache is cold, warm or
unusable. (How much time this saves is measured in benchmarks/run.py, never here.)"""

from __future__ import annotations

import re
import subprocess
import sys

import pyphen
import pytest
from conftest import REPO

from handouts.inputs import prepared_cache
from handouts.inputs.prepared_cache import cached, source_key
from handouts.layout.fonts import Kerning, family, read_kerning
from handouts.layout.hyphenation import Hyphenator, dictionary_file, hyphenator, patterns


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "handouts"


def test_kerning_comes_from_the_font_and_is_the_same_from_the_cache(cache):
    regular = family("Atkinson Hyperlegible").files["regular"]
    cold = Kerning(regular)
    assert len(list((cache / "kerning").glob("*.json"))) == 1
    warm = Kerning(regular)
    assert cold.pair("T", "o") < 0 and cold.pair("A", "V") < 0  # the font's own pairs
    assert cold.pair("o", "o") == 0 and cold.pair("A", "\u4e00") == 0  # none, no glyph
    letters = "AVTWYoaeLPFr.,'-fjt1"
    pairs = [(left, right) for left in letters for right in letters]
    assert [warm.pair(*pair) for pair in pairs] == [cold.pair(*pair) for pair in pairs]


def test_kerning_read_by_character_agrees_with_fonttools_by_glyph():
    """Every pair of characters in the first subtable that kerns them, as fontTools'
    own objects give it (the glyph-by-glyph reading this cache replaced)."""
    from fontTools.ttLib import TTFont

    path = family("Atkinson Hyperlegible").files["bold"]
    font = TTFont(str(path), lazy=True)
    cmap = font.getBestCmap()
    scale = 1000 / font["head"].unitsPerEm
    table = font["GPOS"].table
    kern_lookups = sorted({index for record in table.FeatureList.FeatureRecord
                           if record.FeatureTag == "kern"
                           for index in record.Feature.LookupListIndex})
    subtables = [subtable.ExtSubTable if lookup.LookupType == 9 else subtable
                 for lookup in (table.LookupList.Lookup[i] for i in kern_lookups)
                 for subtable in lookup.SubTable]

    def by_glyph(left: str, right: str) -> float:
        first, second = cmap.get(ord(left)), cmap.get(ord(right))
        for subtable in subtables:
            if first not in subtable.Coverage.glyphs:
                continue
            if subtable.Format == 1:
                pair_set = subtable.PairSet[subtable.Coverage.glyphs.index(first)]
                for record in pair_set.PairValueRecord:
                    if record.SecondGlyph == second:
                        return (getattr(record.Value1, "XAdvance", 0) or 0) * scale
                continue
            row = subtable.Class1Record[subtable.ClassDef1.classDefs.get(first, 0)]
            value = row.Class2Record[subtable.ClassDef2.classDefs.get(second, 0)].Value1
            return (getattr(value, "XAdvance", 0) or 0) * scale
        return 0.0

    kerning = Kerning(path)
    letters = "AVTWYLPFKXRvwyoaeucdgqrnm.,;:-'\"()1479"
    pairs = [(left, right) for left in letters for right in letters]
    assert [kerning.pair(*pair) for pair in pairs] == [by_glyph(*pair) for pair in pairs]
    assert any(kerning.pair(*pair) for pair in pairs)
    assert read_kerning(path) == read_kerning(path)  # the same data, read twice


WORDS = re.compile(r"[^\W\d_]{7,}")


@pytest.mark.parametrize("language, pyphen_name", [("en", "en_US"), ("es", "es")])
def test_hyphenation_points_are_pyphens_for_every_word_we_ship(cache, language,
                                                                pyphen_name):
    ours = hyphenator(language)
    theirs = pyphen.Pyphen(lang=pyphen_name, left=3, right=3)
    words = {word for path in (REPO / "content").rglob("*.md")
             if language in path.relative_to(REPO / "content").parts
             for word in WORDS.findall(path.read_text(encoding="utf-8"))}
    words |= {"hypercalcemia", "radiotherapy", "bisphosphonates", "quimioterapia"}
    assert len(words) > 200
    assert {word: ours.positions(word) for word in words} == \
        {word: list(map(int, theirs.positions(word))) for word in words}
    cold = patterns(language)
    assert len(list((cache / "hyphenation").glob("*.json"))) == 1
    warm = Hyphenator(patterns(language))
    assert {word: warm.positions(word) for word in words} == \
        {word: ours.positions(word) for word in words}
    assert cold == patterns(language)


def test_a_language_is_found_as_pyphen_finds_it():
    assert dictionary_file("en").name == "hyph_en_US.dic"
    assert dictionary_file("es-MX").name == "hyph_es.dic"
    assert dictionary_file("pt_BR").name == "hyph_pt_BR.dic"
    assert dictionary_file("xx") is None


def test_an_entry_is_found_by_the_file_and_the_code_never_by_name(cache, tmp_path):
    source = tmp_path / "patterns.dic"
    source.write_text("UTF-8\n1ab\n")
    code = tmp_path / "prepare.py"
    code.write_text("version 1")
    prepared = []

    def prepare():
        prepared.append(source.read_text())
        return {"from": source.read_text()}

    assert cached("test", source_key(source, [code]), prepare) == {"from": "UTF-8\n1ab\n"}
    assert cached("test", source_key(source, [code]), prepare) == {"from": "UTF-8\n1ab\n"}
    assert len(prepared) == 1  # the second time from the cache
    source.write_text("UTF-8\n1ac\n")  # a changed file: prepared again
    assert cached("test", source_key(source, [code]), prepare) == {"from": "UTF-8\n1ac\n"}
    code.write_text("version 2")  # changed code: prepared again
    assert cached("test", source_key(source, [code]), prepare) == {"from": "UTF-8\n1ac\n"}
    assert len(prepared) == 3
    assert source_key(tmp_path / "missing.dic", [code]) is None


def test_a_damaged_truncated_or_renamed_entry_is_ignored(cache, tmp_path):
    one, other = tmp_path / "one.dic", tmp_path / "other.dic"
    one.write_text("one")
    other.write_text("other")
    key_one, key_other = source_key(one, []), source_key(other, [])
    cached("test", key_one, lambda: ["one"])
    cached("test", key_other, lambda: ["other"])
    entry_one = cache / "test" / f"{key_one}.json"
    entry_other = cache / "test" / f"{key_other}.json"
    entry_one.write_bytes(entry_other.read_bytes())  # another file's entry under this name
    assert cached("test", key_one, lambda: ["one again"]) == ["one again"]
    data = bytearray(entry_other.read_bytes())
    data[-3] ^= 0x01  # one bit changed in the data
    entry_other.write_bytes(bytes(data))
    assert cached("test", key_other, lambda: ["other again"]) == ["other again"]
    entry_one.write_bytes(entry_one.read_bytes()[:30])
    assert cached("test", key_one, lambda: ["one, third time"]) == ["one, third time"]


def test_an_unusable_cache_folder_only_means_preparing_again(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    source = tmp_path / "source"
    source.write_text("x")
    assert cached("test", source_key(source, []), lambda: {"a": [1, 2.5]}) == {"a": [1, 2.5]}
    assert prepared_cache.cache_folder("test") == blocker / "handouts" / "test"


MAKE_ONE = """
import datetime, hashlib, sys
from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.inputs.paths import Roots
for lang in ("en", "es"):
    pdf = build_handout(Roots.under(sys.argv[1]), "bone-metastasis", "riverside", "letter",
                        Options(lang=lang, date=datetime.date(2026, 11, 26))).pdf
    print(hashlib.sha256(pdf).hexdigest())
print("loaded:", " ".join(sorted({name.split(".")[0] for name in sys.modules
                                  if name.split(".")[0] in ("fontTools", "pyphen")})))
"""


def test_handouts_are_byte_identical_cold_warm_or_without_a_cache(tmp_path):
    """Fresh processes, as a clinic runs one `generate` after another: the second reads the
    prepared data instead of fontTools and pyphen, and prints the same bytes."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")

    def run(cache_home) -> list[str]:
        env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache_home),
               "HOME": str(tmp_path)}
        result = subprocess.run([sys.executable, "-c", MAKE_ONE, str(REPO)], env=env,
                                capture_output=True, text=True, cwd=REPO)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    cold = run(tmp_path / "cache")
    warm = run(tmp_path / "cache")
    unusable = run(blocker)
    assert cold[:2] == warm[:2] == unusable[:2]
    assert cold[2] == "loaded: fontTools pyphen" == unusable[2]
    assert warm[2].strip() == "loaded:"
