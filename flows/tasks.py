"""Prefect tasks. Each is a few lines around a library call; they pass paths, not images."""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

import kernel
from kernel import PIPELINE_VERSION
from kernel.errors import ArchiveError, EngineError, InputFileError, RegistryUnavailableError
from kernel.retry import RetryPolicy, retrying
from kernel.places import Gazetteer
from kernel.syllables import SyllableLexicon
from kernel.records import (DocType, ExtractedRecord, FieldValue, FileFailure, MatchDecision,
                            MatchResult, PageFailure, PageRef, PersonRecord, Provenance,
                            record_id_for)
from kernel.settings import Settings
from ocr.cache import PageCache, cache_root, read_page
from ocr.page import PageOutput
from ocr.quality import review_flagged
from ocr.searchable import join_pages
from ocr.pages import SourceFile, split_pages
from storage import StoredObject, open_archive, sha256_file
from matching.registry import RegistryStore
from matching.confirm import confirm_names
from matching.score import match_record
from storage.archiving import PageArtifacts, archive_original, archive_results, quarantine
from storage.bag import BagInfo, BagResult, collect_objects, who_dropped, write_bag
from storage.layout import original_key, quarantine_note_key, record_key

log = logging.getLogger("sohoa.flows")


def printable(text: str) -> str:
    """Text for a log line: control characters (a newline in a file name could forge a log
    line) are shown escaped; Vietnamese letters stay as they are."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


@dataclass(frozen=True)
class Ingested:
    source: str
    sha256: str
    original: StoredObject
    pages: list[PageRef]
    dpi: int | None
    new_original: bool
    failure: FileFailure | None = None


@task(name="ingest-file", cache_policy=NONE, retries=0)
def ingest_file(src: SourceFile, settings: Settings) -> Ingested:
    """Archive the original first, then split it into page images in the work folder."""
    sha = sha256_file(src.path)
    try:
        archive = open_archive(settings.archive, settings)
        put = archive_original(archive, src.path, sha)
    except ArchiveError as exc:  # the archive is down: this file fails, the next run takes it
        obj = StoredObject(original_key(sha, src.path.name), sha, src.path.stat().st_size)
        return Ingested(src.relative, sha, obj, [], None, False, archive_failure(src.relative, exc))
    try:
        pages = split_pages(src.path, settings.work_dir / "pages" / sha,
                            max_pixels=settings.max_image_pixels,
                            max_pages=settings.max_pages_per_file, pdf_dpi=settings.pdf_dpi)
    except InputFileError as exc:
        try:
            key = quarantine(archive, src.path, sha, src.relative, exc)
        except ArchiveError as archive_exc:
            return Ingested(src.relative, sha, put.obj, [], None, put.written,
                            archive_failure(src.relative, archive_exc))
        message = named_by_relative_path(exc.message, src)
        log.warning("%s", printable(message))
        failure = FileFailure(source=src.relative, reason=exc.reason, message=message,
                              hint=exc.hint, quarantine_key=key)
        return Ingested(src.relative, sha, put.obj, [], None, put.written, failure)
    refs = [PageRef(source=src.relative, source_sha256=sha, page=p.page, image_path=str(p.path))
            for p in pages]
    dpi = pages[0].dpi if pages else None
    return Ingested(src.relative, sha, put.obj, refs, dpi, put.written)


def named_by_relative_path(message: str, src: SourceFile) -> str:
    """The loader names the file by its base name; in the receipt a file in a sub-folder is
    named by its path in the batch (two folders may each hold a ``scan.png``)."""
    import unicodedata

    base = unicodedata.normalize("NFC", src.path.name)
    if src.relative != base and message.startswith(base + ":"):
        return src.relative + message[len(base):]
    return message


@task(name="ocr-page", cache_policy=NONE, retries=1, retry_delay_seconds=2)
def ocr_page(ref: PageRef, dpi: int | None, settings: Settings) -> PageOutput | PageFailure:
    """OCR one page, from the OCR cache when it was read before (ocr/cache.py). A tesseract
    crash is tried once more (a killed or crashed process may not happen twice); a timeout is
    not retried (the same page would time out again): the page fails and the batch goes on."""
    cache = PageCache(cache_root(settings.data_dir)) if settings.ocr_cache else None
    options = dict(dpi=dpi, lang=settings.ocr_lang, timeout_s=settings.ocr_timeout_s,
                   auto_min=settings.field_auto_min_confidence,
                   structured_auto_min=settings.field_auto_min_structured,
                   gazetteer=Gazetteer.load(settings.admin_units),
                   lexicon=SyllableLexicon.load(str(settings.word_lists)
                                                if settings.word_lists else None),
                   searchable_pdf=settings.searchable_pdf)
    for _attempt in range(2):
        try:
            return read_page(cache, Path(ref.image_path), ref.page, **options)
        except EngineError as exc:
            failure = exc
            log.warning("%s page %d: %s", printable(ref.source), ref.page, printable(exc.message))
            if isinstance(exc.__cause__, subprocess.TimeoutExpired):
                break
    return PageFailure(source=ref.source, page=ref.page, reason="ocr_failed", message=str(failure))


def clean_work(settings: Settings, sha: str) -> None:
    shutil.rmtree(settings.work_dir / "pages" / sha, ignore_errors=True)


ARCHIVE_FAILED = "archive_failed"


def archive_failure(source: str, exc: ArchiveError) -> FileFailure:
    log.error("%s: not archived: %s", printable(source), printable(exc.message))
    return FileFailure(source=source, reason=ARCHIVE_FAILED, message=f"{source}: {exc.message}",
                       hint=exc.hint)


@dataclass(frozen=True)
class FileOutcome:
    records: list[PersonRecord]
    written: int
    existing: int
    manifest_key: str | None = None
    failure: FileFailure | None = None


REGISTRY_UNAVAILABLE = "registry_unavailable"


def registry_policy(settings: Settings, *, fast_fail: bool = False) -> RetryPolicy:
    """How long a file waits for a registry that is down or locked. Once one file of the
    batch has given up, the others try once (``fast_fail``): a night's batch of a thousand
    files must not wait a thousand times for a database that is gone."""
    return RetryPolicy(attempts=1 if fast_fail else settings.registry_attempts,
                       base_s=settings.registry_retry_base_s, max_s=30.0)


def with_registry(settings: Settings, policy: RetryPolicy, what: str, use):
    """``use(store)`` on a fresh connection to the registry, retried while it is unavailable."""
    def attempt():
        with RegistryStore(settings.registry_url) as store:
            return use(store)

    def note(exc: BaseException, attempt_no: int, pause: float) -> None:
        log.warning("%s: %s; try %d of %d in %.1f s", printable(what), exc.message if isinstance(
            exc, RegistryUnavailableError) else exc, attempt_no + 1, policy.attempts, pause)

    return retrying(attempt, transient=(RegistryUnavailableError,), policy=policy, on_retry=note)


def registry_failure(source: str, exc: RegistryUnavailableError) -> FileFailure:
    log.error("%s: records not made: %s", printable(source), printable(exc.message))
    return FileFailure(source=source, reason=REGISTRY_UNAVAILABLE,
                       message=f"{source}: {exc.message}; its records are not in this export",
                       hint=exc.hint)


@task(name="match-and-archive", cache_policy=NONE, retries=2, retry_delay_seconds=2)
def match_and_archive(ingested: Ingested, outputs: list[PageOutput], settings: Settings,
                      provenance: Provenance, registry_fast_fail: bool = False) -> FileOutcome:
    """Match the file's people to the registry, then archive pages, OCR, records, manifest.

    A registry that stays unavailable fails this file only: its original is archived, its
    records are left out of the export (none half-matched), and the next run makes them."""
    if ingested.failure and ingested.failure.reason == ARCHIVE_FAILED:
        return FileOutcome([], 0, 0)  # reported at ingest; nothing is archived before the original
    try:
        records = with_registry(
            settings, registry_policy(settings, fast_fail=registry_fast_fail), ingested.source,
            lambda store: [build_record(ingested, out.page, extracted, settings, store, provenance)
                           for out in outputs
                           for extracted in review_flagged(out.records, out.quality)])
    except RegistryUnavailableError as exc:
        return FileOutcome([], int(ingested.new_original), int(not ingested.new_original),
                           failure=registry_failure(ingested.source, exc))
    return archive_file(ingested, outputs, records, settings, provenance)


def archive_file(ingested: Ingested, outputs: list[PageOutput], records: list[PersonRecord],
                 settings: Settings, provenance: Provenance) -> FileOutcome:
    """Archive a file's pages, OCR, searchable PDF, records, then its manifest."""
    artifacts = [PageArtifacts(o.page, o.preprocessed, o.hocr) for o in outputs]
    try:
        archive = open_archive(settings.archive, settings)
        done = archive_results(archive, pipeline=PIPELINE_VERSION, source=ingested.source,
                               sha=ingested.sha256, original=ingested.original, pages=artifacts,
                               records=records, provenance=provenance.model_dump(),
                               searchable_pdf=file_pdf(ingested, outputs, settings))
    except ArchiveError as exc:  # records are left out of the export; the next run takes them
        return FileOutcome([], int(ingested.new_original), int(not ingested.new_original),
                           failure=archive_failure(ingested.source, exc))
    log.info("%s: %d record(s), %d new object(s) archived", printable(ingested.source), len(records),
             done.written)
    return FileOutcome(records, done.written + int(ingested.new_original),
                       done.existing + int(not ingested.new_original), done.manifest_key)


