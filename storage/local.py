"""The local-folder archive (the embedded default). Writes are atomic (temp file + rename)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from kernel.errors import ArchiveError
from storage.base import Archive, PutResult, StoredObject, sha256_file

VERSIONS_DIR = "_versions"


class LocalArchive(Archive):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).absolute()
        self.location = str(self.root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ArchiveError(f"invalid archive key {key!r}")
        return self.root.joinpath(*parts)

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
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return PutResult(obj, written=True)

    def _keep_version(self, key: str, dest: Path, current: StoredObject) -> None:
        keep = self._path(f"{VERSIONS_DIR}/{key}/{current.sha256[:16]}")
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dest, keep)

    def put_file(self, key: str, path: str | Path, *, immutable: bool = False) -> PutResult:
        sha = sha256_file(path)
        size = os.path.getsize(path)

        def write(out):
            with open(path, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)

        return self._store(key, sha, size, write, immutable=immutable)

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> PutResult:
        sha = hashlib.sha256(data).hexdigest()
        return self._store(key, sha, len(data), lambda out: out.write(data), immutable=immutable)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ArchiveError(f"archive object {key} is missing") from None

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
            if path.is_file() and not path.name.startswith(".part-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix) and not key.startswith(VERSIONS_DIR + "/"):
                    keys.append(key)
        return sorted(keys)
