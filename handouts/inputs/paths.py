"""Where content, clinics and layouts live, and safe names inside those folders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import HandoutsError

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass(frozen=True)
class Roots:
    """The three folders a clinic edits; by default those beside the working folder."""

    content: Path
    clinics: Path
    layouts: Path

    @classmethod
    def under(cls, root: Path | str = ".") -> Roots:
        root = Path(root)
        return cls(root / "content", root / "clinics", root / "layouts")


def checked_name(name: str, kind: str) -> str:
    """A topic, clinic, layout, language or level name; never a path that leaves its folder."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise HandoutsError(
            f"{kind} name '{name}' is not allowed: use lowercase letters, digits and hyphens "
            "(no '/', '..' or spaces)"
        )
    return name


def names_in(folder: Path, suffix: str = "", *, folders: bool = False) -> list[str]:
    """The valid names of files (with suffix) or subfolders in folder, sorted."""
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        if folders and entry.is_dir() and not entry.name.startswith(("_", ".")):
            name = entry.name
        elif not folders and entry.is_file() and entry.name.endswith(suffix):
            name = entry.name[: -len(suffix)] if suffix else entry.name
        else:
            continue
        if _NAME.fullmatch(name):
            found.append(name)
    return sorted(found)


def named_file(folder: Path, name: str, suffix: str, kind: str) -> Path:
    """folder/<name><suffix> for a checked name; an unknown name lists the known ones."""
    checked_name(name, kind)
    path = folder / f"{name}{suffix}"
    if not path.is_file():
        known = ", ".join(names_in(folder, suffix)) or "none"
        raise HandoutsError(f"unknown {kind} '{name}' ({kind}s in {folder}: {known})")
    return inside(path, folder)


def inside(path: Path, root: Path, what: str = "the file") -> Path:
    """path, once every symbolic link is followed, must still be under root: a link in a
    content pack must not make the tool print or email a file from elsewhere."""
    try:
        real = path.resolve()
        real_root = root.resolve()
    except (OSError, RuntimeError):  # a link loop
        raise HandoutsError(f"{what} is a symbolic link that cannot be followed", path) from None
    if not real.is_relative_to(real_root):
        raise HandoutsError(f"{what} is a symbolic link to {real}, outside {root}; copy the "
                            "file into the folder instead of linking to it", path)
    return path
