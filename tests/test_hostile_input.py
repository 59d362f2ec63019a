"""Hostile and broken input: each corpus file renders sensibly or fails with one clear line;
nothing escapes as a traceback, nothing is loaded or run, no partial file is left."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from conftest import all_text, pdf_reader, run_cli

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text())
LOGOS = EXPECTED.pop("logos")


def test_every_corpus_file_has_an_expected_outcome_and_back():
    files = {path.stem for path in CORPUS.glob("*.md")}
    assert files == set(EXPECTED)
    assert {path.name for path in (CORPUS / "logos").iterdir()} == set(LOGOS)


@pytest.mark.parametrize("name", sorted(LOGOS))
def test_corpus_logo(tiny, tmp_path, name):
    import shutil

    expected = LOGOS[name]
    shutil.copy(CORPUS / "logos" / name, tiny.clinics / name)
    profile = tiny.clinics / "tiny.toml"
    profile.write_text(profile.read_text().replace('"tiny-logo.png"', f'"{name}"'))
    out = tmp_path / "out" / "logo.pdf"
    result = generate(tiny, out)
    if expected["outcome"] == "error":
        assert_one_line_error(result, out, [name, *expected["error"]])
    else:
        assert result.exit_code == 0, result.output
        assert pdf_reader(out).pages[0].images  # the logo is drawn


def one_section_topic(roots):
    topic = roots.content / "tiny-topic" / "topic.toml"
    topic.write_text(topic.read_text().replace('sections = ["about", "help"]',
                                               'sections = ["a"]'))
    return roots.content / "tiny-topic" / "en" / "standard.md"


def generate(roots, out: Path, *extra: str):
    return run_cli("generate", "tiny-topic", "--clinic", "tiny", "--date", "2026-11-26",
                   "-o", str(out), *extra, roots=roots)


def assert_one_line_error(result, out: Path, fragments) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert not out.exists()
    assert not list(out.parent.glob("*.part"))


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_corpus_case(tiny, tmp_path, case):
    expected = EXPECTED[case]
    markdown = one_section_topic(tiny)
    markdown.write_bytes((CORPUS / f"{case}.md").read_bytes())
    out = tmp_path / "out" / f"{case}.pdf"
    result = generate(tiny, out)
    if expected["outcome"] == "error":
        assert_one_line_error(result, out, expected["error"])
        return
    assert result.exit_code == 0, result.output
    text = all_text(out)
    for fragment in expected.get("text", []):
        assert fragment in text, (fragment, text[:500])
    for fragment in expected.get("warning", []):
        assert fragment in result.stderr
    if "links" in expected:
        uris = [annotation.get_object()["/A"]["/URI"]
                for page in pdf_reader(out).pages
                for annotation in page.get("/Annots", [])
                if "/A" in annotation.get_object()]
        assert sorted(uris) == sorted(expected["links"])


def test_a_10_megabyte_markdown_file_is_refused_with_the_limit(tiny, tmp_path):
    markdown = one_section_topic(tiny)
    with markdown.open("w") as handle:
        handle.write("## A {#a}\n\n")
        handle.write(("Lorem ipsum dolor sit amet. " * 40 + "\n\n") * 9000)
    assert markdown.stat().st_size > 10_000_000
    out = tmp_path / "out" / "huge.pdf"
    assert_one_line_error(generate(tiny, out), out, ["standard.md", "limit is 512 KB"])


@pytest.mark.parametrize("name", ["../tiny-topic", "/etc/passwd", "tiny-topic/../x", "a b",
                                  "Tiny", ".."])
def test_names_cannot_leave_their_folder(tiny, tmp_path, name):
    out = tmp_path / "out" / "x.pdf"
    for args in (["generate", name, "--clinic", "tiny"],
                 ["generate", "tiny-topic", "--clinic", name],
                 ["generate", "tiny-topic", "--clinic", "tiny", "--layout", name],
                 ["generate", "tiny-topic", "--clinic", "tiny", "--lang", name],
                 ["generate", "tiny-topic", "--clinic", "tiny", "--level", name]):
        result = run_cli(*args, "-o", str(out), roots=tiny)
        assert_one_line_error(result, out, ["is not allowed"])


def test_logo_outside_the_clinics_folder_is_refused(tiny, tmp_path):
    profile = tiny.clinics / "tiny.toml"
    profile.write_text(profile.read_text().replace('"tiny-logo.png"', '"../../etc/hostname"'))
    out = tmp_path / "out" / "x.pdf"
    assert_one_line_error(generate(tiny, out), out, ["key 'logo'", "inside the clinics folder"])


def test_an_output_folder_that_does_not_exist_is_created(tiny, tmp_path):
    out = tmp_path / "new" / "deeper" / "handout.pdf"
    assert generate(tiny, out).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF-")


def test_an_output_folder_that_cannot_be_written_is_reported(tiny, tmp_path):
    if os.geteuid() == 0:
        target = Path("/sys/handouts-test.pdf")  # read-only even for root
        if os.access("/sys", os.W_OK) and not Path("/sys").is_mount():
            pytest.skip("no read-only folder available")
    else:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        target = folder / "handout.pdf"
    result = generate(tiny, target)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "cannot write" in result.stderr
    assert not target.exists()


def test_an_existing_output_is_replaced_whole(tiny, tmp_path):
    out = tmp_path / "handout.pdf"
    out.write_bytes(b"old")
    assert generate(tiny, out).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF-") and b"old" not in out.read_bytes()[:3]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["handout.pdf"]


def test_output_path_that_is_a_folder_is_reported(tiny, tmp_path):
    result = generate(tiny, tmp_path)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output


def test_a_heading_longer_than_a_page_breaks_cleanly(tiny, tmp_path):
    markdown = one_section_topic(tiny)
    markdown.write_text("## " + "Very long heading words " * 400 + "{#a}\n\nText.\n")
    out = tmp_path / "out" / "long-heading.pdf"
    result = generate(tiny, out)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 0:
        assert "Very long heading words" in all_text(out)
    else:
        assert_one_line_error(result, out, ["too tall", "standard.md"])
        assert " at 0x" not in result.stderr
