"""End to end: `handouts generate` writes a branded, paginated, deterministic PDF."""

from __future__ import annotations

import re

from conftest import DATE, all_text, embedded_fonts, page_texts, pdf_reader, run_cli

from handouts.build import build_handout
from handouts.document.assemble import Options


def test_generate_writes_the_default_file_name_and_prints_it(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--date", "2026-11-26",
                     roots=tiny)
    assert result.exit_code == 0, result.output
    expected = tmp_path / "output" / "tiny-topic-tiny-en-standard-letter.pdf"
    assert result.stdout.strip() == "output/tiny-topic-tiny-en-standard-letter.pdf"
    assert expected.read_bytes().startswith(b"%PDF-")


def test_every_page_has_clinic_name_phone_and_page_n_of_m(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    out = tmp_path / "bm.pdf"
    result = run_cli("generate", "bone-metastasis", "--clinic", "riverside", "--date",
                     "2026-11-26", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    pages = page_texts(out)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Riverside Cancer Center" in text
        assert "(555) 010-4477" in text
        assert f"Page {number} of {len(pages)}" in text


def test_each_section_heading_and_its_key_facts_are_in_the_pdf(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "letter",
                            Options(date=DATE))
    text = all_text(handout.pdf)
    for heading, facts in {
        "What is bone metastasis?": ["spine", "breast, prostate, lung, kidney and thyroid"],
        "Informed consent": ["sign", "questions answered"],
        "Medicines you may take": ["NSAIDs", "blood thinner", "Bisphosphonates", "Denosumab",
                                   "Steroids"],
        "Tests you may need": ["MRI", "contrast", "Biopsy", "tumor markers"],
        "Treatments you may get": ["Radiation", "Targeted therapy", "Surgery", "Bone cement"],
        "Risks to know about": ["spinal cord", "hypercalcemia", "permanent", "same day"],
        "Your right to plan your care": ["say no to any treatment"],
        "When to get help": ["Call 911", "loss of control of your bladder"],
        "Questions to ask your care team": ["side effects"],
        "Notes": ["Next appointment"],
    }.items():
        assert heading in text
        for fact in facts:
            assert fact in text, (heading, fact)


def test_copyright_disclaimer_and_dates_are_on_the_last_page(shipped):
    handout = build_handout(shipped, "bone-metastasis", "lakeside", "letter",
                            Options(date=DATE))
    pages = page_texts(handout.pdf)
    # an odd page count gets a page of lines for notes on the blank back: the closing is on
    # the last page before it
    notes_back = "Published by" not in pages[-1] and "Notes" in pages[-1]
    last = pages[-2] if notes_back else pages[-1]
    assert "Published by" in last and "CC BY 4.0" in last
    assert "Disclaimer" in last and "not medical advice" in last
    assert "Reviewed November 2026 by " in last
    assert "Printed: November 26, 2026." in last
    assert f"Form: {handout.document.form_id}" in last


def test_metadata_outline_and_language(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "letter",
                            Options(date=DATE))
    reader = pdf_reader(handout.pdf)
    meta = reader.metadata
    assert meta.title == "Bone Metastasis: When Cancer Spreads to the Bone"
    assert meta.author == "Riverside Cancer Center"
    assert "bone metastasis" in meta["/Keywords"] and "level:standard" in meta["/Keywords"]
    assert meta.subject.startswith("This handout is about bone metastasis")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "What is bone metastasis?" in outline
    assert "When to get help" in outline
    # each bookmark points at the page where its heading is printed
    pages = page_texts(handout.pdf)
    for item in reader.outline:
        if isinstance(item, list):
            continue
        page = reader.get_destination_page_number(item)
        assert item.title.split(":")[0] in pages[page], item.title


def test_all_fonts_are_embedded_and_are_atkinson_hyperlegible(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "letter",
                            Options(date=DATE))
    fonts = embedded_fonts(handout.pdf)
    assert fonts and all(fonts.values()), fonts
    assert all("AtkinsonHyperlegible" in name for name in fonts), fonts


def test_text_extracts_in_reading_order(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "letter",
                            Options(date=DATE))
    text = all_text(handout.pdf)
    order = ["What is bone metastasis?", "Risks to know about", "Tests you may need",
             "Treatments", "Medicines you may take", "Medicines that strengthen bones",
             "Informed consent", "Your right to plan your care", "When to get help",
             "Learn more", "How to reach us", "Disclaimer"]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    # the questions a reader can take in any order (render.ORDER_FREE_SECTIONS) may wait for
    # the next column while the links fill the room, but never come before the content
    assert text.index("When to get help") < text.index("Questions to ask") < text.index(
        "Disclaimer")


def test_same_inputs_give_byte_identical_pdfs(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    for out in (first, second):
        assert run_cli("generate", "bone-metastasis", "--clinic", "riverside", "--date",
                       "2026-11-26", "-o", str(out)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_source_date_epoch_sets_the_printed_date(tiny, tmp_path):
    out = tmp_path / "epoch.pdf"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "-o", str(out),
                     roots=tiny, env={"SOURCE_DATE_EPOCH": "1767225600"})  # 2026-01-01
    assert result.exit_code == 0, result.stderr
    assert "Printed: January 1, 2026." in all_text(out)
    assert pdf_reader(out).metadata["/CreationDate"].startswith("D:20260101")


def test_large_print_layout_uses_bigger_type_and_more_pages(shipped):
    normal = build_handout(shipped, "bone-metastasis", "riverside", "letter",
                           Options(date=DATE))
    large = build_handout(shipped, "bone-metastasis", "riverside", "large-print",
                          Options(date=DATE))
    assert large.layout.body_size >= 16
    assert len(pdf_reader(large.pdf).pages) > len(pdf_reader(normal.pdf).pages)


def test_a4_layout_has_a4_pages(shipped):
    handout = build_handout(shipped, "bone-metastasis", "riverside", "a4", Options(date=DATE))
    box = pdf_reader(handout.pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_list_shows_topics_with_versions_clinics_and_layouts(shipped, monkeypatch):
    monkeypatch.chdir(shipped.content.parent)
    result = run_cli("list")
    assert result.exit_code == 0
    assert re.search(r"bone-metastasis\s+\(en: [a-z/]*standard", result.stdout)
    for name in ("riverside", "lakeside", "letter", "a4", "large-print"):
        assert name in result.stdout


def test_every_command_has_help_with_an_example():
    for args in ([], ["generate"], ["list"], ["check"], ["batch"], ["email"]):
        result = run_cli(*args, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout


def test_python_generate_py_is_the_same_command(shipped, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "script.pdf"
    completed = subprocess.run(
        [sys.executable, "generate.py", "generate", "bone-metastasis", "--clinic", "lakeside",
         "--date", "2026-11-26", "-o", str(out)],
        cwd=shipped.content.parent, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_a_clinic_overrides_the_copyright_and_disclaimer_blocks(tiny, tmp_path):
    own = tiny.clinics / "tiny" / "en"
    own.mkdir(parents=True)
    (own / "disclaimer.md").write_text("**Our own disclaimer** for {{ clinic.name }}.\n")
    out = tmp_path / "own.pdf"
    assert run_cli("generate", "tiny-topic", "--clinic", "tiny", "-o", str(out),
                   roots=tiny).exit_code == 0
    last = page_texts(out)[-1]
    assert "Our own disclaimer for Tiny Clinic." in last
    assert "Published by" in last  # the shipped copyright block still applies


def test_generate_with_a_password_encrypts_the_pdf(tiny, tmp_path):
    out = tmp_path / "locked.pdf"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "--password-env", "PW",
                     "-o", str(out), roots=tiny, env={"PW": "s3cret-pass"})
    assert result.exit_code == 0, result.output
    reader = pdf_reader(out)
    assert reader.is_encrypted and reader.decrypt("s3cret-pass")
    assert "Tiny Topic" in reader.pages[0].extract_text()


def test_fallback_font_is_embedded_for_text_atkinson_lacks(tiny, tmp_path):
    markdown = tiny.content / "tiny-topic" / "en" / "standard.md"
    markdown.write_text(markdown.read_text() + "\nTiếng Việt, Ελληνικά, Русский.\n")
    out = tmp_path / "scripts.pdf"
    result = run_cli("generate", "tiny-topic", "--clinic", "tiny", "-o", str(out), roots=tiny)
    assert result.exit_code == 0 and "warning" not in result.stderr
    fonts = embedded_fonts(out)
    assert all(fonts.values())
    assert any("NotoSans" in name for name in fonts)
    assert "Tiếng Việt, Ελληνικά, Русский." in all_text(out)
