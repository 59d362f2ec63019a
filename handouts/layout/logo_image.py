"""The header logo as ReportLab image data, from the cache folder when it is there.

ReportLab turns a PNG into raw pixels with Pillow, and loading Pillow costs about 30 ms,
a tenth of one `generate`. The raw pixels ReportLab would embed (RGB, and the alpha
channel as a soft mask) are kept in the user's cache folder, found by a digest of the
PNG; a later run hands them to ReportLab directly and the PDF comes out byte for byte
the same, without Pillow ever loading.
"""

from __future__ import annotations

import hashlib
import io
import json

import reportlab
from reportlab.lib.utils import ImageReader

from handouts.inputs.logo_cache import cached_pixels, store_pixels


class DecodedImage(ImageReader):
    """An ImageReader over pixels already decoded: what ReportLab reads from one."""

    def __init__(self, name: str, size: tuple[int, int], mode: str, data: bytes,
                 alpha: DecodedImage | None = None):
        # not ImageReader.__init__, which opens the image with Pillow
        self.fileName, self._ident, self._image, self.fp = name, None, None, None
        self._width, self._height = size
        self._transparent = None
        self.mode, self._data, self._dataA = mode, data, alpha

    def getSize(self) -> tuple[int, int]:
        return self._width, self._height

    def getRGBData(self) -> bytes:
        return self._data

    def getTransparent(self):
        return None

    def jpeg_fh(self):
        return None


def logo_reader(png: bytes) -> ImageReader:
    """What ReportLab draws for this PNG: cached pixels, else Pillow (then cached)."""
    name = hashlib.sha256(b"reportlab " + reportlab.Version.encode() + b"\0" + png).hexdigest()
    found = _from_cache(name)
    if found is not None:
        return found
    reader = ImageReader(io.BytesIO(png))
    data = reader.getRGBData()
    alpha = reader._dataA
    if alpha is None and reader.getTransparent():
        return reader  # a colour-keyed transparency: rare, left to ReportLab each time
    alpha_data = alpha.getRGBData() if alpha is not None else b""
    header = json.dumps({"size": list(reader.getSize()), "mode": reader.mode,
                         "alpha_mode": alpha.mode if alpha is not None else None,
                         "data": len(data), "alpha": len(alpha_data)}).encode()
    store_pixels(name, header + b"\n" + data + alpha_data)
    return reader


def _from_cache(name: str) -> DecodedImage | None:
    payload = cached_pixels(name)
    if payload is None:
        return None
    try:
        end = payload.index(b"\n")
        header = json.loads(payload[:end])
        size, data_length = tuple(header["size"]), header["data"]
        data = payload[end + 1:end + 1 + data_length]
        alpha_data = payload[end + 1 + data_length:]
        if len(data) != data_length or len(alpha_data) != header["alpha"]:
            return None
        alpha = (DecodedImage(f"{name}-alpha", size, header["alpha_mode"], alpha_data)
                 if header["alpha_mode"] else None)
        return DecodedImage(name, size, header["mode"], data, alpha)
    except (ValueError, KeyError, TypeError):
        return None
