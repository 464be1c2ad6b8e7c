"""The interface every archive backend implements, and the objects it deals in."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    size: int


@dataclass(frozen=True)
class PutResult:
    obj: StoredObject
    written: bool  # False when an identical object was already there


class Archive(ABC):
    """Objects under '/'-separated keys.

    ``immutable=True`` objects (originals) are never overwritten: a different content under an
    existing key is an error. Mutable objects (record JSON) keep their previous version.
    """

    location: str

    @abstractmethod
    def put_file(self, key: str, path: str | Path, *, immutable: bool = False) -> PutResult: ...

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> PutResult: ...

    @abstractmethod
    def get_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    def stat(self, key: str) -> StoredObject | None:
        """Size and SHA-256 of a stored object, or None when absent."""

    @abstractmethod
    def list(self, prefix: str = "") -> list[str]: ...

    def describe(self, key: str) -> str:
        """Where a person finds the object without sohoa."""
        return f"{self.location.rstrip('/')}/{key}"
