"""Content that stays current: review due dates, translations that keep up with the
English, clinic sections that survive content updates, and new topics from a skeleton."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from conftest import REPO, all_text, pdf_reader, run_cli

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.inputs.paths import Roots
from handouts.inputs.section_digests import split_sections
from handouts.inputs.topics import add_months
from handouts.lifecycle import mark_translation_current

ADDED_SENTENCE = "Ask your care team what each one is for."


@pytest.fixture
def library(tmp_path) -> Roots:
    """A copy of the shipped content, clinics and layouts to change freely, its Spanish
    bone-metastasis marked current with its English."""
    root = tmp_path / "library"
    for name in ("content", "clinics", "layouts"):
        shutil.copytree(REPO / name, root / name)
    roots = Roots.under(root)
    mark_translation_current(roots, "bone-metastasis", "es", (), "handouts content editors",
                             "handouts content editors", dt.date(2026, 11, 27))
    return roots


def shipped_section(roots: Roots, key: str, lang: str = "en", level: str = "standard") -> str:
    text = (roots.content / "bone-metastasis" / lang / f"{level}.md").read_text()
    return split_sections(text)[1][key]


def heading_of(roots: Roots, key: str) -> str:
    """A section's heading as printed (the key and Markdown marks taken off)."""
    first = shipped_section(roots, key).splitlines()[0]
    return first[3:first.index("{#")].strip()


def check(roots: Roots, *args: str):
    result = run_cli("check", *args, "--format", "json", roots=roots)
    reports = json.loads(result.stdout)["reports"]
    return result.exit_code, {(r["lang"], r["level"], r["clinic"]): r for r in reports}


def set_reviewed(roots: Roots, topic: str, day: str, every: int | None = None) -> None:
    path = roots.content / topic / "topic.toml"
    lines = path.read_text().splitlines()
    lines = [f"reviewed = {day}" if line.startswith("reviewed =") else line
             for line in lines if not line.startswith("review_every")]
    if every:
        lines.insert(1, f"review_every = {every}")
    path.write_text("\n".join(lines) + "\n")


def add_sentence(roots: Roots, section: str, lang: str = "en", level: str = "standard",
                 sentence: str = ADDED_SENTENCE) -> None:
    """One new sentence at the start of a section of the shipped bone-metastasis text."""
    path = roots.content / "bone-metastasis" / lang / f"{level}.md"
    text = path.read_text()
    heading_end = text.index("\n", text.index(f"{{#{section}}}"))
    path.write_text(text[:heading_end] + f"\n\n{sentence}" + text[heading_end:])


def change_english_tests_section(roots: Roots, level: str = "standard") -> None:
    add_sentence(roots, "tests", level=level)


# ---- review dates ----------------------------------------------------------------------

def test_review_is_due_24_months_after_the_last_one_by_default(tiny):
    set_reviewed(tiny, "tiny-topic", "2026-10-01")  # every 24 months, the default
    code, reports = check(tiny, "--date", "2028-07-01")  # reviewed 2026-10-01
    assert code == 0
    report = reports[("en", "standard", None)]
    assert not report["warnings"] and not report["failures"]
    listing = run_cli("list", "--date", "2028-07-01", roots=tiny).stdout
    assert "tiny-topic  (en: standard)  review due 2028-10-01" in listing


def test_review_due_within_60_days_warns_and_fails_only_when_strict(tiny):
    set_reviewed(tiny, "tiny-topic", "2026-10-01")  # every 24 months, the default
    code, reports = check(tiny, "--date", "2028-08-15")
    assert code == 0
    assert reports[("en", "standard", None)]["warnings"] == [
        "review due in 47 days: tiny-topic is due for clinical review on 2028-10-01 "
        "(reviewed 2026-10-01 by Test reviewer)"]
    strict = run_cli("check", "--date", "2028-08-15", "--strict", roots=tiny)
    assert strict.exit_code == 1
    assert "warn: review due in 47 days" in strict.stdout
    assert "review due 2028-10-01 (in 47 days)" in run_cli(
        "list", "--date", "2028-08-15", roots=tiny).stdout


