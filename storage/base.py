"""The interface every archive backend implements, and the objects it deals in."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kernel.errors import ArchiveError

CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def check_key(key: str) -> str:
    """Keys are '/'-separated relative paths; nothing may climb out of the archive."""
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts):
        raise ArchiveError(f"invalid archive key {key!r}")
    return key


class MissingObjectError(ArchiveError):
    """The archive has no object (or no such version) under that key."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ObjectVersion:
    """A previous version of a mutable object, kept when it was replaced."""

    key: str
    version_id: str
    sha256: str | None  # as recorded when it was written (None: not recorded)
    size: int


@dataclass(frozen=True)
class PutResult:
    obj: StoredObject
    written: bool  # False when an identical object was already there


class Archive(ABC):
    """Objects under '/'-separated keys.

    ``immutable=True`` objects (originals) are never overwritten: a different content under an
    existing key is an error. Mutable objects (record JSON) keep their previous version.

    ``stat`` answers what is stored cheaply (the S3 backend trusts the SHA-256 recorded and
    verified at upload); ``digest`` re-reads the bytes and hashes them: fixity uses it.
    """

    location: str

    @abstractmethod
    def put_file(self, key: str, path: str | Path, *, immutable: bool = False) -> PutResult: ...

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> PutResult: ...

    @abstractmethod
    def get_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    def iter_chunks(self, key: str, version_id: str | None = None) -> Iterator[bytes]:
        """The object's bytes (or a kept version's) in chunks; MissingObjectError when absent."""

    @abstractmethod
    def stat(self, key: str) -> StoredObject | None:
        """Size and SHA-256 of a stored object, or None when absent."""

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]: ...

    @abstractmethod
    def versions(self, key: str) -> list[ObjectVersion]:
        """Previous versions of ``key`` kept when it was replaced (not the current one)."""

    def digest(self, key: str, version_id: str | None = None) -> StoredObject | None:
        """Re-read the object and hash what is really stored; None when it is missing."""
        h, size = hashlib.sha256(), 0
        try:
            for chunk in self.iter_chunks(key, version_id):
                h.update(chunk)
                size += len(chunk)
        except MissingObjectError:
            return None
        return StoredObject(key, h.hexdigest(), size)

    def describe(self, key: str) -> str:
        """Where a person finds the object without sohoa."""
        return f"{self.location.rstrip('/')}/{key}"

    def sweep_partial(self, older_than_s: float = 86400.0) -> int:
        """Remove what interrupted writes left behind (older than ``older_than_s``: a write
        in progress is never touched); how many were removed. Nothing to do for backends
        whose uploads are atomic on the server."""
        return 0

    def close(self) -> None:
        """Release connections (nothing to do for most backends)."""
