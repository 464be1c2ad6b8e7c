"""The nightly flows and their schedules: take the inbox's ready batches, check the archive.

``nightly_intake`` holds the inbox lock (one run at a time), first finishes what a dead run
left in ``processing/`` (and the S3 inbox's own claims), then claims ready batches one after
another and runs the batch flow on each, moving each to ``done/`` or ``failed/``. An error
that is about the surroundings, not the batch (a :class:`SohoaError` out of the batch flow:
registry or archive unreachable, a missing program, a bad setting) stops the run and leaves the
batch in ``processing/`` for the next run; any other error fails that batch only.

``nightly_fixity`` re-reads the archive (``sohoa fixity``) and fails its run on any problem.

:func:`deployments` is the one place the schedules live (``sohoa serve`` serves them): cron and
time zone from the settings, and a concurrency limit of one run per deployment.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from pydantic import BaseModel, Field

from flows.batch import run_batch
from flows.inbox import FolderInbox, InboxBusyError
from kernel.errors import ArchiveError, ConfigError, SohoaError
from kernel.settings import Settings

log = logging.getLogger("sohoa.nightly")
INTAKE_DEPLOYMENT = "nightly-intake"
FIXITY_DEPLOYMENT = "nightly-fixity"


class BatchOutcome(BaseModel):
    batch: str
    state: str  # done, failed, or processing (left for the next run)
    resumed: bool = False  # left in processing/ by a run that died
    files: int = 0
    files_failed: int = 0
    records: int = 0
    receipt: str | None = None
    message: str | None = None


class IntakeSummary(BaseModel):
    inbox: str
    busy: str | None = None  # another run holds the inbox: this one took nothing
    stopped: str | None = None  # why the run stopped before the inbox was empty
    batches: list[BatchOutcome] = Field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(b.state == state for b in self.batches)


def open_inbox(settings: Settings) -> FolderInbox:
    return FolderInbox(settings.inbox_dir, settings.inbox_quiet_s)


def _s3_source(settings: Settings):
    if not settings.inbox_s3:
        return None
    from flows.inbox_s3 import S3Inbox  # noqa: PLC0415 (only with an S3 inbox)

    return S3Inbox.from_settings(settings)


def _take(inbox: FolderInbox, path: Path, overrides: dict[str, Any], resumed: bool,
          summary: IntakeSummary) -> None:
    """One batch through the batch flow, then to done/ or failed/."""
    try:
        report = run_batch(path, export=None, overrides=overrides)
    except SohoaError as exc:  # the surroundings: leave the batch for the next run
        summary.batches.append(BatchOutcome(batch=path.name, state="processing", resumed=resumed,
                                            message=exc.message))
        raise
    except Exception as exc:  # noqa: BLE001 (the batch broke the flow: fail it, go on)
        log.error("batch %s failed: %s: %s", path.name, type(exc).__name__, exc)
        moved = inbox.finish(path, ok=False, error=exc)
        summary.batches.append(BatchOutcome(batch=path.name, state="failed", resumed=resumed,
                                            receipt=str(moved.receipt), message=str(exc)))
        return
    moved = inbox.finish(path, ok=report.ok, receipt=Path(report.report) if report.report else None)
    summary.batches.append(BatchOutcome(
        batch=path.name, state=moved.state, resumed=resumed, files=report.files,
        files_failed=report.files_failed, records=report.records,
        receipt=str(moved.receipt) if moved.receipt else None))
    log.info("batch %s: %d file(s), %d failed, %d record(s) -> %s/", path.name, report.files,
             report.files_failed, report.records, moved.state)


def _publish(summary: IntakeSummary) -> None:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = "\n".join(f"| {cell(b.batch)} | {b.state}{' (resumed)' if b.resumed else ''} | "
                     f"{b.files} | {b.files_failed} | {b.records} | {cell(b.message or '')} |"
                     for b in summary.batches)
    text = (f"# Nightly intake of `{summary.inbox}`\n\n"
            + (f"**Stopped:** {summary.stopped}\n\n" if summary.stopped else "")
            + ("| batch | state | files | failed | records | note |\n|---|---|---|---|---|---|\n"
               + rows if summary.batches else "No batch was ready."))
    try:
        create_markdown_artifact(text, key="nightly-intake", description="batches taken tonight")
    except Exception as exc:  # noqa: BLE001 (a summary that cannot be shown loses no batch)
        log.warning("could not publish the intake summary: %s", exc)


@flow(name="sohoa-nightly-intake", log_prints=False, validate_parameters=False)
def nightly_intake(overrides: dict[str, Any] | None = None) -> IntakeSummary:
    """Take every ready batch of the inbox once; return what happened to each."""
    overrides = dict(overrides or {})
    settings = Settings(**overrides)
    inbox = open_inbox(settings)
    summary = IntakeSummary(inbox=str(inbox.root))
    with ExitStack() as held:
        try:
            held.enter_context(inbox.lock())
        except InboxBusyError as exc:
            log.warning("%s", exc.message)
            summary.busy = exc.message
            return summary
        try:
            source = _s3_source(settings)
            if source is not None:
                source.settle(inbox)  # its own claims left by a run that died: to processing/
            for path in inbox.in_processing():  # left by a run that died
                log.warning("batch %s was left in processing/ by a run that stopped: taking it "
                            "again", path.name)
                _take(inbox, path, overrides, True, summary)
            while path := (source.claim_next(inbox) if source else None) or inbox.claim_next():
                _take(inbox, path, overrides, False, summary)
        except SohoaError as exc:  # e.g. the S3 inbox unreachable: the run fails, says why
            summary.stopped = summary.stopped or exc.message + (f" ({exc.hint})" if exc.hint else "")
            raise
        finally:
            _publish(summary)
    return summary


class FixitySummary(BaseModel):
    location: str
    manifests: int
    bags: int
    listed: int
    checked: int
    problems: list[str] = Field(default_factory=list)
    partial_removed: int = 0  # temp files of interrupted writes swept (local archive)


@flow(name="sohoa-nightly-fixity", log_prints=False, validate_parameters=False)
def nightly_fixity(sample: int | None = None,
                   overrides: dict[str, Any] | None = None) -> FixitySummary:
    """Re-read archived objects against their manifests and bags; fail on any problem."""
    from storage import open_archive  # noqa: PLC0415
    from storage.fixity import check_fixity  # noqa: PLC0415

    settings = Settings(**(overrides or {}))
    sample = sample or settings.fixity_sample
    archive = open_archive(settings.archive, settings)
    swept = archive.sweep_partial()
    report = check_fixity(archive, sample=sample)
    summary = FixitySummary(location=report.location, manifests=report.manifests,
                            bags=report.bags, listed=report.listed, checked=report.checked,
                            problems=[f"{p.kind} {p.key}: {p.detail}" for p in report.problems],
                            partial_removed=swept)
    if swept:
        log.info("fixity of %s: %d unfinished write(s) older than a day removed",
                 report.location, swept)
    lines = "\n".join(f"- {p}" for p in summary.problems[:200]) or "Every object re-read matches."
    try:
        create_markdown_artifact(
            f"# Fixity of `{report.location}`\n\n{report.manifests} manifest(s), {report.bags} "
            f"bag(s), {report.listed} object(s) listed, {report.checked} re-read"
            f"{f'; {swept} unfinished write(s) removed' if swept else ''}.\n\n{lines}",
            key="nightly-fixity", description="archive fixity check")
    except Exception as exc:  # noqa: BLE001
        log.warning("could not publish the fixity summary: %s", exc)
    if not report.ok:
        raise ArchiveError(f"fixity of {report.location}: {len(report.problems)} problem(s), "
                           f"first: {summary.problems[0]}",
                           hint="run `sohoa fixity` for the full list; a kept version or the "
                                "original scans restore a damaged object")
    log.info("fixity of %s: %d object(s) re-read, all match", report.location, report.checked)
    return summary


def deployments(settings: Settings, *, every_s: float | None = None) -> list:
    """The intake (``nightly_cron``, or every ``every_s`` seconds) and the fixity check
    (``fixity_cron``), both in ``nightly_timezone``, at most one run of each at a time."""
    from prefect.client.schemas.objects import (ConcurrencyLimitConfig,  # noqa: PLC0415
                                                ConcurrencyLimitStrategy)
    from prefect.deployments.runner import EntrypointType  # noqa: PLC0415
    from prefect.schedules import Cron, Interval  # noqa: PLC0415

    one_at_a_time = ConcurrencyLimitConfig(limit=1,
                                           collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)

    try:
        ZoneInfo(settings.nightly_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"SOHOA_NIGHTLY_TIMEZONE={settings.nightly_timezone!r} is not a time "
                          "zone", hint="an IANA time zone such as Asia/Ho_Chi_Minh") from None

    def cron(variable: str, value: str):
        try:
            return Cron(value, timezone=settings.nightly_timezone)
        except ValueError:
            raise ConfigError(f"{variable}={value!r} is not a cron line",
                              hint="five fields: minute hour day month weekday, e.g. '0 1 * * *' "
                                   "for 01:00 every day") from None

    intake = cron("SOHOA_NIGHTLY_CRON", settings.nightly_cron) if every_s is None \
        else Interval(every_s, timezone=settings.nightly_timezone)
    fixity = cron("SOHOA_FIXITY_CRON", settings.fixity_cron)
    return [
        nightly_intake.to_deployment(
            name=INTAKE_DEPLOYMENT, schedule=intake, concurrency_limit=one_at_a_time,
            entrypoint_type=EntrypointType.MODULE_PATH, tags=["sohoa", "nightly"],
            description=f"Take the ready batches of {settings.inbox_dir}"),
        nightly_fixity.to_deployment(
            name=FIXITY_DEPLOYMENT, schedule=fixity, concurrency_limit=one_at_a_time,
            entrypoint_type=EntrypointType.MODULE_PATH, tags=["sohoa", "nightly"],
            parameters={"sample": settings.fixity_sample},
            description=f"Re-read the archive {settings.archive} against its manifests"),
    ]
