"""What the pipeline stores for each source file, in the layout of :mod:`storage.layout`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kernel.errors import InputFileError
from kernel.records import PersonRecord
from storage import layout
from storage.base import Archive, PutResult, StoredObject
from storage.manifest import manifest_bytes


def archive_original(archive: Archive, path: Path, sha: str) -> PutResult:
    """Store the source bytes unchanged under their content hash. Never overwritten."""
    return archive.put_file(layout.original_key(sha, path.name), path, immutable=True)


def quarantine(archive: Archive, path: Path, sha: str, relative: str, error: InputFileError) -> str:
    key = layout.quarantine_key(sha, path.name)
    archive.put_file(key, path, immutable=True)
    note = {"source": relative, "sha256": sha, "reason": error.reason, "message": error.message,
            "hint": error.hint, "original_key": layout.original_key(sha, path.name)}
    archive.put_bytes(layout.quarantine_note_key(sha),
                      (json.dumps(note, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    return key


@dataclass(frozen=True)
class PageArtifacts:
    page: int
    image: Path
    hocr: Path


@dataclass(frozen=True)
class ArchivedFile:
    manifest_key: str
    written: int  # objects newly stored
    existing: int  # identical objects already there


def record_json(record: PersonRecord) -> bytes:
    return (record.model_dump_json(indent=1) + "\n").encode()


def archive_results(archive: Archive, *, pipeline: str, source: str, sha: str, original: StoredObject,
                    pages: list[PageArtifacts], records: list[PersonRecord],
                    provenance: dict, searchable_pdf: Path | None = None) -> ArchivedFile:
    """Page images, OCR, the searchable PDF (when made), records, then the manifest that lists
    them all (written last)."""
    results: list[PutResult] = []
    for p in pages:
        results.append(archive.put_file(layout.page_image_key(pipeline, sha, p.page), p.image))
        results.append(archive.put_file(layout.page_ocr_key(pipeline, sha, p.page), p.hocr))
    if searchable_pdf is not None:
        results.append(archive.put_file(layout.searchable_pdf_key(pipeline, sha), searchable_pdf))
    for record in records:
        results.append(archive.put_bytes(record.archive_key, record_json(record)))
    objects: list[StoredObject] = [r.obj for r in results] + [original]
    key = layout.manifest_key(pipeline, sha)
    results.append(archive.put_bytes(key, manifest_bytes(source, sha, objects, provenance)))
    written = sum(r.written for r in results)
    return ArchivedFile(key, written, len(results) - written)
