"""The review desk in a real browser (Debian's chromium, driven by Playwright): a supervisor
signs in and resolves a match and a field with the keyboard only; then the audit log, the
export and the archive show the decisions. Screenshots of the main screens go to a temporary
folder, or to docs/screenshots/ when SOHOA_SCREENSHOTS=1 (so that a test run leaves the
working tree as it was)."""

import json
import os
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from kernel.records import PersonRecord
from storage import LocalArchive

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("SOHOA_SCREENSHOTS") == "1"
         else Path(tempfile.mkdtemp(prefix="sohoa-screenshots-")))
PASSWORD = "mat-khau-rat-dai-1"
pytestmark = [pytest.mark.flow, pytest.mark.tesseract, pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="Debian chromium is not installed (make setup installs it)")]


@contextmanager
def serving(app):
    """The app on a free loopback port, in a thread, for the length of the block."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the review app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def current(page):
    return page.evaluate("() => { const i = document.querySelector('#panel .item');"
                         " return i ? [i.dataset.item, i.dataset.kind] : [null, null]; }")


def wait_for_next(page, previous):
    page.wait_for_selector("#toast.good:not([hidden])")
    page.wait_for_function("id => { const i = document.querySelector('#panel .item');"
                           " return !i || i.dataset.item !== id; }", arg=previous)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_a_supervisor_resolves_a_match_and_a_field_with_the_keyboard(review_settings):
    sync_api = pytest.importorskip("playwright.sync_api")
    from review.audit import entries
    from review.auth import add_user
    from review.queue import get_item
    from review.web import create_app

    app = create_app(review_settings)
    engine = app.state.desk.engine
    add_user(engine, "lan", PASSWORD, "supervisor", "Nguyễn Thị Lan")
    add_user(engine, "quan", PASSWORD, "admin", "Trần Minh Quân")
    truth = {(t["source"], t["page"]): t["fields"] for t in
             map(json.loads, (SAMPLE / "expected.jsonl").read_text(encoding="utf-8").splitlines())}

    with serving(app) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(f"{base}/login")
        shot(page, "01-login.png")
        page.keyboard.type("lan")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/desk")

        # the queue opens on its most urgent item: an ambiguous link
        match_id, kind = current(page)
        assert kind == "match"
        shot(page, "03-match.png")
        match_item = get_item(engine, int(match_id))
        chosen = PersonRecord.model_validate_json(LocalArchive(Path(match_item.archive)).get_bytes(
            match_item.record_key)).match.candidates[0].registry_id
        page.keyboard.press("1")
        wait_for_next(page, match_id)

        # J through the queue to a field with an image crop (Esc leaves the value box first)
        for _ in range(30):
            item_id, kind = current(page)
            if kind == "field" and page.locator("#panel .crop img").count():
                break
            page.keyboard.press("Escape")
            page.keyboard.press("j")
            page.wait_for_function("id => document.querySelector('#panel .item').dataset.item"
                                   " !== id", arg=item_id)
        else:
            pytest.fail("no field item with a crop in the queue")
        page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
        field_item = get_item(engine, int(item_id))
        right = truth[(field_item.source, field_item.page)][field_item.field]
        assert right, "a field printed on the page"
        shot(page, "02-field.png")
        page.keyboard.press("Escape")
        page.keyboard.press("e")  # back into the box, its text selected: typing replaces it
        page.keyboard.type(right)
        page.keyboard.press("Enter")
        wait_for_next(page, item_id)
        assert not errors, errors

        # the audit log, the export and the archive
        page.goto(f"{base}/audit")
        assert page.locator("text=field_decided").count() and page.locator(
            "text=match_choose").count()
        shot(page, "05-audit.png")
        page.goto(f"{base}/desk?category=page_failed")
        shot(page, "04-page.png")
        page.goto(f"{base}/batches")
        shot(page, "06-batches.png")
        page.goto(f"{base}/desk?item={item_id}&state=all")
        page.keyboard.press("l")  # the language switch, by key too
        page.wait_for_selector("html[lang=en]")
        shot(page, "07-field-done-en.png")
        page.goto(f"{base}/login")
        page.context.clear_cookies()
        page.goto(f"{base}/login")
        page.fill("#username", "quan")
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/users")
        shot(page, "08-users.png")
        browser.close()

    log = entries(engine)
    assert [(e.username, e.action) for e in log] == [("lan", "field_decided"),
                                                     ("lan", "match_choose")]
    lines = {r["record_id"]: r for r in map(json.loads, Path(field_item.export_path).read_text(
        encoding="utf-8").splitlines())}
    assert lines[field_item.record_id]["fields"][field_item.field] == {
        "value": right, "confidence": 1.0, "status": "auto"}
    assert lines[match_item.record_id]["match"]["decision"] == "matched"
    assert lines[match_item.record_id]["match"]["registry_id"] == chosen
    archive = LocalArchive(Path(field_item.archive))
    for item in (field_item, match_item):
        assert archive.versions(item.record_key), "the previous version is kept"
    stored = PersonRecord.model_validate_json(archive.get_bytes(field_item.record_key))
    assert stored.fields[field_item.field].value == right
