"""The desk: the queue, one item at a time, decisions, and the page images.

Pages work without JavaScript (forms post and redirect); ``static/desk.js`` makes every
action a key and swaps the next item in without reloading the page (it asks with the header
``X-Requested-With: fetch`` and gets JSON or an HTML fragment back).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from kernel.records import FIELD_NAMES, DocType
from review import pageimages, panels
from review.auth import Session
from review.desk import Outcome
from review.http import (check_csrf, desk, is_fetch, language, redirect, render, require_login,
                         require_supervisor)
from review.i18n import field_label, translator
from review.items import CATEGORIES, Item, page_image_key
from review.queue import Filters, claim, facets, get_item, listing, next_item

router = APIRouter(dependencies=[Depends(check_csrf)])
PNG_HEADERS = {"Cache-Control": "private, no-store"}


def filters(batch: Annotated[str, Query(max_length=256)] = "",
            doc_type: Annotated[str, Query(max_length=32)] = "",
            category: Annotated[str, Query(max_length=32)] = "",
            state: Annotated[str, Query(max_length=16)] = "active") -> Filters:
    return Filters(batch, doc_type, category if category in CATEGORIES else "", state)


Filtered = Annotated[Filters, Depends(filters)]
LoggedIn = Annotated[Session, Depends(require_login)]
Supervisor = Annotated[Session, Depends(require_supervisor)]


def _item(request: Request, item_id: int) -> Item:
    found = get_item(desk(request).engine, item_id)
    if found is None:
        raise HTTPException(404)
    return found


def _panel_context(request: Request, item: Item | None, s: Session) -> dict:
    d = desk(request)
    if item is None:
        return {"item": None}
    if s.user.can_decide and item.state != "done":
        claim(d.engine, item, s.user, d.config.claim_minutes * 60)
    builder = {"field": panels.field_panel, "match": panels.match_panel,
               "page": panels.page_panel}[item.kind]
    return {"item": item, "doc_types": [t.value for t in DocType], **builder(d, item)}


@router.get("/desk")
def desk_page(request: Request, s: LoggedIn, f: Filtered,
              item: Annotated[int | None, Query()] = None) -> Response:
    d = desk(request)
    d.sync()
    current = _item(request, item) if item else next_item(
        d.engine, s.user, f, claim_s=d.config.claim_minutes * 60)
    queue, total = listing(d.engine, f)
    return render(request, "desk.html", {
        "filters": f, "facets": facets(d.engine), "queue": queue, "total": total,
        "categories": CATEGORIES, **_panel_context(request, current, s)})


@router.get("/desk/panel/{item_id}")
def panel(request: Request, item_id: int, s: LoggedIn, f: Filtered) -> Response:
    return render(request, "partials/panel.html",
                  {"filters": f, **_panel_context(request, _item(request, item_id), s)})


@router.get("/desk/queue")
def queue_list(request: Request, s: LoggedIn, f: Filtered,
               current: Annotated[int | None, Query()] = None) -> Response:
    d = desk(request)
    d.sync()
    queue, total = listing(d.engine, f)
    return render(request, "partials/queue.html", {"filters": f, "queue": queue, "total": total,
                                                   "current": current})


@router.post("/desk/sync")
def sync_now(request: Request, s: LoggedIn, f: Filtered) -> Response:
    added = desk(request).sync(force=True)
    return JSONResponse({"added": added}) if is_fetch(request) else redirect(f"/desk?{f.query()}")


def _answer(request: Request, s: Session, f: Filters, item: Item, outcome: Outcome) -> Response:
    d = desk(request)
    after = next_item(d.engine, s.user, f, claim_s=d.config.claim_minutes * 60, after=item)
    lang = language(request)
    params = {k: field_label(lang, v) if k == "field" else v for k, v in outcome.params.items()}
    message = translator(lang)(outcome.message, **params)
    if is_fetch(request):
        return JSONResponse({"message": message, "next": after.id if after else None})
    query = f.query() + (f"&item={after.id}" if after else "")
    return redirect(f"/desk?{query}")


@router.post("/desk/items/{item_id}/field")
def decide_field(request: Request, item_id: int, s: Supervisor, f: Filtered,
                 action: Annotated[str, Form()] = "save",
                 value: Annotated[str, Form(max_length=500)] = "") -> Response:
    item = _item(request, item_id)
    if item.kind != "field" or action not in ("save", "empty"):
        raise HTTPException(400)
    outcome = desk(request).decide_field(item, s.user, None if action == "empty" else value)
    return _answer(request, s, f, item, outcome)


@router.post("/desk/items/{item_id}/match")
def decide_match(request: Request, item_id: int, s: Supervisor, f: Filtered,
                 choice: Annotated[str, Form(max_length=64)],
                 note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """``choice``: ``choose:<registry id>``, ``none`` or ``more_info``."""
    item = _item(request, item_id)
    if item.kind != "match":
        raise HTTPException(400)
    action, _, registry_id = choice.partition(":")
    outcome = desk(request).decide_match(item, s.user, action, registry_id or None, note)
    return _answer(request, s, f, item, outcome)


@router.post("/desk/items/{item_id}/page")
async def decide_page(request: Request, item_id: int, s: Supervisor, f: Filtered) -> Response:
    item = _item(request, item_id)
    form = await request.form()
    action, doc_type = str(form.get("action", "save")), str(form.get("doc_type", "unknown"))
    if item.kind != "page" or action not in ("save", "unreadable") or doc_type not in [
            t.value for t in DocType]:
        raise HTTPException(400)
    values = {name: str(form.get(f"f_{name}", ""))[:500] for name in FIELD_NAMES}
    outcome = desk(request).decide_page(item, s.user, values, doc_type,
                                        unreadable=action == "unreadable")
    return _answer(request, s, f, item, outcome)


def _field_image(request: Request, item_id: int, make) -> Response:
    item = _item(request, item_id)
    d = desk(request)
    record = d.record(item)
    fv = record.fields.get(item.field) if record and item.field else None
    if fv is None or not fv.bbox:
        raise HTTPException(404)
    data = pageimages.page_bytes(d.archive(item.archive), page_image_key(item, record))
    return Response(make(data, fv.bbox), media_type="image/png", headers=PNG_HEADERS)


@router.get("/desk/items/{item_id}/crop.png")
def crop_png(request: Request, item_id: int, s: LoggedIn) -> Response:
    """The field and a margin around it, from the archived cleaned page."""
    return _field_image(request, item_id, pageimages.crop)


@router.get("/desk/items/{item_id}/context.png")
def context_png(request: Request, item_id: int, s: LoggedIn) -> Response:
    """The lines around the field, the field boxed."""
    return _field_image(request, item_id, pageimages.context)


@router.get("/desk/items/{item_id}/page.png")
def page_png(request: Request, item_id: int, s: LoggedIn) -> Response:
    item = _item(request, item_id)
    d = desk(request)
    archive = d.archive(item.archive)
    record = d.record(item)
    key = page_image_key(item, record)
    if key and archive.stat(key):
        fv = record.fields.get(item.field) if record and item.field else None
        png = pageimages.page_view(pageimages.page_bytes(archive, key), fv.bbox if fv else None)
    else:
        original = panels.original_key(d, item)
        png = pageimages.original_page(archive, original, item.page) if original else None
    if png is None:
        raise HTTPException(404)
    return Response(png, media_type="image/png", headers=PNG_HEADERS)


@router.get("/desk/empty")
def empty_panel(request: Request, s: LoggedIn, f: Filtered) -> Response:
    return render(request, "partials/panel.html", {"filters": f, "item": None})
