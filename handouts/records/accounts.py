"""Staff accounts: Argon2 passwords, one-time sign-in links, throttled sign-in attempts.

No account ever has a default password: a new account gets a one-time link, and the person
chooses their password when they open it. Only a digest of each link's token is stored.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from handouts.errors import HandoutsError
from handouts.records.schema import failed_sign_ins, sign_in_links, users

ROLES = ("staff", "admin")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
LINK_LIFETIME = _dt.timedelta(hours=24)
# Throttle: after this many failures for one username within the window, refuse until the
# oldest failure leaves the window (a wrong guess costs an attacker, not the clinic, time).
MAX_FAILURES = 5
FAILURE_WINDOW = _dt.timedelta(minutes=15)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
_hasher = PasswordHasher()
# Verifying against this when the username is unknown keeps the answer time the same.
_DUMMY_HASH = _hasher.hash("not a real password, used to even out timing")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str  # staff | admin
    clinic: str | None  # the clinic this person last used
    active: bool
    has_password: bool
    session_generation: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def _aware(moment: _dt.datetime) -> _dt.datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_dt.UTC)


def checked_username(username: str) -> str:
    username = (username or "").strip().lower()
    if not _USERNAME.fullmatch(username):
        raise HandoutsError(f"username '{username[:40]}' is not allowed: use 2 to 40 lowercase "
                            "letters, digits, dots, hyphens or underscores")
    return username


def checked_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise HandoutsError(f"choose a password of at least {MIN_PASSWORD_LENGTH} characters "
                            "(a short sentence is easy to remember)")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise HandoutsError(f"a password can have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def _user(row) -> User:
    return User(row.id, row.username, row.display_name or row.username, row.role, row.clinic,
                bool(row.active), bool(row.password_hash), int(row.session_generation or 0))


def create_user(engine: Engine, username: str, role: str = "staff", display_name: str = "",
                clinic: str | None = None) -> User:
    """A new account without a password; give the person a sign-in link to choose one."""
    username = checked_username(username)
    if role not in ROLES:
        raise HandoutsError(f"role '{role}' is not one of: {', '.join(ROLES)}")
    display_name = " ".join((display_name or "").split())[:120]
    try:
        with engine.begin() as connection:
            connection.execute(insert(users).values(
                username=username, display_name=display_name or username, role=role,
                clinic=clinic, active=True, created_at=now(), password_hash=None))
    except IntegrityError:
        raise HandoutsError(f"an account named '{username}' already exists") from None
    return user_by_name(engine, username)


def user_by_name(engine: Engine, username: str) -> User | None:
    with engine.connect() as connection:
        row = connection.execute(select(users).where(
            users.c.username == (username or "").strip().lower())).first()
    return _user(row) if row else None


def user_by_id(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as connection:
        rows = connection.execute(select(users).order_by(users.c.username)).all()
    return [_user(row) for row in rows]


def count_users(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(users)).scalar() or 0


def update_user(engine: Engine, user_id: int, *, role: str | None = None,
                active: bool | None = None, clinic: str | None = None) -> None:
    values: dict[str, object] = {}
    if role is not None:
        if role not in ROLES:
            raise HandoutsError(f"role '{role}' is not one of: {', '.join(ROLES)}")
        values["role"] = role
    if active is not None:
        values["active"] = active
    if clinic is not None:
        values["clinic"] = clinic
    if role is not None or active is not None:  # a new role or a closed account: sign out
        values["session_generation"] = users.c.session_generation + 1
    if values:
        with engine.begin() as connection:
            connection.execute(update(users).where(users.c.id == user_id).values(**values))


def end_sessions(engine: Engine, user_id: int) -> None:
    """Every session of this account stops working (its cookies carry the old number)."""
    with engine.begin() as connection:
        connection.execute(update(users).where(users.c.id == user_id).values(
            session_generation=users.c.session_generation + 1))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_sign_in_link(engine: Engine, username: str,
                       lifetime: _dt.timedelta = LINK_LIFETIME) -> str:
    """A new one-time token for the account (earlier unused ones stop working)."""
    user = user_by_name(engine, username)
    if user is None:
        raise HandoutsError(f"no account named '{username}'")
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(delete(sign_in_links).where(
            sign_in_links.c.user_id == user.id, sign_in_links.c.used_at.is_(None)))
        connection.execute(insert(sign_in_links).values(
            token_digest=_digest(token), user_id=user.id, expires_at=now() + lifetime))
    return token


def user_for_link(engine: Engine, token: str) -> User | None:
    """The account a valid (unused, unexpired) link belongs to; None otherwise."""
    if not token or len(token) > 100:
        return None
    with engine.connect() as connection:
        row = connection.execute(select(sign_in_links).where(
            sign_in_links.c.token_digest == _digest(token))).first()
    if row is None or row.used_at is not None or _aware(row.expires_at) <= now():
        return None
    user = user_by_id(engine, row.user_id)
    return user if user is not None and user.active else None


def redeem_sign_in_link(engine: Engine, token: str, password: str) -> User:
    """Use a link once: set the account's password and return the account."""
    checked_password(password)
    user = user_for_link(engine, token)
    if user is None:
        raise HandoutsError("this sign-in link has expired or was already used; ask an "
                            "administrator for a new one")
    password_hash = _hasher.hash(password)
    with engine.begin() as connection:
        used = connection.execute(update(sign_in_links).where(
            sign_in_links.c.token_digest == _digest(token),
            sign_in_links.c.used_at.is_(None)).values(used_at=now()))
        if used.rowcount != 1:  # another tab used it a moment ago
            raise HandoutsError("this sign-in link was already used")
        connection.execute(update(users).where(users.c.id == user.id).values(
            password_hash=password_hash,
            session_generation=users.c.session_generation + 1))
    return user_by_id(engine, user.id)


