"""Opening the database named by a URL (SQLite by default, PostgreSQL by URL), migrated."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from handouts.errors import HandoutsError
from handouts.records.database_url import DATABASE_URL_ENV, DEFAULT_DATABASE_URL  # noqa: F401
from handouts.records.schema import migrate


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def open_database_creating_folder(url: str) -> Engine:
    """open_database, first making the folder of a SQLite file (var/ on a first run)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # reported by open_database with the same words
        parsed = None
    if parsed is not None and parsed.get_backend_name() == "sqlite" and parsed.database \
            and parsed.database != ":memory:":
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise HandoutsError(f"cannot create the database folder ({error.strerror})",
                                Path(parsed.database).parent) from None
    return open_database(url)


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
