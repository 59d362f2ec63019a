"""Batches that never skip a wrong output, never share a folder, and survive a dying worker."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal

from conftest import page_texts, pdf_reader, run_cli

from handouts.batch import LOCK_FILE, STATE_FILE, BatchItem, run_batch, run_in_workers

PLAN = """\
output = "out"
date = 2026-11-26

[[print]]
clinics = ["tiny"]
topics = ["tiny-topic"]
layouts = ["letter", "a4"]
"""
LETTER = "tiny-topic-tiny-en-standard-letter.pdf"
A4 = "tiny-topic-tiny-en-standard-a4.pdf"


def batch(roots, tmp_path, *extra: str, plan: str = PLAN):
    path = tmp_path / "plan.toml"
    path.write_text(plan)
    return run_cli("batch", str(path), *extra, roots=roots)


def test_a_truncated_output_is_rebuilt_not_skipped(tiny, tmp_path):
    assert "built 2, skipped 0" in batch(tiny, tmp_path).stdout
    letter = tmp_path / "out" / LETTER
    letter.write_bytes(letter.read_bytes()[:1000])  # a crash, a full disk, a bad copy
    result = batch(tiny, tmp_path, "--pack", str(tmp_path / "out" / "pack.pdf"))
    assert result.exit_code == 0, result.output
    assert "built 1, skipped 1" in result.stdout
    assert len(pdf_reader(letter).pages) == 1
    assert len(pdf_reader(tmp_path / "out" / "pack.pdf").pages) == 4


def test_an_output_swapped_for_another_handout_is_rebuilt(tiny, tmp_path):
    assert "built 2, skipped 0" in batch(tiny, tmp_path).stdout
    out = tmp_path / "out"
    shutil.copy(out / A4, out / LETTER)  # what a second batch into the folder could leave
    assert "built 1, skipped 1" in batch(tiny, tmp_path).stdout
    assert round(float(pdf_reader(out / LETTER).pages[0].mediabox.width)) == 612


def test_skipped_outputs_report_their_pages_without_reading_the_files(tiny, tmp_path):
    batch(tiny, tmp_path)
    result = batch(tiny, tmp_path, "--manifest", str(tmp_path / "out" / "m.json"))
    assert "built 0, skipped 2" in result.stdout
    rows = json.loads((tmp_path / "out" / "m.json").read_text())["items"]
    assert [row["pages"] for row in rows] == [1, 1]
    state = json.loads((tmp_path / "out" / STATE_FILE).read_text())["outputs"]
    assert state[LETTER]["pages"] == 1 and len(state[LETTER]["output"]) == 64


def test_state_is_saved_after_every_item_and_entries_dropped_before_rebuilding(tiny, tmp_path):
    out = tmp_path / "out"
    items = [BatchItem("tiny-topic", "tiny", "en", "standard", layout)
             for layout in ("letter", "a4")]
    run_batch(tiny, items, out, jobs=1)
    seen = []

    def after_each(result) -> None:  # what a kill at this moment would leave on disk
        seen.append(set(json.loads((out / STATE_FILE).read_text())["outputs"]))

    run_batch(tiny, items, out, jobs=1, force=True, on_result=after_each)
    assert seen == [{LETTER}, {LETTER, A4}]


def test_a_second_batch_into_the_same_folder_is_refused(tiny, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_FILE, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running batch holds it
        result = batch(tiny, tmp_path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "another batch" in lines[-1]
    assert not (out / LETTER).exists()
    assert "built 2" in batch(tiny, tmp_path).stdout  # once it is done, the folder is free


def _die_on_two(task: int) -> int:
    if task == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return task * 10


def test_a_worker_that_dies_fails_its_item_and_the_rest_go_on():
    results = {}
    run_in_workers(list(range(6)), _die_on_two, lambda task, reason: reason, 2,
                   lambda task, result: results.__setitem__(task, result))
    assert sorted(results) == list(range(6))
    assert {t: r for t, r in results.items() if t != 2} == {0: 0, 1: 10, 3: 30, 4: 40, 5: 50}
    assert "stopped by signal SIGKILL" in results[2]


def test_a_batch_worker_stopped_by_a_hostile_template_fails_only_that_item(tiny, tmp_path,
                                                                           monkeypatch):
    from handouts.document import templating

    hostile = tiny.content / "hostile"
    shutil.copytree(tiny.content / "tiny-topic", hostile)
    (hostile / "en" / "standard.md").write_text(
        "## About {#about}\n\n{{ 10 ** (10 ** 8) }}\n\n## Help {#help}\n\nCall.\n")
    monkeypatch.setattr(templating, "MAX_INTEGER_BITS", 10**12)  # the sandbox misses it
    monkeypatch.setattr(templating, "HARD_CPU_SECONDS", 1)
    monkeypatch.setattr("handouts.batch.IN_PROCESS_BELOW", 2)  # in worker processes
    plan = PLAN.replace('layouts = ["letter", "a4"]', 'layouts = ["letter", "a4", "large-print"]')
    plan += '[[print]]\nclinics = ["tiny"]\ntopics = ["hostile"]\n'
    result = batch(tiny, tmp_path, "--jobs", "2", plan=plan)
    assert result.exit_code == 1
    assert "built 3, skipped 0, failed 1" in result.stdout
    assert "failed: hostile (tiny, en, standard, letter): it took longer than the CPU limit" \
        in result.stderr


def test_two_items_with_the_same_file_name_do_not_overwrite_each_other(tiny, tmp_path):
    shutil.copytree(tiny.content / "tiny-topic", tiny.content / "tiny")
    shutil.copy(tiny.clinics / "tiny.toml", tiny.clinics / "topic-tiny.toml")
    plan = PLAN.replace('clinics = ["tiny"]\ntopics = ["tiny-topic"]',
                        'clinics = ["tiny", "topic-tiny"]\ntopics = ["tiny-topic", "tiny"]')
    result = batch(tiny, tmp_path, plan=plan)
    # tiny-topic for tiny and tiny for topic-tiny are both tiny-topic-tiny-en-...
    assert "failed 2" in result.stdout
    assert result.stderr.count("is the same as that of tiny-topic (tiny,") == 2


def test_marks_with_mixed_layouts_apply_to_booklets_only(tiny, tmp_path):
    plan = PLAN.replace('layouts = ["letter", "a4"]', 'layouts = ["letter", "booklet-letter"]')
    result = batch(tiny, tmp_path, "--marks", plan=plan)
    assert result.exit_code == 0, result.output
    assert "built 2, skipped 0, failed 0" in result.stdout
    assert "Tiny Topic" in page_texts(tmp_path / "out" / LETTER)[0]
