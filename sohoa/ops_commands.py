"""`sohoa serve` and `sohoa inbox run|status`: the nightly operations from the command line.

``serve`` hands the nightly intake and fixity deployments to Prefect's own scheduler (cron and
time zone from the settings); ``inbox run`` takes the ready batches once, without a scheduler;
``inbox status`` says what is waiting, processing, done and failed. Registered on the main app
with ``app.add_typer(ops_app)`` and ``app.add_typer(inbox_app, name="inbox")``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from kernel.errors import ConfigError, SohoaError

ops_app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="Serve the nightly schedules.")
inbox_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="The inbox archivists drop batch folders into.")
console = Console()
err = Console(stderr=True)

InboxOpt = Annotated[Optional[Path], typer.Option(
    "--inbox", help="The inbox folder (SOHOA_INBOX_DIR, default <data_dir>/inbox).")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show the pipeline's log.")]


def _fail(exc: SohoaError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}", soft_wrap=True)
    if exc.hint:
        err.print(f"[yellow]what to do:[/] {exc.hint}", soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _prefect_env(verbose: bool) -> None:
    """Set before Prefect is imported: quiet, no telemetry, library logs in the run logs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "ocr,matching,storage,sohoa")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "uvicorn", "docket"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _settings(**values):
    from kernel.settings import Settings

    try:
        return Settings(**{k: v for k, v in values.items() if v is not None})
    except ValueError as exc:  # pydantic: a SOHOA_* variable that does not parse
        _fail(SohoaError(f"settings: {exc}", hint="check the SOHOA_* variables"))


@ops_app.command()
def serve(every: Annotated[Optional[float], typer.Option(
        "--every", min=1, help="Run the intake every N seconds instead of SOHOA_NIGHTLY_CRON "
                               "(to try it out).")] = None,
          verbose: Annotated[bool, typer.Option("--verbose/--quiet", "-v/-q",
                                                help="Log every run (default).")] = True) -> None:
    """Serve the nightly intake (SOHOA_NIGHTLY_CRON, default 01:00 Asia/Ho_Chi_Minh) and fixity
    check (SOHOA_FIXITY_CRON) on Prefect's scheduler until stopped (Ctrl-C, SIGTERM)."""
    _prefect_env(verbose)
    settings = _settings()
    from prefect import serve as prefect_serve
    from prefect.settings import get_current_settings

    if not get_current_settings().api.url:  # the schedules live in a server, not in this process
        _fail(ConfigError("sohoa serve needs a Prefect server to keep the schedules and runs",
                          hint="run `prefect server start --host 127.0.0.1` (or the systemd unit "
                               "in deploy/) and export PREFECT_API_URL=http://127.0.0.1:4200/api"))

    from flows.nightly import deployments

    try:
        planned = deployments(settings, every_s=every)
    except SohoaError as exc:
        _fail(exc)
    when = f"every {every:g} s" if every else f"'{settings.nightly_cron}'"
    console.print(f"intake of {settings.inbox_dir} {when}, fixity of {settings.archive} "
                  f"'{settings.fixity_cron}' ({settings.nightly_timezone})", soft_wrap=True)
    prefect_serve(*planned, limit=1, print_starting_message=verbose)  # one run at a time here


