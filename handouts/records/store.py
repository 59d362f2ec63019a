"""Opening the database named by a URL (SQLite by default, PostgreSQL by URL), migrated."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from handouts.errors import HandoutsError
from handouts.records.schema import migrate


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def open_database(url: str) -> Engine:
    """An engine for `url`, its schema migrated to the latest version."""
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except Exception as error:  # a malformed URL or a missing driver
        raise HandoutsError(f"cannot use the database URL ({type(error).__name__})") from None
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # pragma: no cover - trivial
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cursor.execute("PRAGMA busy_timeout=10000")  # two writers wait, not fail
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    migrate(engine)
    return engine
