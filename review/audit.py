"""The append-only audit log: who decided what, when, and the value before and after.

Rows are only ever inserted (the database refuses UPDATE and DELETE, see :mod:`review.db`).
Each row also carries a hash chain (SHA-256 over the previous row's chain and its own
content), so a row changed or removed behind the database's back is found by
:func:`verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from review.auth import User, now_iso
from review.db import audit

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    username: str
    role: str
    action: str
    item_id: int | None
    item_key: str | None
    record_id: str | None
    before: Any
    after: Any
    detail: str | None
    chain: str


def _digest(previous: str, row: dict[str, Any]) -> str:
    body = json.dumps({k: row[k] for k in sorted(row) if k not in ("id", "chain")},
                      ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256((previous + body).encode()).hexdigest()


def append(conn: Connection, user: User | None, action: str, *, item_id: int | None = None,
           item_key: str | None = None, record_id: str | None = None, before: Any = None,
           after: Any = None, detail: str | None = None) -> None:
    """Add one entry, inside the caller's transaction (the decision and its entry go together)."""
    last = conn.execute(select(audit.c.chain).order_by(audit.c.id.desc()).limit(1)).scalar()
    row = {"at": now_iso(), "username": user.username if user else "-",
           "role": user.role if user else "-", "action": action, "item_id": item_id,
           "item_key": item_key, "record_id": record_id, "before": before, "after": after,
           "detail": detail}
    row["chain"] = _digest(last or GENESIS, row)
    conn.execute(audit.insert().values(**row))


def entries(engine: Engine, *, record_id: str | None = None, username: str | None = None,
            limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
    stmt = select(audit).order_by(audit.c.id.desc()).limit(limit)
    if record_id:
        stmt = stmt.where(audit.c.record_id == record_id)
    if username:
        stmt = stmt.where(audit.c.username == username)
    if before_id:
        stmt = stmt.where(audit.c.id < before_id)
    with engine.connect() as conn:
        return [AuditEntry(**r._mapping) for r in conn.execute(stmt)]


def verify_chain(engine: Engine) -> int | None:
    """The id of the first entry whose chain does not verify, or None when all do."""
    previous = GENESIS
    with engine.connect() as conn:
        for r in conn.execute(select(audit).order_by(audit.c.id)):
            row = dict(r._mapping)
            if _digest(previous, row) != row["chain"]:
                return row["id"]
            previous = row["chain"]
    return None