def test_overdue_review_fails_the_check(tiny):
    set_reviewed(tiny, "tiny-topic", "2026-10-01")  # every 24 months, the default
    code, reports = check(tiny, "--date", "2028-10-02")
    assert code == 1
    failure = reports[("en", "standard", None)]["failures"][0]
    assert failure.startswith("review overdue: tiny-topic was due for clinical review on "
                              "2028-10-01")
    assert "(OVERDUE)" in run_cli("list", "--date", "2028-10-02", roots=tiny).stdout


def test_review_every_is_set_per_topic_in_months(tiny):
    set_reviewed(tiny, "tiny-topic", "2026-01-31", every=1)
    assert check(tiny, "--date", "2026-02-28")[0] == 0
    assert check(tiny, "--date", "2026-03-01")[0] == 1  # due Feb 28: January 31 + 1 month
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 11, 26), 24) == dt.date(2028, 11, 26)


def test_a_review_date_still_to_come_is_refused(tiny):
    set_reviewed(tiny, "tiny-topic", "2027-01-01")
    code, reports = check(tiny, "--date", "2026-12-01")
    assert code == 1
    assert "a date still to come" in reports[("en", "standard", None)]["failures"][0]


@pytest.mark.parametrize("line, problem", [
    ('review_every = "two years"', "key 'review_every': expected a number"),
    ("review_every = 0", "key 'review_every': is 0; it must be at least 1"),
    ("review_every = 1.5", "key 'review_every': must be a whole number of months"),
    ('form_code = "bm"', "key 'form_code': 'bm' is not a form code"),
])
def test_bad_review_fields_name_the_file_and_key(tiny, line, problem):
    set_reviewed(tiny, "tiny-topic", "2026-10-01")
    path = tiny.content / "tiny-topic" / "topic.toml"
    path.write_text(line + "\n" + path.read_text())
    result = run_cli("check", roots=tiny)
    assert result.exit_code == 1
    assert problem in result.stderr and "topic.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_reviewer_is_required(tiny):
    path = tiny.content / "tiny-topic" / "topic.toml"
    path.write_text(path.read_text().replace('reviewed_by = "Test reviewer"\n', ""))
    result = run_cli("list", roots=tiny)
    assert "cannot be read" in result.stdout and "reviewed_by" in result.stdout


# ---- translations ----------------------------------------------------------------------

def test_a_changed_english_section_is_reported_in_the_spanish_version(library):
    change_english_tests_section(library, "standard")
    code, reports = check(library, "bone-metastasis", "--date", "2026-12-03")
    warnings = reports[("es", "standard", None)]["warnings"]
    assert warnings[0].startswith("es/standard: 'tests' is behind en/standard (the English "
                                  "changed after this translation was marked current on ")
    assert len([w for w in warnings if "is behind" in w]) == 1  # only that section
    assert ("es/standard: after updating the translation, run: handouts translation "
            "mark-current bone-metastasis --lang es --level standard") in warnings
    assert not [w for w in reports[("es", "easy", None)]["warnings"] if "behind" in w]
    assert code == 0  # behind is a warning ...
    assert run_cli("check", "bone-metastasis", "--strict", roots=library).exit_code == 1


def test_marking_a_translation_current_records_digests_and_people(library):
    change_english_tests_section(library, "standard")
    result = run_cli("translation", "mark-current", "bone-metastasis", "--lang", "es",
                     "--level", "standard", "--reviewed-by", "Bilingual RN",
                     "--date", "2026-12-04", roots=library)
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"bone-metastasis es/standard: current with en/standard as of "
                        r"2026-12-04 \(11 sections( and the opening)?\)\n", result.stdout)
    _, reports = check(library, "bone-metastasis", "--lang", "es")
    assert not [w for w in reports[("es", "standard", None)]["warnings"] if "behind" in w]
    notes = reports[("es", "standard", None)]["notes"]
    assert ("es/standard: translated by handouts content editors, reviewed by Bilingual RN, "
            "marked current 2026-12-04") in notes


