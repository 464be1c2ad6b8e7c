"""The queue: items in priority order, filters, claims and counts."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, and_, func, or_, select, update

from review.auth import User
from review.db import items, keyings
from review.items import Item

ACTIVE = ("open", "keying", "dispute")  # states that wait for a decision


@dataclass(frozen=True)
class Filters:
    batch: str = ""
    doc_type: str = ""
    category: str = ""
    state: str = "active"  # active (open, keying, dispute), held, done, all

    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.__dict__.items() if v})


def _where(f: Filters):
    conds = []
    if f.batch:
        conds.append(items.c.batch == f.batch)
    if f.doc_type:
        conds.append(items.c.doc_type == f.doc_type)
    if f.category:
        conds.append(items.c.category == f.category)
    if f.state == "active":
        conds.append(items.c.state.in_(ACTIVE))
    elif f.state in ("held", "done"):
        conds.append(items.c.state == f.state)
    return and_(*conds) if conds else True


ORDER = (items.c.priority.desc(), items.c.batch, items.c.source, items.c.page, items.c.id)


def get_item(engine: Engine, item_id: int) -> Item | None:
    with engine.connect() as conn:
        row = conn.execute(select(items).where(items.c.id == item_id)).first()
    return Item(**row._mapping) if row else None


def listing(engine: Engine, f: Filters, limit: int = 300) -> tuple[list[Item], int]:
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(items).where(_where(f))).scalar_one()
        rows = conn.execute(select(items).where(_where(f)).order_by(*ORDER).limit(limit))
        return [Item(**r._mapping) for r in rows], total


def facets(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return {name: [v for (v,) in conn.execute(select(items.c[name]).distinct()
                                                  .order_by(items.c[name]))]
                for name in ("batch", "doc_type", "category")}


def counts_by_batch(engine: Engine) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for batch, state, n in conn.execute(select(items.c.batch, items.c.state, func.count())
                                            .group_by(items.c.batch, items.c.state)):
            out.setdefault(batch, {})[state] = n
    return out


def _available_to(user: User, claim_s: float):
    """Not claimed by someone else recently, and not an item this user keyed already."""
    fresh = time.time() - claim_s
    mine = select(keyings.c.item_id).where(keyings.c.user_id == user.id)
    return and_(or_(items.c.claimed_by.is_(None), items.c.claimed_by == user.id,
                    items.c.claimed_at < fresh),
                items.c.id.not_in(mine))


def next_item(engine: Engine, user: User, f: Filters, *, claim_s: float,
              after: Item | None = None) -> Item | None:
    """The first waiting item in queue order that this user may take, after ``after``."""
    stmt = select(items).where(_where(Filters(f.batch, f.doc_type, f.category, "active")),
                               _available_to(user, claim_s))
    if after is not None:
        stmt = stmt.where(items.c.id != after.id)
    with engine.connect() as conn:
        rows = [Item(**r._mapping) for r in conn.execute(stmt.order_by(*ORDER))]
    if after is not None:  # continue from where the user is in the order, then wrap
        key = lambda i: (-i.priority, i.batch, i.source, i.page, i.id)  # noqa: E731
        later = [i for i in rows if key(i) > key(after)]
        rows = later or rows
    return rows[0] if rows else None


def claim(engine: Engine, item: Item, user: User, claim_s: float) -> bool:
    """Keep the item for this user a while; False when another user holds it."""
    fresh = time.time() - claim_s
    with engine.begin() as conn:
        done = conn.execute(update(items).where(
            items.c.id == item.id,
            or_(items.c.claimed_by.is_(None), items.c.claimed_by == user.id,
                items.c.claimed_at < fresh)).values(claimed_by=user.id, claimed_at=time.time()))
    return done.rowcount == 1
