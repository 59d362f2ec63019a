"""Keeping data prepared from a file (kerning pairs, hyphenation patterns) in the user's cache
folder between runs, found by a digest of the file and of the code that prepares it.

Reading a font's kerning tables or parsing a language's hyphenation patterns costs more than
laying out a page, on every run, although neither file changes between runs. An entry is
named by a digest of the source file's bytes and of the code that prepares it (the caller
passes that code's files: its own module, the library's), so a changed file or a changed
way of preparing it can never be served from an old entry; an entry also carries the key
and a digest of its own contents, so a damaged, truncated or renamed one is ignored. The
cache is only ever a shortcut: when the folder cannot be read or written, the data is
prepared as before, and what comes out is the same either way (JSON keeps every value the
preparation returns: strings, integers, floats, lists and string-keyed objects).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from handouts.inputs.cache_entries import store_entry
from handouts.inputs.logo_cache import cache_folder as _logo_folder

FORMAT = b"handouts-prepared 1\n"
MAX_ENTRIES = 32  # per kind: a few fonts' faces, a few languages


def cache_folder(kind: str) -> Path | None:
    """$XDG_CACHE_HOME/handouts/<kind> (else ~/.cache/...; %LOCALAPPDATA% on Windows)."""
    logos = _logo_folder()
    return logos.parent / kind if logos is not None else None


def source_key(source: Path, code: Iterable[Path | None]) -> str | None:
    """The entry's name: a digest of the source file and the files of the code preparing it
    (a missing code file counts as such); None when the source cannot be read."""
    digest = hashlib.sha256(FORMAT)
    for path in code:
        try:
            data = path.read_bytes() if path is not None else b"?"
        except OSError:
            data = b"?"
        digest.update(len(data).to_bytes(8, "big") + data)
    try:
        data = source.read_bytes()
    except OSError:
        return None
    digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def cached(kind: str, key: str | None, prepare: Callable[[], Any]) -> Any:
    """prepare()'s result (JSON data) from the entry named key, preparing and storing it
    when there is no good entry."""
    folder = cache_folder(kind) if key is not None else None
    if folder is None or key is None:
        return prepare()
    entry = folder / f"{key}.json"
    found = _read(entry, key)
    if found is not None:
        return found[0]
    result = prepare()
    _write(folder, entry, key, result)
    return result


def _read(entry: Path, key: str) -> tuple[Any] | None:
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    header_end = len(FORMAT) + 64 + 1 + 64
    if not data.startswith(FORMAT) or len(data) < header_end + 1:
        return None
    payload = data[header_end + 1:]
    if data[len(FORMAT):len(FORMAT) + 64] != key.encode() or \
            hashlib.sha256(payload).hexdigest().encode() != data[len(FORMAT) + 65:header_end]:
        return None
    try:
        return (json.loads(payload),)
    except ValueError:
        return None


def _write(folder: Path, entry: Path, key: str, result: Any) -> None:
    try:
        payload = json.dumps(result, ensure_ascii=False, separators=(",", ":"),
                             allow_nan=False).encode()
    except (TypeError, ValueError):
        return  # not plain data: nothing stored
    data = (FORMAT + key.encode() + b" " + hashlib.sha256(payload).hexdigest().encode()
            + b"\n" + payload)
    store_entry(folder, entry, data, {"*.json": MAX_ENTRIES})
