"""The review database (SQLAlchemy Core): users, sessions, the queue and the audit log.

SQLite in the data folder by default (``SOHOA_REVIEW_DB_URL`` for another). The audit log is
append-only: this code has no path that updates or deletes it, and on SQLite and PostgreSQL
triggers refuse any UPDATE or DELETE of its rows.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (JSON, Boolean, Column, Engine, Float, ForeignKey, Index, Integer, MetaData,
                        String, Table, Text, create_engine, event)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from kernel.errors import ConfigError

metadata = MetaData()

users = Table(
    "review_user", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),  # archivist, supervisor, admin
    Column("password_hash", String(256), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(32), nullable=False),
)

sessions = Table(
    "review_session", metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("user_id", Integer, ForeignKey("review_user.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
)

login_failures = Table(
    "review_login_failure", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", Float, nullable=False),  # unix time
    Index("ix_login_failure_at", "at"),
)

sources = Table(  # the exports already read into the queue, and how they looked then
    "review_source", metadata,
    Column("export_path", String(1024), primary_key=True),
    Column("batch", String(256), nullable=False),
    Column("archive", String(1024), nullable=False),
    Column("mtime_ns", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("report", JSON, nullable=True),
)

items = Table(
    "review_item", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(512), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # field, match, page
    Column("category", String(32), nullable=False),  # field, match, page_failed, handwriting
    Column("reason", Text, nullable=False),  # the reasons, '; ' separated
    Column("batch", String(256), nullable=False),
    Column("export_path", String(1024), nullable=False),
    Column("archive", String(1024), nullable=False),
    Column("record_id", String(64), nullable=True),
    Column("record_key", String(1024), nullable=True),  # the record JSON in the archive
    Column("source", String(1024), nullable=False),
    Column("source_sha256", String(64), nullable=True),
    Column("page", Integer, nullable=False),
    Column("row", Integer, nullable=True),
    Column("doc_type", String(32), nullable=False),
    Column("field", String(64), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("priority", Float, nullable=False),
    Column("state", String(16), nullable=False, default="open"),  # open held keying dispute done
    Column("claimed_by", Integer, nullable=True),
    Column("claimed_at", Float, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("decided_at", String(32), nullable=True),
    Column("created_at", String(32), nullable=False),
    Index("ix_review_item_queue", "state", "priority"),
)

keyings = Table(  # blind double keying: one row per supervisor's entry
    "review_keying", metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("review_item.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("review_user.id"), nullable=False),
    Column("value", Text, nullable=True),
    Column("at", String(32), nullable=False),
)

audit = Table(
    "review_audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),  # ISO 8601, UTC
    Column("username", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("item_id", Integer, nullable=True),
    Column("item_key", String(512), nullable=True),
    Column("record_id", String(64), nullable=True),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("detail", Text, nullable=True),
    Column("chain", String(64), nullable=False),  # SHA-256 over the previous chain and this row
)

_SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS review_audit_no_update BEFORE UPDATE ON review_audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS review_audit_no_delete BEFORE DELETE ON review_audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
]
_POSTGRES_GUARDS = [
    "CREATE OR REPLACE FUNCTION review_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
    "DROP TRIGGER IF EXISTS review_audit_append_only ON review_audit",
    "CREATE TRIGGER review_audit_append_only BEFORE UPDATE OR DELETE ON review_audit "
    "FOR EACH ROW EXECUTE FUNCTION review_audit_refuse()",
]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def open_db(url: str) -> Engine:
    """The engine, with the tables and the audit guards created when missing."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"invalid review database URL: {exc}",
                          hint="use e.g. sqlite:///sohoa-data/review.sqlite") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
        if backend == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        metadata.create_all(engine)
        guards = {"sqlite": _SQLITE_GUARDS, "postgresql": _POSTGRES_GUARDS}.get(backend, [])
        with engine.begin() as conn:
            for statement in guards:
                conn.exec_driver_sql(statement)
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot open the review database ({backend}): {exc.__class__.__name__}",
                          hint="check SOHOA_REVIEW_DB_URL") from exc
    return engine