def test_a_translation_without_a_record_needs_names_to_be_marked(library):
    (library.content / "bone-metastasis" / "es" / "translation.toml").unlink()
    _, reports = check(library, "bone-metastasis", "--lang", "es", "--level", "easy")
    assert "no record of the en/easy text it was translated from" in \
        reports[("es", "easy", None)]["warnings"][0]
    result = run_cli("translation", "mark-current", "bone-metastasis", "--lang", "es",
                     roots=library)
    assert result.exit_code == 1
    assert "--translated-by NAME --reviewed-by NAME" in result.stderr


def test_a_version_missing_a_safety_box_fails(library):
    path = library.content / "bone-metastasis" / "es" / "standard.md"
    text = path.read_text()
    get_help = shipped_section(library, "get-help", "es")
    without_call = get_help[:get_help.index("> [!CALL]")] + "\n"
    path.write_text(text.replace(get_help.strip(), without_call.strip()))
    code, reports = check(library, "bone-metastasis")
    assert code == 1
    assert reports[("es", "standard", None)]["failures"] == [
        "es/standard: section 'get-help' has no call box (call your care team); "
        "en/standard has one"]
    assert reports[("es", "easy", None)]["passed"]
    marked = run_cli("translation", "mark-current", "bone-metastasis", "--lang", "es",
                     "--level", "standard", roots=library)
    assert marked.exit_code == 1 and "not marked" in marked.stderr


def test_a_version_missing_a_section_fails_and_the_rest_are_still_checked(library):
    path = library.content / "bone-metastasis" / "es" / "easy.md"
    text = path.read_text()
    tests = text.rindex("\n## ", 0, text.index("{#tests}"))
    treatments = text.rindex("\n## ", 0, text.index("{#treatments}"))
    path.write_text(text[:tests] + text[treatments:])
    code, reports = check(library, "bone-metastasis")
    assert code == 1
    failures = reports[("es", "easy", None)]["failures"]
    assert any("sections do not match topic.toml 'sections' (missing" in f for f in failures)
    assert reports[("es", "standard", None)]["passed"]
    assert len(reports) == 4


# ---- a clinic's own sections -----------------------------------------------------------

OWN_MEDICINES = """\
<!-- Riverside's versions: kept when content/ is updated. -->

## Medicines you may take {#medicines}

Our pharmacists go over every medicine with you at your first visit. Bring all your
pill bottles with you.

## Parking and getting here {#parking after=get-help}

Parking is free in the River Road garage. Call {{ clinic.phone }} if you need a ride.
"""


def adapt(roots: Roots, text: str = OWN_MEDICINES, clinic: str = "riverside",
          level: str = "standard") -> None:
    result = run_cli("override", "start", "bone-metastasis", "--clinic", clinic,
                     "--section", "medicines", "--level", level, "--date", "2026-11-27",
                     roots=roots)
    assert result.exit_code == 0, result.stderr
    path = roots.clinics / clinic / "content" / "bone-metastasis" / "en" / f"{level}.md"
    path.write_text(text)


def test_override_start_copies_the_shipped_section_and_records_its_source(library):
    result = run_cli("override", "start", "bone-metastasis", "--clinic", "riverside",
                     "--section", "tests", roots=library)
    assert result.exit_code == 0, result.stderr
    folder = library.clinics / "riverside" / "content" / "bone-metastasis" / "en"
    own = (folder / "standard.md").read_text()
    shipped = (library.content / "bone-metastasis" / "en" / "standard.md").read_text()
    assert "{#tests}" in own and shipped[shipped.index("{#tests}"):][:400] in own
    assert "{#tests}" in (folder / "standard.base.md").read_text()
    _, reports = check(library, "bone-metastasis", "--lang", "en", "--level", "standard")
    report = reports[("en", "standard", "riverside")]
    assert report["passed"] and not report["warnings"]
    assert report["notes"][0].startswith("riverside en/standard: adapts 'tests' (clinics/")


