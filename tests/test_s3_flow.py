"""The batch flow on the S3 archive, with the S3 server stopped in the middle of the batch:
the files it could not archive fail clearly, and a re-run after the server is back loses
nothing and duplicates nothing."""

import json
import uuid
from collections import Counter

import pytest

from conftest import S3_TEST_BUCKET, SAMPLE
from storage import open_archive, sha256_file
from storage.fixity import check_fixity
from storage.layout import manifest_key, original_key
from storage.manifest import verify_manifest
from storage.s3 import S3Archive
from test_flow import import_registry, read_jsonl

pytestmark = [pytest.mark.flow, pytest.mark.tesseract, pytest.mark.s3]
STOP_AT_UPLOAD = 6  # after the originals and the first derived objects


def test_s3_outage_mid_batch_loses_nothing_and_the_rerun_duplicates_nothing(
        prefect_harness, s3_server, tmp_path, monkeypatch):
    from flows.batch import run_batch
    from kernel.settings import Settings

    overrides = {"data_dir": str(tmp_path), "ocr_workers": 2,
                 "archive": f"s3://{S3_TEST_BUCKET}/outage-{uuid.uuid4().hex[:8]}",
                 "s3_endpoint": s3_server.endpoint, "s3_access_key": s3_server.access_key,
                 "s3_secret_key": s3_server.secret_key, "s3_secure": False}
    import_registry(overrides)
    monkeypatch.setenv("SOHOA_S3_RETRIES", "2")
    monkeypatch.setenv("SOHOA_S3_RETRY_BASE_S", "0.05")
    monkeypatch.setenv("SOHOA_S3_RETENTION_DAYS", "1")
    uploads = Counter()
    real_upload = S3Archive._upload

    def upload_then_crash(self, *args):
        uploads["n"] += 1
        if uploads["n"] == STOP_AT_UPLOAD:
            s3_server.stop()
        return real_upload(self, *args)

    monkeypatch.setattr(S3Archive, "_upload", upload_then_crash)
    sources = sorted(p for p in (SAMPLE / "batch").rglob("*") if p.is_file())
    try:
        first = run_batch(SAMPLE / "batch", export=tmp_path / "first.jsonl", overrides=overrides)
    finally:
        s3_server.start()
    assert not first.ok and first.failures
    assert {f.reason for f in first.failures} == {"archive_failed"}
    for failure in first.failures:
        assert s3_server.endpoint in failure.message and "run the same batch again" in failure.hint
    archive = open_archive(overrides["archive"], Settings(**overrides))
    stored_first = archive.list()
    assert len(stored_first) >= STOP_AT_UPLOAD - 1  # originals and a first page were stored
    assert not any(k.startswith("bags/") for k in stored_first)  # no bag for a failed batch

    second = run_batch(SAMPLE / "batch", export=tmp_path / "second.jsonl", overrides=overrides)
    assert second.ok, second.failures
    expected = read_jsonl(SAMPLE / "expected.jsonl")
    assert second.records == len(expected) == second.matched
    got = read_jsonl(tmp_path / "second.jsonl")
    assert [(r["source"], r["page"]) for r in got] == [(e["source"], e["page"]) for e in expected]

    # nothing lost: every original, every manifest and what it lists, and the batch bag
    final = archive.list()
    # the HTML report of the run, beside the bags, is no object of the batch (flows/reporting.py)
    assert "reports/batch/batch-report.html" in final
    final = [k for k in final if k != "reports/batch/batch-report.html"]
    for src in sources:
        sha = sha256_file(src)
        assert archive.digest(original_key(sha, src.name)).sha256 == sha
        assert verify_manifest(archive, manifest_key("p1", sha)) == []
    bags = {k.rsplit("/", 1)[0] for k in final if k.startswith("bags/")}
    assert len(bags) == 1
    fixity = check_fixity(archive)
    assert fixity.ok, fixity.problems
    assert fixity.listed == len(final) - 1  # every object is in the bag (but its tagmanifest)
    # nothing duplicated: one version per key, and the second run wrote only what was missing
    c = archive.client
    versions = Counter(o.object_name for o in c.list_objects(
        S3_TEST_BUCKET, prefix=archive._pfx, recursive=True, include_version=True))
    assert set(versions.values()) == {1}, [k for k, n in versions.items() if n > 1]
    assert len(stored_first) + second.archive_new_objects == len(final)
    receipt = json.loads((tmp_path / "second.report.json").read_text())
    assert receipt["archive"] == overrides["archive"] and receipt["files_failed"] == 0
