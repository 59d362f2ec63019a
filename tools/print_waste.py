"""Report the paper the shipped handouts leave blank, page by page, and say how it is counted.

Run from the repository root: python tools/print_waste.py [--layout letter] [--clinic riverside]

Each handout of every shipped topic, language and level is built and rendered to a
low-resolution greyscale image (poppler's pdftoppm). Printed duplex, a handout of N pages
takes N sides of paper (N + 1 when N is odd: the last sheet's back stays blank). The tool
counts three kinds of unused paper, in pages (sides of paper):

- blank in content pages: on every page that carries the handout's content, each column
  of the body (between the header and the footer) is scanned for its lowest ink; what lies
  below it, down to the bottom margin, is blank. A page's share is the average over its
  columns (space between blocks higher up is not counted);
- blank backs: 1 for an odd page count;
- notes pages: a whole page of ruled lines added at the end so that an odd handout prints
  without a blank back. It is counted as unused paper, a whole page each: it carries no
  content of the handout, and it takes exactly the side a blank back would have taken.

    waste = blank in content pages + blank backs + notes pages

(Ruled lines that are part of the topic's own content, such as "For your care team to fill
in", are content.) The report lists each handout and the totals, so two versions of the
code can be compared on the same content (issue 16: the shipped letter handouts' waste
halved).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from dataclasses import dataclass
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
INK = 200  # a grey level below this is ink


@dataclass(frozen=True)
class Waste:
    """The unused paper of one handout, in pages (sides of paper)."""

    pages: int
    notes_pages: int
    blank_in_content: float
    blank_backs: int

    @property
    def total(self) -> float:
        return self.blank_in_content + self.blank_backs + self.notes_pages

    def __add__(self, other: Waste) -> Waste:
        return Waste(self.pages + other.pages, self.notes_pages + other.notes_pages,
                     self.blank_in_content + other.blank_in_content,
                     self.blank_backs + other.blank_backs)


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


def body_texts(pdf: bytes, layout, frame_top: float) -> list[str]:
    """Each page's text between the header rule and the bottom margin (poppler)."""
    box = [str(round(value)) for value in (
        layout.margin_left, layout.page_height - frame_top, layout.frame_width,
        frame_top - layout.margin_bottom)]
    out = subprocess.run(["pdftotext", "-r", "72", "-x", box[0], "-y", box[1], "-W", box[2],
                          "-H", box[3], "-", "-"], input=pdf, capture_output=True, check=False)
    if out.returncode:
        raise SystemExit("pdftotext failed: " + out.stderr.decode(errors="replace").strip())
    return out.stdout.decode("utf-8", errors="replace").split("\f")[:-1]


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
            if any(pixels[x, y] < INK for x in range(region.width)):
                lowest = y
                break
        used = 0 if lowest is None else lowest + 1
        shares.append(1 - used / max(1, region.height))
    return sum(shares) / len(shares)


def handout_waste(roots: Roots, topic: str, clinic: str, layout_name: str, lang: str,
                  level: str) -> Waste:
    """The unused paper of one handout."""
    handout = build_handout(roots, topic, clinic, layout_name,
                            Options(lang=lang, level=level, date=DATE))
    layout = handout.layout
    decoration = PageDecoration(handout.clinic, layout, None, "", "", None)
    frame_top = decoration.frame_top()
    images = page_images(handout.pdf)
    notes_label = handout.document.labels["notes"]
    # a notes page: nothing in its body but the word "Notes" above the lines
    notes = [" ".join(text.split()) == notes_label
             for text in body_texts(handout.pdf, layout, frame_top)]
    blank = sum(blank_share(image, layout, frame_top)
                for image, is_notes in zip(images, notes, strict=True) if not is_notes)
    return Waste(len(images), sum(notes), blank, len(images) % 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", default="letter")
    parser.add_argument("--clinic", default="riverside")
    args = parser.parse_args()
    roots = Roots.under(REPO)
    total = Waste(0, 0, 0.0, 0)
    print(f"{'handout':40} pages  waste  (blank in content pages + blank backs"
          " + notes pages)")
    for topic in topic_names(roots):
        for lang, level in load_topic(roots, topic).versions():
            waste = handout_waste(roots, topic, args.clinic, args.layout, lang, level)
            total += waste
            print(f"{f'{topic} {lang} {level}':40} {waste.pages:5d}  {waste.total:5.2f}"
                  f"  ({waste.blank_in_content:.2f} + {waste.blank_backs}"
                  f" + {waste.notes_pages})")
    print(f"{'total':40} {total.pages:5d}  {total.total:5.2f}"
          f"  ({total.blank_in_content:.2f} + {total.blank_backs} + {total.notes_pages})"
          f"  {100 * total.total / max(1, total.pages + total.blank_backs):.0f}% of the paper")
    print("Pages of paper (sides). A notes page (ruled lines added so that an odd handout"
          " prints without a blank back) counts as a whole unused page, like the blank back"
          " it replaces.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