def test_clinic_sections_are_merged_printed_and_marked(library, tmp_path):
    adapt(library)
    out = tmp_path / "riverside.pdf"
    result = run_cli("generate", "bone-metastasis", "--clinic", "riverside", "--date",
                     "2026-11-27", "-o", str(out), roots=library)
    assert result.exit_code == 0, result.stderr
    text = all_text(out)
    assert ("Medicines you may take Adapted by Riverside Cancer Center Our pharmacists go "
            "over every medicine") in text
    shipped_words = [line for line in shipped_section(library, "medicines").splitlines()[1:]
                     if line.strip()][0].replace("*", "")[:30]
    assert shipped_words not in text  # the shipped section is replaced
    # the added section sits right after 'get-help' and is marked too
    get_help = text.index(heading_of(library, "get-help"))
    parking = text.index("Parking and getting here")
    questions = text.index(heading_of(library, "questions"))
    assert get_help < parking < questions
    assert "Parking and getting here Adapted by Riverside Cancer Center Parking is free" \
        in text
    assert "call (555) 010-4477 if you need a ride" in text.lower()
    keywords = str(pdf_reader(out).metadata["/Keywords"])
    assert "adapted:medicines" in keywords and "adapted:parking" in keywords
    assert "  riverside  (own sections: bone-metastasis en/standard)\n" in run_cli(
        "list", roots=library).stdout
    # another clinic gets the shipped text, unmarked
    lakeside = build_handout(library, "bone-metastasis", "lakeside", "letter",
                             Options(date=dt.date(2026, 11, 27)))
    assert "Adapted by" not in all_text(lakeside.pdf)
    assert lakeside.document.adapted_sections == ()


def test_the_form_identifier_tells_a_clinics_version_apart(library):
    def form_id():
        return build_handout(library, "bone-metastasis", "riverside", "letter",
                             Options(date=dt.date(2026, 11, 27))).document.form_id
    shipped = form_id()
    adapt(library)
    assert form_id() != shipped


def test_check_runs_every_check_on_the_merged_text(library):
    adapt(library, OWN_MEDICINES.replace("Parking is free in the River Road garage.", (
        "Parking is free in the River Road garage, and you can leave your car there for as "
        "long as your visit lasts, even on the weekends and on holidays.")))
    code, reports = check(library, "bone-metastasis", "--lang", "en", "--level", "standard")
    merged = reports[("en", "standard", "riverside")]
    assert code == 1 and not merged["passed"]
    assert any("'parking'" in failure for failure in merged["failures"])
    assert reports[("en", "standard", None)]["passed"]  # the shipped text is unchanged


def test_a_clinic_version_that_drops_a_safety_box_fails(library):
    get_help = shipped_section(library, "get-help")
    # the 911 box opens the handout (page 1); the call-your-team box stays in get-help
    without_call_box = get_help[:get_help.index("> [!CALL]")]
    path = library.clinics / "riverside" / "content" / "bone-metastasis" / "en" / "standard.md"
    path.parent.mkdir(parents=True)
    path.write_text(without_call_box)
    code, reports = check(library, "bone-metastasis", "--lang", "en", "--level", "standard")
    assert code == 1
    assert ("riverside en/standard: section 'get-help' has no call box (call your care team); "
            "the shipped en/standard has one") in reports[("en", "standard", "riverside")][
                "failures"]


