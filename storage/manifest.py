"""Per-source-file manifests: every archived object's SHA-256 and size."""

from __future__ import annotations

import json
from dataclasses import asdict

from storage.base import Archive, StoredObject


def manifest_bytes(source: str, source_sha256: str, objects: list[StoredObject],
                   provenance: dict) -> bytes:
    """Deterministic JSON (sorted, no timestamps) so identical runs give identical manifests."""
    body = {
        "source": source,
        "source_sha256": source_sha256,
        "provenance": provenance,
        "objects": [asdict(o) for o in sorted(objects, key=lambda o: o.key)],
    }
    return (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def verify_manifest(archive: Archive, key: str) -> list[str]:
    """Problems found re-reading the objects a manifest lists (empty when all verify).

    Reads every object back (``Archive.digest``), so it checks the stored bytes, not a
    recorded checksum."""
    manifest = json.loads(archive.get_bytes(key))
    problems = []
    for entry in manifest["objects"]:
        found = archive.digest(entry["key"])
        if found is None:
            problems.append(f"missing: {entry['key']}")
        elif found.sha256 != entry["sha256"] or found.size != entry["size"]:
            problems.append(f"changed: {entry['key']}")
    return problems
