"""The dossier stage: a packet's files are matched and archived together.

For a dossier (dossiers/packets.py) the per-file matching step is replaced by one task per
packet: its records are settled together (who is the same person, cross-document checks:
dossiers/settle.py), each person is matched to the registry once with the evidence of all
their documents, then each file is archived as usual and the dossier summary beside them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NONE

from kernel import PIPELINE_VERSION
from kernel.errors import ArchiveError, RegistryUnavailableError
from kernel.records import MatchDecision, MatchResult, PersonRecord, Provenance
from kernel.settings import Settings
from dossiers.packets import Dossier
from dossiers.people import Document
from dossiers.settle import settle
from dossiers.summary import summarize
from matching.confirm import confirm_names
from matching.score import match_record
from ocr.page import PageOutput
from ocr.quality import review_flagged
from storage import open_archive
from storage.layout import dossier_summary_key
from flows.tasks import (ARCHIVE_FAILED, FileOutcome, Ingested, archive_failure, archive_file,
                         printable, record_for, registry_failure, registry_policy, with_registry)

log = logging.getLogger("sohoa.flows")
NOT_MATCHED = MatchResult(decision=MatchDecision.NO_MATCH, registry_id=None, score=None,
                          reasons=("no person of the dossier to match",))


@dataclass(frozen=True)
class DossierOutcome:
    files: list[FileOutcome]
    summary: dict
    summary_key: str | None


@task(name="settle-dossier", cache_policy=NONE, retries=2, retry_delay_seconds=2)
def settle_dossier(dossier: Dossier, files: list[tuple[Ingested, list[PageOutput]]],
                   settings: Settings, provenance: Provenance,
                   registry_fast_fail: bool = False) -> DossierOutcome:
    docs: list[Document] = []
    origin: list[tuple[Ingested, int]] = []
    pages: list[dict] = []
    for ing, outputs in files:
        for out in sorted(outputs, key=lambda o: o.page):
            pages.append({"source": ing.source, "page": out.page, "class": out.doc_class,
                          "records": len(out.records)})
            for extracted in review_flagged(out.records, out.quality):
                docs.append(Document.of(len(docs), ing.source, out.page, extracted))
                origin.append((ing, out.page))
    settled = settle(docs)
    usable = [(ing, outs) for ing, outs in files
              if not (ing.failure and ing.failure.reason == ARCHIVE_FAILED)]
    failures = [{"source": ing.source, "reason": ing.failure.reason}
                for ing, _ in files if ing.failure]

    def link(store) -> tuple[dict[str, MatchResult], list[PersonRecord]]:
        matches = {key: match_record(store, evidence, upper=settings.match_upper,
                                     lower=settings.match_lower, margin=settings.match_margin,
                                     max_candidates=settings.match_max_candidates)
                   for key, evidence in settled.evidence.items()}
        records = []
        for doc, (ing, page) in zip(docs, origin):
            match = matches.get(settled.holder.get(doc.index, ""), NOT_MATCHED)
            fields = settled.fields[doc.index]
            if match.decision is MatchDecision.MATCHED and match.registry_id:
                person = store.get(match.registry_id)
                if person is not None:
                    fields = confirm_names(fields, person)
            records.append(record_for(ing, page, doc.row, doc.role, doc.doc_type, fields, match,
                                      provenance, dossier_id=dossier.dossier_id))
        return matches, records

    try:
        matches, records = with_registry(
            settings, registry_policy(settings, fast_fail=registry_fast_fail),
            f"dossier {dossier.dossier_id}", link)
    except RegistryUnavailableError as exc:
        outcomes = [FileOutcome([], int(ing.new_original), int(not ing.new_original),
                                failure=registry_failure(ing.source, exc)) for ing, _ in usable]
        return DossierOutcome(outcomes, {}, None)
    outcomes = [archive_file(ing, outs, [r for r in records if r.source == ing.source],
                             settings, provenance) for ing, outs in usable]
    failures += [{"source": o.failure.source, "reason": o.failure.reason}
                 for o in outcomes if o.failure]
    summary = summarize(dossier, pages, settled, matches, failures)
    if any(o.failure for o in outcomes):
        return DossierOutcome(outcomes, summary, None)  # the re-run archives the summary
    key = dossier_summary_key(PIPELINE_VERSION, [ing.sha256 for ing, _ in usable])
    try:
        archive = open_archive(settings.archive, settings)
        put = archive.put_bytes(key, (json.dumps(summary, ensure_ascii=False, indent=1,
                                                 sort_keys=True) + "\n").encode())
    except ArchiveError as exc:
        failure = archive_failure(f"(dossier {dossier.dossier_id})", exc)
        return DossierOutcome(outcomes + [FileOutcome([], 0, 0, failure=failure)], summary, None)
    log.info("dossier %s: %d page(s), %d person(s), %d check(s) failed",
             printable(dossier.dossier_id), len(pages), len(settled.people),
             summary["checks_failed"])
    outcomes.append(FileOutcome([], int(put.written), int(not put.written)))
    return DossierOutcome(outcomes, summary, key)
