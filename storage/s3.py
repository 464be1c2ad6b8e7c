"""The archive on S3-compatible object storage (MinIO, SeaweedFS, AWS...) through ``minio``.

The same keys as the local folder, under ``s3://bucket/prefix/``. What it guarantees:

- **Versioning** is on for the bucket (turned on when it is not): a replaced record JSON keeps
  its previous version, as the local folder's ``_versions/`` does.
- **Object lock**: originals and quarantined copies (``immutable=True``) are written with a
  retention (GOVERNANCE or COMPLIANCE, ``retention_days``), so not even the archive's own key
  can delete or replace those bytes before it ends. The bucket must have object lock enabled
  (sohoa creates it so when it creates the bucket).
- **Optional server-side encryption**: ``sse="S3"`` (server-managed keys) or ``"KMS:<key id>"``.
- **Multipart** above ``part_size`` (minio splits; parts go up in parallel).
- **Crash-safe and idempotent**: an object appears only when its single PUT or its
  CompleteMultipartUpload succeeds, and its SHA-256 travels in the same request (user metadata
  ``sha256``), so an object that is there is complete. A failed multipart upload is aborted.
  Before writing, an object already there with the same ``sha256`` and size is skipped.
- **Verified after every upload**: a HEAD of the version just written must show the size, the
  ``sha256`` metadata, and an ETag equal to the MD5 we computed while hashing the source (the
  multipart form ``md5(part md5s)-N`` for large files). The server computes the ETag from the
  bytes it stored, so this checks the stored bytes without downloading them. When the ETag is
  not an MD5 (SSE-KMS, some gateways) or ``verify="read"``, the object is read back and its
  SHA-256 compared instead. A version that fails is removed (where the lock allows) and the
  upload is reported failed; ``sohoa fixity`` re-reads everything on demand.
- **Retries** with exponential backoff on transient errors (:mod:`storage.retry`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, ENABLED, GOVERNANCE
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from minio.helpers import get_part_info
from minio.retention import Retention
from minio.sse import SseKMS, SseS3
from minio.versioningconfig import VersioningConfig

from kernel.errors import ArchiveError, ConfigError
from storage.base import (CHUNK, Archive, MissingObjectError, ObjectVersion, PutResult,
                          StoredObject, check_key)
from storage.retry import RetryPolicy, Target

log = logging.getLogger(__name__)

SHA_META = "sha256"  # user metadata: x-amz-meta-sha256
MISSING_CODES = {"NoSuchKey", "NoSuchVersion", "ResourceNotFound", "MethodNotAllowed"}
MiB = 1 << 20
CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".tif": "image/tiff", ".tiff": "image/tiff", ".pdf": "application/pdf",
                 ".json": "application/json", ".hocr": "text/vnd.hocr+html; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class S3Config:
    endpoint: str  # host:port
    bucket: str
    prefix: str = ""
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    secure: bool = True
    region: str | None = None
    lock_mode: str | None = "GOVERNANCE"  # GOVERNANCE, COMPLIANCE, or None (no lock)
    retention_days: int = 3650
    sse: str | None = None  # None, "S3" or "KMS:<key id>"
    part_size: int = 16 * MiB
    verify: str = "etag"  # "etag" (read back only when the ETag is no MD5) or "read"
    retries: RetryPolicy = RetryPolicy()
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if self.lock_mode not in (None, "GOVERNANCE", "COMPLIANCE"):
            raise ConfigError(f"S3 lock mode {self.lock_mode!r} is not GOVERNANCE or COMPLIANCE",
                              hint="set SOHOA_S3_LOCK_MODE to GOVERNANCE, COMPLIANCE or off")
        if self.part_size < 5 * MiB or self.part_size % MiB:
            raise ConfigError(f"S3 part size {self.part_size} is not a whole number of MiB >= 5",
                              hint="set SOHOA_S3_PART_SIZE_MB to 5 or more")
        if self.verify not in ("etag", "read"):
            raise ConfigError(f"S3 verify mode {self.verify!r}", hint="use etag or read")
        if self.sse and not (self.sse == "S3" or self.sse.startswith("KMS:")):
            raise ConfigError(f"S3 encryption {self.sse!r}", hint="use S3 or KMS:<key id>")

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")


@dataclass(frozen=True)
class Digests:
    sha256: str
    size: int
    etag: str  # the ETag an S3 server computes for these bytes when it stores plain MD5s


def digests(chunks: Iterable[bytes], size: int, part_size: int) -> Digests:
    """SHA-256 and the expected ETag in one pass (part boundaries as minio uploads them)."""
    part, count = get_part_info(size, part_size)
    sha, whole, current, parts, filled = (hashlib.sha256(), hashlib.md5(), hashlib.md5(), [], 0)
    total = 0
    for chunk in chunks:
        sha.update(chunk)
        whole.update(chunk)
        total += len(chunk)
        view = memoryview(chunk)
        while len(view):
            take = min(len(view), part - filled) if part else len(view)
            current.update(view[:take])
            filled += take
            view = view[take:]
            if part and filled == part:
                parts.append(current.digest())
                current, filled = hashlib.md5(), 0
    if filled:
        parts.append(current.digest())
    if total != size:
        raise ArchiveError(f"source changed while being read ({total} bytes, expected {size})")
    if count <= 1:
        return Digests(sha.hexdigest(), size, whole.hexdigest())
    return Digests(sha.hexdigest(), size, f"{hashlib.md5(b''.join(parts)).hexdigest()}-{count}")


def _file_chunks(path: str | Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


class S3Archive(Archive):
    def __init__(self, config: S3Config) -> None:
        self.config = config
        self.location = config.location
        self.target = Target(config.endpoint, config.bucket)
        self._pfx = f"{config.prefix.strip('/')}/" if config.prefix.strip("/") else ""
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=config.connect_timeout_s, read=config.read_timeout_s),
            maxsize=16, retries=False, cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE"))
        try:
            self.client = Minio(config.endpoint, access_key=config.access_key,
                                secret_key=config.secret_key, secure=config.secure,
                                region=config.region, http_client=self._http)
            self._sse = (None if not config.sse else SseS3() if config.sse == "S3"
                         else SseKMS(config.sse.removeprefix("KMS:"), {}))
        except ValueError as exc:
            raise ConfigError(f"S3 endpoint {config.endpoint!r}: {exc}",
                              hint="SOHOA_S3_ENDPOINT is host:port, e.g. minio.example.vn:9000"
                              ) from None
        if self._sse is not None and self._sse.tls_required() and not config.secure:
            raise ConfigError("SSE-KMS needs TLS", hint="set SOHOA_S3_SECURE=true")
        self._ready = False
        self._lock = threading.Lock()
        self.verified_by = {"etag": 0, "read": 0}  # how uploads were checked (tests, benchmark)

    # -- plumbing ---------------------------------------------------------------------------
    def _call(self, fn: Callable, what: str):
        return self.target.call(fn, what, self.config.retries)

    def _name(self, key: str) -> str:
        return self._pfx + check_key(key)

    def ensure_bucket(self) -> None:
        """Create the bucket (with object lock) when missing; turn versioning on; check lock."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            c, b, lock = self.client, self.config.bucket, self.config.lock_mode is not None
            if not self._call(lambda: c.bucket_exists(b), f"checking bucket {b}"):
                self._call(lambda: self._make_bucket(lock), f"creating bucket {b}")
                log.info("created bucket %s on %s (object lock: %s)", b, self.config.endpoint, lock)
            status = self._call(lambda: c.get_bucket_versioning(b).status, "reading versioning")
            if status != ENABLED:
                self._call(lambda: c.set_bucket_versioning(b, VersioningConfig(ENABLED)),
                           f"turning versioning on for bucket {b}")
            if lock:
                self._call(self._check_lock, f"reading object lock of bucket {b}")
            self._ready = True

    def _make_bucket(self, lock: bool) -> None:
        try:
            self.client.make_bucket(self.config.bucket, location=self.config.region,
                                    object_lock=lock)
        except S3Error as exc:
            if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    def _check_lock(self) -> None:
        try:
            self.client.get_object_lock_config(self.config.bucket)
        except S3Error as exc:
            if exc.code != "ObjectLockConfigurationNotFoundError":
                raise
            raise ConfigError(
                f"bucket {self.config.bucket!r} on {self.config.endpoint} has no object lock, so "
                "originals could be deleted", hint="use a bucket created with object lock "
                "(mc mb --with-lock), or set SOHOA_S3_LOCK_MODE=off to archive without it") from None

    def _head(self, key: str, version_id: str | None = None):
        name = self._name(key)

        def go():
            try:
                return self.client.stat_object(self.config.bucket, name, version_id=version_id)
            except S3Error as exc:
                if exc.code in MISSING_CODES:
                    return None
                raise
        self.ensure_bucket()
        return self._call(go, f"reading the state of {key}")

    @staticmethod
    def _claimed_sha(obj) -> str | None:
        return (obj.metadata or {}).get(f"x-amz-meta-{SHA_META}")

    # -- writing ----------------------------------------------------------------------------
    def put_file(self, key: str, path: str | Path, *, immutable: bool = False) -> PutResult:
        size = os.path.getsize(path)
        d = digests(_file_chunks(path), size, self.config.part_size)
        return self._store(key, d, lambda: open(path, "rb"), immutable=immutable)

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> PutResult:
        d = digests([data], len(data), self.config.part_size)
        return self._store(key, d, lambda: io.BytesIO(data), immutable=immutable)

    def _store(self, key: str, d: Digests, opener: Callable[[], BinaryIO], *,
               immutable: bool) -> PutResult:
        obj = StoredObject(key, d.sha256, d.size)
        current = self._head(key)
        if current is not None:
            claimed = self._claimed_sha(current)
            if claimed is None:  # written by another tool: hash what is there
                found = self.digest(key)
                claimed = found.sha256 if found else None
            if claimed == d.sha256 and current.size == d.size:
                return PutResult(obj, written=False)
            if immutable:
                raise ArchiveError(
                    f"archive object {key} exists with different content; originals are never "
                    "overwritten", hint="check the archive with `sohoa fixity`")
        result = self._call(lambda: self._upload(key, d, opener, immutable), f"storing {key}")
        self._verify(key, result.version_id, d)
        return PutResult(obj, written=True)

    def _upload(self, key: str, d: Digests, opener: Callable[[], BinaryIO], immutable: bool):
        retention = None
        if immutable and self.config.lock_mode:
            until = datetime.now(timezone.utc) + timedelta(days=self.config.retention_days)
            mode = GOVERNANCE if self.config.lock_mode == "GOVERNANCE" else COMPLIANCE
            retention = Retention(mode, until.replace(microsecond=0))
        content_type = CONTENT_TYPES.get(Path(key).suffix.lower(), "application/octet-stream")
        with opener() as stream:
            return self.client.put_object(
                self.config.bucket, self._name(key), stream, d.size, content_type=content_type,
                metadata={SHA_META: d.sha256}, sse=self._sse, part_size=self.config.part_size,
                retention=retention)

    def _verify(self, key: str, version_id: str | None, d: Digests) -> None:
        stored = self._head(key, version_id)
        problem = None
        if stored is None:
            problem = "it is not there after the upload"
        elif stored.size != d.size or self._claimed_sha(stored) != d.sha256:
            problem = f"size {stored.size} / sha256 {self._claimed_sha(stored)} recorded"
        elif self.config.verify == "etag" and (stored.etag or "").strip('"') == d.etag:
            self.verified_by["etag"] += 1
        else:
            found = self.digest(key, version_id)
            if found is None or found.sha256 != d.sha256:
                problem = "the bytes read back have another SHA-256"
            else:
                self.verified_by["read"] += 1
        if problem is None:
            return
        if version_id:
            self._discard(key, version_id)
        raise ArchiveError(f"upload of {key} to {self.location} did not verify: {problem}",
                           hint="run the batch again; if it repeats, check the S3 server's disks")

    def _discard(self, key: str, version_id: str) -> None:
        """Best effort: remove a version that failed verification (a lock may refuse)."""
        try:
            errors = list(self.client.remove_objects(
                self.config.bucket, [DeleteObject(self._name(key), version_id)],
                bypass_governance_mode=self.config.lock_mode == "GOVERNANCE"))
            if errors:
                log.error("could not remove unverified %s version %s", key, version_id)
        except Exception:  # noqa: BLE001 (already failing; the error below says what to do)
            log.exception("could not remove unverified %s version %s", key, version_id)

    # -- reading ----------------------------------------------------------------------------
    def _open(self, key: str, version_id: str | None):
        try:
            return self.client.get_object(self.config.bucket, self._name(key), version_id=version_id)
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                raise MissingObjectError(f"archive object {key} is missing") from None
            raise

    def get_bytes(self, key: str) -> bytes:
        def go():
            response = self._open(key, None)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()
        self.ensure_bucket()
        return self._call(go, f"reading {key}")

    def iter_chunks(self, key: str, version_id: str | None = None) -> Iterator[bytes]:
        self.ensure_bucket()
        response = self._call(lambda: self._open(key, version_id), f"reading {key}")
        try:
            yield from response.stream(CHUNK)
        except Exception as exc:  # noqa: BLE001 (a dropped connection mid-read)
            raise self.target.translate(exc, f"reading {key}") from None
        finally:
            response.close()
            response.release_conn()

    def digest(self, key: str, version_id: str | None = None) -> StoredObject | None:
        def go():
            h, size = hashlib.sha256(), 0
            response = self._open(key, version_id)
            try:
                for chunk in response.stream(CHUNK):
                    h.update(chunk)
                    size += len(chunk)
            finally:
                response.close()
                response.release_conn()
            return StoredObject(key, h.hexdigest(), size)
        self.ensure_bucket()
        try:
            return self._call(go, f"re-reading {key}")
        except MissingObjectError:
            return None

    def stat(self, key: str) -> StoredObject | None:
        found = self._head(key)
        if found is None:
            return None
        claimed = self._claimed_sha(found)
        if claimed is None:
            return self.digest(key)
        return StoredObject(key, claimed, found.size)

    def list(self, prefix: str = "") -> list[str]:
        self.ensure_bucket()
        start = self._pfx + prefix

        def go():
            return sorted(o.object_name[len(self._pfx):] for o in self.client.list_objects(
                self.config.bucket, prefix=start, recursive=True) if not o.is_dir)
        return self._call(go, f"listing {self.describe(prefix)}")

    def versions(self, key: str) -> list[ObjectVersion]:
        self.ensure_bucket()
        name = self._name(key)

        def go():
            return [o for o in self.client.list_objects(self.config.bucket, prefix=name,
                                                         recursive=True, include_version=True)
                    if o.object_name == name and not o.is_delete_marker
                    and str(o.is_latest).lower() != "true"]
        older = sorted(self._call(go, f"listing versions of {key}"),
                       key=lambda o: o.last_modified or datetime.min.replace(tzinfo=timezone.utc),
                       reverse=True)
        kept = []
        for o in older:
            head = self._head(key, o.version_id)
            if head is not None:
                kept.append(ObjectVersion(key, o.version_id, self._claimed_sha(head), head.size))
        return kept

    def close(self) -> None:
        self._http.clear()
