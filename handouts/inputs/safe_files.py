"""Reading text and TOML files safely: size limits, encodings, invisible characters."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from handouts.errors import HandoutsError, Warnings

# Documented limits (README, "Limits").
MAX_MARKDOWN_BYTES = 512 * 1024
MAX_TOML_BYTES = 256 * 1024
MAX_BLOCK_BYTES = 64 * 1024

# C0/C1 control characters except tab and newline, and invisible format characters
# pasted from web pages and Word (zero-width space, word joiner, BOM). Soft hyphens stay:
# the typesetter breaks a word only there when it has any (and shows them only there).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069]"
)


def read_text(path: Path, *, limit: int, warnings: Warnings | None = None) -> str:
    """Read a text file a person edited, whatever editor they used, as clean Unicode (NFC)."""
    data = _read_bytes(path, limit)
    if not data.strip():
        raise HandoutsError("the file is empty", path)
    text = _decode(data, path, warnings)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _INVISIBLE.sub("", text)
    if cleaned != text and warnings is not None:
        warnings.add("removed control or invisible characters (such as zero-width spaces)", path)
    return unicodedata.normalize("NFC", cleaned)


def without_invisible(text: str) -> str:
    """Text typed or rendered (a patient's name, template output) without control, bidi or
    zero-width characters: they would print as boxes, reorder the line or hide words."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text))


def read_toml(path: Path, *, limit: int = MAX_TOML_BYTES) -> dict[str, Any]:
    """Parse a TOML file; a syntax error names the file, line and column."""
    text = read_text(path, limit=limit)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise HandoutsError(f"not valid TOML: {error}", path) from None
    except RecursionError:
        raise HandoutsError("not valid TOML: tables or lists are nested too deeply",
                            path) from None


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise HandoutsError(
                f"the file is {size / 1024:.0f} KB; the limit is {limit // 1024} KB", path
            )
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except FileNotFoundError:
        raise HandoutsError("file not found", path) from None
    except IsADirectoryError:
        raise HandoutsError("is a folder, expected a file", path) from None
    except PermissionError:
        raise HandoutsError("cannot read the file (permission denied)", path) from None
    except OSError as error:
        raise HandoutsError(f"cannot read the file ({error.strerror})", path) from None


def _decode(data: bytes, path: Path, warnings: Warnings | None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise HandoutsError("says it is UTF-16 but is not valid UTF-16", path) from None
        if warnings is not None:
            warnings.add("read as UTF-16; saving it as UTF-8 is recommended", path)
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise HandoutsError("not UTF-8 text; save the file as UTF-8", path) from None
    if warnings is not None:
        warnings.add("not UTF-8; read as Windows-1252 (save it as UTF-8 to be sure)", path)
    return text
