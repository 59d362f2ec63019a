"""Writing finished files atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from handouts.errors import HandoutsError

PRIVATE_MODE = 0o600  # files that name a patient, and the outbox


def write_atomically(path: Path, data: bytes, *, private: bool = False,
                     durable: bool = True) -> Path:
    """Replace path with data in one step; a failure leaves the old file (or none).
    private: readable by the owner only (a patient's name or note is in it). durable=False
    skips the fsync, for callers that record and verify what they wrote (batch state)."""
    with writing_atomically(path, private=private, durable=durable) as out:
        out.write(data)
    return path


@contextlib.contextmanager
def writing_atomically(path: Path, *, private: bool = False,
                       durable: bool = True) -> Iterator[BinaryIO]:
    """A file to stream into that replaces path only when the block ends without error:
    for outputs too large to hold in memory (print packs)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HandoutsError(f"cannot create the output folder ({error.strerror})",
                            folder) from None
    _check_target(path)
    temporary = None
    try:
        # the temporary name stays short: a 250-character file name plus a prefix and a
        # suffix would pass the file system's 255-byte limit
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".part",
                                             dir=folder)
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.chmod(temporary, PRIVATE_MODE if private else 0o666 & ~_umask())
        os.replace(temporary, path)
        temporary = None
    except PermissionError:
        raise HandoutsError("cannot write here (permission denied; is the folder read-only?)",
                            folder) from None
    except OSError as error:
        if error.errno == 36:  # ENAMETOOLONG
            raise HandoutsError("the file name is too long for this disk", path) from None
        raise HandoutsError(f"cannot write the file ({error.strerror})", path) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def private_folder(folder: Path) -> Path:
    """The folder, made (or made again) readable by this account only (0700): it holds
    patient data, and other accounts on a shared computer must not list or read it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    except OSError as error:
        raise HandoutsError(f"cannot create the folder ({error.strerror})", folder) from None
    return folder


def _check_target(path: Path) -> None:
    """Only a regular file is replaced: never a folder, a device, a pipe or a socket."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise HandoutsError(f"cannot write the file ({error.strerror})", path) from None
    if stat.S_ISDIR(mode):
        raise HandoutsError("is a folder; give a file name ending in .pdf", path)
    if not stat.S_ISREG(mode):
        raise HandoutsError("is not a regular file (a device, pipe or socket); give the name "
                            "of a file to write", path)


def _umask() -> int:
    """The process's umask, read without changing it (other threads may be writing)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
