"""Shared fixtures: a tiny clinic, layout and topic built in tmp_path, and PDF readers."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from handouts.cli import main
from handouts.inputs.paths import Roots

# One browser for the whole session, shared by every test module that uses `browser` or
# `page` (a second Playwright session in the same thread would fail).
pytest_plugins = ["browser_support", "web_support"]

REPO = Path(__file__).resolve().parent.parent
DATE = dt.date(2026, 11, 26)

TINY_TOPIC = """\
reviewed = 2026-10-01
reviewed_by = "Test reviewer"
review_every = 120  # months (the longest allowed): not due before 2036
sections = ["about", "help"]

[[sources]]
title = "Test facts"
publisher = "Test suite"
url = "https://example.org/test-facts"
accessed = 2026-10-01

[languages.en]
title = "Tiny Topic"
summary = "A short topic used by the tests."
levels = ["standard"]
"""

TINY_MARKDOWN = """\
## What this is about {#about}

This topic is tiny. It has **bold words** and *slanted words*.

- first point
- second point

## When to get help {#help}

> [!EMERGENCY] Call 911 if:
> - you cannot breathe

Call us at {{ clinic.phone }}.
"""

TINY_CLINIC = """\
name = "Tiny Clinic"
logo = "tiny-logo.png"
primary = "#1F5A96"
accent = "#0B6E5F"
address = ["1 Main Street", "Town, ST 00000"]
phone = "(555) 000-1111"
"""


def make_logo(path: Path, size=(120, 60), fmt="PNG") -> Path:
    Image.new("RGB", size, (31, 90, 150)).save(path, format=fmt)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Roots:
    """A clinic 'tiny', layouts and blocks from the repo, and a topic 'tiny-topic'."""
    return make_tiny_roots(tmp_path)


def make_tiny_roots(folder: Path, topic: str = TINY_TOPIC) -> Roots:
    roots = Roots.under(folder)
    (roots.content / "tiny-topic" / "en").mkdir(parents=True)
    (roots.content / "tiny-topic" / "topic.toml").write_text(topic)
    (roots.content / "tiny-topic" / "en" / "standard.md").write_text(TINY_MARKDOWN)
    shutil.copytree(REPO / "content" / "_blocks", roots.content / "_blocks")
    shutil.copytree(REPO / "content" / "_glossary", roots.content / "_glossary")
    shutil.copy(REPO / "content" / "_levels.toml", roots.content / "_levels.toml")
    shutil.copytree(REPO / "layouts", roots.layouts)
    roots.clinics.mkdir()
    (roots.clinics / "tiny.toml").write_text(TINY_CLINIC)
    make_logo(roots.clinics / "tiny-logo.png")
    return roots


@pytest.fixture
def shipped() -> Roots:
    return Roots.under(REPO)


def run_cli(*args: str, roots: Roots | None = None, env: dict | None = None):
    """Run the handouts CLI in-process; returns Click's Result (stdout/stderr split)."""
    prefix: list[str] = []
    if roots is not None:
        prefix = ["--content-dir", str(roots.content), "--clinics-dir", str(roots.clinics),
                  "--layouts-dir", str(roots.layouts)]
    runner = CliRunner()
    return runner.invoke(main, [*prefix, *args], env=env, catch_exceptions=False)


def pdf_reader(source: Path | bytes) -> PdfReader:
    data = source.read_bytes() if isinstance(source, Path) else source
    return PdfReader(io.BytesIO(data))


def page_texts(source: Path | bytes) -> list[str]:
    # no-break spaces (kept inside phone numbers) read as ordinary spaces; a word hyphenated
    # at a line's end (its hyphen is a soft hyphen) reads whole
    return [" ".join((page.extract_text() or "").replace("\xa0", " ").replace("\xad\n", "")
                     .replace("\xad", "").split())
            for page in pdf_reader(source).pages]


def all_text(source: Path | bytes) -> str:
    return " ".join(page_texts(source))


def embedded_fonts(source: Path | bytes) -> dict[str, bool]:
    """Font name -> whether its program is embedded, for every font on every page."""
    fonts: dict[str, bool] = {}
    for page in pdf_reader(source).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path):
    """A fresh, empty records database: SQLite always; PostgreSQL too when
    HANDOUTS_TEST_DATABASE_URL names a server (a new database is made on it and dropped)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.db'}"
        return
    import os
    import uuid

    server = os.environ.get("HANDOUTS_TEST_DATABASE_URL")
    if not server:
        pytest.skip("PostgreSQL: set HANDOUTS_TEST_DATABASE_URL to run")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"handouts_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
