"""The database schema and its numbered migrations (SQLAlchemy Core; SQLite and PostgreSQL).

This module is the only place that knows the tables. A migration is a function that takes a
connection inside a transaction and moves the schema from version N-1 to N; `migrate` runs
the missing ones in order and records the version, so an empty database and a database at
any earlier version end in the same schema.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.engine import Connection, Engine

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, nullable=False),
)

# Staff accounts of the web app. password_hash is Argon2 (argon2-cffi); it is empty until the
# person signs in with their one-time link and chooses a password. No default password exists.
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False, default=""),
    Column("password_hash", String(255), nullable=True),
    Column("role", String(20), nullable=False),  # staff | admin
    Column("clinic", String(80), nullable=True),  # the clinic last used, remembered
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # version 3: bumped on sign-out, password change, role change and closing; a session
    # cookie made under an older number no longer signs anyone in
    Column("session_generation", Integer, nullable=False, default=0, server_default="0"),
)

# One-time sign-in links (only a digest of the token is stored).
sign_in_links = Table(
    "sign_in_links", metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

# Failed sign-ins, for throttling (the username as typed, never a password).
failed_sign_ins = Table(
    "failed_sign_ins", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Visit kits: named sets of topics a clinic gives together.
kits = Table(
    "kits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clinic", String(80), nullable=False),
    Column("name", String(120), nullable=False),
    Column("topics", Text, nullable=False),  # JSON list of topic slugs, in order
    Column("lang", String(10), nullable=False),
    Column("level", String(20), nullable=False),
    Column("layout", String(80), nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("clinic", "name", name="kits_clinic_name"),
)

# Education given: one row per handout printed, downloaded for a patient, emailed or given in
# a kit. No patient identity unless the clinic turned on patient references.
given = Table(
    "given", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("given_at", DateTime(timezone=True), nullable=False, index=True),
    Column("staff", String(120), nullable=False),  # web account or the CLI's --staff
    Column("clinic", String(80), nullable=False),
    Column("topic", String(80), nullable=False),
    Column("lang", String(10), nullable=False),
    Column("level", String(20), nullable=False),
    Column("layout", String(80), nullable=False),
    Column("content_version", String(80), nullable=False),  # digest of the exact inputs
    Column("channel", String(20), nullable=False),  # print | download | email | kit
    # email only: password-protected | unencrypted-accepted
    Column("delivery", String(40), nullable=True),
    Column("result", String(40), nullable=False),  # given | sent | kept-in-outbox | failed
    Column("teach_back", String(40), nullable=True),  # entered afterwards
    Column("patient_reference", String(80), nullable=True),  # only if the clinic allows it
    Column("kit", String(120), nullable=True),
    # version 2: what the handout was, for the records page and the FHIR export
    Column("title", String(300), nullable=True),  # the handout's title in its language
    Column("document_sha1", String(40), nullable=True),  # hex SHA-1 of the PDF given
    Column("document_url", String(500), nullable=True),  # where a stored PDF is kept
)


def _version_1(connection: Connection) -> None:
    for table in (users, sign_in_links, failed_sign_ins, kits, given):
        table.create(connection)


def _add_missing_columns(connection: Connection, table: Table, names: list[str]) -> None:
    """ALTER TABLE ... ADD COLUMN for each named column the table lacks. (Version 1 creates
    tables from their current definitions, so a fresh database already has them.)"""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn

    present = {column["name"] for column in inspect(connection).get_columns(table.name)}
    for name in names:
        if name not in present:
            definition = CreateColumn(table.c[name]).compile(dialect=connection.dialect)
            connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {definition}")


def _version_2(connection: Connection) -> None:
    _add_missing_columns(connection, given, ["title", "document_sha1", "document_url"])


def _version_3(connection: Connection) -> None:
    _add_missing_columns(connection, users, ["session_generation"])


# Append new migrations at the end; never edit one that has shipped.
MIGRATIONS: list[Callable[[Connection], None]] = [_version_1, _version_2, _version_3]
LATEST = len(MIGRATIONS)


def current_version(connection: Connection) -> int:
    if not connection.dialect.has_table(connection, "schema_version"):
        return 0
    return connection.execute(select(schema_version.c.version)).scalar() or 0


def migrate(engine: Engine, target: int = LATEST) -> int:
    """Bring the database to `target` (default: the latest); returns the version it is at."""
    with engine.begin() as connection:
        if not connection.dialect.has_table(connection, "schema_version"):
            schema_version.create(connection)
            connection.execute(schema_version.insert().values(version=0))
        version = current_version(connection)
        for number in range(version + 1, target + 1):
            MIGRATIONS[number - 1](connection)
            connection.execute(schema_version.update().values(version=number))
            version = number
        return version
