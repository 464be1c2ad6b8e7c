"""The review desk walked route by route (every route of ``app.routes``, so a new route is
covered the day it is added): unauthenticated, every route but sign-in and the static files is
refused; as an archivist, every route that changes anything is refused and nothing changes;
an expired session is a signed-out session; every response carries the security headers."""

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text

from test_review import CSRF_META, add, audit_rows, items_of, login, make_client

pytestmark = [pytest.mark.flow, pytest.mark.tesseract]

PUBLIC = {("GET", "/"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
          ("POST", "/lang")}
# what an archivist (read-only) may not do
SUPERVISOR_ONLY = {("POST", "/desk/items/{item_id}/field"), ("POST", "/desk/items/{item_id}/match"),
                   ("POST", "/desk/items/{item_id}/page")}
ADMIN_ONLY = {("GET", "/users"), ("POST", "/users"), ("POST", "/users/{username}")}
# an archivist may read the desk and refresh it from the exports (it decides nothing)
ARCHIVIST_MAY = {("POST", "/desk/sync")}


def all_routes(app) -> list[tuple[str, str]]:
    def flat(routes):
        for r in routes:
            if hasattr(r, "original_router"):  # FastAPI's included routers
                yield from flat(r.original_router.routes)
            else:
                yield r
    return sorted((m, r.path) for r in flat(app.routes) if isinstance(r, APIRoute)
                  for m in r.methods)


def fill(path: str, item_id: int, batch: str) -> str:
    return path.replace("{item_id}", str(item_id)).replace("{batch}", batch) \
        .replace("{username}", "lan")


FORM = {"field": "full_name", "value": "NGUYỄN VĂN A", "action": "accept", "decision": "none",
        "username": "mallory", "password": "mat-khau-rat-dai-2", "role": "admin",
        "registry_id": "001317595701", "lang": "en"}
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


def assert_headers(answer):
    csp = answer.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, answer.request.url
    assert answer.headers.get("x-content-type-options") == "nosniff"
    assert answer.headers.get("x-frame-options") == "DENY"


@pytest.fixture
def walk(review_settings):
    with make_client(review_settings) as c:
        add(c, "lan", "supervisor")
        add(c, "hoa", "archivist")
        add(c, "quan", "admin")
        item = items_of(c, "field")[0]
        batch = item.batch
        yield c, item.id, batch


def state_of(client) -> tuple:
    engine = client.app.state.desk.engine
    with engine.connect() as conn:
        users = conn.execute(text("SELECT username, role, active FROM review_user "
                                  "ORDER BY username")).all() \
            if _has_table(engine, "review_user") else []
        done = conn.execute(text("SELECT count(*) FROM review_item WHERE state = 'done'")).scalar() \
            if _has_table(engine, "review_item") else 0
    return len(audit_rows(client)), tuple(map(tuple, users)), done


def _has_table(engine, name) -> bool:
    from sqlalchemy import inspect
    return name in inspect(engine).get_table_names()


def test_the_route_table_is_what_this_test_knows(walk):
    client, _, _ = walk
    routes = set(all_routes(client.app))
    unknown = routes - PUBLIC - SUPERVISOR_ONLY - ADMIN_ONLY - ARCHIVIST_MAY - {
        (m, p) for m, p in routes if m == "GET"}
    assert unknown == set(), f"new changing routes: decide their role here: {unknown}"


def test_unauthenticated_every_route_but_sign_in_is_refused(walk):
    client, item_id, batch = walk
    client.cookies.clear()
    token = CSRF_META.search(client.get("/login").text).group(1)  # pre-session token: CSRF passes
    for method, path in all_routes(client.app):
        if (method, path) in PUBLIC:
            continue
        url = fill(path, item_id, batch)
        if method == "GET":
            answer = client.get(url, follow_redirects=False)
            if url.endswith(".png"):
                assert answer.status_code in (401, 303), url
            else:
                assert answer.status_code == 303 and answer.headers["location"] == "/login", url
        else:
            answer = client.post(url, data={**FORM, "csrf_token": token}, follow_redirects=False)
            assert answer.status_code == 401, (url, answer.status_code)
        assert_headers(answer)
        assert "NGUYỄN" not in answer.text and "HUỲNH" not in answer.text


def test_an_archivist_cannot_change_anything_or_manage_users(walk):
    client, item_id, batch = walk
    assert login(client, "hoa").status_code == 303
    token = CSRF_META.search(client.get("/batches").text).group(1)
    before = state_of(client)
    for method, path in all_routes(client.app):
        url = fill(path, item_id, batch)
        if (method, path) in SUPERVISOR_ONLY | ADMIN_ONLY:
            if method == "GET":
                answer = client.get(url, follow_redirects=False)
            else:
                answer = client.post(url, data={**FORM, "csrf_token": token},
                                     follow_redirects=False)
            assert answer.status_code == 403, (method, url, answer.status_code)
            assert_headers(answer)
        elif method == "GET" and (method, path) not in PUBLIC:
            answer = client.get(url, follow_redirects=False)
            assert answer.status_code in (200, 404), (url, answer.status_code)  # read-only view
            assert_headers(answer)
    assert state_of(client) == before


def test_every_changing_route_refuses_a_missing_or_foreign_csrf_token(walk):
    client, item_id, batch = walk
    assert login(client, "quan").status_code == 303
    before = state_of(client)
    for method, path in all_routes(client.app):
        if method != "POST" or path == "/login":
            continue
        url = fill(path, item_id, batch)
        for token in (None, "x" * 43):
            data = dict(FORM) if token is None else {**FORM, "csrf_token": token}
            answer = client.post(url, data=data, follow_redirects=False)
            assert answer.status_code == 403, (url, token, answer.status_code)
    assert state_of(client) == before


def test_an_expired_session_is_signed_out(walk):
    client, _, _ = walk
    assert login(client, "lan").status_code == 303
    assert client.get("/desk", follow_redirects=False).status_code == 200
    with client.app.state.desk.engine.begin() as conn:
        conn.execute(text("UPDATE review_session SET expires_at = '2000-01-01T00:00:00+00:00'"))
    answer = client.get("/desk", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    fetch = client.post("/desk/sync", headers={"X-Requested-With": "fetch"})
    assert fetch.status_code in (401, 403)


def test_a_session_lasts_the_configured_minutes(review_settings):
    with make_client(review_settings, session_minutes=0) as c:
        add(c, "lan", "supervisor")
        login(c, "lan")
        import time
        time.sleep(1.1)  # expiry has one-second precision
        assert c.get("/desk", follow_redirects=False).status_code == 303


def test_security_headers_on_every_kind_of_response(walk):
    client, _, _ = walk
    answers = [client.get("/login"), client.get("/no-such-page"),
               client.get("/static/" + next(p.name for p in
                                            __import__("review.web", fromlist=["STATIC"])
                                            .STATIC.iterdir())),
               client.get("/desk", follow_redirects=False),
               client.post("/login", data={"username": "x", "password": "y"})]
    for answer in answers:
        assert_headers(answer)
    assert "script-src 'self'" in answers[0].headers["content-security-policy"]
    assert "unsafe-inline" not in answers[0].headers["content-security-policy"]
    assert answers[0].headers["cache-control"] == "no-store"
    assert not re.search(r"<script>(?!</script>)", answers[0].text)