def test_a_changed_shipped_section_flags_the_clinic_version_with_a_diff(library):
    adapt(library)
    add_sentence(library, "medicines", sentence="Bring a list of your medicines.")
    _, reports = check(library, "bone-metastasis", "--lang", "en", "--level", "standard")
    warnings = reports[("en", "standard", "riverside")]["warnings"]
    assert warnings == [
        "riverside en/standard: the shipped 'medicines' section changed since 2026-11-27, "
        "after the clinic's version was written; review your version (see the change: "
        "handouts override diff bone-metastasis --clinic riverside --lang en --level "
        "standard --section medicines; then: handouts override mark-current "
        "bone-metastasis --clinic riverside --lang en --level standard --section medicines)"]
    diff = run_cli("override", "diff", "bone-metastasis", "--clinic", "riverside",
                   "--section", "medicines", roots=library)
    assert diff.exit_code == 0, diff.stderr
    assert "'medicines': what changed in the shipped text since 2026-11-27:" in diff.stdout
    assert "\n+Bring a list of your medicines." in diff.stdout
    assert "\n--- shipped medicines (2026-11-27)\n+++ shipped medicines (now)\n" in diff.stdout
    marked = run_cli("override", "mark-current", "bone-metastasis", "--clinic", "riverside",
                     "--section", "medicines", roots=library)
    assert marked.exit_code == 0, marked.stderr
    _, reports = check(library, "bone-metastasis", "--lang", "en", "--level", "standard")
    assert reports[("en", "standard", "riverside")]["warnings"] == []


def test_the_done_when_case_one_changed_sentence_names_spanish_and_clinic_versions(library):
    result = run_cli("override", "start", "bone-metastasis", "--clinic", "lakeside",
                     "--section", "tests", roots=library)
    assert result.exit_code == 0, result.stderr
    for level in ("easy", "standard"):
        change_english_tests_section(library, level)
    result = run_cli("check", "bone-metastasis", roots=library)
    behind = [line.strip() for line in result.stdout.splitlines() if "'tests'" in line
              and ("behind" in line or "changed" in line)]
    assert len(behind) == 3, result.stdout
    assert behind[0].startswith("warn: lakeside en/standard: the shipped 'tests' section")
    assert behind[1].startswith("warn: es/easy: 'tests' is behind en/easy")
    assert behind[2].startswith("warn: es/standard: 'tests' is behind en/standard")


def test_clinic_sections_survive_replacing_the_content_folder(library, tmp_path):
    adapt(library)
    newer = tmp_path / "newer-content"
    shutil.copytree(REPO / "content", newer)
    add_sentence(Roots(newer, library.clinics, library.layouts), "medicines",
                 sentence="Steroids now come as patches too.")
    shutil.rmtree(library.content)
    shutil.copytree(newer, library.content)  # the update a clinic installs
    handout = build_handout(library, "bone-metastasis", "riverside", "letter",
                            Options(date=dt.date(2026, 12, 3)))
    text = all_text(handout.pdf)
    assert "Our pharmacists go over every medicine" in text and "Steroids now" not in text
    _, reports = check(library, "bone-metastasis", "--lang", "en", "--level", "standard")
    assert "the shipped 'medicines' section changed" in \
        reports[("en", "standard", "riverside")]["warnings"][0]


@pytest.mark.parametrize("heading, problem", [
    ("## Parking {#parking}", "'parking' is not a section of bone-metastasis"),
    ("## Parking {#parking after=lunch}", "'after=lunch': there is no shipped section"),
    ("## Medicines {#medicines after=tests}", "'medicines' is a shipped section"),
])
def test_a_broken_clinic_file_is_one_clear_line(library, heading, problem):
    path = library.clinics / "riverside" / "content" / "bone-metastasis" / "en" / "standard.md"
    path.parent.mkdir(parents=True)
    path.write_text(f"{heading}\n\nSome text.\n")
    result = run_cli("generate", "bone-metastasis", "--clinic", "riverside", "-o",
                     str(library.clinics.parent / "x.pdf"), roots=library)
    assert result.exit_code == 1
    assert problem in result.stderr and "standard.md" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    code, reports = check(library, "bone-metastasis", "--lang", "en")
    assert code == 1 and problem in reports[("en", "standard", "riverside")]["failures"][0]


# ---- new topics ------------------------------------------------------------------------

