"""Where the records database is unless told otherwise: importable without SQLAlchemy.

The command line names these in every command's options; loading SQLAlchemy for two
strings cost about 200 ms of each `generate`."""

# The web app's database (its --data-dir defaults to var/); the CLI records there too.
DEFAULT_DATABASE_URL = "sqlite:///var/handouts.db"
DATABASE_URL_ENV = "HANDOUTS_DATABASE_URL"
