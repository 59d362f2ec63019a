"""`handouts check` scores the PEMAT-P items a program can check, per version, and fails a
version below AHRQ's 70%."""

from __future__ import annotations

import json

from conftest import run_cli

from handouts.check import check_topics
from handouts.measuring import pemat


def test_every_shipped_version_meets_every_automatic_pemat_item(shipped):
    for report in check_topics(shipped):
        if report.clinic is None:
            assert report.pemat and all(item.met for item in report.pemat), (
                report.topic, report.lang, report.level,
                [i.name for i in report.pemat if not i.met])
            assert pemat.scores(report.pemat) == {"understandability": 100.0,
                                                  "actionability": 100.0}


def test_a_handout_without_summary_boxes_or_actions_fails_pemat(tiny):
    (tiny.content / "tiny-topic" / "en" / "standard.md").write_text(
        "## About {#about}\n\nThe dose is 40% of 2/3 of 10 mg. It is given.\n\n"
        "## Help {#help}\n\nThat is all.\n")
    report, = check_topics(tiny)
    missing = {item.number for item in report.pemat if not item.met}
    assert {5, 11, 20, 26} <= missing  # hard numbers; no summary; no action; no when-to-call
    assert any(f.startswith("PEMAT actionability") for f in report.failures)


def test_check_prints_and_exports_the_pemat_scores(shipped, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    table = run_cli("check", "spinal-cord-compression", "--lang", "en").stdout
    assert "PEMAT (automatic items): understandability 100% (8/8), actionability 100% (4/4)" \
        in table
    data = json.loads(run_cli("check", "bone-medicines", "--format", "json").stdout)
    for report in data["reports"]:
        assert report["pemat"]["scores"] == {"understandability": 100, "actionability": 100}
        assert {item["item"] for item in report["pemat"]["items"]} >= {1, 4, 11, 20, 26}
