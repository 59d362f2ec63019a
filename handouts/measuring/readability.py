"""Readability scores of body text: Flesch-Kincaid, SMOG, Flesch Reading Ease (English);
Fernandez-Huerta, Szigriszt-Pazos/INFLESZ and SOL (Spanish). Offline, no downloads."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass

# ---- words and sentences --------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(¿¡]*[^\W\d_]|[0-9])|(?<=[:;])\s+"
                           r"(?=[A-ZÁÉÍÓÚÑ¿¡])")


def split_sentences(text: str) -> list[str]:
    """Sentences of one unit of text (a paragraph, list item, heading or box title)."""
    text = " ".join(text.split())
    if not text:
        return []
    return [s for s in _SENTENCE_END.split(text) if words(s)]


def words(text: str) -> list[str]:
    """Words with at least one letter; numbers such as 911 are not words to read."""
    return _WORD.findall(text)


# ---- syllables ------------------------------------------------------------------------

_EN_EXCEPTIONS = {
    # words the rules below miscount, with their dictionary syllable counts
    "every": 2, "area": 3, "idea": 3, "being": 2, "doing": 2, "going": 2, "science": 2,
    "create": 2, "created": 3, "reaction": 3, "react": 2, "real": 1, "really": 2, "fire": 1,
    "hour": 1, "hours": 1, "our": 1, "people": 2, "business": 2, "family": 3, "different": 3,
    "evening": 2, "interest": 2, "medicine": 3, "medicines": 3, "several": 3, "sometimes": 2,
    "someone": 2, "something": 2, "anyone": 3, "everyone": 3, "everything": 3, "whole": 1,
    "ibuprofen": 4, "steroids": 2, "steroid": 2, "biopsy": 3, "calcium": 3, "cancer": 2,
    "tumor": 2, "tumors": 2, "therapy": 3, "radiation": 4, "osteoporosis": 6,
    "bisphosphonates": 4, "bisphosphonate": 4, "hypercalcemia": 6, "metastasis": 4,
    "metastases": 4, "metastatic": 4, "chemotherapy": 5, "nausea": 3, "tired": 2,
    "tiredness": 3, "fluids": 2, "fluid": 2, "quiet": 2, "diet": 2, "via": 2, "sedated": 3,
    "pelvis": 2, "skeleton": 3, "vein": 1, "veins": 1, "recipe": 3, "maybe": 2, "naive": 2,
    "poem": 2, "lion": 2, "client": 2, "patient": 2, "patients": 2, "ancient": 2,
    "special": 2, "social": 2, "being's": 2, "usual": 3, "usually": 4, "actually": 4,
    "appointment": 3, "appointments": 3, "dehydration": 4, "dehydrated": 4,
    "denosumab": 4, "zoledronic": 4, "pamidronate": 4, "intravenous": 5, "simulation": 4,
    "diarrhea": 4, "radiologist": 5, "oncologist": 4, "paralysis": 4, "numbness": 2,
    "permanent": 3, "unusual": 4, "serious": 3, "period": 3, "fatigue": 2, "ice": 1,
    "sunburn": 2, "sunburned": 2, "pacemaker": 3, "whenever": 3, "however": 3, "skin": 1,
    "tattoo": 2, "tattoos": 2, "surgeon": 2, "surgeons": 2, "treating": 2, "safely": 2,
    "lately": 2, "language": 2, "languages": 3, "exposed": 2, "likely": 2, "lonely": 2,
    "equally": 3,
}
_EN_VOWELS = re.compile(r"[aeiouy]+")


@functools.lru_cache(maxsize=100_000)
def english_syllables(word: str) -> int:
    word = word.lower().strip("'’")
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if "-" in word:
        return sum(english_syllables(part) for part in word.split("-") if part)
    word = re.sub(r"[^a-z]", "", _strip_accents(word))
    if not word:
        return 0
    if word in _EN_EXCEPTIONS:
        return _EN_EXCEPTIONS[word]
    if len(word) <= 3:
        return 1
    base = word
    if base.endswith("s") and not base.endswith(("ss", "us", "is")):
        stem = base[:-1]
        if stem in _EN_EXCEPTIONS:
            return _EN_EXCEPTIONS[stem]
        if not re.search(r"(s|z|x|ch|sh|c|g)e$", stem):
            base = stem  # plural or verb -s: bones, plates, makes (but not buses, pages)
    if re.search(r"[^aeiouy]e$", base) and not re.search(r"[^aeiouy]le$", base):
        base = base[:-1]  # silent final e (make, bone) but not -le (able, little)
    elif base.endswith("ed") and not re.search(r"[td]ed$", base):
        base = base[:-2]  # helped, used (but not needed, wanted)
    count = len(_EN_VOWELS.findall(base))
    # vowel pairs that are two syllables: ri-a, di-a, i-o (but -tion, -sion, -cious)
    count += len(re.findall(r"(?<![ct])ia(?!l)|(?<![cstgx])io(?!u)|[^aeiou]ua|uo|eo(?!u)|"
                            r"ea(?=[lt]?i)|yi", base))
    if re.search(r"[^aeiouy]le$", word) and not re.search(r"[^aeiouy]le$", base):
        count += 1
    if word.endswith(("ism", "ious")) and count < 2:
        count += 1
    return max(1, count)


_ES_STRONG = set("aeoáéóíú")  # an accented i or u is always its own syllable's nucleus
_ES_WEAK = set("iuü")
_ES_VOWELS = _ES_STRONG | _ES_WEAK


@functools.lru_cache(maxsize=100_000)
def spanish_syllables(word: str) -> int:
    """Spanish syllables from its spelling: vowel nuclei, with diphthongs and hiatus."""
    word = word.lower().replace("’", "'")
    if "-" in word:
        return sum(spanish_syllables(part) for part in word.split("-") if part)
    word = re.sub(r"(?<=[qg])u(?=[eéií])", "", word)  # que, gui: a silent u
    word = re.sub(r"y$", "i", word)  # hoy, muy: final y is a vowel
    count = 0
    previous = ""
    for char in word:
        if char in _ES_VOWELS:
            if not previous:
                count += 1
            elif previous in _ES_STRONG and char in _ES_STRONG:
                count += 1  # hiatus: two strong vowels (le-er, po-e-ma)
            # otherwise a diphthong or triphthong: same syllable
            previous = char
        elif char == "h":
            continue  # a silent h between vowels does not split them (prohibir aside)
        else:
            previous = ""
    return max(1, count)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def syllables(word: str, lang: str) -> int:
    return spanish_syllables(word) if lang == "es" else english_syllables(word)


# Abbreviations are counted as they are said. Most are spelled out letter by letter (MRI is
# "em-ar-eye", three syllables; CT "see-tee"); the glossary's `spoken` gives the ones read
# as a word (NSAIDs: "en-sayds"; PET: "pet"; AINE: "ái-ne").
_LETTER_SYLLABLES = {
    "en": dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVXYZ", 1) | {"W": 3},
    # Spanish letter names: efe, hache, jota, ele, eme, ene, erre, ese, uve, equis, zeta...
    "es": dict.fromkeys("ABCDEGIKOPQTU", 1) | dict.fromkeys("FHJLMNRSVXZ", 2)
    | {"W": 3, "Y": 3, "Ñ": 2},
}
_ABBREVIATION = re.compile(r"^[A-ZÑ]{2,6}s?$")


def is_abbreviation(word: str) -> bool:
    """MRI, CT, NSAIDs, AINE: two to six capitals (a plural s allowed)."""
    return bool(_ABBREVIATION.match(word))


def spoken_syllables(word: str, lang: str, spoken: dict[str, str] | None = None) -> int:
    """Syllables of a word as read aloud: an abbreviation as it is said, any other word
    from its spelling."""
    if spoken and word in spoken:
        return sum(syllables(part, lang) for part in words(spoken[word]))
    if is_abbreviation(word):
        letters = word[:-1] if word.endswith("s") else word
        table = _LETTER_SYLLABLES.get(lang, _LETTER_SYLLABLES["en"])
        return sum(table.get(letter, 1) for letter in letters)
    return syllables(word, lang)


# ---- counts and formulas --------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    sentences: int
    words: int
    syllables: int
    polysyllables: int  # words of three or more syllables

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.sentences + other.sentences, self.words + other.words,
                      self.syllables + other.syllables, self.polysyllables + other.polysyllables)


def count(units: list[str], lang: str) -> Counts:
    """Counts of texts split at their own sentence ends (each text ends a sentence)."""
    return count_sentences([s for unit in units for s in split_sentences(unit)], lang)


def count_sentences(sentences: list[str], lang: str,
                    spoken: dict[str, str] | None = None) -> Counts:
    """Counts of sentences already segmented (see plain_language.reader_sentences), with
    abbreviations counted as spoken."""
    sentence_count = word_count = syllable_count = poly = 0
    for sentence in sentences:
        found = words(sentence)
        if not found:
            continue
        sentence_count += 1
        for word in found:
            n = spoken_syllables(word, lang, spoken)
            word_count += 1
            syllable_count += n
            poly += n >= 3
    return Counts(sentence_count, word_count, syllable_count, poly)


def flesch_kincaid_grade(c: Counts) -> float:
    return 0.39 * c.words / c.sentences + 11.8 * c.syllables / c.words - 15.59


def flesch_reading_ease(c: Counts) -> float:
    return 206.835 - 1.015 * c.words / c.sentences - 84.6 * c.syllables / c.words


def smog_grade(c: Counts) -> float:
    return 1.0430 * math.sqrt(c.polysyllables * 30 / c.sentences) + 3.1291


def fernandez_huerta(c: Counts) -> float:
    """Fernández Huerta (1959), as Flesch's formula: 206.84 - 0.60 P - 1.02 F, where P is
    syllables per 100 words and F the mean words per sentence. (Later reprints give F as
    sentences per 100 words, which makes shorter sentences score harder.)"""
    return 206.84 - 0.60 * (100 * c.syllables / c.words) - 1.02 * (c.words / c.sentences)


def szigriszt_pazos(c: Counts) -> float:
    """Perspicuity (Szigriszt-Pazos 1993), read on the INFLESZ scale."""
    return 206.835 - 62.3 * c.syllables / c.words - c.words / c.sentences


def sol_grade(c: Counts) -> float:
    """SOL (Contreras et al. 1999), SMOG adapted to Spanish: a school grade."""
    return -2.51 + 0.74 * smog_grade(c)


def inflesz_band(score: float) -> str:
    if score < 40:
        return "very difficult"
    if score < 55:
        return "somewhat difficult"
    if score < 65:
        return "normal"
    if score < 80:
        return "fairly easy"
    return "very easy"


def scores(c: Counts, lang: str) -> dict[str, float]:
    if c.sentences == 0 or c.words == 0:
        return {}
    if lang == "es":
        return {"fernandez_huerta": fernandez_huerta(c), "szigriszt_pazos": szigriszt_pazos(c),
                "sol": sol_grade(c)}
    return {"flesch_kincaid": flesch_kincaid_grade(c), "smog": smog_grade(c),
            "flesch_reading_ease": flesch_reading_ease(c)}