def set_password(engine: Engine, user_id: int, password: str) -> None:
    """A new password; the account's other sessions end (sign this one in again)."""
    checked_password(password)
    with engine.begin() as connection:
        connection.execute(update(users).where(users.c.id == user_id).values(
            password_hash=_hasher.hash(password),
            session_generation=users.c.session_generation + 1))


def failures_in_window(engine: Engine, username: str) -> list[_dt.datetime]:
    since = now() - FAILURE_WINDOW
    with engine.connect() as connection:
        rows = connection.execute(select(failed_sign_ins.c.at).where(
            failed_sign_ins.c.username == username[:80],
            failed_sign_ins.c.at > since)).all()
    return sorted(_aware(row.at) for row in rows)


def throttle_key(username: str, client: str = "") -> str:
    """Failures count per username AND client address, so that someone guessing at one
    desk slows down there without locking the account's owner out everywhere else."""
    username = (username or "").strip().lower()[:80]
    if not client:
        return username
    return hashlib.sha256(f"{username}\n{client}".encode()).hexdigest()[:40]


def throttled_for(engine: Engine, username: str, client: str = "") -> _dt.timedelta | None:
    """How long this username must wait at this address before trying again, or None."""
    failures = failures_in_window(engine, throttle_key(username, client))
    if len(failures) < MAX_FAILURES:
        return None
    return failures[-MAX_FAILURES] + FAILURE_WINDOW - now()


class Throttled(HandoutsError):
    """Too many failed attempts for this username."""


def authenticate(engine: Engine, username: str, password: str,
                 client: str = "") -> User | None:
    """The account if the password is right; None otherwise (and the failure counted).
    Raises Throttled while a username has too many recent failures from this client."""
    username = (username or "").strip().lower()[:80]
    key = throttle_key(username, client)
    wait = throttled_for(engine, username, client)
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        raise Throttled(f"too many failed sign-ins for this account from this computer; try "
                        f"again in {minutes} minute{'s' if minutes != 1 else ''}, or from "
                        "another computer")
    with engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
    stored = row.password_hash if row is not None and row.active else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password or "")
        ok = stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with engine.begin() as connection:
        if not ok:
            connection.execute(insert(failed_sign_ins).values(username=key, at=now()))
            connection.execute(delete(failed_sign_ins).where(
                failed_sign_ins.c.at < now() - FAILURE_WINDOW * 4))
            return None
        connection.execute(delete(failed_sign_ins).where(
            failed_sign_ins.c.username == key))
        if _hasher.check_needs_rehash(stored):
            connection.execute(update(users).where(users.c.id == row.id).values(
                password_hash=_hasher.hash(password)))
    return _user(row)
