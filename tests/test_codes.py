"""Codes on topics: checked against the ICD-10-CM code set when topics load; the hierarchy."""

from __future__ import annotations

import random

import pytest
import simple_icd_10_cm as icd
from conftest import TINY_TOPIC

from handouts.errors import HandoutsError
from handouts.inputs.codes import (
    BY_OID,
    SYSTEMS,
    icd10cm_ancestors,
    icd10cm_codes,
    icd10cm_description,
    match_codes,
    normalise,
)
from handouts.inputs.topics import load_topic, topic_names


def write_codes(roots, codes_toml: str) -> None:
    (roots.content / "tiny-topic" / "topic.toml").write_text(TINY_TOPIC + "\n[codes]\n"
                                                             + codes_toml)


def test_every_shipped_topic_is_coded_and_its_codes_are_in_the_code_set(shipped):
    for name in topic_names(shipped):
        topic = load_topic(shipped, name)
        assert topic.codes.get("icd10cm"), f"{name} has no ICD-10-CM code"
        for code in topic.codes["icd10cm"]:
            assert icd.is_valid_item(code), code  # the package's own judgement agrees


def test_bone_metastasis_answers_its_icd_10_cm_codes(shipped):
    codes = load_topic(shipped, "bone-metastasis").codes
    assert {"C79.51", "C79.52"} <= set(codes["icd10cm"])
    assert load_topic(shipped, "hypercalcemia").codes["icd10cm"] == ("E83.52",)


def test_codes_are_written_canonically_whatever_the_case_or_dot(tiny):
    write_codes(tiny, 'icd10cm = ["c79.51", "C7952"]\nloinc = ["17861-6"]\n')
    assert load_topic(tiny, "tiny-topic").codes == {"icd10cm": ("C79.51", "C79.52"),
                                                    "loinc": ("17861-6",)}


@pytest.mark.parametrize("codes_toml, problem", [
    ('icd10cm = ["C79.59"]', "'C79.59' is not an ICD-10-CM code"),
    ('icd10cm = ["bone"]', "not written like an ICD-10-CM code"),
    ('icd10cm = ["C76-C80"]', "not written like an ICD-10-CM code"),  # a block, not a code
    ('icd10cm = ["C79.51", "c79.51"]', "lists a code twice"),
    ('icd10 = ["C79.51"]', "unknown code system"),
    ('icd10cm = "C79.51"', "expected a list of text"),
    ('snomed = ["94222009"]', "check digit"),
    ('snomed = ["12345"]', "6 to 18 digits"),
    ('loinc = ["17861-5"]', "LOINC check digit"),
    ('rxnorm = ["RX77655"]', "RxCUI"),
])
def test_an_unknown_or_malformed_code_is_an_error_naming_the_file_and_key(tiny, codes_toml,
                                                                        problem):
    write_codes(tiny, codes_toml + "\n")
    with pytest.raises(HandoutsError, match=problem) as error:
        load_topic(tiny, "tiny-topic")
    assert "topic.toml" in str(error.value) and "codes." in str(error.value)


def test_the_code_set_and_the_hierarchy_agree_with_the_package():
    assert len(icd10cm_codes()) > 90_000
    sample = random.Random(12).sample(sorted(icd10cm_codes()), 300)
    for plain in sample:
        code = normalise("icd10cm", plain)
        # (a block named like its only category, E89, is listed too: once is enough)
        expected = tuple(dict.fromkeys(a for a in icd.get_ancestors(plain)
                                       if icd.is_category_or_subcategory(a)
                                       or icd.is_extended_subcategory(a)))
        assert icd10cm_ancestors(code) == expected, plain


def test_descriptions_agree_with_the_package():
    sample = random.Random(7).sample(sorted(icd10cm_codes()), 200) + ["M8458XA", "C7951"]
    for plain in sample:
        assert icd10cm_description(normalise("icd10cm", plain)) == icd.get_description(plain)


def test_seventh_character_codes_climb_past_their_placeholder():
    assert icd10cm_ancestors("M84.58XA") == ("M84.58", "M84.5", "M84")
    assert icd10cm_ancestors("C79.51") == ("C79.5", "C79")


def test_a_specific_code_matches_a_topic_coded_with_its_ancestor_and_says_so():
    coded = {"icd10cm": ("C79.5",)}
    matched = match_codes(coded, "icd10cm", "C79.51")
    assert (matched.kind, matched.coded) == ("broader", "C79.5")
    assert matched.reason() == "coded ICD-10-CM C79.5, which includes C79.51"
    assert match_codes({"icd10cm": ("C79.51",)}, "icd10cm", "C79.51").kind == "exact"
    narrower = match_codes({"icd10cm": ("C79.51",)}, "icd10cm", "C79")
    assert (narrower.kind, narrower.reason()) == (
        "narrower", "coded ICD-10-CM C79.51, a more specific code under C79")
    assert match_codes(coded, "icd10cm", "C79.49") is None  # a sibling, not a relative
    assert match_codes(coded, "snomed", "94222008") is None


def test_code_systems_carry_the_hl7_oids_infobutton_requests_use():
    assert {key: system.oid for key, system in SYSTEMS.items()} == {
        "icd10cm": "2.16.840.1.113883.6.90", "snomed": "2.16.840.1.113883.6.96",
        "rxnorm": "2.16.840.1.113883.6.88", "loinc": "2.16.840.1.113883.6.1"}
    assert BY_OID["2.16.840.1.113883.6.90"].key == "icd10cm"
