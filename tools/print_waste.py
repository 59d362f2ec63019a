"""Report the blank space the shipped handouts waste on paper, page by page.

Run from the repository root: python tools/print_waste.py [--layout letter] [--clinic riverside]

Each handout of every shipped topic, language and level is built and rendered to a
low-resolution greyscale image (poppler's pdftoppm). On every page, each column of the
body (between the header and the footer, as the layout places them) is scanned for its
lowest ink: what lies below it, down to the bottom margin, is blank. A page's blank share
is the average over its columns; a handout with an odd page count, printed duplex, also
leaves a whole blank back. The waste of a handout is the sum, in pages of paper:

    waste = sum over pages of the blank share of its body  +  1 if the page count is odd

The last page counts as well: a page holding three lines wastes the rest of its sheet.
The report lists each handout and the total, so two versions of the code can be
compared on the same content (issue 16: the shipped letter handouts' waste halved).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from handouts.build import build_handout  # noqa: E402
from handouts.document.assemble import Options  # noqa: E402
from handouts.inputs.paths import Roots  # noqa: E402
from handouts.inputs.topics import load_topic, topic_names  # noqa: E402
from handouts.layout.pages import PageDecoration  # noqa: E402

DATE = dt.date(2026, 11, 26)
DPI = 36


def page_images(pdf: bytes) -> list[Image.Image]:
    """Each page as a greyscale image at DPI dots per inch."""
    with tempfile.TemporaryDirectory(prefix="handouts-waste-") as folder:
        out = subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-png", "-",
                              str(Path(folder) / "page")], input=pdf, capture_output=True,
                             check=False)
        if out.returncode:
            raise SystemExit("pdftoppm failed: "
                             + out.stderr.decode(errors="replace").strip())
        images = []
        for path in sorted(Path(folder).glob("page-*.png"),
                           key=lambda p: int(p.stem.rsplit("-", 1)[1])):
            with Image.open(path) as image:
                images.append(image.convert("L"))
        return images


def blank_share(image: Image.Image, layout, frame_top: float) -> float:
    """The share of the page's body (all columns) left blank below the lowest ink."""
    scale = DPI / 72
    height = image.height
    top = round((layout.page_height - frame_top) * scale)
    bottom = round((layout.page_height - layout.margin_bottom) * scale)
    shares = []
    for column in range(layout.columns):
        left = layout.margin_left + column * (layout.column_width + layout.column_gap)
        box = (round(left * scale), top, round((left + layout.column_width) * scale),
               min(bottom, height))
        region = image.crop(box)
        lowest = None
        pixels = region.load()
        for y in range(region.height - 1, -1, -1):
            if any(pixels[x, y] < 200 for x in range(region.width)):
                lowest = y
                break
        used = 0 if lowest is None else lowest + 1
        shares.append(1 - used / max(1, region.height))
    return sum(shares) / len(shares)


def handout_waste(roots: Roots, topic: str, clinic: str, layout_name: str, lang: str,
                  level: str) -> tuple[int, float]:
    """(pages, waste in pages of paper) of one handout."""
    handout = build_handout(roots, topic, clinic, layout_name,
                            Options(lang=lang, level=level, date=DATE))
    layout = handout.layout
    decoration = PageDecoration(handout.clinic, layout, None, "", "", None)
    frame_top = decoration.frame_top()
    images = page_images(handout.pdf)
    waste = sum(blank_share(image, layout, frame_top) for image in images)
    if len(images) % 2:
        waste += 1.0
    return len(images), waste


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", default="letter")
    parser.add_argument("--clinic", default="riverside")
    args = parser.parse_args()
    roots = Roots.under(REPO)
    total_pages, total_waste = 0, 0.0
    print(f"{'handout':40} pages  waste (pages of paper)")
    for topic in topic_names(roots):
        for lang, level in load_topic(roots, topic).versions():
            pages, waste = handout_waste(roots, topic, args.clinic, args.layout, lang, level)
            total_pages += pages
            total_waste += waste
            print(f"{f'{topic} {lang} {level}':40} {pages:5d}  {waste:5.2f}")
    print(f"{'total':40} {total_pages:5d}  {total_waste:5.2f}"
          f"  ({100 * total_waste / total_pages:.0f}% of the paper)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
