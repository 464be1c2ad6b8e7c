"""Review items and where they come from: the batch exports, their reports and the archive.

An item is one thing a person must look at:

- ``field``: a field in ``review`` (the reasons come from the archived record JSON);
- ``match``: a record whose registry link is ``review`` (candidates with explanations);
- ``page``: a page with nothing usable on it, from the batch report's page failures, or a
  page flagged with a reason (``page_blank``, ``page_too_dark``, ``page_too_small``,
  ``page_handwriting``: the report's page notes, ocr/quality.py).

:func:`sync` reads every export (``<batch>.jsonl`` with ``<batch>.report.json`` beside it)
that changed since the last look and adds the items not yet known. It never changes an item
that exists: the queue's state (claims, decisions) is the review database's.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, insert, select, update

from kernel import PIPELINE_VERSION
from kernel.errors import ArchiveError
from kernel.records import FieldStatus, MatchDecision, PersonRecord
from review.auth import now_iso
from review.db import items, sources
from storage import Archive, open_archive
from storage.bag import BAG_ROOT, batch_slug, parse_manifest
from storage import layout

log = logging.getLogger(__name__)

CATEGORIES = ("field", "dossier", "match", "page_failed", "handwriting")
STATES = ("open", "held", "keying", "dispute", "done")
# how much a wrong value costs downstream: a wrong ID or birth date links the wrong citizen
DOSSIER_REASON = "dossier_disagrees:"  # dossiers/checks.py: dossier_disagrees:<field>:<document>
FIELD_WEIGHT = {"id_number": 60, "full_name": 50, "date_of_birth": 50, "sex": 30,
                "father_name": 20, "mother_name": 20}


@dataclass(frozen=True)
class Item:
    id: int
    key: str
    kind: str
    category: str
    reason: str
    batch: str
    export_path: str
    archive: str
    record_id: str | None
    record_key: str | None
    source: str
    source_sha256: str | None
    page: int
    row: int | None
    doc_type: str
    field: str | None
    confidence: float | None
    priority: float
    state: str
    claimed_by: int | None
    claimed_at: float | None
    decided_by: str | None
    decided_at: str | None
    created_at: str


def page_category(reason: str) -> str:
    return "handwriting" if "handwrit" in reason.lower() else "page_failed"


def field_item(record: PersonRecord, name: str, base: dict[str, Any]) -> dict[str, Any]:
    fv = record.fields[name]
    priority = 100 + FIELD_WEIGHT.get(name, 10) + 40 * (1 - fv.confidence)
    # a field two documents of one dossier disagree on: a dossier-level item, naming both
    category = "dossier" if any(r.startswith(DOSSIER_REASON) for r in fv.reasons) else "field"
    return {**base, "key": f"{record.record_id}:field:{name}", "kind": "field",
            "category": category, "reason": "; ".join(fv.reasons) or "low_ocr_confidence",
            "field": name, "confidence": fv.confidence, "priority": round(priority, 3)}


def match_item(record: PersonRecord, base: dict[str, Any]) -> dict[str, Any]:
    m = record.match
    priority = 300 + (20 if any(r.startswith("ambiguous") for r in m.reasons) else 0)
    return {**base, "key": f"{record.record_id}:match", "kind": "match", "category": "match",
            "reason": "; ".join(m.reasons) or "review", "field": None, "confidence": m.score,
            "priority": priority}


def page_item(batch: str, source: str, sha: str | None, page: int, reason: str,
              base: dict[str, Any]) -> dict[str, Any]:
    # a blank page (ocr/quality.py) is most often a separator sheet: confirmed last
    priority = 40 if reason == "page_blank" else 250
    return {**base, "key": f"page:{batch}:{source}:{page}", "kind": "page",
            "category": page_category(reason), "reason": reason, "record_id": None,
            "record_key": None,
            "source": source, "source_sha256": sha, "page": page, "row": None,
            "doc_type": "unknown", "field": None, "confidence": None, "priority": priority}


def items_of_record(record: PersonRecord, base: dict[str, Any]) -> list[dict[str, Any]]:
    base = {**base, "record_id": record.record_id, "record_key": record.archive_key,
            "source": record.source,
            "source_sha256": record.source_sha256, "page": record.page, "row": record.row,
            "doc_type": record.doc_type.value}
    found = [field_item(record, name, base) for name, fv in record.fields.items()
             if fv.status is FieldStatus.REVIEW]
    if record.match.decision is MatchDecision.REVIEW:
        found.append(match_item(record, base))
    return found


def read_record(archive: Archive, key: str) -> PersonRecord:
    return PersonRecord.model_validate_json(archive.get_bytes(key))


def source_hashes(archive: Archive, batch: str) -> dict[str, str]:
    """{source path: SHA-256} of a batch, from the per-file manifests its bags list."""
    found: dict[str, str] = {}
    for key in archive.list(f"{BAG_ROOT}/{batch_slug(batch)}/"):
        if not key.endswith("/manifest-sha256.txt"):
            continue
        for path in parse_manifest(archive.get_bytes(key).decode()):
            manifest = path.removeprefix("data/")
            if manifest.startswith("derived/") and manifest.endswith("/manifest.json"):
                try:
                    body = json.loads(archive.get_bytes(manifest))
                    found[body["source"]] = body["source_sha256"]
                except (ArchiveError, ValueError, KeyError):
                    continue
    return found


def _report_for(export: Path) -> dict[str, Any] | None:
    path = export.with_name(export.name.removesuffix(".jsonl") + ".report.json")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def discover_exports(folders: tuple[Path, ...]) -> list[Path]:
    return sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.jsonl"))


def sync(engine: Engine, folders: tuple[Path, ...], default_archive: str,
         settings: Any = None) -> int:
    """Read the exports that changed since the last sync; returns the number of new items."""
    added = 0
    for export in discover_exports(folders):
        stat = export.stat()
        with engine.connect() as conn:
            seen = conn.execute(select(sources).where(
                sources.c.export_path == str(export))).first()
        if seen and (seen.mtime_ns, seen.size) == (stat.st_mtime_ns, stat.st_size):
            continue
        report = _report_for(export) or {}
        batch = report.get("batch") or export.stem
        spec = report.get("archive") or default_archive
        try:
            new = _items_of_export(export, batch, spec, report, settings)
        except ArchiveError as exc:
            log.warning("review: cannot read the archive of %s: %s", export.name, exc.message)
            continue
        with engine.begin() as conn:
            known = {k for (k,) in conn.execute(select(items.c.key).where(
                items.c.export_path == str(export)))}
            fresh = [i for i in new if i["key"] not in known]
            if fresh:
                conn.execute(insert(items), fresh)
            values = dict(batch=batch, archive=spec, mtime_ns=stat.st_mtime_ns,
                          size=stat.st_size, report=report or None)
            if seen:
                conn.execute(update(sources).where(sources.c.export_path == str(export))
                             .values(**values))
            else:
                conn.execute(insert(sources).values(export_path=str(export), **values))
        added += len(fresh)
    return added


def _items_of_export(export: Path, batch: str, spec: str, report: dict[str, Any],
                     settings: Any) -> list[dict[str, Any]]:
    archive = open_archive(spec, settings)
    base = {"batch": batch, "export_path": str(export), "archive": spec, "state": "open",
            "created_at": now_iso()}
    found: list[dict[str, Any]] = []
    with open(export, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                line_record = json.loads(line)
            except ValueError:
                log.warning("review: %s line %d is not JSON", export.name, number)
                continue
            statuses = [f.get("status") for f in line_record.get("fields", {}).values()]
            if "review" not in statuses and line_record.get("match", {}).get("decision") != "review":
                continue
            try:
                record = read_record(archive, line_record["archive_key"])
            except (ArchiveError, ValidationError, KeyError) as exc:
                log.warning("review: record of %s line %d unreadable: %s", export.name, number, exc)
                continue
            found.extend(items_of_record(record, base))
    # failed pages, and pages read but flagged (blank, too dark, too small, handwriting)
    failures = (report.get("page_failures") or []) + (report.get("page_notes") or [])
    if failures:
        hashes = source_hashes(archive, batch)
        for f in failures:
            found.append(page_item(batch, f["source"], hashes.get(f["source"]), int(f["page"]),
                                   f.get("reason") or "page_failed", base))
    return found


def page_image_key(item: Item, record: PersonRecord | None = None) -> str | None:
    """Where the cleaned page image of an item is (beside its record, when it has one)."""
    if record is not None:
        return f"{record.archive_key.rsplit('/records/', 1)[0]}/page-{item.page:04d}.png"
    if not item.source_sha256:
        return None
    return layout.page_image_key(PIPELINE_VERSION, item.source_sha256, item.page)
