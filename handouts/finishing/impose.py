"""Imposing a finished booklet PDF two-up on sheets for duplex printing and folding."""

from __future__ import annotations

import io

import pikepdf

from handouts.errors import HandoutsError

INCH = 72.0
# Office printers leave about a quarter inch at each paper edge unprinted: marks start
# just inside it, where they are printed, and stay in the page margin.
UNPRINTABLE = 0.25 * INCH
OFFICE_FOLD_MARK = 0.2 * INCH
# A print shop's sheet: the trimmed booklet sheet plus bleed plus room for the marks.
BLEED = 0.125 * INCH
MARK_OFFSET = BLEED  # marks begin at the bleed edge, so none shows on a trimmed sheet
MARK_LENGTH = 0.25 * INCH
SLUG = MARK_OFFSET + MARK_LENGTH + 0.125 * INCH  # margin around the trim on a shop sheet
MARK_GREY = 0.35  # dark enough for a laser printer to print, light enough not to distract
MARKS = ("office", "print-shop")


def sheet_sides(pages: int) -> list[tuple[int, int]]:
    """(left, right) page indexes (0-based) for each sheet side, in printing order.

    Saddle stitch: sheet s carries pages N-2s and 2s+1 on its front, 2s+2 and N-2s-1 on its
    back (1-based). Printed duplex, flipped on the short edge, stacked and folded, the
    pages read 1..N."""
    if pages <= 0 or pages % 4:
        raise HandoutsError(f"a booklet needs a multiple of 4 pages, not {pages}")
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 1 - 2 * sheet, 2 * sheet))          # front
        sides.append((2 * sheet + 1, pages - 2 - 2 * sheet))      # back
    return sides


def marks_kind(marks: bool | str | None) -> str | None:
    """None (no marks), 'office' (also for True) or 'print-shop'."""
    if not marks:
        return None
    if marks is True:
        return "office"
    if marks not in MARKS:
        raise HandoutsError(f"marks must be one of {', '.join(MARKS)}, not '{marks}'")
    return str(marks)


def impose(pdf: bytes, sheet_size: tuple[float, float], marks: bool | str | None = False) -> bytes:
    """Two booklet pages side by side on each landscape sheet, in saddle-stitch order.

    marks: 'office' (or True) draws fold marks inside a 0.25 in unprintable border of the
    same sheet; 'print-shop' puts the sheet on a larger one with bleed, trim and fold
    marks outside the trim. Either way TrimBox and BleedBox are set, and the file asks
    to be printed duplex, flipped on the short edge, without scaling."""
    kind = marks_kind(marks)
    try:
        source = pikepdf.Pdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as error:
        raise HandoutsError(f"cannot read the booklet PDF to impose it ({error})") from None
    with source:
        return _impose(source, sheet_size, kind)


def _impose(source: pikepdf.Pdf, sheet_size: tuple[float, float],
            kind: str | None) -> bytes:
    trim_width, trim_height = max(sheet_size), min(sheet_size)  # landscape
    first = source.pages[0].mediabox
    page_width = float(first[2]) - float(first[0])
    page_height = float(first[3]) - float(first[1])
    if abs(2 * page_width - trim_width) > 3 or abs(page_height - trim_height) > 3:
        raise HandoutsError(f"two {page_width:.0f} x {page_height:.0f} pt pages do not fill a "
                            f"{trim_width:.0f} x {trim_height:.0f} pt sheet")
    sides = sheet_sides(len(source.pages))
    margin = SLUG if kind == "print-shop" else 0.0
    sheet_width, sheet_height = trim_width + 2 * margin, trim_height + 2 * margin
    trim = [margin, margin, margin + trim_width, margin + trim_height]
    bleed = ([margin - BLEED, margin - BLEED, margin + trim_width + BLEED,
              margin + trim_height + BLEED] if kind == "print-shop" else trim)
    marks = _mark_operators(kind, sheet_width, sheet_height, margin, trim_width, trim_height)

    out = pikepdf.Pdf.new()
    forms = [out.copy_foreign(page.as_form_xobject()) for page in source.pages]
    for left, right in sides:
        # each page is clipped to its own half, so nothing spills across the fold
        content = (f"q 1 0 0 1 {margin:.4f} {margin:.4f} cm "
                   f"0 0 {page_width:.4f} {page_height:.4f} re W n /L Do Q\n"
                   f"q 1 0 0 1 {margin + page_width:.4f} {margin:.4f} cm "
                   f"0 0 {page_width:.4f} {page_height:.4f} re W n /R Do Q\n" + marks)
        sheet = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, round(sheet_width, 4), round(sheet_height, 4)],
            TrimBox=[round(v, 4) for v in trim],
            BleedBox=[round(v, 4) for v in bleed],
            Resources=pikepdf.Dictionary(
                XObject=pikepdf.Dictionary(L=forms[left], R=forms[right])),
            Contents=out.make_stream(content.encode("ascii")),
        )
        out.pages.append(pikepdf.Page(sheet))
    info = source.trailer.get("/Info")
    if info is not None:
        out.trailer.Info = out.copy_foreign(info)
    root = source.Root
    if "/Lang" in root:
        out.Root.Lang = root.Lang
    out.Root.PageLayout = pikepdf.Name.SinglePage
    out.Root.ViewerPreferences = pikepdf.Dictionary(
        Duplex=pikepdf.Name.DuplexFlipShortEdge, PrintScaling=pikepdf.Name("/None"))
    buffer = io.BytesIO()
    # the document ID is a digest of the content: the same input gives the same bytes
    out.save(buffer, deterministic_id=True, compress_streams=True,
             stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return buffer.getvalue()


def _mark_operators(kind: str | None, sheet_width: float, sheet_height: float, margin: float,
                    trim_width: float, trim_height: float) -> str:
    """PDF drawing operators for the marks: thin grey lines, dashed at the fold."""
    if kind is None:
        return ""
    lines: list[tuple[float, float, float, float, bool]] = []  # x1 y1 x2 y2 dashed
    fold = margin + trim_width / 2
    if kind == "office":
        # the sheet is the booklet: nothing to trim; fold marks at the spine, top and
        # bottom, starting where the printer starts printing
        lines.append((fold, UNPRINTABLE, fold, UNPRINTABLE + OFFICE_FOLD_MARK, True))
        lines.append((fold, sheet_height - UNPRINTABLE, fold,
                      sheet_height - UNPRINTABLE - OFFICE_FOLD_MARK, True))
    else:
        top, right = margin + trim_height, margin + trim_width
        start, end = MARK_OFFSET, MARK_OFFSET + MARK_LENGTH
        for x, x_step in ((margin, -1), (right, 1)):
            for y, y_step in ((margin, -1), (top, 1)):
                lines.append((x + x_step * start, y, x + x_step * end, y, False))  # horizontal
                lines.append((x, y + y_step * start, x, y + y_step * end, False))  # vertical
        lines.append((fold, margin - start, fold, margin - end, True))
        lines.append((fold, top + start, fold, top + end, True))
    ops = [f"q {MARK_GREY} G 0.5 w"]
    for x1, y1, x2, y2, dashed in lines:
        ops.append(f"{'[3 2] 0 d' if dashed else '[] 0 d'} {x1:.4f} {y1:.4f} m "
                   f"{x2:.4f} {y2:.4f} l S")
    ops.append("Q\n")
    return " ".join(ops)
