"""Writing finished files atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from handouts.errors import HandoutsError


def write_atomically(path: Path, data: bytes) -> Path:
    """Replace path with data in one step; a failure leaves the old file (or none)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HandoutsError(f"cannot create the output folder ({error.strerror})",
                            folder) from None
    if path.is_dir():
        raise HandoutsError("is a folder; give a file name ending in .pdf", path)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=folder)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        temporary = None
    except PermissionError:
        raise HandoutsError("cannot write here (permission denied; is the folder read-only?)",
                            folder) from None
    except OSError as error:
        raise HandoutsError(f"cannot write the file ({error.strerror})", path) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return path


@contextlib.contextmanager
def writing_atomically(path: Path) -> Iterator[BinaryIO]:
    """A file to stream into that replaces path only when the block ends without error:
    for outputs too large to hold in memory (print packs)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HandoutsError(f"cannot create the output folder ({error.strerror})",
                            folder) from None
    if path.is_dir():
        raise HandoutsError("is a folder; give a file name ending in .pdf", path)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=folder)
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        temporary = None
    except PermissionError:
        raise HandoutsError("cannot write here (permission denied; is the folder read-only?)",
                            folder) from None
    except OSError as error:
        raise HandoutsError(f"cannot write the file ({error.strerror})", path) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
