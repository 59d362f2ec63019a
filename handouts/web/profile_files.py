"""Changing a clinic's profile file: edit keys in the TOML text, validate with the same loader
the command line uses, then replace the file in one step (comments and other keys stay).

Nothing here knows about web requests: a caller gives the changes and, optionally, a logo's
bytes, and gets the validated Clinic back or a HandoutsError naming the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
from pathlib import Path

from handouts.errors import HandoutsError, display_path
from handouts.finishing.atomic_write import write_atomically
from handouts.inputs.clinics import Clinic, parse_clinic
from handouts.inputs.paths import Roots, named_file

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$")
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}

TomlValue = str | list[str] | None


def toml_value(value: str | list[str]) -> str:
    """A TOML basic string or array of them (JSON's string escapes are valid TOML)."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _key_pattern(key: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(key)}\s*=")


def _region(lines: list[str], section: str | None) -> tuple[int, int] | None:
    """[start, end) line indexes of the top level (section None) or of [section]."""
    headers = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _HEADER.match(line))]
    if section is None:
        return 0, headers[0][0] if headers else len(lines)
    for number, (index, name) in enumerate(headers):
        if name == section and not lines[index].lstrip().startswith("[["):
            end = headers[number + 1][0] if number + 1 < len(headers) else len(lines)
            return index + 1, end
    return None


def _value_end(lines: list[str], index: int) -> int:
    """The line after a key's value (an array may run over several lines)."""
    value = lines[index].split("=", 1)[1].strip()
    if value.startswith("[") and value.count("[") > value.count("]"):
        depth = value.count("[") - value.count("]")
        for follow in range(index + 1, len(lines)):
            depth += lines[follow].count("[") - lines[follow].count("]")
            if depth <= 0:
                return follow + 1
    return index + 1


def set_key(text: str, section: str | None, key: str, value: TomlValue) -> str:
    """The TOML text with `key` (top level or in [section]) set to value, or removed (None)."""
    lines = text.splitlines()
    region = _region(lines, section)
    if region is None:
        if value is None:
            return text
        return text.rstrip("\n") + f"\n\n[{section}]\n{key} = {toml_value(value)}\n"
    start, end = region
    pattern = _key_pattern(key)
    for index in range(start, end):
        if pattern.match(lines[index]):
            stop = _value_end(lines, index)
            replacement = [] if value is None else [f"{key} = {toml_value(value)}"]
            lines[index:stop] = replacement
            return "\n".join(lines) + "\n"
    if value is None:
        return text
    insert_at = end
    while insert_at > start and not lines[insert_at - 1].strip():
        insert_at -= 1
    lines.insert(insert_at, f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def logo_extension(data: bytes) -> str:
    for magic, extension in LOGO_TYPES.items():
        if data.startswith(magic):
            return extension
    raise HandoutsError("the logo must be a PNG or JPEG image (this file is neither)")


def update_profile(roots: Roots, slug: str, changes: dict[tuple[str | None, str], TomlValue],
                   logo: bytes | None = None) -> Clinic:
    """Apply changes {(section or None, key): value or None} and an optional new logo;
    validated exactly as `handouts` validates the file; the file is replaced only if valid."""
    path = named_file(roots.clinics, slug, ".toml", "clinic")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise HandoutsError(f"cannot read the profile ({error})", path) from None
    new_logo: Path | None = None
    if logo is not None:
        digest = hashlib.sha256(logo).hexdigest()[:10]
        new_logo = roots.clinics / f"{slug}-logo-{digest}{logo_extension(logo)}"
        changes = {**changes, (None, "logo"): new_logo.name}
    for (section, key), value in changes.items():
        text = set_key(text, section, key, value)
    token = secrets.token_hex(6)
    candidate = roots.clinics / f".{slug}.toml.{token}.checking"
    uploaded = None
    try:
        if new_logo is not None and not new_logo.is_file():
            uploaded = roots.clinics / f".{new_logo.stem}.{token}{new_logo.suffix}"
            write_atomically(uploaded, logo)
            text_to_check = set_key(text, None, "logo", uploaded.name)
        else:
            text_to_check = text
        write_atomically(candidate, text_to_check.encode("utf-8"))
        try:
            parse_clinic(candidate, slug)
        except HandoutsError as error:
            message = str(error).replace(display_path(candidate), display_path(path))
            if uploaded is not None:
                message = message.replace(display_path(uploaded), "the uploaded logo")
            raise HandoutsError(message) from None
        if uploaded is not None:
            uploaded.replace(new_logo)  # a new name: the old profile still shows its old logo
            uploaded = None
        write_atomically(path, text.encode("utf-8"))
    finally:
        for leftover in (candidate, uploaded):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
    return parse_clinic(path, slug)
