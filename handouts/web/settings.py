"""The web app's settings, as data: where things live and how sessions behave."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import HandoutsError
from handouts.inputs.paths import Roots


@dataclass(frozen=True)
class WebSettings:
    roots: Roots
    data_dir: Path = Path("var")  # the database, the outbox, packs and the session key
    database_url: str | None = None  # default: sqlite:///<data_dir>/handouts.db
    plans_dir: Path | None = None  # shipped print plans (default: plans/ beside content/)
    # The key that signs session cookies: this environment variable if set, else a random key
    # made once and kept in <data_dir>/secret-key (readable by the server's account only).
    secret_key_env: str = "HANDOUTS_SECRET_KEY"
    default_clinic: str | None = None  # preselected for a person who has not chosen one
    idle_timeout: _dt.timedelta = _dt.timedelta(minutes=30)
    # however active, a session ends this long after signing in (a shared PC's forgotten tab)
    session_lifetime: _dt.timedelta = _dt.timedelta(hours=12)
    https: bool = False  # served over HTTPS (directly or behind a proxy): Secure cookies
    cache_entries: int = 64  # finished PDFs kept in memory, by input digest
    pack_workers: int = 1  # processes per print pack (the server keeps serving meanwhile)
    build_workers: int = 0  # processes that build handouts; 0: in the server's own process

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'handouts.db'}"

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def packs_dir(self) -> Path:
        return self.data_dir / "packs"

    @property
    def plans(self) -> Path:
        return self.plans_dir or self.roots.content.parent / "plans"


def open_records(settings: WebSettings):
    """The app's database engine (migrated), its data folders created first: all of them,
    and the SQLite database, readable by the server's account only (they hold patient data)."""
    import os

    from handouts.finishing.atomic_write import private_folder
    from handouts.records.store import open_database

    for folder in (settings.data_dir, settings.outbox, settings.packs_dir):
        private_folder(folder)
    if settings.database_url is None:  # our own SQLite file (SQLite gives -wal, -shm its mode)
        database = settings.data_dir / "handouts.db"
        try:
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
            for path in (database, database.with_name("handouts.db-wal"),
                         database.with_name("handouts.db-shm")):
                if path.exists():
                    os.chmod(path, 0o600)
        except OSError as error:
            raise HandoutsError(f"cannot create the database ({error.strerror})",
                                database) from None
    return open_database(settings.database)
