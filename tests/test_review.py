"""The review desk through its HTTP interface (FastAPI TestClient) on real batch outputs:
accounts and roles, CSRF, the sign-in rate limit, decisions that write a new record version,
the export line and the audit log, double keying, and the append-only log."""

import dataclasses
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from kernel.records import PersonRecord
from review.config import ReviewConfig
from storage import LocalArchive
from storage.fixity import check_fixity

pytestmark = [pytest.mark.flow, pytest.mark.tesseract]
PASSWORD = "mat-khau-rat-dai-1"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def make_client(settings, **config_changes):
    from review.web import create_app

    config = dataclasses.replace(ReviewConfig.from_settings(settings), **config_changes)
    return TestClient(create_app(settings, config))


def add(client, username, role):
    from review.auth import add_user

    add_user(client.app.state.desk.engine, username, PASSWORD, role)


def login(client, username, password=PASSWORD):
    page = client.get("/login")
    token = CSRF_META.search(page.text).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, follow_redirects=False)


def csrf(client):
    return CSRF_META.search(client.get("/batches").text).group(1)


def fetch_post(client, url, data, token):
    return client.post(url, data=data, headers={"X-Requested-With": "fetch",
                                                "X-CSRF-Token": token})


def items_of(client, kind):
    from review.queue import Filters, listing

    client.app.state.desk.sync(force=True)
    found, _ = listing(client.app.state.desk.engine, Filters(state="all"))
    return [i for i in found if i.kind == kind]


def read_record(item):
    return PersonRecord.model_validate_json(LocalArchive(Path(item.archive)).get_bytes(item.record_key))


def pick_field(client, name):
    """A field item of that name whose record holds a value and a box on the page."""
    for item in items_of(client, "field"):
        if item.field == name:
            found = read_record(item).fields[name]
            if found.value and found.bbox:
                return item
    raise AssertionError(f"no {name} in review with a value and a box")


def export_lines(item):
    return Path(item.export_path).read_text(encoding="utf-8").splitlines()


def audit_rows(client):
    from review.audit import entries

    return entries(client.app.state.desk.engine)


@pytest.fixture
def client(review_settings):
    with make_client(review_settings) as c:
        add(c, "lan", "supervisor")
        add(c, "hoa", "archivist")
        add(c, "quan", "admin")
        yield c


def test_wrong_password_is_refused_and_unknown_pages_need_sign_in(client):
    answer = login(client, "lan", "not-the-password")
    assert answer.status_code == 401
    assert "sohoa_review_session" not in answer.cookies
    assert client.get("/desk", follow_redirects=False).headers["location"] == "/login"
    assert login(client, "nobody", PASSWORD).status_code == 401
    assert login(client, "lan").status_code == 303


def test_sign_in_is_rate_limited(review_settings):
    with make_client(review_settings, login_attempts=3) as c:
        add(c, "lan", "supervisor")
        for _ in range(3):
            assert login(c, "lan", "wrong-password").status_code == 401
        limited = login(c, "lan")  # even the right password, until the window passes
        assert limited.status_code == 429
        assert "sohoa_review_session" not in limited.cookies


def test_session_cookie_and_security_headers(client):
    answer = login(client, "lan")
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    page = client.get("/desk")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline


def test_a_form_without_its_csrf_token_is_refused(client):
    login(client, "lan")
    item = items_of(client, "field")[0]
    before = export_lines(item)
    no_token = client.post(f"/desk/items/{item.id}/field", data={"value": "X"})
    assert no_token.status_code == 403
    wrong = fetch_post(client, f"/desk/items/{item.id}/field", {"value": "X"}, "forged")
    assert wrong.status_code == 403
    assert export_lines(item) == before and audit_rows(client) == []
    # sign-in and sign-out forms need it too
    client.cookies.clear()
    assert client.post("/login", data={"username": "lan", "password": PASSWORD}).status_code == 403


def test_an_archivist_sees_batches_but_cannot_decide(client):
    login(client, "hoa")
    assert client.get("/batches").status_code == 200
    desk_page = client.get("/desk")
    assert desk_page.status_code == 200 and 'class="decide"' not in desk_page.text
    item = items_of(client, "field")[0]
    refused = fetch_post(client, f"/desk/items/{item.id}/field", {"value": "X"}, csrf(client))
    assert refused.status_code == 403
    match = items_of(client, "match")[0]
    assert fetch_post(client, f"/desk/items/{match.id}/match", {"choice": "none"},
                      csrf(client)).status_code == 403
    assert client.get("/users").status_code == 403
    assert audit_rows(client) == []


