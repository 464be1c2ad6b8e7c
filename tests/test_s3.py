"""What only the S3 backend has: credentials, object lock, versioning, retries, verification.

Runs against a real S3 server (SeaweedFS ``weed mini`` on loopback, fixture ``s3_server``)."""

import io
import logging
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from minio import Minio
from minio.error import S3Error

from conftest import S3_TEST_BUCKET
from kernel.errors import ArchiveError, ConfigError
from kernel.settings import Settings
from storage import open_archive
from storage.devserver import port_is_free
from storage.retry import ArchiveUnavailableError, RetryPolicy
from storage.s3 import MiB, S3Archive, S3Config, digests
from storage.spec import s3_config

pytestmark = pytest.mark.s3


def test_wrong_credentials_are_refused_with_a_clear_error(s3_archive_factory, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = s3_archive_factory(secret_key="not-the-secret-0123456789")
    with pytest.raises(ArchiveError) as refused:
        wrong.put_bytes("x/y.json", b"{}")
    err = refused.value
    assert "refused the credentials" in err.message and wrong.config.endpoint in err.message
    assert "SOHOA_S3_SECRET_KEY" in err.hint
    unknown = s3_archive_factory(access_key="nobody", secret_key="whatever-0123456789")
    with pytest.raises(ArchiveError, match="refused the credentials"):
        unknown.list()
    text = caplog.text + str(err) + repr(wrong.config)
    assert "not-the-secret" not in text and "whatever-0123456789" not in text


def test_settings_and_environment_select_s3(s3_server, monkeypatch):
    overrides = {"archive": f"s3://{S3_TEST_BUCKET}/from-settings", "s3_endpoint": s3_server.endpoint,
                 "s3_access_key": s3_server.access_key, "s3_secret_key": s3_server.secret_key,
                 "s3_secure": False}
    settings = Settings(**overrides)
    archive = open_archive(settings.archive, settings)
    assert isinstance(archive, S3Archive) and archive.location == f"s3://{S3_TEST_BUCKET}/from-settings"
    assert archive.put_bytes("k.json", b"1").obj.size == 1
    assert open_archive(settings.archive, settings) is archive  # one client per configuration
    monkeypatch.setenv("SOHOA_S3_LOCK_MODE", "COMPLIANCE")
    monkeypatch.setenv("SOHOA_S3_RETENTION_DAYS", "2")
    monkeypatch.setenv("SOHOA_S3_PART_SIZE_MB", "8")
    config = s3_config("s3://b-1/a/b/", Settings(s3_endpoint="http://h:9000"))
    assert (config.bucket, config.prefix, config.endpoint, config.secure) == \
        ("b-1", "a/b", "h:9000", False)
    assert (config.lock_mode, config.retention_days, config.part_size) == ("COMPLIANCE", 2, 8 * MiB)
    with pytest.raises(ConfigError, match="S3 endpoint"):
        s3_config("s3://bucket/x", Settings(s3_endpoint=None))
    with pytest.raises(ConfigError, match="bucket name"):
        s3_config("s3://Bad_Bucket/x", Settings(s3_endpoint="h:1"))


def test_object_lock_refuses_deleting_an_original(s3_archive_factory):
    archive = s3_archive_factory()
    key = "originals/ab/" + "ab" * 32 + ".pdf"
    archive.put_bytes(key, b"%PDF-1.4 original", immutable=True)
    c, bucket, name = archive.client, archive.config.bucket, archive._name(key)
    head = c.stat_object(bucket, name)
    retention = c.get_object_retention(bucket, name, version_id=head.version_id)
    assert retention.mode == "GOVERNANCE"
    assert retention.retain_until_date > datetime.now(timezone.utc) + timedelta(hours=23)
    with pytest.raises(S3Error) as refused:
        c.remove_object(bucket, name, version_id=head.version_id)
    assert refused.value.code == "AccessDenied"
    assert archive.get_bytes(key) == b"%PDF-1.4 original"
    # a plain delete only hides it behind a delete marker; the locked version stays readable
    c.remove_object(bucket, name)
    assert archive.stat(key) is None
    assert c.get_object(bucket, name, version_id=head.version_id).read() == b"%PDF-1.4 original"
    # and a re-run stores it again under the same key
    assert archive.put_bytes(key, b"%PDF-1.4 original", immutable=True).written
    # record JSON is not locked: versioning keeps its history instead
    archive.put_bytes("derived/r.json", b"{}")
    record = c.stat_object(bucket, archive._name("derived/r.json"))
    c.remove_object(bucket, record.object_name, version_id=record.version_id)


def test_compliance_mode_is_written_when_configured(s3_archive_factory):
    archive = s3_archive_factory(lock_mode="COMPLIANCE")
    archive.put_bytes("originals/cd/x.png", b"png", immutable=True)
    name = archive._name("originals/cd/x.png")
    version = archive.client.stat_object(archive.config.bucket, name).version_id
    assert archive.client.get_object_retention(archive.config.bucket, name,
                                               version_id=version).mode == "COMPLIANCE"


def test_new_bucket_gets_versioning_and_lock_and_a_bucket_without_lock_is_refused(s3_server,
                                                                                s3_archive_factory):
    fresh = s3_archive_factory(bucket=f"fresh-{int(time.time() * 1000)}")
    fresh.ensure_bucket()
    c = fresh.client
    assert c.get_bucket_versioning(fresh.config.bucket).status == "Enabled"
    c.get_object_lock_config(fresh.config.bucket)  # raises when the bucket has no lock
    plain = f"plain-{int(time.time() * 1000)}"
    c.make_bucket(plain)
    with pytest.raises(ConfigError, match="no object lock"):
        s3_archive_factory(bucket=plain).put_bytes("a", b"a")
    unlocked = s3_archive_factory(bucket=plain, lock_mode=None)
    assert unlocked.put_bytes("originals/a.png", b"a", immutable=True).written
    assert c.get_bucket_versioning(plain).status == "Enabled"  # turned on by sohoa


def test_an_unreachable_endpoint_fails_after_the_retries_and_says_what_to_do():
    port = next(p for p in range(47000, 48000) if port_is_free(p))
    archive = S3Archive(S3Config(f"127.0.0.1:{port}", "b-x", access_key="a", secret_key="b-secret",
                                 secure=False, retries=RetryPolicy(attempts=3, base_s=0.05)))
    started = time.monotonic()
    with pytest.raises(ArchiveUnavailableError) as down:
        archive.put_bytes("k", b"v")
    assert time.monotonic() - started < 5
    assert f"127.0.0.1:{port}" in down.value.message and "3 attempts" in down.value.message
    assert "run the same batch again" in down.value.hint and "b-secret" not in str(down.value)


def test_a_short_outage_is_ridden_out_by_the_retries(s3_server, s3_archive_factory):
    archive = s3_archive_factory(retries=RetryPolicy(attempts=10, base_s=0.25, max_s=2.0))
    archive.put_bytes("before.json", b"1")
    s3_server.stop()
    restart = threading.Timer(0.5, s3_server.start)
    restart.start()
    try:
        put = archive.put_bytes("during.json", b"2")
    finally:
        restart.join()
    assert put.written and archive.get_bytes("during.json") == b"2"
    assert archive.list() == ["before.json", "during.json"]


def test_an_interrupted_multipart_upload_leaves_no_object_and_the_rerun_completes(
        s3_archive_factory, tmp_path, monkeypatch):
    archive = s3_archive_factory()
    src = tmp_path / "big.tif"
    src.write_bytes(bytes(range(256)) * (45 * 1024))  # 11.25 MiB: three parts
    key = "originals/ef/big.tif"

    def connection_lost(*args, **kwargs):
        raise ConnectionResetError("connection lost before the upload completed")

    monkeypatch.setattr(Minio, "_complete_multipart_upload", connection_lost)
    with pytest.raises(ArchiveUnavailableError, match="storing originals/ef/big.tif"):
        archive.put_file(key, src, immutable=True)
    monkeypatch.undo()
    assert archive.stat(key) is None and archive.list() == []
    pending = archive.client._list_multipart_uploads(archive.config.bucket, prefix=archive._name(key))
    assert pending.uploads == []  # aborted, not left half-way
    assert archive.put_file(key, src, immutable=True).written
    assert archive.digest(key).sha256 == digests([src.read_bytes()], src.stat().st_size, MiB * 5).sha256


def test_an_upload_that_does_not_verify_is_removed_and_reported(s3_archive_factory, monkeypatch):
    """The bytes that reach the server differ from the bytes hashed (a source file changed
    while uploading): the ETag check catches it, the bad version is removed, nothing is left
    that looks complete."""
    archive = s3_archive_factory()
    real_upload = S3Archive._upload

    def swapped(self, key, d, opener, immutable):
        return real_upload(self, key, d, lambda: io.BytesIO(b"X" * d.size), immutable)

    monkeypatch.setattr(S3Archive, "_upload", swapped)
    with pytest.raises(ArchiveError, match="did not verify"):
        archive.put_bytes("derived/p1/page-0001.png", b"the real page bytes")
    monkeypatch.undo()
    assert archive.stat("derived/p1/page-0001.png") is None
    assert archive.put_bytes("derived/p1/page-0001.png", b"the real page bytes").written


def test_expected_etags_follow_the_part_layout():
    data = bytes(range(256)) * 100
    single = digests([data], len(data), 5 * MiB)
    import hashlib
    assert single.etag == hashlib.md5(data).hexdigest()
    big = b"a" * (5 * MiB) + b"b" * 7
    chunks = [big[i:i + 1000_003] for i in range(0, len(big), 1000_003)]
    multi = digests(chunks, len(big), 5 * MiB)
    parts = hashlib.md5(b"a" * (5 * MiB)).digest() + hashlib.md5(b"b" * 7).digest()
    assert multi.etag == f"{hashlib.md5(parts).hexdigest()}-2"
    assert multi.sha256 == hashlib.sha256(big).hexdigest()
    with pytest.raises(ArchiveError, match="changed while being read"):
        digests([data[:-1]], len(data), 5 * MiB)
