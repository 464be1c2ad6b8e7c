"""The batch flow: list scans, take them in, OCR every page, match, archive, report.

One flow run per batch. Tasks run on a thread pool of ``ocr_workers`` threads, each driving
one single-threaded tesseract process, so the cores are busy and never oversubscribed.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from prefect import flow

import kernel
from kernel.errors import ConfigError
from kernel.places import Gazetteer
from kernel.records import (DocType, FieldStatus, FileFailure, MatchDecision, PageFailure, PersonRecord,
                            Provenance)
from kernel.report import BatchReport
from kernel.settings import Settings
from matching.rules import DEFAULT_RULES
from ocr.pages import discover
from dossiers.packets import Dossier, Packets, find_dossiers
from flows.dossier import DossierOutcome, settle_dossier
from ocr.quality import page_note
from ocr.tesseract import probe
from flows.runners import dask_ready, task_runner_for
from flows import observer
from flows.reporting import publish_batch_report
from flows.tasks import (ARCHIVE_FAILED, REGISTRY_UNAVAILABLE, FileOutcome, archive_batch_bag,
                         clean_work, ingest_file, match_and_archive, ocr_page, registry_policy,
                         with_registry)

log = logging.getLogger("sohoa.flows")


def default_export(settings: Settings, batch_dir: Path) -> Path:
    return settings.data_dir / "exports" / f"{batch_dir.resolve().name}.jsonl"


@flow(name="sohoa-batch", log_prints=False, validate_parameters=False)
def process_batch(batch_dir: str, export: str | None = None,
                  overrides: dict[str, Any] | None = None) -> BatchReport:
    settings = Settings(**(overrides or {}))
    engine = probe(settings.ocr_lang).engine_id(settings.ocr_lang)
    try:
        places = Gazetteer.load(settings.admin_units)
    except FileNotFoundError as exc:
        raise ConfigError(str(exc), hint="point SOHOA_ADMIN_UNITS at the GSO unit list (CSV)") from exc
    batch = Path(batch_dir)
    started = time.monotonic()
    files, skipped = discover(batch)
    # u values estimated from this registry; a registry down at the start stops the batch
    # before anything is taken in (the scans stay where they are)
    rules = with_registry(settings, registry_policy(settings), "the batch's matching rules",
                          lambda store: store.rules_for(DEFAULT_RULES))
    provenance = Provenance(sohoa_version=kernel.__version__,
                            pipeline_version=kernel.PIPELINE_VERSION, engine=engine,
                            settings_hash=settings.fingerprint(),
                            matching_rules=rules.provenance(),
                            places=places.source)
    report = BatchReport(batch=batch.resolve().name, sohoa_version=kernel.__version__,
                         files=len(files) + len(skipped), archive=settings.archive)
    report.failures.extend(FileFailure(source=s.relative, reason=s.reason, message=s.message,
                                       hint=s.hint) for s in skipped)
    packets = find_dossiers(batch, [f.relative for f in files], every_top_level=settings.dossiers)
    report.failures.extend(FileFailure(source=p.relative, reason="dossier_manifest_unreadable",
                                       message=p.message, hint=p.hint) for p in packets.problems)
    dossier_of, waiting = packets.of(), PacketsWaiting(packets)
    log.info("batch %s: %d file(s)", report.batch, len(files))
    watch = observer.current()  # progress for the CLI (flows/observer.py)
    watch.files_found(len(files))

    ingests = [ingest_file.submit(f, settings) for f in files]
    per_file = []
    for future in ingests:
        ing = future.result()
        if ing.failure:
            report.failures.append(ing.failure)
        pages = [ocr_page.submit(ref, ing.dpi, settings) for ref in ing.pages]
        watch.file_split(len(pages))
        for page in pages:  # ticks as pages finish, in any order; results are still read in order
            page.add_done_callback(lambda _: watch.page_done())
        per_file.append((ing, pages))

    outcomes: list[FileOutcome] = []
    finishing = []
    for ing, pages in per_file:
        results = [p.result() for p in pages]
        outputs = [r for r in results if not isinstance(r, PageFailure)]
        report.page_failures.extend(r for r in results if isinstance(r, PageFailure))
        dossier = dossier_of.get(ing.source)
        report.page_notes.extend(  # a blank sheet in a dossier is a separator, not a problem
            page_note(ing.source, o.page, o.quality, len(o.records)) for o in outputs
            if o.quality and not (dossier and o.doc_class == DocType.BLANK.value))
        report.pages += len(results)
        fast_fail = registry_gave_up(finishing)
        if dossier is None:
            finishing.append(([ing], match_and_archive.submit(
                ing, outputs, settings, provenance, registry_fast_fail=fast_fail)))
        elif (packet := waiting.add(dossier, ing, outputs)) is not None:
            finishing.append(([i for i, _ in packet], settle_dossier.submit(
                dossier, packet, settings, provenance, registry_fast_fail=fast_fail)))
    summaries: list[dict] = []
    summary_keys: list[str] = []
    for ings, fut in finishing:
        done = fut.result()
        if isinstance(done, DossierOutcome):
            summaries += [done.summary] if done.summary else []
            summary_keys += [done.summary_key] if done.summary_key else []
        for outcome in outcomes_of(done):
            outcomes.append(outcome)
            if outcome.failure:
                report.failures.append(outcome.failure)
        for ing in ings:
            clean_work(settings, ing.sha256)
    if not any(f.reason in (ARCHIVE_FAILED, REGISTRY_UNAVAILABLE)  # else the re-run bags it
               for f in report.failures):
        bag = archive_batch_bag(report.batch, [ing for ing, _ in per_file], outcomes, settings,
                                extra_keys=summary_keys)
        if isinstance(bag, FileFailure):
            report.failures.append(bag)
        else:
            outcomes.append(FileOutcome([], bag.written, bag.existing))
    records = sorted((r for o in outcomes for r in o.records),
                     key=lambda r: (r.source, r.page, r.row or 0, r.role or ""))
    report.archive_new_objects = sum(o.written for o in outcomes)
    report.archive_existing_objects = sum(o.existing for o in outcomes)
    export_path = Path(export) if export else default_export(settings, batch)
    write_export(records, export_path)
    export_path.with_suffix(".rules.json").write_text(rules.to_json(), encoding="utf-8")
    summarize(report, records, time.monotonic() - started)
    if summaries:
        report.dossiers = len(summaries)
        report.dossier_checks_failed = sum(d["checks_failed"] for d in summaries)
        report.dossier_summaries = str(write_dossier_summaries(summaries, export_path))
    report.export = str(export_path)
    report.report = str(export_path.with_suffix(".report.json"))
    Path(report.report).write_text(report.model_dump_json(indent=1) + "\n", encoding="utf-8")
    publish_batch_report(report, records, settings)  # HTML report + artifacts (flows/reporting.py)
    return report


def outcomes_of(done: FileOutcome | DossierOutcome) -> list[FileOutcome]:
    return done.files if isinstance(done, DossierOutcome) else [done]


def registry_gave_up(finishing: list) -> bool:
    """Has a file already finished having waited in vain for the registry?"""
    for _, future in finishing:
        # done() first: it is local, while .state asks the Prefect API of an unfinished task
        # every time (one request per file per earlier file: quadratic in the batch's files)
        if future.wrapped_future.done() and future.state.is_completed():
            for outcome in outcomes_of(future.result()):
                if outcome.failure is not None and outcome.failure.reason == REGISTRY_UNAVAILABLE:
                    return True
    return False


class PacketsWaiting:
    """Files of each dossier as they come out of OCR; a dossier is handed on once complete."""

    def __init__(self, packets: Packets) -> None:
        self.expected = {d.dossier_id: len(d.sources) for d in packets.dossiers}
        self.got: dict[str, list] = {}

    def add(self, dossier: Dossier, ing: Any, outputs: list) -> list | None:
        got = self.got.setdefault(dossier.dossier_id, [])
        got.append((ing, outputs))
        return got if len(got) == self.expected[dossier.dossier_id] else None


def write_dossier_summaries(summaries: list[dict], export: Path) -> Path:
    """``<export>.dossiers.json``: one summary per dossier (not ``.jsonl``: the review desk
    takes every ``.jsonl`` of the exports folder for an export)."""
    path = export.with_name(export.name.removesuffix(".jsonl") + ".dossiers.json")
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(sorted(summaries, key=lambda d: d["dossier_id"]),
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_export(records: list[PersonRecord], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record.export(), ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def summarize(report: BatchReport, records: list[PersonRecord], seconds: float) -> None:
    report.records = len(records)
    for r in records:
        statuses = [f.status for f in r.fields.values()]
        report.fields_auto += sum(s is FieldStatus.AUTO for s in statuses)
        report.fields_review += sum(s is FieldStatus.REVIEW for s in statuses)
        report.records_all_auto += all(s is FieldStatus.AUTO for s in statuses)
        report.matched += r.match.decision is MatchDecision.MATCHED
        report.match_review += r.match.decision is MatchDecision.REVIEW
        report.no_match += r.match.decision is MatchDecision.NO_MATCH
    report.files_failed = len({f.source for f in report.failures} |
                              {p.source for p in report.page_failures})
    report.pages_failed = len(report.page_failures)
    report.seconds = round(seconds, 2)
    report.pages_per_second = round(report.pages / seconds, 3) if seconds > 0 else 0.0


def run_batch(batch_dir: Path, *, export: Path | None, overrides: dict[str, Any],
              progress: observer.BatchObserver | None = None) -> BatchReport:
    """Entry point for the CLI: the flow on a thread pool sized to the OCR workers, or on Dask
    (``dask_address`` / ``dask_local_workers``, flows/runners.py). ``progress`` hears of files
    and pages as they are done (not a flow parameter: flows/observer.py)."""
    runner = task_runner_for(Settings(**overrides))
    with observer.observing(progress), dask_ready(runner):
        return process_batch.with_options(task_runner=runner)(
            str(batch_dir), str(export) if export else None, overrides)
