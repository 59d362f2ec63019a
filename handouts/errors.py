"""The one error type a person sees, and the warnings collected on the way."""

from __future__ import annotations

from pathlib import Path


class HandoutsError(Exception):
    """A problem a person can fix; its text is one line naming the file and what is wrong."""

    def __init__(self, message: str, path: Path | str | None = None):
        message = " ".join(str(message).split())
        if path is not None:
            message = f"{display_path(path)}: {message}"
        super().__init__(message)


def display_path(path: Path | str) -> str:
    """A path as a person would type it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class Warnings(list):
    """Messages that did not stop the build but that a person should read."""

    def add(self, message: str, path: Path | str | None = None) -> None:
        text = f"{display_path(path)}: {message}" if path is not None else message
        if text not in self:
            self.append(text)
