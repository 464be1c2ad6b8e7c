"""From an archive spec (a folder, or ``s3://bucket/prefix``) and the settings to a backend.

S3 connection settings come from the settings object (``SOHOA_S3_ENDPOINT``,
``SOHOA_S3_ACCESS_KEY``, ``SOHOA_S3_SECRET_KEY``, ``SOHOA_S3_SECURE``). The archive policy
settings (lock mode, retention, encryption, part size, verification, retries) are read from the
settings object when it has them, else from their ``SOHOA_*`` environment variable, else the
defaults of :class:`storage.s3.S3Config`.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any
from urllib.parse import urlsplit

from kernel.errors import ConfigError
from storage.base import Archive
from storage.local import LocalArchive
from storage.retry import RetryPolicy

BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_cache: dict[Any, Archive] = {}
_cache_lock = threading.Lock()


def _opt(settings: Any, name: str, default: Any) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"SOHOA_{name.upper()}")
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return default if value in (None, "") else value


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def s3_config(spec: str, settings: Any = None):
    """The :class:`S3Config` for ``s3://bucket/prefix`` with endpoint and keys from settings."""
    from storage.s3 import MiB, S3Config

    parts = urlsplit(spec)
    bucket, prefix = parts.netloc, parts.path.strip("/")
    if not BUCKET_RE.match(bucket):
        raise ConfigError(f"archive {spec!r}: {bucket!r} is not a valid bucket name",
                          hint="use s3://bucket/prefix with a lower-case bucket name")
    endpoint = _opt(settings, "s3_endpoint", None)
    if not endpoint:
        raise ConfigError(f"archive {spec!r} needs an S3 endpoint",
                          hint="set SOHOA_S3_ENDPOINT=host:port, SOHOA_S3_ACCESS_KEY and "
                               "SOHOA_S3_SECRET_KEY (and SOHOA_S3_SECURE=false for plain HTTP)")
    secure = _flag(_opt(settings, "s3_secure", True))
    if "://" in endpoint:  # accept http://host:port too: the scheme decides TLS
        scheme, endpoint = endpoint.split("://", 1)
        secure = scheme == "https"
    lock = str(_opt(settings, "s3_lock_mode", "GOVERNANCE")).upper()
    defaults = RetryPolicy()
    return S3Config(
        endpoint=endpoint.rstrip("/"), bucket=bucket, prefix=prefix,
        access_key=_opt(settings, "s3_access_key", None),
        secret_key=_opt(settings, "s3_secret_key", None), secure=secure,
        region=_opt(settings, "s3_region", None),
        lock_mode=None if lock in ("OFF", "NONE", "FALSE", "0") else lock,
        retention_days=int(_opt(settings, "s3_retention_days", 3650)),
        sse=_opt(settings, "s3_sse", None),
        part_size=int(_opt(settings, "s3_part_size_mb", 16)) * MiB,
        verify=str(_opt(settings, "s3_verify", "etag")).lower(),
        retries=RetryPolicy(attempts=max(1, int(_opt(settings, "s3_retries", defaults.attempts))),
                            base_s=float(_opt(settings, "s3_retry_base_s", defaults.base_s))))


def open_archive(spec: str, settings: Any = None) -> Archive:
    """The archive a spec names. S3 archives are shared per configuration (one connection pool)
    and check their bucket (versioning, object lock) on first use."""
    if spec.startswith("s3://"):
        from storage.s3 import S3Archive

        config = s3_config(spec, settings)
        with _cache_lock:
            archive = _cache.get(config)
            if archive is None:
                archive = _cache[config] = S3Archive(config)
        return archive
    if "://" in spec:
        raise ConfigError(f"archive {spec!r}: unknown scheme",
                          hint="use a folder path or s3://bucket/prefix")
    return LocalArchive(spec)
