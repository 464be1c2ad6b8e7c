"""Accounts, passwords, sessions and the login rate limit.

Passwords are hashed with argon2id (argon2-cffi). A session is a random token in an HttpOnly,
SameSite=Strict cookie; the database keeps only its SHA-256, with the session's CSRF token and
its expiry, so a session can be ended on the server (logout, a disabled account).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, insert, select, update

from kernel.errors import SohoaError
from review.db import login_failures, sessions, users

ROLES = ("archivist", "supervisor", "admin")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(SohoaError):
    exit_code = 2
    code = "account"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    active: bool

    @property
    def can_decide(self) -> bool:
        return self.role == "supervisor"

    @property
    def can_manage_users(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    token_hash: str


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row) -> User:
    return User(row.id, row.username, row.display_name, row.role, bool(row.active))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short (at least {MIN_PASSWORD} characters)",
                           hint="choose a longer passphrase")


def add_user(engine: Engine, username: str, password: str, role: str,
             display_name: str | None = None) -> User:
    username = username.strip().lower()
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise AccountError(f"user name {username!r} is not allowed",
                           hint="letters, digits, '.', '_' and '-' only")
    check_password_rules(password)
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise AccountError(f"user {username!r} exists already",
                               hint="use `sohoa users set-role` or `sohoa users set-password`")
        conn.execute(insert(users).values(
            username=username, display_name=display_name or username, role=role,
            password_hash=_hasher.hash(password), active=True, created_at=now_iso()))
    return get_user(engine, username)


def get_user(engine: Engine, username: str) -> User:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username.strip().lower())).first()
    if row is None:
        raise AccountError(f"no user {username!r}", hint="`sohoa users list` shows the accounts")
    return _user(row)


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]


def change_user(engine: Engine, username: str, *, role: str | None = None,
                active: bool | None = None, password: str | None = None) -> User:
    user = get_user(engine, username)
    values: dict = {}
    if role is not None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
        values["role"] = role
    if active is not None:
        values["active"] = active
    if password is not None:
        check_password_rules(password)
        values["password_hash"] = _hasher.hash(password)
    if values:
        sign_out = (active is False or password is not None
                    or (role is not None and role != user.role))
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(**values))
            if sign_out:  # their sessions end with the change
                conn.execute(delete(sessions).where(sessions.c.user_id == user.id))
    return get_user(engine, username)


# -- login ------------------------------------------------------------------------------------

class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(retry_after_s)
        self.retry_after_s = retry_after_s


def authenticate(engine: Engine, username: str, password: str, client: str, *,
                 max_failures: int, window_s: int) -> User | None:
    """The user when the password is right; None when wrong. RateLimited after too many
    failures for this user name or from this client within the window (right or wrong)."""
    username = username.strip().lower()[:64]
    now = time.time()
    since = now - window_s
    with engine.begin() as conn:
        conn.execute(delete(login_failures).where(login_failures.c.at < since))
        count = lambda col, val: conn.execute(  # noqa: E731
            select(func.count(), func.min(login_failures.c.at))
            .where(col == val, login_failures.c.at >= since)).one()
        for n, first in (count(login_failures.c.username, username),
                         count(login_failures.c.client, client)):
            if n >= max_failures:
                raise RateLimited(max(1, int(first + window_s - now)))
        row = conn.execute(select(users).where(users.c.username == username)).first()
    ok = False
    try:  # a missing user costs as much time as a wrong password
        ok = _hasher.verify(row.password_hash if row else _DUMMY_HASH, password) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or not row.active:
        with engine.begin() as conn:
            conn.execute(insert(login_failures).values(username=username, client=client, at=now))
        return None
    with engine.begin() as conn:
        conn.execute(delete(login_failures).where(login_failures.c.username == username))
        if _hasher.check_needs_rehash(row.password_hash):
            conn.execute(update(users).where(users.c.id == row.id)
                         .values(password_hash=_hasher.hash(password)))
    return _user(row)


def start_session(engine: Engine, user: User, minutes: int) -> tuple[str, Session]:
    """A new session (a fresh token, so a session cookie planted before login is useless)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    start = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.expires_at < start.isoformat()))
        conn.execute(insert(sessions).values(
            token_hash=_token_hash(token), user_id=user.id, csrf=csrf,
            created_at=start.isoformat(timespec="seconds"),
            expires_at=(start + timedelta(minutes=minutes)).isoformat(timespec="seconds")))
    return token, Session(user, csrf, _token_hash(token))


def load_session(engine: Engine, token: str | None) -> Session | None:
    if not token or len(token) > 128:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(sessions.c.token_hash, sessions.c.csrf, sessions.c.expires_at, users)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.token_hash == _token_hash(token))).first()
    if row is None or row.expires_at < now_iso() or not row.active:
        return None
    return Session(_user(row), row.csrf, row.token_hash)


def end_session(engine: Engine, token_hash: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())
