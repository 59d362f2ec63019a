"""Keeping each logo's checked, downscaled copy in the user's cache folder between runs.

Decoding and downscaling a logo costs more than laying out a page, and a clinic's logo
rarely changes. An entry is found by a digest of the logo file's bytes, its file type
and the code that prepares logos (inputs/logos.py, this module and Pillow's version),
so a changed logo or a changed way of preparing it can never be served from an old
entry; an entry also carries a digest of its own contents, so a damaged or truncated one
is ignored. The cache is only ever a shortcut: when the folder cannot be read or written,
logos are prepared as before.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from handouts.inputs.cache_entries import store_entry

FORMAT = b"handouts-logo-cache 1\n"
MAX_ENTRIES = 64  # a few clinics' logos, each a few tens of KB; the oldest are removed
T = TypeVar("T")


def cache_folder() -> Path | None:
    """$XDG_CACHE_HOME/handouts/logos (else ~/.cache/...; %LOCALAPPDATA% on Windows)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if sys.platform == "win32" and not base:
        base = os.environ.get("LOCALAPPDATA", "")
    if not base or not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    return Path(base) / "handouts" / "logos"


def cached(path: Path, max_bytes: int, prepare: Callable[[], T]) -> T:
    """prepare()'s result for the logo at path, from the cache when it holds one.

    prepare() checks the file and raises for a bad one; only its results are stored."""
    key = _key(path, max_bytes)
    folder = cache_folder() if key is not None else None
    if folder is None or key is None:
        return prepare()
    entry = folder / f"{key}.logo"
    found = _read(entry, key)
    if found is not None:
        return found
    result = prepare()
    _write(folder, entry, key, result)
    return result


@functools.cache
def _code_digest() -> bytes:
    """What prepares a logo: this module, inputs/logos.py and Pillow's version."""
    import PIL

    digest = hashlib.sha256(FORMAT + PIL.__version__.encode())
    for module in ("handouts.inputs.logos", __name__):
        source = getattr(sys.modules.get(module), "__file__", None)
        try:
            digest.update(Path(source).read_bytes() if source else b"?")
        except OSError:
            digest.update(b"?")
    return digest.digest()


def _key(path: Path, max_bytes: int) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > max_bytes:
            return None  # let prepare() report the problem
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(_code_digest())
    digest.update(path.suffix.lower().encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _read(entry: Path, key: str):
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    try:
        if not data.startswith(FORMAT):
            return None
        header_end = data.index(b"\n", len(FORMAT))
        header = json.loads(data[len(FORMAT):header_end])
        payload = data[header_end + 1:]
        if header["key"] != key or hashlib.sha256(payload).hexdigest() != header["payload"]:
            return None
        values = {}
        for name, value in header["fields"].items():
            if isinstance(value, dict):  # bytes: [start, length] in the payload
                start, length = value["bytes"]
                values[name] = payload[start:start + length]
            else:
                values[name] = value
        from handouts.inputs.logos import Logo

        if set(values) != {field.name for field in dataclasses.fields(Logo)}:
            return None
        return Logo(**values)
    except (ValueError, KeyError, TypeError):
        return None


def _write(folder: Path, entry: Path, key: str, result: object) -> None:
    if not dataclasses.is_dataclass(result):
        return
    fields, payload = {}, bytearray()
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if isinstance(value, bytes):
            fields[field.name] = {"bytes": [len(payload), len(value)]}
            payload += value
        elif isinstance(value, int | float | str) or value is None:
            fields[field.name] = value
        else:
            return  # a kind of value this cache does not store: no entry
    header = json.dumps({"key": key, "payload": hashlib.sha256(payload).hexdigest(),
                         "fields": fields}, sort_keys=True).encode()
    store_entry(folder, entry, FORMAT + header + b"\n" + payload, KEEP)


KEEP = {"*.logo": MAX_ENTRIES, "*.pixels": MAX_ENTRIES}  # the oldest beyond these go


PIXELS_FORMAT = b"handouts-pixels 1\n"


def cached_pixels(name: str) -> bytes | None:
    """Bytes stored by store_pixels under name, if whole and unchanged; else None."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        data = (folder / f"{name}.pixels").read_bytes()
    except OSError:
        return None
    header_end = len(PIXELS_FORMAT) + 64
    if not data.startswith(PIXELS_FORMAT) or len(data) < header_end + 1:
        return None
    payload = data[header_end + 1:]
    if hashlib.sha256(payload).hexdigest().encode() != data[len(PIXELS_FORMAT):header_end]:
        return None
    return payload


def store_pixels(name: str, payload: bytes) -> None:
    """Keep payload under name (a digest of what it was made from); failures are ignored."""
    folder = cache_folder()
    if folder is None:
        return
    data = PIXELS_FORMAT + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    store_entry(folder, folder / f"{name}.pixels", data, KEEP)
