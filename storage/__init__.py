"""Archive backends: where originals and results are kept.

Library code: imports only the kernel. ``open_archive`` picks the backend from a spec:
a local folder path (the embedded default) or ``s3://bucket/prefix``.
"""

from __future__ import annotations

from kernel.errors import ConfigError
from storage.base import Archive, PutResult, StoredObject, sha256_file
from storage.local import LocalArchive

__all__ = ["Archive", "LocalArchive", "PutResult", "StoredObject", "open_archive", "sha256_file"]


def open_archive(spec: str) -> Archive:
    if spec.startswith("s3://"):
        raise ConfigError(
            f"archive {spec!r}: the S3 backend is not available in this version",
            hint="use a local folder path for --archive / SOHOA_ARCHIVE",
        )
    if "://" in spec:
        raise ConfigError(f"archive {spec!r}: unknown scheme", hint="use a folder path or s3://bucket/prefix")
    return LocalArchive(spec)
