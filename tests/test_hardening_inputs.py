"""Faulty files and options: one-line errors naming the file and key (never "please report
it"), nothing invisible on the page, personal files private, outputs only where they belong."""

from __future__ import annotations

import os
import stat

import pytest
from conftest import all_text, pdf_reader, run_cli


def generate(roots, out, *extra: str):
    return run_cli("generate", "tiny-topic", "--clinic", "tiny", "--date", "2026-11-26",
                   "-o", str(out), *extra, roots=roots)


def assert_one_line(result, *fragments: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "please report" not in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("value", ["nan", "inf", "-nan"])
def test_a_number_that_is_not_a_number_is_refused_naming_the_key(tiny, tmp_path, value):
    edit(tiny.layouts / "letter.toml", "body_size = 12.5", f"body_size = {value}")
    out = tmp_path / "x.pdf"
    assert_one_line(generate(tiny, out), "letter.toml", "key 'body_size'")
    assert not out.exists()


def test_a_nan_mail_timeout_is_refused_when_the_profile_is_read(tiny, tmp_path):
    profile = tiny.clinics / "tiny.toml"
    profile.write_text(profile.read_text() + '[mail]\nsender = "a@example.org"\n'
                       'timeout_seconds = nan\n')
    assert_one_line(generate(tiny, tmp_path / "x.pdf"), "tiny.toml", "mail.timeout_seconds")


def test_a_nul_in_a_toml_path_is_refused_naming_the_key(tiny, tmp_path):
    edit(tiny.clinics / "tiny.toml", 'logo = "tiny-logo.png"', 'logo = "tiny\\u0000logo.png"')
    assert_one_line(generate(tiny, tmp_path / "x.pdf"), "tiny.toml", "key 'logo'", "U+0000")


@pytest.mark.parametrize("escape", ["\\u001b[31m", "\\u202e", "\\u0007"])
def test_control_characters_in_toml_text_are_refused(tiny, tmp_path, escape):
    edit(tiny.clinics / "tiny.toml", 'name = "Tiny Clinic"', f'name = "Tiny{escape} Clinic"')
    assert_one_line(generate(tiny, tmp_path / "x.pdf"), "tiny.toml", "key 'name'")


def test_deeply_nested_toml_is_a_clear_error(tiny, tmp_path):
    profile = tiny.clinics / "tiny.toml"
    profile.write_text(profile.read_text() + "deep = " + "[" * 50000 + "]" * 50000 + "\n")
    assert_one_line(generate(tiny, tmp_path / "x.pdf"), "tiny.toml", "nested too deeply")


def test_fractional_columns_are_refused_not_rounded(tiny, tmp_path):
    edit(tiny.layouts / "letter.toml", "columns = 2", "columns = 1.5")
    assert_one_line(generate(tiny, tmp_path / "x.pdf"), "letter.toml", "key 'columns'",
                    "whole number")


def test_an_address_longer_than_the_header_is_refused_not_cut(tiny, tmp_path):
    lines = ", ".join(f'"Line {n}"' for n in range(10))
    edit(tiny.clinics / "tiny.toml", 'address = ["1 Main Street", "Town, ST 00000"]',
         f"address = [{lines}]")
    assert_one_line(generate(tiny, tmp_path / "x.pdf"), "key 'address'", "has 10 lines")


def test_control_characters_a_template_prints_never_reach_the_page(tiny, tmp_path):
    markdown = tiny.content / "tiny-topic" / "en" / "standard.md"
    markdown.write_text(markdown.read_text().replace(
        "This topic is tiny.", "This topic {{ '\\x1b[31m' }}is{{ '\\u202e' }} tiny{{ '\\x00' }}."))
    out = tmp_path / "x.pdf"
    assert generate(tiny, out).exit_code == 0
    text = all_text(out)
    assert "This topic [31mis tiny." in text
    assert not {"\x1b", "\u202e", "\x00"} & set(text)


def test_invisible_characters_in_a_patient_name_stay_out_of_the_pdf(tiny, tmp_path):
    out = tmp_path / "x.pdf"
    result = generate(tiny, out, "--patient-name", "Ann\u202e Example\x1b")
    assert result.exit_code == 0, result.output
    assert "Ann Example" in all_text(out)
    assert not {"\x1b", "\u202e"} & set(all_text(out))


def test_a_name_the_fonts_cannot_print_is_refused_without_echoing_it(tiny, tmp_path):
    out = tmp_path / "x.pdf"
    name = "\u738b\u5c0f\u660e"  # a name in a script the embedded fonts lack
    result = generate(tiny, out, "--patient-name", name)
    assert_one_line(result, "patient's name", "3 character(s)")
    assert not set(name) & set(result.output)
    assert not out.exists()


def test_a_handout_with_a_patient_name_is_readable_by_its_owner_only(tiny, tmp_path):
    previous = os.umask(0o022)
    try:
        personal, general = tmp_path / "personal.pdf", tmp_path / "general.pdf"
        assert generate(tiny, personal, "--note", "Take with food.").exit_code == 0
        assert generate(tiny, general).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(personal.stat().st_mode) == 0o600
    assert stat.S_IMODE(general.stat().st_mode) == 0o644


def test_other_outputs_follow_the_umask(tiny, tmp_path):
    previous = os.umask(0o077)
    try:
        out = tmp_path / "x.pdf"
        assert generate(tiny, out).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_output_onto_a_pipe_is_refused_and_the_pipe_kept(tiny, tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    assert_one_line(generate(tiny, fifo), "pipe.pdf", "not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_to_a_folder_name_with_a_slash_is_refused(tiny, tmp_path):
    result = generate(tiny, f"{tmp_path / 'new-folder'}/")
    assert_one_line(result, "is a folder")
    assert not (tmp_path / "new-folder").exists()


def test_a_250_byte_file_name_is_written(tiny, tmp_path):
    out = tmp_path / ("h" * 246 + ".pdf")
    result = generate(tiny, out)
    assert result.exit_code == 0, result.output
    assert len(pdf_reader(out).pages) == 1


# ----- logos -----------------------------------------------------------------------------

def use_logo(roots, name: str) -> None:
    edit(roots.clinics / "tiny.toml", 'logo = "tiny-logo.png"', f'logo = "{name}"')


def test_a_16_bit_greyscale_logo_keeps_its_shades(tiny, tmp_path):
    from PIL import Image

    Image.new("I;16", (200, 100), 8000).save(tiny.clinics / "grey16.png")  # a dark grey
    use_logo(tiny, "grey16.png")
    out = tmp_path / "x.pdf"
    assert generate(tiny, out).exit_code == 0
    embedded = pdf_reader(out).pages[0].images[0].image.convert("L")
    assert embedded.getextrema()[1] < 64  # not the pure white of a clipped conversion


def test_a_phone_jpeg_with_a_preview_image_is_accepted(tiny, tmp_path):
    from PIL import Image

    first, preview = Image.new("RGB", (240, 120), (31, 90, 150)), Image.new("RGB", (60, 30))
    first.save(tiny.clinics / "phone.jpg", format="MPO", save_all=True,
               append_images=[preview])
    assert Image.open(tiny.clinics / "phone.jpg").format == "MPO"
    use_logo(tiny, "phone.jpg")
    out = tmp_path / "x.pdf"
    result = generate(tiny, out)
    assert result.exit_code == 0, result.output


def test_a_logo_photographed_sideways_is_turned_upright(tiny):
    from PIL import Image

    from handouts.inputs.logos import load_logo

    image = Image.new("RGB", (60, 120), (31, 90, 150))  # stored portrait...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...but the camera was turned: show it rotated 90 degrees
    image.save(tiny.clinics / "sideways.jpg", exif=exif)
    logo = load_logo(tiny.clinics / "sideways.jpg", "logo")
    assert logo.width > logo.height


def test_a_logo_too_wide_for_the_header_is_refused(tiny, tmp_path):
    from PIL import Image

    Image.new("RGB", (20000, 1), (31, 90, 150)).save(tiny.clinics / "strip.png")
    use_logo(tiny, "strip.png")
    assert_one_line(generate(tiny, tmp_path / "x.pdf"), "key 'logo'", "20000x1", "crop it")
