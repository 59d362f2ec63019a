"""Writing one entry of the user's cache folder whole or not at all, keeping its size bounded."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def store_entry(folder: Path, entry: Path, data: bytes, keep: dict[str, int]) -> None:
    """Write data to entry through a temporary file in folder (a reader never sees half an
    entry), then remove the oldest entries beyond keep[pattern] for each glob pattern.
    Failures are ignored: an unwritable cache only means the next run prepares it again."""
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".part", dir=folder)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, entry)
        temporary = None
        for pattern, most in keep.items():
            entries = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime)
            for old in entries[:-most]:
                with contextlib.suppress(OSError):
                    old.unlink()
    except OSError:
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
