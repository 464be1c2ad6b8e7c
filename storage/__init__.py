"""Archive backends: where originals and results are kept.

Library code: imports only the kernel (and ``minio`` for S3). ``open_archive`` picks the backend
from a spec: a local folder path (the embedded default) or ``s3://bucket/prefix``.
"""

from __future__ import annotations

from storage.base import Archive, MissingObjectError, PutResult, StoredObject, sha256_file
from storage.local import LocalArchive
from storage.spec import open_archive

__all__ = ["Archive", "LocalArchive", "MissingObjectError", "PutResult", "StoredObject",
           "open_archive", "sha256_file"]