def file_pdf(ingested: Ingested, outputs: list[PageOutput], settings: Settings) -> Path | None:
    """The file's searchable PDF, joined from its pages' PDFs; only when every page has one
    (a PDF with a page missing would pass for the whole file)."""
    pdfs = [o.pdf for o in sorted(outputs, key=lambda o: o.page) if o.pdf is not None]
    if not settings.searchable_pdf or not pdfs or len(pdfs) != len(ingested.pages):
        return None
    return join_pages(pdfs, settings.work_dir / "pages" / ingested.sha256 / "searchable.pdf")


@task(name="archive-batch-bag", cache_policy=NONE, retries=0)
def archive_batch_bag(batch: str, ingested: list[Ingested], outcomes: list[FileOutcome],
                      settings: Settings, extra_keys: list[str] | None = None
                      ) -> BagResult | FileFailure:
    """The batch's BagIt bag: every object of the batch with its SHA-256, who, when, version."""
    manifests = [o.manifest_key for o in outcomes if o.manifest_key]
    loose = [k for i in ingested if i.failure and i.failure.quarantine_key
             for k in (i.original.key, i.failure.quarantine_key, quarantine_note_key(i.sha256))]
    quarantined = len(loose) // 3
    loose += extra_keys or []  # dossier summaries
    info = BagInfo(batch=batch, dropped_by=who_dropped(settings),
                   dropped_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   sohoa_version=kernel.__version__, pipeline=PIPELINE_VERSION,
                   files=len(ingested), quarantined=quarantined)
    try:
        archive = open_archive(settings.archive, settings)
        bag = write_bag(archive, info, collect_objects(archive, manifests, loose))
    except ArchiveError as exc:
        return archive_failure(f"(bag of batch {batch})", exc)
    log.info("batch %s: bag %s (%d new object(s))", batch, archive.describe(bag.prefix), bag.written)
    return bag


