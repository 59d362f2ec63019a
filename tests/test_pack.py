"""Print packs: every page in order, copies sharing their fonts, fonts embedded, a valid
file whatever the sources look like, and clear errors for files that cannot be packed."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import DATE, page_texts
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.errors import HandoutsError
from handouts.finishing.pack import PackEntry, write_pack


@pytest.fixture
def handouts(tiny, shipped, tmp_path) -> dict[str, Path]:
    """A one-page handout and a longer one, written to disk as a batch writes them."""
    files = {}
    for name, roots, topic, clinic in (("tiny", tiny, "tiny-topic", "tiny"),
                                       ("bone", shipped, "bone-metastasis", "riverside")):
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(build_handout(roots, topic, clinic, "letter",
                                              Options(date=DATE)).pdf)
    return files


def entries(files: dict[str, Path], copies: int = 1) -> list[PackEntry]:
    return [PackEntry(path, name, copies, len(page_texts(path))) for name, path in files.items()]


def pdffonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
    return [line.split() for line in out.stdout.decode().splitlines()[2:]]


def test_pack_holds_every_page_in_order_with_blank_backs_and_a_separator(handouts, tmp_path):
    target = tmp_path / "pack.pdf"
    bone_pages = len(page_texts(handouts["bone"]))
    padded = bone_pages + bone_pages % 2  # an odd handout gets a blank back
    pack_entries = [PackEntry(handouts["tiny"], "tiny", 2, 1),
                    PackEntry(handouts["bone"], "bone", 1, bone_pages)]
    assert write_pack(pack_entries, target, separator=True) == 2 + 2 * 2 + padded
    pages = page_texts(target)
    tiny, bone = page_texts(handouts["tiny"]), page_texts(handouts["bone"])
    assert pages[0].startswith("Print pack") and "2 x tiny" in pages[0] and pages[1] == ""
    assert pages[2:6] == [tiny[0], "", tiny[0], ""]
    assert pages[6:] == [*bone, *[""] * (padded - bone_pages)]
    check = subprocess.run(["qpdf", "--check", str(target)], capture_output=True)
    assert check.returncode == 0, check.stdout


def test_nothing_in_a_pack_uses_an_unembedded_font(handouts, tmp_path):
    target = tmp_path / "pack.pdf"
    write_pack(entries(handouts), target, separator=True)
    fonts = pdffonts(target)
    assert fonts and all(font[-5] == "yes" for font in fonts), fonts  # the "emb" column
    assert not any("Helvetica" in font[0] for font in fonts)


def test_copies_share_fonts_and_contents_so_a_pack_of_copies_stays_small(handouts, tmp_path):
    one, many = tmp_path / "one.pdf", tmp_path / "many.pdf"
    write_pack(entries(handouts, copies=1), one)
    bone = page_texts(handouts["bone"])
    padded = len(bone) + len(bone) % 2
    assert write_pack(entries(handouts, copies=25), many) == 25 * (2 + padded)
    # each further copy adds its page dictionaries (a few hundred bytes), not a handout
    assert many.stat().st_size < one.stat().st_size + 24 * (2 + padded) * 400
    assert page_texts(many)[-padded:] == bone + [""] * (padded - len(bone))


def test_the_same_handouts_give_the_same_pack_bytes(handouts, tmp_path):
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    write_pack(entries(handouts, copies=2), first, separator=True)
    write_pack(entries(handouts, copies=2), second, separator=True)
    assert first.read_bytes() == second.read_bytes()


def test_portrait_packs_ask_for_long_edge_duplex_without_scaling(handouts, tmp_path):
    target = tmp_path / "pack.pdf"
    write_pack(entries(handouts), target)
    with pikepdf.open(target) as pack:
        assert pack.Root.ViewerPreferences.Duplex == "/DuplexFlipLongEdge"
        assert pack.Root.ViewerPreferences.PrintScaling == "/None"
        assert str(pack.docinfo.Title) == "Print pack: 2 handouts"


def test_pages_that_inherit_their_size_and_resources_keep_them(tmp_path):
    """Page attributes may live on the page tree (other PDF tools write them so)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for number in (1, 2):
        canvas.setFont("Helvetica", 30)
        canvas.drawString(100, 700, f"Inherited page {number}")
        canvas.showPage()
    canvas.save()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as pdf:
        tree = pdf.Root.Pages
        tree.MediaBox = pdf.pages[0].obj.MediaBox
        tree.Resources = pdf.pages[0].obj.Resources
        for page in pdf.pages:
            del page.obj["/MediaBox"]
            del page.obj["/Resources"]
        pdf.save(tmp_path / "inherits.pdf")
    target = tmp_path / "pack.pdf"
    write_pack([PackEntry(tmp_path / "inherits.pdf", "x", 1, 2)], target)
    assert page_texts(target) == ["Inherited page 1", "Inherited page 2"]
    with pikepdf.open(target) as pack:
        assert [round(float(v)) for v in pack.pages[1].mediabox] == [0, 0, 595, 842]


def test_a_missing_or_damaged_handout_is_named_and_leaves_no_file(handouts, tmp_path):
    target = tmp_path / "pack.pdf"
    missing = [*entries(handouts), PackEntry(tmp_path / "gone.pdf", "gone", 1, 1)]
    with pytest.raises(HandoutsError, match="gone.pdf.*cannot read"):
        write_pack(missing, target)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\nthis is not a PDF\n")
    with pytest.raises(HandoutsError, match="damaged.pdf"):
        write_pack([*entries(handouts), PackEntry(damaged, "damaged", 1, 1)], target)
    assert list(tmp_path.glob("*pack.pdf*")) == []  # no pack, no half-written part file


def test_a_password_protected_handout_is_refused(handouts, tmp_path):
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(handouts["tiny"]) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="", owner="secret", R=6))
    with pytest.raises(HandoutsError, match="locked.pdf.*password"):
        write_pack([PackEntry(locked, "locked", 1, 1)], tmp_path / "pack.pdf")
