"""Bad input: one line on stderr naming the file and the problem, exit 1, no file written."""

from __future__ import annotations

import pytest
from conftest import TINY_CLINIC, make_logo, run_cli


def generate(roots, tmp_path, *extra, topic="tiny-topic", clinic="tiny"):
    out = tmp_path / "out" / "handout.pdf"
    result = run_cli("generate", topic, "--clinic", clinic, "--date", "2026-11-26",
                     "-o", str(out), *extra, roots=roots)
    return result, out


def assert_clean_failure(result, out, *fragments):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert not out.exists()
    if out.parent.exists():
        assert list(out.parent.iterdir()) == []  # no temporary file left either


CLINIC_CASES = {
    "unknown key": ('colour = "#000000"\n', ["tiny.toml", "unknown key 'colour'"]),
    "misspelt key": ('phnoe = "1"\n', ["unknown key 'phnoe'", "did you mean 'phone'"]),
    "not a colour": (None, ["tiny.toml", "key 'primary'", "not a colour"]),
    "too pale": (None, ["key 'accent'", "too pale", "4.5:1"]),
    "missing key": (None, ["tiny.toml", "missing required key 'phone'"]),
    "bad toml": ('name = "unterminated\n', ["tiny.toml", "not valid TOML", "line"]),
    "bad phone": (None, ["key 'phone'", "does not look like a phone number"]),
    "unknown font": (None, ["key 'font'", "unknown font family 'Comic Sans'"]),
}


@pytest.mark.parametrize("case", sorted(CLINIC_CASES))
def test_clinic_profile_errors(tiny, tmp_path, case):
    addition, fragments = CLINIC_CASES[case]
    text = TINY_CLINIC
    if case == "not a colour":
        text = text.replace('primary = "#1F5A96"', 'primary = "blueish"')
    elif case == "too pale":
        text = text.replace('accent = "#0B6E5F"', 'accent = "#FFD966"')
    elif case == "missing key":
        text = text.replace('phone = "(555) 000-1111"\n', "")
    elif case == "bad phone":
        text = text.replace('"(555) 000-1111"', '"call us!"')
    elif case == "unknown font":
        text += 'font = "Comic Sans"\n'
    if addition:
        text += addition
    (tiny.clinics / "tiny.toml").write_text(text)
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, *fragments)


def test_missing_logo(tiny, tmp_path):
    (tiny.clinics / "tiny-logo.png").unlink()
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "tiny-logo.png", "key 'logo'", "not found")


def test_text_file_named_png_is_not_a_logo(tiny, tmp_path):
    (tiny.clinics / "tiny-logo.png").write_text("this is not an image")
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "tiny-logo.png", "not a PNG image")


def test_jpeg_named_png_is_refused_as_mislabelled(tiny, tmp_path):
    make_logo(tiny.clinics / "tiny-logo.png", fmt="JPEG")
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "not a PNG image", "JPEG")


def test_truncated_logo(tiny, tmp_path):
    logo = tiny.clinics / "tiny-logo.png"
    make_logo(logo, size=(400, 400))
    logo.write_bytes(logo.read_bytes()[:200])
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "tiny-logo.png", "damaged or unreadable")


def test_empty_logo(tiny, tmp_path):
    (tiny.clinics / "tiny-logo.png").write_bytes(b"")
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "tiny-logo.png", "empty")


def test_huge_logo_is_refused_by_its_pixel_count(tiny, tmp_path):
    # 50 megapixels of one colour compresses to a small file: the limit is on pixels
    from PIL import Image

    Image.new("1", (10_000, 5_000), 1).save(tiny.clinics / "tiny-logo.png")
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "10000x5000 pixels", "limit is 25 megapixels")


def test_unknown_topic_lists_the_known_ones(tiny, tmp_path):
    result, out = generate(tiny, tmp_path, topic="broken-arm")
    assert_clean_failure(result, out, "unknown topic 'broken-arm'", "tiny-topic")


def test_unknown_clinic_and_layout(tiny, tmp_path):
    result, out = generate(tiny, tmp_path, clinic="nowhere")
    assert_clean_failure(result, out, "unknown clinic 'nowhere'", "tiny")
    result, out = generate(tiny, tmp_path, "--layout", "tabloid")
    assert_clean_failure(result, out, "unknown layout 'tabloid'", "letter")