def build_record(ingested: Ingested, page: int, extracted: ExtractedRecord, settings: Settings,
                 store: RegistryStore, provenance: Provenance) -> PersonRecord:
    fields = {name: fv.value for name, fv in extracted.fields.items()}
    match = match_record(store, fields, upper=settings.match_upper, lower=settings.match_lower,
                         margin=settings.match_margin, max_candidates=settings.match_max_candidates)
    checked = extracted.fields
    if match.decision is MatchDecision.MATCHED and match.registry_id:
        person = store.get(match.registry_id)
        if person is not None:
            checked = confirm_names(extracted.fields, person)
    return record_for(ingested, page, extracted.row, extracted.role, extracted.doc_type,
                      checked, match, provenance)


def record_for(ingested: Ingested, page: int, row: int | None, role: str | None,
               doc_type: DocType, fields: dict[str, FieldValue], match: MatchResult,
               provenance: Provenance, dossier_id: str | None = None) -> PersonRecord:
    rid = record_id_for(ingested.sha256, page, row, role)
    return PersonRecord(
        record_id=rid, source=ingested.source, source_sha256=ingested.sha256, page=page,
        row=row, role=role, doc_type=doc_type, fields=fields, match=match,
        dossier_id=dossier_id,
        archive_key=record_key(PIPELINE_VERSION, ingested.sha256, rid), provenance=provenance)