def test_only_an_admin_manages_accounts(client):
    login(client, "lan")
    assert client.get("/users").status_code == 403
    client.post("/logout", data={"csrf_token": csrf(client)})
    login(client, "quan")
    assert client.get("/users").status_code == 200
    token = csrf(client)
    assert client.post("/users", data={"username": "mai", "password": PASSWORD,
                                       "role": "supervisor", "csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert client.post("/users/hoa", data={"role": "archivist", "password": "",
                                           "csrf_token": token},
                       follow_redirects=False).status_code == 303  # no "active": disabled
    assert login(client, "hoa").status_code == 401
    assert [e.action for e in audit_rows(client)] == ["user_changed", "user_added"]


def test_a_field_decision_writes_a_new_record_version_the_export_and_the_audit(client):
    login(client, "lan")
    item = pick_field(client, "full_name")
    archive = LocalArchive(Path(item.archive))
    old_bytes = archive.get_bytes(item.record_key)
    old = PersonRecord.model_validate_json(old_bytes)
    lines = export_lines(item)
    assert client.get(f"/desk/items/{item.id}/crop.png").headers["content-type"] == "image/png"
    answer = fetch_post(client, f"/desk/items/{item.id}/field",
                        {"value": old.fields["full_name"].value.title()}, csrf(client))
    assert answer.status_code == 200, answer.text
    assert answer.json()["next"] not in (None, item.id)

    new = PersonRecord.model_validate_json(archive.get_bytes(item.record_key))
    field = new.fields["full_name"]
    assert (field.value, field.status.value, field.confidence) == (
        old.fields["full_name"].value, "auto", 1.0)  # names are kept upper case, as printed
    assert field.reasons == ("reviewed by lan",) and field.bbox == old.fields["full_name"].bbox
    kept = archive.versions(item.record_key)
    assert len(kept) == 1 and b"".join(archive.iter_chunks(item.record_key, kept[0].version_id)) == old_bytes
    after = export_lines(item)
    changed = [i for i, (a, b) in enumerate(zip(lines, after)) if a != b]
    assert len(after) == len(lines) and len(changed) == 1
    line = json.loads(after[changed[0]])
    assert line["record_id"] == item.record_id
    assert line["fields"]["full_name"] == {"value": field.value, "confidence": 1.0, "status": "auto"}
    assert check_fixity(archive).ok  # the manifest lists the new version

    entry = audit_rows(client)[0]
    assert (entry.username, entry.role, entry.action, entry.record_id) == (
        "lan", "supervisor", "field_decided", item.record_id)
    assert entry.before["status"] == "review" and entry.after["status"] == "auto"
    assert fetch_post(client, f"/desk/items/{item.id}/field", {"value": "A"},
                      csrf(client)).status_code == 409  # decided already


def test_a_bad_value_is_refused_without_a_trace(client):
    login(client, "lan")
    item = pick_field(client, "date_of_birth")
    answer = fetch_post(client, f"/desk/items/{item.id}/field", {"value": "31/02/2017"},
                        csrf(client))
    assert answer.status_code == 422 and "dd/mm/yyyy" in answer.json()["message"]
    assert audit_rows(client) == []
    ok = fetch_post(client, f"/desk/items/{item.id}/field", {"value": "15/10/2017"}, csrf(client))
    assert ok.status_code == 200


def test_match_decisions_choose_none_and_more_information(client):
    login(client, "lan")
    matches = items_of(client, "match")
    assert matches, "the review thresholds should leave links to review"
    archive = LocalArchive(Path(matches[0].archive))
    first = matches[0]
    record = PersonRecord.model_validate_json(archive.get_bytes(first.record_key))
    best = record.match.candidates[0].registry_id
    page = client.get(f"/desk/panel/{first.id}")
    assert best in page.text  # the side-by-side view shows the registry's side
    assert fetch_post(client, f"/desk/items/{first.id}/match", {"choice": f"choose:{best}"},
                      csrf(client)).status_code == 200
    linked = json.loads(next(l for l in export_lines(first) if first.record_id in l))["match"]
    assert (linked["decision"], linked["registry_id"]) == ("matched", best)
    assert fetch_post(client, f"/desk/items/{first.id}/match", {"choice": "none"},
                      csrf(client)).status_code == 409
    if len(matches) > 1:
        held = matches[1]
        answer = fetch_post(client, f"/desk/items/{held.id}/match",
                            {"choice": "more_info", "note": "hỏi UBND xã"}, csrf(client))
        assert answer.status_code == 200
        stored = PersonRecord.model_validate_json(archive.get_bytes(held.record_key))
        assert stored.match.decision.value == "review"
        assert stored.match.reasons[-1] == "needs more information (lan): hỏi UBND xã"
        assert [i.state for i in items_of(client, "match") if i.id == held.id] == ["held"]
    assert fetch_post(client, f"/desk/items/{first.id}/match", {"choice": "choose:000000000000"},
                      csrf(client)).status_code in (409, 422)


