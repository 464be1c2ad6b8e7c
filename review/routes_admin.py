"""Batches and their reports, the audit log, and accounts (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from review import audit
from review.auth import ROLES, AccountError, Session, add_user, change_user, list_users
from review.db import items, sources
from review.http import check_csrf, desk, redirect, render, require_admin, require_login
from review.queue import counts_by_batch

router = APIRouter(dependencies=[Depends(check_csrf)])
LoggedIn = Annotated[Session, Depends(require_login)]
Admin = Annotated[Session, Depends(require_admin)]


@router.get("/batches")
def batches(request: Request, s: LoggedIn) -> Response:
    d = desk(request)
    d.sync()
    with d.engine.connect() as conn:
        rows = conn.execute(select(sources).order_by(sources.c.batch)).all()
    counts = counts_by_batch(d.engine)
    return render(request, "batches.html", {"sources": rows, "counts": counts})


@router.get("/batches/{batch}")
def batch_detail(request: Request, batch: str, s: LoggedIn) -> Response:
    d = desk(request)
    with d.engine.connect() as conn:
        row = conn.execute(select(sources).where(sources.c.batch == batch)).first()
        if row is None:
            raise HTTPException(404)
        done = conn.execute(select(items.c.id, items.c.kind, items.c.field, items.c.source,
                                   items.c.page, items.c.decided_by, items.c.decided_at)
                            .where(items.c.batch == batch, items.c.state == "done")
                            .order_by(items.c.decided_at.desc()).limit(100)).all()
    return render(request, "batch.html", {"source": row, "report": row.report or {},
                                          "counts": counts_by_batch(d.engine).get(batch, {}),
                                          "done": done})


@router.get("/audit")
def audit_log(request: Request, s: LoggedIn,
              record: Annotated[str, Query(max_length=64)] = "",
              before: Annotated[int | None, Query()] = None) -> Response:
    d = desk(request)
    entries = audit.entries(d.engine, record_id=record or None, before_id=before, limit=100)
    with d.engine.connect() as conn:
        done = {i for (i,) in conn.execute(select(items.c.id).where(items.c.state == "done"))}
    return render(request, "audit.html", {"entries": entries, "done_items": done,
                                          "broken": audit.verify_chain(d.engine),
                                          "record": record})


@router.get("/users")
def users_page(request: Request, s: Admin, error: str = "", saved: int = 0) -> Response:
    return render(request, "users.html", {"users": list_users(desk(request).engine),
                                          "roles": ROLES, "error": error, "saved": saved})


def _audit_account(request: Request, s: Session, action: str, username: str, after: dict) -> None:
    d = desk(request)
    with d.lock, d.engine.begin() as conn:
        audit.append(conn, s.user, action, detail=username, after=after)


@router.post("/users")
def create_user(request: Request, s: Admin, username: Annotated[str, Form(max_length=64)],
                password: Annotated[str, Form(max_length=256)],
                role: Annotated[str, Form()],
                display_name: Annotated[str, Form(max_length=128)] = "") -> Response:
    try:
        user = add_user(desk(request).engine, username, password, role, display_name or None)
    except AccountError as exc:
        return users_page(request, s, error=exc.message)
    _audit_account(request, s, "user_added", user.username, {"role": user.role})
    return redirect("/users?saved=1")


@router.post("/users/{username}")
def update_user(request: Request, username: str, s: Admin, role: Annotated[str, Form()],
                active: Annotated[str, Form()] = "",
                password: Annotated[str, Form(max_length=256)] = "") -> Response:
    try:
        user = change_user(desk(request).engine, username, role=role, active=active == "on",
                           password=password or None)
    except AccountError as exc:
        return users_page(request, s, error=exc.message)
    _audit_account(request, s, "user_changed", user.username,
                   {"role": user.role, "active": user.active, "password_reset": bool(password)})
    return redirect("/users?saved=1")
