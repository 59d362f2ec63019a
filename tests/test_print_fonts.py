"""Fonts in print: every font subset is tagged from its contents, so a pack of many
handouts never holds two different subsets under one name, and no output anywhere uses a
font that is not embedded."""

from __future__ import annotations

import hashlib
import subprocess
from collections import defaultdict

import pikepdf
from conftest import DATE

from handouts.build import build_handout
from handouts.document.assemble import Options
from handouts.finishing.pack import PackEntry, write_pack
from handouts.layout.fonts import subset_tag

# Letters beyond ASCII, so that handouts differ in which characters their subsets hold.
EXTRA = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŁłŒœŠšŽžĀāĒēĪīŌōŪū"


def pdffonts(path) -> list[list[str]]:
    """pdffonts' rows: name, type, encoding, emb, sub, uni, object, generation."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        rows.append([parts[0], *parts[-7:]])
    return rows


def test_subset_tags_come_from_the_font_and_the_subset():
    assert subset_tag(b"font", [65, 66]) == subset_tag(b"font", [65, 66])
    assert subset_tag(b"font", [65, 66]) != subset_tag(b"font", [66, 65])
    assert subset_tag(b"font", [65, 66]) != subset_tag(b"other font", [65, 66])
    tag = subset_tag(b"font", [65])
    assert len(tag) == 6 and tag.isupper() and tag.isalpha()


def test_a_pack_of_100_handouts_names_each_subset_once_and_embeds_every_font(tiny,
                                                                              tmp_path):
    entries = []
    for number in range(100):
        letters = EXTRA[number % len(EXTRA)] + EXTRA[(number * 7) % len(EXTRA)]
        handout = build_handout(tiny, "tiny-topic", "tiny", "letter", Options(
            date=DATE, note=f"Test note {number} {letters}"))
        path = tmp_path / f"handout-{number:03d}.pdf"
        path.write_bytes(handout.pdf)
        entries.append(PackEntry(path, f"handout {number}", 1, handout.pages))
    pack = tmp_path / "pack.pdf"
    write_pack(entries, pack, separator=True)

    rows = pdffonts(pack)
    assert rows and all(row[4] == "yes" for row in rows), [r for r in rows if r[4] != "yes"]
    # one name, one font program: the same tag always means the same bytes
    programs: dict[str, set[str]] = defaultdict(set)
    with pikepdf.open(pack) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = font.get("/FontDescriptor")
                if descriptor is None:
                    continue
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or \
                    descriptor.get("/FontFile")
                programs[str(font.BaseFont)].add(
                    hashlib.sha256(program.read_bytes()).hexdigest())
    regular = [name for name in programs if name.endswith("AtkinsonHyperlegible-Regular")]
    assert len(regular) > 10  # the handouts really do carry different subsets
    assert {name: len(found) for name, found in programs.items() if len(found) > 1} == {}
    check = subprocess.run(["qpdf", "--check", str(pack)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_no_shipped_layout_uses_an_unembedded_font(shipped, tmp_path):
    for layout in ("letter", "a4", "large-print", "booklet-letter", "booklet-a4"):
        handout = build_handout(shipped, "hypercalcemia", "riverside", layout,
                                Options(lang="es", date=DATE))
        path = tmp_path / f"{layout}.pdf"
        path.write_bytes(handout.pdf)
        rows = pdffonts(path)
        assert rows and all(row[4] == "yes" for row in rows), (layout, rows)
        tags = [row[0].split("+")[0] for row in rows]
        assert "AAAAAA" not in tags
