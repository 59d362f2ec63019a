"""Clinical codes on topics: ICD-10-CM, SNOMED CT, RxNorm, LOINC; validation and hierarchy.

ICD-10-CM codes are checked offline against the code set the `simple-icd-10-cm` package ships
(its plain code list is read directly: importing the package parses a 10 MB XML file, which
only descriptions need). The hierarchy of ICD-10-CM is in the codes themselves: a code's
ancestors are its prefixes that are codes too (C79.51 -> C79.5 -> C79; M84.58XA -> M84.58 ->
M84.5 -> M84). SNOMED CT, RxNorm and LOINC have no code set shipped here; their codes are
checked for form, and for SNOMED CT and LOINC for their check digits.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import HandoutsError


@dataclass(frozen=True)
class CodeSystem:
    key: str  # as written in topic.toml: [codes] icd10cm = [...]
    name: str  # as people read it
    oid: str  # HL7 v3 / Infobutton (mainSearchCriteria.v.cs)
    uri: str  # FHIR


SYSTEMS: dict[str, CodeSystem] = {
    system.key: system for system in (
        CodeSystem("icd10cm", "ICD-10-CM", "2.16.840.1.113883.6.90",
                   "http://hl7.org/fhir/sid/icd-10-cm"),
        CodeSystem("snomed", "SNOMED CT", "2.16.840.1.113883.6.96", "http://snomed.info/sct"),
        CodeSystem("rxnorm", "RxNorm", "2.16.840.1.113883.6.88",
                   "http://www.nlm.nih.gov/research/umls/rxnorm"),
        CodeSystem("loinc", "LOINC", "2.16.840.1.113883.6.1", "http://loinc.org"),
    )
}
BY_OID = {system.oid: system for system in SYSTEMS.values()}
MAX_CODES_PER_SYSTEM = 100



class MalformedCode(ValueError):
    """Not even written like a code of its system (a typing slip, or not a code at all)."""


class UnknownCode(ValueError):
    """Written like a code, but not one: absent from the code set, or a wrong check digit."""


_ICD_FORM = re.compile(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")


def system_named(key: str) -> CodeSystem:
    if key not in SYSTEMS:
        raise HandoutsError(f"unknown code system '{key}'; use one of: {', '.join(SYSTEMS)}")
    return SYSTEMS[key]


# -- ICD-10-CM ---------------------------------------------------------------------------------

def _package_folder() -> Path:
    spec = importlib.util.find_spec("simple_icd_10_cm")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise HandoutsError("the ICD-10-CM code set is missing: install the "
                            "'simple-icd-10-cm' package")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.lru_cache(maxsize=1)
def _code_list() -> str:
    """The packaged code list, one entry a line, with a newline before the first."""
    lists = sorted((_package_folder() / "data").glob("code-list-*.txt"))
    if not lists:
        raise HandoutsError("the ICD-10-CM code set is missing from the 'simple-icd-10-cm' "
                            "package")
    return "\n" + lists[-1].read_text(encoding="utf-8") + "\n"  # the file may not end in one


@functools.lru_cache(maxsize=1)
def icd10cm_codes() -> frozenset[str]:
    """Every ICD-10-CM code (categories, subcategories and billable codes), without dots."""
    # The list also holds chapters ("2") and blocks ("C76-C80"); codes start with a letter.
    return frozenset(line.strip() for line in _code_list().splitlines()
                     if line[:1].isalpha() and "-" not in line)


def _is_icd10cm(plain: str) -> bool:
    """One code looked up in the list's text: building the set of all 98,000 codes costs a
    tenth of one `generate`, and checking a topic's few codes needs none of it. plain has
    the form of a code (a letter, digits, no '-'), so a whole line equal to it is a code."""
    return f"\n{plain}\n" in _code_list()


def _icd_plain(code: str) -> str:
    return code.replace(".", "")


def _icd_dotted(plain: str) -> str:
    return plain if len(plain) <= 3 else f"{plain[:3]}.{plain[3:]}"


def _icd10cm(raw: str) -> str:
    text = raw.strip().upper()
    if not _ICD_FORM.fullmatch(text):
        raise MalformedCode(f"'{raw}' is not written like an ICD-10-CM code (e.g. C79.51)")
    plain = _icd_plain(text)
    if not _is_icd10cm(plain):
        raise UnknownCode(f"'{raw}' is not an ICD-10-CM code")
    return _icd_dotted(plain)


def icd10cm_ancestors(code: str) -> tuple[str, ...]:
    """The codes above `code`, nearest first (C79.51 -> C79.5, C79)."""
    plain = _icd_plain(code)
    return tuple(_icd_dotted(plain[:n]) for n in range(len(plain) - 1, 2, -1)
                 if _is_icd10cm(plain[:n]))


@functools.lru_cache(maxsize=1)
def _tabular_list() -> str:
    """The package's tabular list (XML, about 10 MB) as text."""
    lists = sorted((_package_folder() / "data").glob("icd10c-tabular-*.xml"))
    if not lists:
        raise HandoutsError("the ICD-10-CM tabular list is missing from the 'simple-icd-10-cm' "
                            "package")
    return lists[-1].read_text(encoding="utf-8")


