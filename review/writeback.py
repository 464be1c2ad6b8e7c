"""Writing a decision back: a new version of the record JSON (the archive keeps the previous
one), the file's manifest listing it, and the export line, rewritten atomically.

The manifest is rewritten too so that ``sohoa fixity`` finds the new record listed and the
kept version with the bytes an older bag lists (a *superseded* object, not a changed one).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kernel.errors import ArchiveError, SohoaError
from kernel.records import PersonRecord
from storage import Archive, MissingObjectError, StoredObject
from storage.archiving import record_json
from storage.manifest import manifest_bytes


class ReviewConflict(SohoaError):
    """The record or the export changed under the decision (decided already, batch re-run)."""

    code = "conflict"


@dataclass(frozen=True)
class Written:
    before_sha256: str | None
    after_sha256: str
    versions_kept: int


def manifest_key_of(record: PersonRecord) -> str:
    return f"{record.archive_key.rsplit('/records/', 1)[0]}/manifest.json"


def write_record(archive: Archive, record: PersonRecord) -> Written:
    """Store the record anew (the previous version is kept), then the manifest listing it."""
    data = record_json(record)
    before = archive.stat(record.archive_key)
    archive.put_bytes(record.archive_key, data)
    key = manifest_key_of(record)
    try:
        manifest = json.loads(archive.get_bytes(key))
    except MissingObjectError:
        raise ArchiveError(f"{key} is missing: the record's file was never archived completely",
                           hint="run the batch again, then review") from None
    objects = [StoredObject(o["key"], o["sha256"], int(o["size"])) for o in manifest["objects"]
               if o["key"] != record.archive_key]
    after = StoredObject(record.archive_key, hashlib.sha256(data).hexdigest(), len(data))
    archive.put_bytes(key, manifest_bytes(manifest["source"], manifest["source_sha256"],
                                          objects + [after], manifest.get("provenance") or {}))
    return Written(before.sha256 if before else None, after.sha256,
                   len(archive.versions(record.archive_key)))


@contextmanager
def _locked(path: Path):
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def export_line(record: PersonRecord) -> str:
    """The line exactly as the batch flow writes it."""
    return json.dumps(record.export(), ensure_ascii=False) + "\n"


def rewrite_export(path: Path, record: PersonRecord, *, insert: bool = False) -> None:
    """Replace the record's line (or insert it in (source, page, row) order), atomically."""
    with _locked(path):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        parsed = [json.loads(line) for line in lines]
        where = [i for i, r in enumerate(parsed) if r.get("record_id") == record.record_id]
        if where:
            lines[where[0]] = export_line(record)
        elif insert:
            order = (record.source, record.page, record.row or 0)
            at = next((i for i, r in enumerate(parsed)
                       if (r["source"], r["page"], r["row"] or 0) > order), len(lines))
            lines.insert(at, export_line(record))
        else:
            raise ReviewConflict(f"record {record.record_id} is no longer in {path.name}",
                                 hint="the batch was run again: reload the queue")
        fd, tmp = tempfile.mkstemp(prefix=".review-", dir=path.parent)
        try:
            os.chmod(tmp, path.stat().st_mode & 0o777)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.writelines(lines)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
