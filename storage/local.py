"""The local-folder archive (the embedded default). Writes are atomic (temp file + rename).

A replaced mutable object is first copied to ``_versions/<key>/<sha256[:16]>``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kernel.errors import ArchiveError
from storage.base import (CHUNK, Archive, MissingObjectError, ObjectVersion, PutResult,
                          StoredObject, check_key, sha256_file)

VERSIONS_DIR = "_versions"
PART_PREFIX = ".part-"


class LocalArchive(Archive):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).absolute()
        self.location = str(self.root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def _store(self, key: str, sha: str, size: int, write, *, immutable: bool) -> PutResult:
        dest = self._path(key)
        current = self.stat(key)
        obj = StoredObject(key, sha, size)
        if current is not None:
            if current.sha256 == sha:
                return PutResult(obj, written=False)
            if immutable:
                raise ArchiveError(
                    f"archive object {key} exists with different content; originals are never "
                    "overwritten", hint="check the archive with `sohoa fixity`")
            self._keep_version(key, dest, current)
        _atomic_write(dest, write)
        return PutResult(obj, written=True)

    def _keep_version(self, key: str, dest: Path, current: StoredObject) -> None:
        keep = self._path(f"{VERSIONS_DIR}/{key}/{current.sha256[:16]}")
        if not keep.exists():
            _atomic_write(keep, lambda out: _copy_into(dest, out))

    def put_file(self, key: str, path: str | Path, *, immutable: bool = False) -> PutResult:
        sha = sha256_file(path)
        size = os.path.getsize(path)
        return self._store(key, sha, size, lambda out: _copy_into(path, out), immutable=immutable)

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> PutResult:
        sha = hashlib.sha256(data).hexdigest()
        return self._store(key, sha, len(data), lambda out: out.write(data), immutable=immutable)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise MissingObjectError(f"archive object {key} is missing") from None

    def iter_chunks(self, key: str, version_id: str | None = None) -> Iterator[bytes]:
        path = self._path(f"{VERSIONS_DIR}/{key}/{version_id}" if version_id else key)
        try:
            f = open(path, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise MissingObjectError(f"archive object {key} is missing") from None
        with f:
            while chunk := f.read(CHUNK):
                yield chunk

    def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        if not path.is_file():
            return None
        return StoredObject(key, sha256_file(path), path.stat().st_size)

    def list(self, prefix: str = "") -> list[str]:
        if not self.root.exists():
            return []
        keys = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(PART_PREFIX):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix) and not key.startswith(VERSIONS_DIR + "/"):
                    keys.append(key)
        return sorted(keys)

    def sweep_partial(self, older_than_s: float = 86400.0) -> int:
        """Temp files of writes killed before their rename (``.part-*``: a SIGKILL or a power
        cut mid-write) older than ``older_than_s``; never listed as objects, removed here."""
        import time

        if not self.root.exists():
            return 0
        cutoff, removed = time.time() - older_than_s, 0
        for path in self.root.rglob(PART_PREFIX + "*"):
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:  # gone already, or not ours to remove: the next sweep tries again
                continue
        return removed

    def versions(self, key: str) -> list[ObjectVersion]:
        folder = self._path(f"{VERSIONS_DIR}/{key}")
        if not folder.is_dir():
            return []
        kept = sorted((p for p in folder.iterdir() if p.is_file()
                       and not p.name.startswith(PART_PREFIX)),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        return [ObjectVersion(key, p.name, sha256_file(p), p.stat().st_size) for p in kept]


def _copy_into(src: str | Path, out) -> None:
    with open(src, "rb") as f:
        shutil.copyfileobj(f, out, CHUNK)


def _atomic_write(dest: Path, write) -> None:
    """Write to a temp file beside ``dest``, fsync, then rename: never a half-written object."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=PART_PREFIX, dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