@functools.lru_cache(maxsize=4096)
def icd10cm_description(code: str) -> str | None:
    """The code set's title for a code. A code listed in the tabular list is looked up in
    its text (milliseconds); a code made with a seventh character (M84.58XA) is described
    by the package itself, which parses the whole list first (seconds, 200 MB)."""
    import html

    text = _tabular_list()
    at = text.find(f"<name>{code}</name>")
    if at >= 0:
        start = text.find("<desc>", at, at + 300)
        end = text.find("</desc>", start)
        if start >= 0 and end > start:
            return html.unescape(text[start + len("<desc>"):end])
    import simple_icd_10_cm as icd

    try:
        return icd.get_description(_icd_plain(code))
    except ValueError:
        return None


# -- SNOMED CT, LOINC, RxNorm: form and check digits -------------------------------------------

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6), (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4), (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2), (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_valid(number: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def _snomed(raw: str) -> str:
    text = raw.strip()
    if not re.fullmatch(r"[1-9][0-9]{5,17}", text):
        raise MalformedCode(f"'{raw}' is not a SNOMED CT concept id (6 to 18 digits)")
    if text[-3:-1] not in ("00", "10"):
        raise UnknownCode(f"'{raw}' is a SNOMED CT id but not of a concept")
    if not verhoeff_valid(text):
        raise UnknownCode(f"'{raw}' fails the SNOMED CT check digit (a mistyped digit?)")
    return text


def loinc_check_digit(number: str) -> int:
    """LOINC's mod 10 check digit of the part before the hyphen."""
    digits = [int(d) for d in reversed(number)]
    total = 0
    for position, digit in enumerate(digits):
        if position % 2 == 0:
            doubled = digit * 2
            total += doubled // 10 + doubled % 10
        else:
            total += digit
    return (10 - total % 10) % 10


def _loinc(raw: str) -> str:
    text = raw.strip()
    match = re.fullmatch(r"([0-9]{1,7})-([0-9])", text)
    if not match:
        raise MalformedCode(f"'{raw}' is not written like a LOINC code (e.g. 17861-6)")
    if loinc_check_digit(match[1]) != int(match[2]):
        raise UnknownCode(f"'{raw}' fails the LOINC check digit (a mistyped digit?)")
    return text


def _rxnorm(raw: str) -> str:
    text = raw.strip()
    if not re.fullmatch(r"[1-9][0-9]{0,8}", text):
        raise MalformedCode(f"'{raw}' is not an RxNorm concept id (RxCUI: digits only)")
    return text


_NORMALISERS = {"icd10cm": _icd10cm, "snomed": _snomed, "loinc": _loinc, "rxnorm": _rxnorm}


def normalise(system: str, raw: str) -> str:
    """The code as written canonically; MalformedCode or UnknownCode (both ValueError) with
    a reason when it is not a code."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise MalformedCode("a code is a short piece of text (at most 40 characters)")
    return _NORMALISERS[system_named(system).key](raw)


def ancestors(system: str, code: str) -> tuple[str, ...]:
    return icd10cm_ancestors(code) if system == "icd10cm" else ()


def description(system: str, code: str) -> str | None:
    return icd10cm_description(code) if system == "icd10cm" else None


# -- topic.toml [codes] -------------------------------------------------------------------------

def read_codes(table, path: Path) -> dict[str, tuple[str, ...]]:
    """The [codes] table of a topic.toml (a TableReader or None): system -> codes."""
    if table is None:
        return {}
    codes: dict[str, tuple[str, ...]] = {}
    for key in list(table.data):
        if key not in SYSTEMS:
            raise table.fail(key, f"unknown code system; use one of: {', '.join(SYSTEMS)}")
        listed = table.text_list(key)
        if len(listed) > MAX_CODES_PER_SYSTEM:
            raise table.fail(key, f"lists more than {MAX_CODES_PER_SYSTEM} codes")
        checked = []
        for raw in listed:
            try:
                checked.append(normalise(key, raw))
            except ValueError as error:
                raise table.fail(key, str(error)) from None
        if len(set(checked)) != len(checked):
            raise table.fail(key, "lists a code twice")
        codes[key] = tuple(checked)
    table.finish()
    return codes


# -- matching -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeMatch:
    """Why a topic answers a code: coded with it, with a broader code, or a narrower one."""

    system: str
    asked: str  # the code asked for
    coded: str  # the code on the topic that matched
    kind: str  # exact | broader | narrower

    @property
    def rank(self) -> int:
        return {"exact": 0, "broader": 1, "narrower": 2}[self.kind]

    def reason(self, lang: str = "en") -> str:
        name = SYSTEMS[self.system].name
        words = _REASONS.get(lang, _REASONS["en"])[self.kind]
        return words.format(name=name, coded=self.coded, asked=self.asked)


_REASONS = {
    "en": {"exact": "coded {name} {coded}",
           "broader": "coded {name} {coded}, which includes {asked}",
           "narrower": "coded {name} {coded}, a more specific code under {asked}"},
    "es": {"exact": "tiene el código {name} {coded}",
           "broader": "tiene el código {name} {coded}, que incluye {asked}",
           "narrower": "tiene el código {name} {coded}, más específico que {asked}"},
}


def match_codes(codes: dict[str, tuple[str, ...]], system: str,
                asked: str) -> CodeMatch | None:
    """The best match of a (normalised) code against a topic's codes, or None."""
    coded = codes.get(system, ())
    if asked in coded:
        return CodeMatch(system, asked, asked, "exact")
    for ancestor in ancestors(system, asked):  # nearest first
        if ancestor in coded:
            return CodeMatch(system, asked, ancestor, "broader")
    for code in coded:
        if asked in ancestors(system, code):
            return CodeMatch(system, asked, code, "narrower")
    return None