@inbox_app.command("run")
def inbox_run(inbox: InboxOpt = None,
              quiet_s: Annotated[Optional[float], typer.Option(
                  "--quiet-s", min=0, help="Take a folder without READY after N s unchanged "
                                           "(SOHOA_INBOX_QUIET_S, default 600).")] = None,
              archive: Annotated[Optional[str], typer.Option(
                  "--archive", help="Folder or s3://bucket/prefix (SOHOA_ARCHIVE).")] = None,
              registry_url: Annotated[Optional[str], typer.Option(
                  "--registry-url", help="SQLAlchemy URL (SOHOA_REGISTRY_URL).")] = None,
              workers: Annotated[Optional[int], typer.Option(
                  "--workers", min=1, help="Parallel OCR processes (default: cores).")] = None,
              verbose: VerboseOpt = False) -> None:
    """Take every ready batch of the inbox once (no scheduler); exit 1 if a batch failed."""
    from flows.inbox import FolderInbox, InboxBusyError

    overrides = {k: (str(v) if isinstance(v, Path) else v) for k, v in dict(
        inbox_dir=inbox, inbox_quiet_s=quiet_s, archive=archive, registry_url=registry_url,
        ocr_workers=workers).items() if v is not None}
    settings = _settings(**overrides)
    holder = FolderInbox(settings.inbox_dir).holder()
    if holder:  # say so at once, before starting Prefect (the flow checks again, under lock)
        _fail(InboxBusyError(f"another run is processing the inbox {settings.inbox_dir} ({holder})",
                             hint="nothing to do: that run takes the ready batches"))
    _prefect_env(verbose)
    from flows.nightly import nightly_intake

    try:
        summary = nightly_intake(overrides)
    except SohoaError as exc:
        _fail(exc)
    if summary.busy:
        _fail(InboxBusyError(summary.busy, hint="nothing to do: that run takes the ready batches"))
    table = Table(title=f"inbox {summary.inbox}")
    for col in ("batch", "now in", "files", "failed", "records"):
        table.add_column(col, justify="left" if col in ("batch", "now in") else "right")
    for b in summary.batches:
        table.add_row(b.batch, b.state + (" (resumed)" if b.resumed else ""), str(b.files),
                      str(b.files_failed), str(b.records))
    console.print(table if summary.batches else f"no batch ready in {summary.inbox}/incoming",
                  soft_wrap=True)
    for b in summary.batches:
        if b.state == "failed":
            console.print(f"[red]failed[/] {b.batch}: {b.message or 'see ' + str(b.receipt)}",
                          soft_wrap=True)
    raise typer.Exit(1 if summary.count("failed") else 0)


@inbox_app.command("status")
def inbox_status(inbox: InboxOpt = None,
                 last: Annotated[int, typer.Option("--last", min=1,
                                                   help="Finished batches to list.")] = 10) -> None:
    """What is waiting (and whether it is ready), processing, done and failed."""
    import json

    from flows.inbox import FolderInbox

    settings = _settings(inbox_dir=str(inbox) if inbox else None)
    box = FolderInbox(settings.inbox_dir, settings.inbox_quiet_s)
    holder = box.holder()
    console.print(f"inbox {box.root}: " + (f"a run is processing it ({holder})" if holder
                                            else "no run is processing it"), soft_wrap=True)
    table = Table(show_header=True)
    for col in ("state", "batch", "files", "note"):
        table.add_column(col, justify="right" if col == "files" else "left")
    for w in box.waiting():
        table.add_row("ready" if w.ready else "waiting", w.name, str(w.files),
                      w.why + ("" if w.ready else " (create READY when the copy is complete)"))
    for name in box.stray_files():
        table.add_row("not taken", name, "1", "a file straight in incoming/: put it in a batch "
                                              "folder")
    if settings.inbox_s3:
        _s3_rows(settings, table)
    for path in box.in_processing():
        table.add_row("processing", path.name, "", "" if holder else
                      "left by a run that stopped: the next run takes it again")
    for state in ("done", "failed"):
        for path in box.finished(state, last):
            note = ""
            for receipt in (path.with_name(path.name + ".report.json"),
                            path.with_name(path.name + ".error.json")):
                if receipt.is_file():
                    body = json.loads(receipt.read_text(encoding="utf-8"))
                    note = (f"{body.get('records', 0)} record(s), {body.get('files_failed', 0)} "
                            f"file(s) failed" if "records" in body else body.get("message", ""))
            table.add_row(state, path.name, "", note)
    console.print(table if table.row_count else "nothing waiting, processing or finished")


def _s3_rows(settings, table: Table) -> None:
    """The S3 inbox's batches (ready when their READY object is there) and claims."""
    from flows.inbox_s3 import S3Inbox

    try:
        s3 = S3Inbox.from_settings(settings)
        waiting, claims = s3.waiting(), s3.claims()
    except SohoaError as exc:
        _fail(exc)
    for name, ready in sorted(waiting.items()):
        if name in claims:
            table.add_row("claimed (S3)", name, "", f"by {claims[name]}")
        else:
            table.add_row(("ready" if ready else "waiting") + " (S3)", name, "",
                          s3.location + ("" if ready else ": upload READY when complete"))
