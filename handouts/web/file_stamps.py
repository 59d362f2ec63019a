"""Noticing edited files cheaply: listings, digests and loaded profiles kept while unchanged.

A request for a handout already made must still notice an edited content file, but reading
and hashing every input file on every request costs more than serving the cached PDF. Here
a folder's listing is kept while none of its folders changed (adding, removing or renaming a
file changes its folder's time), and a file's digest while its size, time and inode are the
same (an edit changes the time, an atomic replace the inode). A check is a few `stat` calls.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from handouts.batch import _file_digest
from handouts.errors import HandoutsError
from handouts.inputs.paths import Roots

Stamp = tuple[int, int, int]


def stamp(path: Path | str) -> Stamp | None:
    """What changes when a file is edited or replaced: (time, size, inode); None if absent."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class FileStamps:
    """Folder listings and file digests, checked against the files on every use.

    Thread-safe: values are recomputed outside the lock and the last one stored wins (two
    threads compute the same thing from the same files)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._listings: dict[Path, tuple[tuple[tuple[str, int], ...], list[Path]]] = {}
        self._digests: dict[Path, tuple[Stamp, bytes]] = {}

    def files_in(self, folder: Path) -> list[Path]:
        """Every regular file below the folder, sorted (as `Path.rglob` lists them)."""
        with self._lock:
            known = self._listings.get(folder)
        if known is not None and all(_folder_time(path) == time for path, time in known[0]):
            return known[1]
        folders: list[tuple[str, int]] = []
        files: list[Path] = []
        _walk(folder, folder, folders, files)
        files.sort()
        with self._lock:
            self._listings[folder] = (tuple(folders), files)
        return files

    def digest(self, path: Path) -> bytes:
        """The file's SHA-256 (a marker for a missing or irregular file), read again only
        when the file changed."""
        now = stamp(path)
        with self._lock:
            known = self._digests.get(path)
        if known is not None and now is not None and known[0] == now:
            return known[1]
        value = _file_digest(path)
        if now is not None:
            with self._lock:
                self._digests[path] = (now, value)
        return value

    def signature(self, folder: Path) -> tuple:
        """Changes whenever any file below the folder is added, removed, edited or replaced."""
        return tuple((path, stamp(path)) for path in self.files_in(folder))


def _folder_time(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _walk(top: Path, folder: Path, folders: list, files: list) -> None:
    time = _folder_time(str(folder))
    folders.append((str(folder), time))
    if time is None:
        return
    try:
        with os.scandir(folder) as entries:
            found = list(entries)
    except OSError:
        return
    for entry in found:
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(top, folder / entry.name, folders, files)
            elif entry.is_file():
                files.append(folder / entry.name)
        except OSError:
            continue


class FreshInputs(FileStamps):
    """What `handouts.batch.input_hash` reads (clinic profiles, listings, digests), kept
    across requests and checked against the files each time."""

    def __init__(self, roots: Roots):
        super().__init__()
        self.roots = roots
        self._profiles: dict[tuple[str, str], tuple[Stamp | None, object]] = {}

    def _load(self, kind: str, path: Path, name: str,
              loader: Callable[[Roots, str], object]) -> object:
        now = stamp(path)
        with self._lock:
            known = self._profiles.get((kind, name))
        if known is None or known[0] != now or now is None:
            try:
                value: object = loader(self.roots, name)
            except HandoutsError as error:
                value = error
            known = (now, value)
            with self._lock:
                self._profiles[(kind, name)] = known
        if isinstance(known[1], HandoutsError):
            raise known[1]
        return known[1]

    def clinic(self, name: str):
        from handouts.inputs.clinics import load_clinic

        return self._load("clinic", self.roots.clinics / f"{name}.toml", name, load_clinic)

    def layout(self, name: str):
        from handouts.inputs.layouts import load_layout

        return self._load("layout", self.roots.layouts / f"{name}.toml", name, load_layout)