def test_template_undefined_name_names_file_and_line(tiny, tmp_path):
    md = tiny.content / "tiny-topic" / "en" / "standard.md"
    md.write_text(md.read_text().replace("{{ clinic.phone }}", "{{ clinic.fax }}"))
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "standard.md", "line 13", "undefined", "fax")


def test_template_syntax_error_names_file_and_line(tiny, tmp_path):
    md = tiny.content / "tiny-topic" / "en" / "standard.md"
    md.write_text(md.read_text() + "\n{% if clinic.phone %}\nno end\n")
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "standard.md", "template syntax error", "line 1")


def test_malformed_topic_toml(tiny, tmp_path):
    (tiny.content / "tiny-topic" / "topic.toml").write_text("reviewed = [\n")
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "topic.toml", "not valid TOML")


def test_topic_without_sources_is_refused(tiny, tmp_path):
    path = tiny.content / "tiny-topic" / "topic.toml"
    text = path.read_text().replace('[[sources]]\ntitle = "Test facts"\npublisher = "Test suite"\n',
                                    "")
    path.write_text(text)
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "topic.toml", "sources")


def test_sections_must_match_topic_toml(tiny, tmp_path):
    md = tiny.content / "tiny-topic" / "en" / "standard.md"
    md.write_text(md.read_text().replace("{#help}", "{#helping}"))
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "standard.md", "missing help")


def test_section_heading_without_key(tiny, tmp_path):
    md = tiny.content / "tiny-topic" / "en" / "standard.md"
    md.write_text(md.read_text().replace(" {#help}", ""))
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, "standard.md", "line 8", "needs a key")


def test_bad_date_option_is_a_usage_error(tiny, tmp_path):
    result, out = generate(tiny, tmp_path, "--date", "26/11/2026")
    assert result.exit_code == 2
    assert "not a date" in result.stderr
    assert not out.exists()


def test_existing_output_survives_a_failed_run(tiny, tmp_path):
    out = tmp_path / "out" / "handout.pdf"
    out.parent.mkdir()
    out.write_bytes(b"%PDF- old good file")
    (tiny.clinics / "tiny-logo.png").unlink()
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "-o", str(out), roots=tiny)
    assert result.exit_code == 1
    assert out.read_bytes() == b"%PDF- old good file"
    assert sorted(p.name for p in out.parent.iterdir()) == ["handout.pdf"]


LAYOUT_CASES = {
    "unknown key": (lambda t: 'font_size = 12\n' + t, ["letter.toml", "unknown key 'font_size'"]),
    "bad paper": (lambda t: t.replace('page_size = "letter"', 'page_size = "tabloid"'),
                  ["key 'page_size'", "use one of letter"]),
    "bad margin": (lambda t: t.replace('left = "0.8in"', 'left = "wide"'),
                   ["key 'margins.left'", "length like"]),
    "columns too narrow": (lambda t: t.replace('left = "0.8in"', 'left = "2in"').replace(
        'right = "0.8in"', 'right = "2in"'), ["2.5 in for each column"]),
    "large print in columns": (lambda t: t.replace("columns = 2", "columns = 2\nlarge_print = true")
                               .replace("body_size = 12.5", "body_size = 18").replace(
                                   "heading_sizes = [16, 14, 12.5]", "heading_sizes = [24, 20, 18]")
                               .replace("body_leading = 17.5", "body_leading = 27"),
                               ["key 'columns'", "one column"]),
    "small headings": (lambda t: t.replace("heading_sizes = [16, 14, 12.5]",
                                           "heading_sizes = [16, 14, 10]"),
                       ["key 'heading_sizes'"]),
}


@pytest.mark.parametrize("case", sorted(LAYOUT_CASES))
def test_layout_errors(tiny, tmp_path, case):
    change, fragments = LAYOUT_CASES[case]
    path = tiny.layouts / "letter.toml"
    path.write_text(change(path.read_text()))
    result, out = generate(tiny, tmp_path)
    assert_clean_failure(result, out, *fragments)
