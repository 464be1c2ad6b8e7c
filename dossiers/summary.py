"""The dossier summary: what was found in the packet, who is in it, which checks passed.

One JSON object per dossier, written beside the export (``<export>.dossiers.jsonl``) and
archived with the packet. It holds what a clerk needs to see the packet at a glance; the
people's fields stay in the records (the summary names documents and the registry links).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kernel.records import MatchResult
from dossiers.packets import Dossier
from dossiers.settle import Settled


def summarize(dossier: Dossier, pages: list[dict[str, Any]], settled: Settled,
              matches: dict[str, MatchResult], failures: list[dict[str, str]]) -> dict[str, Any]:
    """``pages``: ``{"source", "page", "class", "records"}`` per page of the packet;
    ``failures``: files or pages of the packet that could not be read (source, reason)."""
    classes = Counter(p["class"] for p in pages)
    people = []
    for person in settled.people:
        match = matches.get(person.key)
        people.append({
            "person": person.key,
            "documents": [m.doc.label() + (f" [{m.prefix.rstrip('_')}]" if m.prefix else "")
                          for m in person.mentions],
            "match": None if match is None else {
                "decision": match.decision.value, "registry_id": match.registry_id,
                "score": None if match.score is None else round(match.score, 4)},
        })
    checks = [c.summary() for c in settled.checks]
    failed = sum(c["result"] == "failed" for c in checks)
    return {
        "dossier_id": dossier.dossier_id,
        "root": dossier.root,
        "manifest": dossier.manifest.model_dump() if dossier.manifest else None,
        "files": list(dossier.sources),
        "pages": pages,
        "documents": dict(sorted(classes.items())),
        "people": people,
        "checks": checks,
        "checks_passed": len(checks) - failed,
        "checks_failed": failed,
        "failures": failures,
        "complete": not failures,
    }
