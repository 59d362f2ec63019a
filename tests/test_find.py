"""handouts find: by code (following the hierarchy) and by words in English and Spanish."""

from __future__ import annotations

import json
import shutil

from conftest import REPO, run_cli

from handouts.inputs.paths import Roots
from handouts.topic_search import find_by_code, find_by_words, find_topics


def test_find_by_code_lists_bone_metastasis_and_says_why(shipped):
    result = run_cli("--root", str(REPO), "find", "--code", "C79.51")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "ICD-10-CM C79.51 (Secondary malignant neoplasm of bone)" in out
    assert "bone-metastasis: Bone Metastasis: When Cancer Spreads to the Bone" in out
    assert "languages: en (easy/standard), es (easy/standard)" in out
    assert "why: coded ICD-10-CM C79.51" in out
    assert "hypercalcemia" not in out


def test_a_topic_coded_with_the_ancestor_is_found_by_the_specific_code(tmp_path):
    roots = Roots.under(tmp_path)
    shutil.copytree(REPO / "content", roots.content)
    toml = roots.content / "bone-metastasis" / "topic.toml"
    toml.write_text(toml.read_text().replace('"C79.51", "C79.52", ', '"C79.5", '))
    found = {f.slug: f for f in find_by_code(roots, "C79.51")}
    assert found["bone-metastasis"].reasons == (
        "coded ICD-10-CM C79.5, which includes C79.51",)
    assert found["bone-metastasis"].code_match.kind == "broader"
    assert found["radiation-to-bone"].code_match.kind == "exact"
    assert [f.slug for f in find_by_code(roots, "C79.51")][0] == "radiation-to-bone"


def test_find_json_says_what_matched_and_how(shipped):
    result = run_cli("--root", str(REPO), "find", "--code", "c7951", "--format", "json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    first = items[0]
    assert first["topic"] == "bone-metastasis"
    assert first["match"] == {"system": "icd10cm", "asked": "C79.51", "coded": "C79.51",
                              "kind": "exact"}
    assert first["languages"] == {"en": ["easy", "standard"], "es": ["easy", "standard"]}
    assert first["titles"]["es"].startswith("Metástasis ósea")


def test_other_code_systems_find_by_their_own_codes(shipped):
    assert [f.slug for f in find_by_code(shipped, "66931009", "snomed")] == ["hypercalcemia"]
    assert [f.slug for f in find_by_code(shipped, "17861-6", "loinc")] == ["hypercalcemia"]


def test_an_unknown_code_finds_nothing_and_a_malformed_one_is_an_error(shipped):
    assert find_by_code(shipped, "J45.40") == []  # asthma: a real code no topic answers
    result = run_cli("--root", str(REPO), "find", "--code", "C79.5X")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: 'C79.5X' is not an ICD-10-CM code"
    result = run_cli("--root", str(REPO), "find", "--code", "17861-5", "--system", "loinc")
    assert "check digit" in result.stderr and result.exit_code == 1


def test_find_by_words_in_english_and_spanish_with_or_without_accents(shipped):
    assert [f.slug for f in find_by_words(shipped, "calcio alto")] == ["hypercalcemia"]
    assert [f.slug for f in find_by_words(shipped, "metástasis ósea")] == ["bone-metastasis"]
    assert [f.slug for f in find_by_words(shipped, "metastasis osea")] == ["bone-metastasis"]
    assert find_by_words(shipped, "radioterapia")[0].reasons == (
        "'radioterapia' in the title (es)",)
    assert find_by_words(shipped, "bone metastasis")[0].slug == "bone-metastasis"
    assert find_by_words(shipped, "hueso", lang="en") == []
    assert find_by_words(shipped, "quantum chromodynamics") == []


def test_find_by_words_on_the_command_line(shipped):
    result = run_cli("--root", str(REPO), "find", "calcio")
    assert result.exit_code == 0
    assert "hypercalcemia: High Calcium in the Blood (Hypercalcemia)" in result.stdout
    assert "why: 'calcio' in the title (es)" in result.stdout
    result = run_cli("--root", str(REPO), "find", "--lang", "es", "calcio", "--format", "json")
    assert [item["topic"] for item in json.loads(result.stdout)] == ["hypercalcemia"]
    result = run_cli("--root", str(REPO), "find", "xylophone")
    assert result.stdout.strip() == "No topic matches 'xylophone'."


def test_one_search_box_takes_a_code_or_words(shipped):
    assert find_topics(shipped, "E83.52")[0].code_match.kind == "exact"
    assert find_topics(shipped, "hypercalcemia")[0].slug == "hypercalcemia"


def test_find_needs_a_code_or_words(shipped):
    result = run_cli("--root", str(REPO), "find")
    assert result.exit_code == 2 and "give --code CODE, or words" in result.stderr
