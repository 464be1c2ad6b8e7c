"""The registry database goes away in the middle of a batch (SQLite locked by another
program, PostgreSQL stopped): matching is retried, then the files fail clearly, nothing is
lost, and a re-run once the database is back completes the batch as if nothing happened.

The fault is started right after the flow has read its matching rules (a hook on
``RegistryStore.rules_for``), so it always lands after the batch began and before any file
is matched; the database itself is real."""

import shutil
import sqlite3
import threading

import pytest

from conftest import SAMPLE
from storage import LocalArchive, sha256_file
from storage.layout import manifest_key, original_key
from storage.manifest import verify_manifest
from test_flow import import_registry, read_jsonl

pytestmark = [pytest.mark.flow, pytest.mark.tesseract]
FILES = ("khai_sinh_nghieng.png", "so_ho_tich/trich_luc_1998.tif")  # 3 pages, 3 people


@pytest.fixture
def small_batch(tmp_path):
    batch = tmp_path / "batch"
    for name in FILES:
        (batch / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE / "batch" / name, batch / name)
    return batch


def expected_links():
    return [(e["source"], e["page"], e["registry_id"]) for e in read_jsonl(SAMPLE / "expected.jsonl")
            if e["source"] in FILES]


def links(path):
    return [(r["source"], r["page"], r["match"]["registry_id"]) for r in read_jsonl(path)]


def fault_after_rules(monkeypatch, start_fault):
    """Run ``start_fault`` once, just after the batch has read its rules from the registry."""
    from matching.registry import RegistryStore

    real = RegistryStore.rules_for
    started = threading.Event()

    def rules_then_fault(self, *args, **kwargs):
        rules = real(self, *args, **kwargs)
        if not started.is_set():
            started.set()
            start_fault()
        return rules

    monkeypatch.setattr(RegistryStore, "rules_for", rules_then_fault)
    return started


def count_unavailable(monkeypatch, on_first=None):
    """Count how often the registry was found unavailable (a spy that changes nothing)."""
    import matching.registry as registry

    real = registry.unavailable
    seen = []

    def spy(action, exc):
        seen.append(action)
        if len(seen) == 1 and on_first is not None:
            on_first()
        return real(action, exc)

    monkeypatch.setattr(registry, "unavailable", spy)
    return seen


class SqliteLock:
    """Another program holding SQLite's exclusive lock: readers get "database is locked"."""

    def __init__(self, path):
        self.con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def take(self):
        self.con.execute("BEGIN EXCLUSIVE")

    def release(self):
        if self.con.in_transaction:
            self.con.execute("ROLLBACK")

    def close(self):
        self.release()
        self.con.close()


def sqlite_overrides(tmp_path, attempts, base_s):
    db = tmp_path / "registry.sqlite"
    return db, {"data_dir": str(tmp_path), "ocr_workers": 2, "registry_attempts": attempts,
                "registry_retry_base_s": base_s,
                # a short busy timeout keeps the test fast; the default is SQLite's 5 s
                "registry_url": f"sqlite:///{db}?timeout=0.3"}


def test_a_registry_locked_for_a_while_is_waited_for(prefect_harness, small_batch, tmp_path,
                                                     monkeypatch):
    from flows.batch import run_batch

    db, overrides = sqlite_overrides(tmp_path, attempts=6, base_s=0.3)
    import_registry(overrides)
    lock = SqliteLock(db)
    # released one second after matching first found the database locked
    seen = count_unavailable(monkeypatch, on_first=lambda: threading.Timer(1.0, lock.release).start())
    fault_after_rules(monkeypatch, lock.take)
    try:
        report = run_batch(small_batch, export=tmp_path / "out.jsonl", overrides=overrides)
    finally:
        lock.close()
    assert seen, "the lock never got in the way: the test proves nothing"
    assert report.ok, report.failures
    assert links(tmp_path / "out.jsonl") == expected_links()
    assert report.matched == len(expected_links())


def test_a_registry_locked_all_night_fails_the_files_clearly_and_the_rerun_completes(
        prefect_harness, small_batch, tmp_path, monkeypatch):
    from flows.batch import run_batch

    db, overrides = sqlite_overrides(tmp_path, attempts=2, base_s=0.1)
    import_registry(overrides)
    lock = SqliteLock(db)
    fault_after_rules(monkeypatch, lock.take)
    try:
        first = run_batch(small_batch, export=tmp_path / "first.jsonl", overrides=overrides)
    finally:
        lock.close()
    assert not first.ok
    assert {f.source for f in first.failures} == set(FILES)
    for failure in first.failures:
        assert failure.reason == "registry_unavailable"
        assert "locked" in failure.message and failure.source in failure.message
        assert "run the same batch again" in failure.hint
    assert read_jsonl(tmp_path / "first.jsonl") == []  # no record half-matched
    archive = LocalArchive(tmp_path / "archive")
    for name in FILES:  # the originals went in first
        sha = sha256_file(small_batch / name)
        assert archive.digest(original_key(sha, name.rsplit("/", 1)[-1])).sha256 == sha
    assert not any(k.startswith("bags/") for k in archive.list())

    monkeypatch.undo()  # the lock is gone; run again
    second = run_batch(small_batch, export=tmp_path / "second.jsonl", overrides=overrides)
    assert second.ok, second.failures
    assert links(tmp_path / "second.jsonl") == expected_links()
    for name in FILES:
        assert verify_manifest(archive, manifest_key("p1", sha256_file(small_batch / name))) == []
    assert len({k.rsplit("/", 1)[0] for k in archive.list() if k.startswith("bags/")}) == 1


@pytest.mark.postgres
def test_postgres_stopped_mid_batch_then_restarted(prefect_harness, postgres_server, small_batch,
                                                   tmp_path, monkeypatch):
    from flows.batch import run_batch

    overrides = {"data_dir": str(tmp_path), "ocr_workers": 2, "registry_attempts": 2,
                 "registry_retry_base_s": 0.1, "registry_url": postgres_server.new_database()}
    import_registry(overrides)
    fault_after_rules(monkeypatch, postgres_server.pause)
    try:
        first = run_batch(small_batch, export=tmp_path / "first.jsonl", overrides=overrides)
    finally:
        postgres_server.resume()
    assert {(f.source, f.reason) for f in first.failures} == {
        (name, "registry_unavailable") for name in FILES}
    assert all("unreachable" in f.message for f in first.failures)
    assert "postgresql" not in " ".join(f.message + (f.hint or "") for f in first.failures)

    monkeypatch.undo()
    second = run_batch(small_batch, export=tmp_path / "second.jsonl", overrides=overrides)
    assert second.ok, second.failures
    assert links(tmp_path / "second.jsonl") == expected_links()


def test_a_registry_down_at_the_start_stops_the_batch_before_taking_anything(
        prefect_harness, small_batch, tmp_path):
    from flows.batch import run_batch
    from kernel.errors import RegistryUnavailableError

    db, overrides = sqlite_overrides(tmp_path, attempts=2, base_s=0.1)
    import_registry(overrides)
    lock = SqliteLock(db)
    lock.take()
    try:
        with pytest.raises(RegistryUnavailableError) as caught:
            run_batch(small_batch, export=tmp_path / "out.jsonl", overrides=overrides)
    finally:
        lock.close()
    assert "locked" in caught.value.message and caught.value.hint
    assert not (tmp_path / "archive").exists() or not LocalArchive(tmp_path / "archive").list()
