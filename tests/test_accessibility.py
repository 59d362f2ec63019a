"""Accessible handouts: every reader's PDF is a tagged PDF (PDF/UA-1) whose structure
tree reads in the Markdown's order, with headings, lists, tables, boxes, links and the logo
tagged as a screen reader needs them."""

from __future__ import annotations

import dataclasses
import io
import subprocess

import pikepdf
import pytest
from conftest import DATE, REPO

from handouts.build import build_handout
from handouts.check import (
    heading_problems,
    pdfua_problems,
    reading_order_problems,
    struct_text,
    structure_roles,
)
from handouts.document.assemble import Options
from handouts.finishing.protect import encrypt
from handouts.inputs.paths import Roots

ROOTS = Roots.under(REPO)
VERSIONS = [(topic, lang, level) for topic in ("bone-metastasis", "hypercalcemia",
                                               "radiation-to-bone")
            for lang in ("en", "es") for level in ("standard", "easy")]


def build(topic="bone-metastasis", clinic="riverside", layout="letter", lang="en",
          level="standard", **options):
    return build_handout(ROOTS, topic, clinic, layout,
                         Options(lang=lang, level=level, date=DATE, **options))


def catalog(pdf: bytes) -> dict:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        return {
            "lang": str(root.get("/Lang")),
            "marked": bool(root.MarkInfo.Marked),
            "display_title": bool(root.ViewerPreferences.DisplayDocTitle),
            "xmp": root.Metadata.read_bytes().decode("utf-8"),
            "tabs": {str(page.obj.get("/Tabs")) for page in document.pages},
            "title": str(document.docinfo.Title),
        }


def elements(pdf: bytes, role: str) -> list[pikepdf.Dictionary]:
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        stack = [document.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.S == pikepdf.Name("/" + role):
                    found.append({key: node[key] for key in node.keys() if key != "/P"}
                                 | {"role": role, "kids": _kid_roles(node)})
                if "/K" in node:
                    stack.append(node.K)
    return found


def _kid_roles(node) -> list[str]:
    kids = node.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [str(kid.S)[1:] if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
            else "OBJR" if isinstance(kid, pikepdf.Dictionary) else "MCID" for kid in kids]


@pytest.mark.parametrize(("topic", "lang", "level"), VERSIONS)
def test_every_shipped_version_is_a_clean_pdf_ua_file_read_in_markdown_order(topic, lang,
                                                                            level):
    handout = build(topic, lang=lang, level=level)
    assert pdfua_problems(handout.pdf) == []
    assert reading_order_problems(handout.document, handout.pdf) == []
    assert heading_problems(structure_roles(handout.pdf)) == []
    assert catalog(handout.pdf)["lang"] == lang


@pytest.mark.parametrize(("layout", "topic", "lang"), [
    ("a4", "hypercalcemia", "es"), ("large-print", "radiation-to-bone", "en"),
    ("booklet-letter", "bone-metastasis", "es"), ("booklet-a4", "hypercalcemia", "en")])
def test_every_layout_reader_edition_is_tagged_in_reading_order(layout, topic, lang):
    handout = build(topic, layout=layout, lang=lang, level="easy")
    assert pdfua_problems(handout.pdf) == []
    assert reading_order_problems(handout.document, handout.pdf) == []
    assert heading_problems(structure_roles(handout.pdf)) == []


def test_document_level_settings_of_a_tagged_pdf():
    pdf = build(lang="es").pdf
    info = catalog(pdf)
    assert info["lang"] == "es" and info["marked"] and info["display_title"]
    assert "<pdfuaid:part>1</pdfuaid:part>" in info["xmp"]
    assert f'<rdf:li xml:lang="x-default">{info["title"]}</rdf:li>' in info["xmp"]
    assert info["tabs"] == {"/S"}
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout
    rows = [line.split() for line in fonts.decode().splitlines()[2:]]
    assert rows and all(row[-5] == "yes" and row[-3] == "yes" for row in rows)  # emb, uni


def test_structure_tree_has_the_logo_headings_lists_boxes_and_links():
    handout = build(topic="bone-metastasis")
    pdf = handout.pdf
    roles = structure_roles(pdf)
    assert roles[:3] == ["Document", "Figure", "H1"]
    (figure,) = elements(pdf, "Figure")
    assert str(figure["/Alt"]) == handout.clinic.name
    for item in elements(pdf, "LI"):
        assert item["kids"] == ["Lbl", "LBody"]
    links = elements(pdf, "Link")
    assert links and all("OBJR" in link["kids"] and "MCID" in link["kids"] for link in links)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        annotations = [annotation for page in document.pages
                       for annotation in page.obj.get("/Annots", [])]
        assert annotations and all(str(a.Contents).strip() and "/StructParent" in a
                                   for a in annotations)
    # a box ("when to get help") is a group whose title is a heading
    boxes = [box for box in elements(pdf, "Div") if box["kids"][0] in ("H2", "H3")]
    assert boxes
    text = " ".join(struct_text(pdf))
    assert "Next appointment:" in text  # a notes field's label; its line is an artifact


def test_tables_have_rows_header_cells_with_scope_and_data_cells(tiny):
    topic = tiny.content / "tiny-topic" / "en" / "standard.md"
    topic.write_text(topic.read_text() + "\n| Medicine | When |\n| --- | --- |\n"
                     "| Calcium pill | Morning |\n| Water | All day |\n")
    handout = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(date=DATE))
    (table,) = elements(handout.pdf, "Table")
    assert table["kids"] == ["TR", "TR", "TR"]
    headers = elements(handout.pdf, "TH")
    assert [str(h["/A"].Scope) for h in headers] == ["/Column", "/Column"]
    assert len(elements(handout.pdf, "TD")) == 4
    assert pdfua_problems(handout.pdf) == []
    assert reading_order_problems(handout.document, handout.pdf) == []


def test_reading_order_check_fails_when_the_tagged_text_is_out_of_order():
    handout = build()
    swapped = dataclasses.replace(handout.document,
                                  sections=tuple(reversed(handout.document.sections)))
    assert reading_order_problems(swapped, handout.pdf)


def test_heading_check_fails_on_a_skipped_level():
    assert heading_problems(["Document", "H1", "H2", "H4"]) == ["headings: H4 follows H2"]
    assert heading_problems(["Document", "H2"])


def test_untagged_pdf_fails_the_pdfua_check():
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "untagged")
    canvas.save()
    assert any("UA-01-005" in problem for problem in pdfua_problems(buffer.getvalue()))


def test_tagged_output_is_deterministic():
    assert build(layout="booklet-letter").pdf == build(layout="booklet-letter").pdf


def test_encrypted_pdf_keeps_the_permission_to_extract_text_for_accessibility():
    protected = encrypt(build().pdf, "secret-words")
    with pikepdf.open(io.BytesIO(protected), password="secret-words") as document:
        assert document.is_encrypted
        assert document.allow.accessibility
        assert "/StructTreeRoot" in document.Root


def test_check_accessibility_command_reports_each_version_and_layout():
    from conftest import run_cli

    result = run_cli("check", "--accessibility", "hypercalcemia", "--lang", "es", "--level",
                     "easy", "--layout", "letter", "--layout", "booklet-a4", "--clinic",
                     "lakeside", roots=ROOTS)
    assert result.exit_code == 0, result.output
    assert "hypercalcemia  es  easy  booklet-a4: PASS" in result.output
    assert "2 of 2 passed" in result.output