def test_a_failed_page_is_keyed_into_a_new_record(client):
    login(client, "lan")
    page = items_of(client, "page")[0]
    assert page.category == "page_failed" and page.source_sha256
    assert client.get(f"/desk/items/{page.id}/page.png").headers["content-type"] == "image/png"
    expected = {json.loads(l)["source"]: json.loads(l) for l in
                (Path(__file__).parents[1] / "sample_scans" / "expected.jsonl").read_text().splitlines()}
    truth = expected["khai_sinh_nghieng.png"]["fields"]
    form = {f"f_{k}": truth[k] for k in ("full_name", "date_of_birth", "sex", "id_number",
                                          "father_name", "mother_name")}
    answer = fetch_post(client, f"/desk/items/{page.id}/page",
                        {**form, "doc_type": "birth_certificate", "action": "save"}, csrf(client))
    assert answer.status_code == 200, answer.text
    lines = [json.loads(l) for l in export_lines(page)]
    assert len(lines) == 1 and lines[0]["fields"]["full_name"]["value"] == truth["full_name"]
    assert lines[0]["fields"]["id_number"]["status"] == "auto"
    stored = PersonRecord.model_validate_json(
        LocalArchive(Path(page.archive)).get_bytes(lines[0]["archive_key"]))
    assert stored.provenance.engine == "keyed by hand (sohoa review)"
    assert audit_rows(client)[0].action == "page_keyed"


def test_double_keying_two_blind_supervisors_and_a_third_on_disagreement(review_settings):
    from review.auth import get_user

    with make_client(review_settings, double_keying=True) as c:
        for name in ("an", "binh", "chi"):
            add(c, name, "supervisor")
        item = pick_field(c, "id_number")
        right = read_record(item).fields["id_number"].value
        login(c, "an")
        panel = c.get(f"/desk/panel/{item.id}").text
        assert right not in panel  # blind: the OCR value is not shown
        assert fetch_post(c, f"/desk/items/{item.id}/field", {"value": right},
                          csrf(c)).json()["next"] != item.id
        assert fetch_post(c, f"/desk/items/{item.id}/field", {"value": right},
                          csrf(c)).status_code == 409  # not twice by the same person
        c.cookies.clear()
        login(c, "binh")
        wrong = right[:-1] + ("1" if right[-1] != "1" else "2")
        fetch_post(c, f"/desk/items/{item.id}/field", {"value": wrong}, csrf(c))
        assert [i.state for i in items_of(c, "field") if i.id == item.id] == ["dispute"]
        c.cookies.clear()
        login(c, "chi")
        panel = c.get(f"/desk/panel/{item.id}").text
        assert right in panel and wrong in panel  # the third sees both keyings
        assert fetch_post(c, f"/desk/items/{item.id}/field", {"value": right},
                          csrf(c)).status_code == 200
        assert [e.action for e in audit_rows(c)] == ["dispute_resolved", "keyed_blind",
                                                     "keyed_blind"]
        assert get_user(c.app.state.desk.engine, "chi").can_decide


def test_the_audit_log_is_append_only_and_chained(client):
    from review.audit import verify_chain

    login(client, "lan")
    item = items_of(client, "field")[0]
    fetch_post(client, f"/desk/items/{item.id}/field", {"action": "empty"}, csrf(client))
    engine = client.app.state.desk.engine
    for statement in ("UPDATE review_audit SET username = 'someone'", "DELETE FROM review_audit"):
        with pytest.raises(DatabaseError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    assert verify_chain(engine) is None
    with engine.begin() as conn:  # behind the app's back: drop the guard, alter a row
        conn.execute(text("DROP TRIGGER review_audit_no_update"))
        conn.execute(text("UPDATE review_audit SET after = '{\"value\": \"forged\"}'"))
    assert verify_chain(engine) == 1
    assert "#1" in client.get("/audit").text


def test_the_interface_speaks_vietnamese_and_english(client):
    from review.i18n import MESSAGES

    assert set(MESSAGES["vi"]) == set(MESSAGES["en"])
    login(client, "lan")
    assert "Hàng đợi" in client.get("/desk").text
    client.post("/lang", data={"lang": "en", "next": "/desk", "csrf_token": csrf(client)})
    assert "Queue" in client.get("/desk").text
    client.post("/lang", data={"lang": "en", "next": "https://evil.example/",
                               "csrf_token": csrf(client)}, follow_redirects=False)
