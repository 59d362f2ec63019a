"""Batch builds: parallel, incremental, failures reported without stopping the rest;
print packs padded for duplex and repeated by copies; manifests."""

from __future__ import annotations

import csv
import json

from conftest import page_texts, pdf_reader, run_cli


def write_plan(folder, text):
    plan = folder / "plan.toml"
    plan.write_text(text)
    return plan


PLAN = """\
output = "out"
pack = "pack.pdf"
manifest = "manifest.json"
separator = true
date = 2026-11-26

[[print]]
clinics = ["tiny"]
topics = ["tiny-topic"]
layouts = ["letter", "a4"]
copies = 3

[[print]]
clinics = ["tiny"]
topics = ["broken-topic"]
"""


def add_broken_topic(roots):
    folder = roots.content / "broken-topic"
    (folder / "en").mkdir(parents=True)
    (folder / "topic.toml").write_text(
        (roots.content / "tiny-topic" / "topic.toml").read_text())
    (folder / "en" / "standard.md").write_text("## About {#about}\n\n{{ clinic.nope }}\n")


def test_plan_builds_every_item_and_reports_the_planted_failure(tiny, tmp_path):
    add_broken_topic(tiny)
    plan = write_plan(tmp_path, PLAN)
    result = run_cli("batch", str(plan), "--jobs", "2", roots=tiny)
    assert result.exit_code == 1  # one item failed
    assert "built 2, skipped 0, failed 1" in result.stdout
    assert "failed: broken-topic (tiny, en, standard, letter)" in result.stderr
    assert "undefined" in result.stderr and "nope" in result.stderr
    out = tmp_path / "out"
    assert (out / "tiny-topic-tiny-en-standard-letter.pdf").is_file()
    assert (out / "tiny-topic-tiny-en-standard-a4.pdf").is_file()
    assert not (out / "broken-topic-tiny-en-standard-letter.pdf").exists()
    manifest = json.loads((out / "manifest.json").read_text())["items"]
    by_file = {row["file"]: row for row in manifest}
    assert by_file["broken-topic-tiny-en-standard-letter.pdf"]["status"] == "failed"
    letter = by_file["tiny-topic-tiny-en-standard-letter.pdf"]
    assert letter["pages"] == 1 and letter["sheets_per_copy"] == 1 and letter["copies"] == 3
    assert letter["sheets_total"] == 3


def test_pack_pads_odd_handouts_for_duplex_and_repeats_copies(tiny, tmp_path):
    plan = write_plan(tmp_path, PLAN.replace(
        '[[print]]\nclinics = ["tiny"]\ntopics = ["broken-topic"]\n', ""))
    assert run_cli("batch", str(plan), roots=tiny).exit_code == 0
    pages = page_texts(tmp_path / "out" / "pack.pdf")
    # separator (1 page + blank back) + 2 handouts x 3 copies x (1 page + blank back)
    assert len(pages) == 2 + 2 * 3 * 2
    assert pages[0].startswith("Print pack") and "3 x tiny-topic" in pages[0]
    assert pages[1] == ""
    for copy in range(6):
        front, back = pages[2 + 2 * copy], pages[3 + 2 * copy]
        assert "Tiny Topic" in front and "Page 1 of 1" in front
        assert back == ""  # the blank back of a one-page handout
    sizes = {round(float(p.mediabox.width)) for p in pdf_reader(tmp_path / "out" /
                                                                "pack.pdf").pages}
    assert sizes == {612, 595}  # letter and A4 handouts in one job


def test_rerun_skips_unchanged_outputs_and_force_rebuilds(tiny, tmp_path):
    plan = write_plan(tmp_path, PLAN.replace(
        '[[print]]\nclinics = ["tiny"]\ntopics = ["broken-topic"]\n', ""))
    assert "built 2, skipped 0" in run_cli("batch", str(plan), roots=tiny).stdout
    built = tmp_path / "out" / "tiny-topic-tiny-en-standard-letter.pdf"
    first_mtime = built.stat().st_mtime_ns
    assert "built 0, skipped 2" in run_cli("batch", str(plan), roots=tiny).stdout
    assert built.stat().st_mtime_ns == first_mtime
    # a changed input rebuilds only what it goes into
    layout = tiny.layouts / "a4.toml"
    layout.write_text(layout.read_text().replace("title_size = 26", "title_size = 27"))
    assert "built 1, skipped 1" in run_cli("batch", str(plan), roots=tiny).stdout
    assert "built 2, skipped 0" in run_cli("batch", str(plan), "--force", roots=tiny).stdout


def test_all_for_a_clinic_with_csv_manifest(tiny, tmp_path):
    out = tmp_path / "all"
    result = run_cli("batch", "--all", "--clinic", "tiny", "--layout", "booklet-letter",
                     "-o", str(out), "--manifest", str(out / "m.csv"), "--date", "2026-11-26",
                     roots=tiny)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "m.csv").open()))
    assert [row["file"] for row in rows] == ["tiny-topic-tiny-en-standard-booklet-letter.pdf"]
    # a 4-page booklet imposed: 2 sheet sides, 1 sheet
    assert rows[0]["pages"] == "2" and rows[0]["sheets_per_copy"] == "1"


def test_batch_needs_a_plan_or_all(tiny):
    result = run_cli("batch", roots=tiny)
    assert result.exit_code == 2 and "PLAN" in result.stderr


def test_bad_plan_file_is_one_line(tiny, tmp_path):
    plan = write_plan(tmp_path, "[[print]]\nclinic = ['tiny']\n")
    result = run_cli("batch", str(plan), roots=tiny)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "plan.toml" in result.stderr and "clinics" in result.stderr


def test_a_plan_naming_a_path_fails_that_item_only(tiny, tmp_path):
    plan = write_plan(tmp_path, PLAN.replace('topics = ["broken-topic"]',
                                             'topics = ["../../etc"]'))
    result = run_cli("batch", str(plan), roots=tiny)
    assert result.exit_code == 1
    assert "built 2, skipped 0, failed 1" in result.stdout
    assert "is not allowed" in result.stderr


def test_the_shipped_waiting_room_plan_builds(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    result = run_cli("batch", "plans/waiting-room.toml", "-o", str(tmp_path / "rack"),
                     "--pack", str(tmp_path / "rack" / "pack.pdf"), "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert "built 6, skipped 0, failed 0" in result.stdout
    rows = list(csv.DictReader((tmp_path / "rack" / "waiting-room.csv").open()))
    assert len(rows) == 6 and {r["copies"] for r in rows} == {"5"}
    pack = pdf_reader(tmp_path / "rack" / "pack.pdf").pages
    sheets = sum(int(r["sheets_total"]) for r in rows)
    assert len(pack) == 2 * (sheets + 1)  # every sheet two-sided, plus the separator