def test_new_topic_starts_from_a_skeleton_check_accepts_in_structure(library):
    result = run_cli("new-topic", "fatigue", "--date", "2026-11-27", roots=library)
    assert result.exit_code == 0, result.stderr
    folder = library.content / "fatigue"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.*")) == [
        "en/easy.md", "en/standard.md", "es/easy.md", "es/standard.md", "topic.toml"]
    toml = (folder / "topic.toml").read_text()
    for key in ("reviewed = 2026-11-27", "reviewed_by =", "review_every = 24",
                'form_code = "FAT"', "[[sources]]"):
        assert key in toml
    code, reports = check(library, "fatigue", "--date", "2026-11-27")
    assert len(reports) == 4
    for report in reports.values():
        structural = [f for f in report["failures"] if "sections" in f or "box" in f]
        assert structural == []  # every section, every safety box
        assert any("unfinished (TODO)" in f for f in report["failures"])
    assert code == 1  # ... and it is not a handout until the TODOs are written
    again = run_cli("new-topic", "fatigue", roots=library)
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_new_topic_refuses_bad_names_and_writes_nothing(library):
    for args in (["new-topic", "../escape"], ["new-topic", "x", "--lang", "es"],
                 ["new-topic", "y", "--sections", "Bad Key"]):
        result = run_cli(*args, roots=library)
        assert result.exit_code == 1 and result.stderr.startswith("error: ")
    assert sorted(p.name for p in library.content.iterdir() if not p.name.startswith("_")) \
        == ["bone-medicines", "bone-metastasis", "hypercalcemia", "radiation-to-bone",
            "spinal-cord-compression"]


def test_clinic_files_for_an_unknown_topic_or_level_are_reported(library):
    own = library.clinics / "lakeside" / "content"
    for where in ("no-such-topic/en/standard.md", "bone-metastasis/en/detailed.md"):
        (own / where).parent.mkdir(parents=True, exist_ok=True)
        (own / where).write_text("## Medicines {#medicines}\n\nText.\n")
    code, reports = check(library)
    assert code == 1
    assert "'no-such-topic', which is not a topic" in \
        reports[("en", "standard", "lakeside")]["failures"][0]
    assert "has no level 'detailed'" in reports[("en", "detailed", "lakeside")]["failures"][0]


def test_the_opening_before_the_first_section_is_tracked_and_keeps_its_911_box(library):
    boxes = {"en": "> [!EMERGENCY] Call 911 right away if you have:\n> - trouble walking\n",
             "es": "> [!EMERGENCY] Llame al 911 de inmediato si tiene:\n"
                   "> - dificultad para caminar\n"}
    for lang, box in boxes.items():
        path = library.content / "bone-metastasis" / lang / "standard.md"
        text = path.read_text()
        if "[!EMERGENCY]" not in split_sections(text)[0]:
            path.write_text(box + "\n" + text)
    mark_translation_current(library, "bone-metastasis", "es", ("standard",),
                             today=dt.date(2026, 11, 27))
    english = library.content / "bone-metastasis" / "en" / "standard.md"
    english.write_text("Read this first.\n\n" + english.read_text())
    spanish = library.content / "bone-metastasis" / "es" / "standard.md"
    opening, _ = split_sections(spanish.read_text())
    spanish.write_text(spanish.read_text().replace(opening, "Lea esto primero.\n"))
    code, reports = check(library, "bone-metastasis", "--lang", "es", "--level", "standard")
    report = reports[("es", "standard", None)]
    assert code == 1
    assert ("es/standard: the opening (before the first section) has no emergency box (911); "
            "en/standard has one") in report["failures"]
    assert report["warnings"][0].startswith(
        "es/standard: the opening (before the first section) is behind en/standard")


def test_a_clinic_file_linking_outside_the_clinics_folder_is_refused(library, tmp_path):
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("## Medicines you may take {#medicines}\n\nText from elsewhere.\n")
    path = library.clinics / "riverside" / "content" / "bone-metastasis" / "en" / "standard.md"
    path.parent.mkdir(parents=True)
    path.symlink_to(elsewhere)
    result = run_cli("generate", "bone-metastasis", "--clinic", "riverside", "-o",
                     str(tmp_path / "x.pdf"), roots=library)
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr and "standard.md" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
