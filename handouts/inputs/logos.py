"""Checking a logo file and preparing a small, deterministic copy to embed."""

from __future__ import annotations

import io
import warnings as _warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from handouts.errors import HandoutsError

if TYPE_CHECKING:
    from PIL import Image

# Documented limits (README, "Limits").
MAX_LOGO_BYTES = 5 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000
LOGO_EMBED_HEIGHT_PX = 240  # enough for a 1-inch-tall logo at 240 dpi
HEADER_LOGO_HEIGHT_PX = 120  # the page header's logo is under half an inch tall
# The header draws the logo at a fixed height: a wider logo pushes the clinic's name off
# the page, a much taller one shrinks to a sliver.
MAX_LOGO_ASPECT = 6.0
MIN_LOGO_ASPECT = 0.25

_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


@dataclass(frozen=True)
class Logo:
    png: bytes  # a downscaled PNG copy, the bytes that go into the PDF
    width: int
    height: int
    header_png: bytes  # a smaller copy for the page header (small, and drawn on every page)

    @property
    def aspect(self) -> float:
        return self.width / self.height


def load_logo(path: Path, key: str) -> Logo:
    """Open, check and downscale a PNG or JPEG logo; every failure names the file and key.

    A batch reads the same logo many times: the result is kept per file version."""
    try:
        stat = path.stat()
        version = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    except OSError:
        version = None
    if version is not None and version in _CACHE:
        return _CACHE[version]
    from handouts.inputs.logo_cache import cached  # the user's cache folder, across runs

    logo = cached(path, MAX_LOGO_BYTES, lambda: _load_logo(path, key))
    if version is not None:
        _CACHE[version] = logo
    return logo


_CACHE: dict[tuple[str, int, int], Logo] = {}


def _load_logo(path: Path, key: str) -> Logo:
    # Pillow only when a logo is prepared: most runs find it in the cache (inputs/logo_cache.py)
    from PIL import Image, ImageOps, UnidentifiedImageError

    def fail(problem: str) -> HandoutsError:
        return HandoutsError(f"key '{key}': {problem}", path)

    expected = _FORMATS.get(path.suffix.lower())
    if expected is None:
        raise fail("the logo must be a .png, .jpg or .jpeg file")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise fail("logo file not found") from None
    except OSError as error:
        raise fail(f"cannot read the logo ({error.strerror})") from None
    if path.is_dir():
        raise fail("is a folder, expected an image file")
    if size == 0:
        raise fail("the logo file is empty")
    if size > MAX_LOGO_BYTES:
        raise fail(f"the logo is {size / 1e6:.1f} MB; the limit is {MAX_LOGO_BYTES // 2**20} MB")
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                # phone cameras write JPEGs as MPO (a JPEG with a second, preview image)
                if image.format != expected and not (expected == "JPEG"
                                                     and image.format == "MPO"):
                    raise fail(f"the file is not a {expected} image "
                               f"(it reads as {image.format or 'unknown data'})")
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    raise fail(f"the logo is {width}x{height} pixels; the limit is "
                               f"{MAX_LOGO_PIXELS // 1_000_000} megapixels")
                image.load()
                image = ImageOps.exif_transpose(image)  # as the camera was held
                aspect = image.width / image.height
                if not MIN_LOGO_ASPECT <= aspect <= MAX_LOGO_ASPECT:
                    raise fail(f"the logo is {image.width}x{image.height} pixels; its width "
                               f"must be between {MIN_LOGO_ASPECT:g} and {MAX_LOGO_ASPECT:g} "
                               "times its height to fit the header (crop it)")
                return _embeddable(image)
    except HandoutsError:
        raise
    except UnidentifiedImageError:
        raise fail(f"the file is not a {expected} image") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as error:
        raise fail(f"the image is damaged or unreadable ({error})") from None
    except PermissionError:
        raise fail("cannot read the logo (permission denied)") from None


def _embeddable(image: Image.Image) -> Logo:
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey: scaled to 8 bits (a plain conversion clips every value above 255,
        # which turns the whole logo white)
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    image = image.convert("RGBA")
    if image.getextrema()[3] == (255, 255):
        image = image.convert("RGB")
    large = _at_most(image, LOGO_EMBED_HEIGHT_PX)
    return Logo(_png(large), large.width, large.height,
                _png(_at_most(image, HEADER_LOGO_HEIGHT_PX)))


def _at_most(image: Image.Image, height: int) -> Image.Image:
    if image.height <= height:
        return image
    from PIL import Image

    width = max(1, round(image.width * height / image.height))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
