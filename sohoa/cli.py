"""`sohoa`: the command line. The front door; nothing imports it.

Prefect and the pipeline are imported lazily inside commands, after the environment that
keeps Prefect quiet and local has been set.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from kernel.errors import SohoaError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Digitize Vietnamese civil-status scans into verified, archived records.")
registry_app = typer.Typer(no_args_is_help=True, help="The population registry to match against.")
app.add_typer(registry_app, name="registry")
console = Console(stderr=False)
err = Console(stderr=True)

ArchiveOpt = Annotated[Optional[str], typer.Option("--archive", help="Folder or s3://bucket/prefix (SOHOA_ARCHIVE).")]
RegistryOpt = Annotated[Optional[str], typer.Option("--registry-url", help="SQLAlchemy URL (SOHOA_REGISTRY_URL).")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show the pipeline's log.")]


def _overrides(**values) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def _quiet_prefect(verbose: bool) -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "ocr,matching,storage,sohoa")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if verbose else "warning")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "uvicorn", "docket"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _fail(exc: SohoaError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}")
    if exc.hint:
        err.print(f"[yellow]what to do:[/] {exc.hint}")
    raise typer.Exit(exc.exit_code)


@app.command()
def run(batch_dir: Annotated[Path, typer.Argument(help="Folder of scans (nested folders too).")],
        export: Annotated[Optional[Path], typer.Option("--export", help="JSONL file to write.")] = None,
        archive: ArchiveOpt = None, registry_url: RegistryOpt = None,
        workers: Annotated[Optional[int], typer.Option("--workers", help="Parallel OCR processes (default: cores).")] = None,
        dask_address: Annotated[Optional[str], typer.Option(
            "--dask-address", help="Run pages on this Dask scheduler (tcp://host:port); its "
                                   "workers must share the data folder (SOHOA_DASK_ADDRESS).")] = None,
        dask_local: Annotated[Optional[int], typer.Option(
            "--dask-local", min=1, help="Run pages on a local Dask cluster of N worker "
                                        "processes (SOHOA_DASK_LOCAL_WORKERS).")] = None,
        dossiers: Annotated[bool, typer.Option(
            "--dossiers", help="Every top-level folder or file of BATCH_DIR is one dossier (hồ "
                               "sơ); folders with a dossier.json are dossiers anyway.")] = False,
        verbose: VerboseOpt = False) -> None:
    """OCR, extract, match and archive every page of BATCH_DIR; print the batch receipt."""
    if not batch_dir.is_dir():
        _fail(SohoaError(f"{batch_dir}: no such folder", hint="give the folder that holds the scans"))
    _quiet_prefect(verbose)
    from flows.batch import run_batch  # noqa: PLC0415 (prefect import after env set-up)

    overrides = _overrides(archive=archive, registry_url=registry_url, ocr_workers=workers,
                           dask_address=dask_address, dask_local_workers=dask_local,
                           dossiers=dossiers or None)
    _warn_if_registry_empty(overrides)
    from sohoa.progress import progress_for

    try:
        with progress_for(console) as progress:  # a bar on a terminal, plain lines otherwise
            report = run_batch(batch_dir, export=export, overrides=overrides, progress=progress)
    except SohoaError as exc:
        _fail(exc)
    print_report(report)
    raise typer.Exit(0 if report.ok else 1)


def _warn_if_registry_empty(overrides: dict) -> None:
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    settings = Settings(**overrides)
    if settings.registry_url.startswith("sqlite:///") and not Path(
            settings.registry_url.removeprefix("sqlite:///")).exists():
        count = 0
    else:
        try:
            with RegistryStore(settings.registry_url) as store:
                count = store.count()
        except SohoaError as exc:
            _fail(exc)
    if count == 0:
        err.print("[yellow]warning:[/] the registry is empty, so no record can be matched; "
                  "load one with `sohoa registry import REGISTRY.csv`")


def print_report(report) -> None:
    print_records(report.export)
    table = Table(title=f"batch receipt: {report.batch}", show_header=True)
    table.add_column("", style="bold")
    table.add_column("count", justify="right")
    for label, value in [
        ("files", report.files), ("files failed", report.files_failed),
        ("pages", report.pages), ("pages failed", report.pages_failed),
        ("pages flagged for review", len(report.page_notes)),
        ("records", report.records), ("records with every field auto", report.records_all_auto),
        ("fields auto / review", f"{report.fields_auto} / {report.fields_review}"),
        ("matched", report.matched), ("match to review", report.match_review),
        ("no match", report.no_match),
        ("archived new / already there", f"{report.archive_new_objects} / {report.archive_existing_objects}"),
        ("pages per second", f"{report.pages_per_second:.2f}"),
    ] + ([("dossiers", report.dossiers),
          ("dossier checks failed", report.dossier_checks_failed)] if report.dossiers else []):
        table.add_row(label, str(value))
    console.print(table)
    for f in report.failures:
        console.print(f"[red]failed[/] {f.source}: {f.message}" + (f" — {f.hint}" if f.hint else ""))
        if f.quarantine_key:
            console.print(f"       original quarantined at {f.quarantine_key}")
    for p in report.page_failures:
        console.print(f"[red]failed[/] {p.source} page {p.page}: {p.message}")
    for p in report.page_notes:  # flagged pages (blank, too dark...): to review, not failures
        console.print(f"[yellow]to review[/] {p.source} page {p.page}: {p.message}", soft_wrap=True)
    console.print(f"export:  {report.export}", soft_wrap=True)
    console.print(f"report:  {report.report}", soft_wrap=True)
    if report.dossier_summaries:
        console.print(f"dossiers: {report.dossier_summaries}", soft_wrap=True)
    html = Path(report.report).with_suffix(".html") if report.report else None
    if html is not None and html.exists():
        console.print(f"html:    {html}", soft_wrap=True)
    console.print(f"archive: {report.archive}", soft_wrap=True)


RECORD_ROWS = 20


def print_records(export: str | None) -> None:
    """The first records of the export, one line each; ID numbers masked."""
    import json

    from kernel.civil_id import mask

    if not export or not Path(export).exists():
        return
    table = Table(title="records", show_header=True)
    table.add_column("source", overflow="fold", min_width=24)
    for col in ("page", "auto/review", "match", "registry id", "score"):
        table.add_column(col, no_wrap=True)
    with open(export, encoding="utf-8") as lines:
        for count, line in enumerate(lines):
            if count == RECORD_ROWS:
                console.print(table)
                console.print(f"... more records in {export}", soft_wrap=True)
                return
            r = json.loads(line)
            statuses = [f["status"] for f in r["fields"].values()]
            m = r["match"]
            table.add_row(r["source"], str(r["page"]) + (f" row {r['row']}" if r["row"] else ""),
                          f"{statuses.count('auto')}/{statuses.count('review')}", m["decision"],
                          mask(m["registry_id"]), "" if m["score"] is None else f"{m['score']:.2f}")
    console.print(table)


@registry_app.command("import")
def registry_import(csv_path: Annotated[Path, typer.Argument(help="Registry export (CSV, UTF-8).")],
                    registry_url: RegistryOpt = None,
                    encoding: Annotated[str, typer.Option("--encoding", help="utf-8, tcvn3 or vni (legacy exports)")] = "utf-8") -> None:
    """Load a registry export; bad rows are listed with their line numbers."""
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    settings = Settings(**_overrides(registry_url=registry_url))
    if settings.registry_url.startswith("sqlite:///"):
        Path(settings.registry_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        from sohoa.match_commands import import_with_progress

        store = RegistryStore(settings.registry_url)
        result = import_with_progress(store, csv_path, encoding=encoding)
        total = store.count()
        store.close()
    except SohoaError as exc:
        _fail(exc)
    console.print(f"registry import {csv_path.name}: {result.inserted} inserted, {result.updated} updated, "
                  f"{result.unchanged} unchanged, {len(result.errors)} bad row(s); {total} people in "
                  f"{settings.registry_url}")
    for line, message in result.errors[:50]:
        console.print(f"[red]line {line}[/]: {message}")
    if len(result.errors) > 50:
        console.print(f"... and {len(result.errors) - 50} more")
    raise typer.Exit(1 if result.errors else 0)


@app.command()
def synth(out: Annotated[Path, typer.Argument(help="Folder to write the corpus into.")],
          docs: Annotated[int, typer.Option("--docs", min=0, help="Documents (pages) to draw.")] = 50,
          registry: Annotated[int, typer.Option("--registry", min=0, help="Unrelated registry people.")] = 500,
          seed: Annotated[int, typer.Option("--seed")] = 1,
          difficulty: Annotated[str, typer.Option("--difficulty", help="clean, typical or hard.")] = "typical",
          images: Annotated[bool, typer.Option("--images/--no-images", help="Draw the scans.")] = True,
          dossiers: Annotated[int, typer.Option(
              "--dossiers", min=0, help="Administrative-procedure dossiers to draw besides "
                                        "(batch/dossiers/, dossiers.jsonl).")] = 0,
          disagree_rate: Annotated[float, typer.Option(
              "--disagree-rate", min=0.0, max=1.0, help="Share of birth dossiers with a planted "
                                                        "disagreement between documents.")] = 0.1) -> None:
    """Generate a synthetic corpus with exact ground truth: scans, registry.csv, truth.jsonl
    (and, with --dossiers, dossiers.jsonl)."""
    from rich.progress import Progress

    from synth.corpus import generate_corpus

    if difficulty not in ("clean", "typical", "hard"):
        _fail(SohoaError(f"unknown difficulty {difficulty!r}", hint="use clean, typical or hard"))
    if docs + dossiers < 1:
        _fail(SohoaError("nothing to draw", hint="give --docs 1 or more, or --dossiers 1 or more"))
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("drawing documents", total=docs)
        summary = generate_corpus(out, docs=docs, registry=registry, seed=seed,
                                  difficulty=difficulty, images=images, dossiers=dossiers,
                                  disagree_rate=disagree_rate,
                                  progress=lambda done, total: bar.update(task, completed=done,
                                                                          total=total))
    console.print(summary)
    console.print(f"scans: {out / 'batch'}\nregistry: {out / 'registry.csv'}\n"
                  f"truth: {out / 'truth.jsonl'}", soft_wrap=True)


@app.command("eval")
def evaluate(truth: Annotated[Path, typer.Argument(help="truth.jsonl of a synthetic corpus.")],
             records: Annotated[Path, typer.Argument(help="The export (records JSONL) to score.")],
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False) -> None:
    """Score an export against ground truth: fields, auto-field errors, link quality."""
    import json

    from evaluation.scorecard import score_files
    from sohoa.scorecard_view import print_scorecard

    for path in (truth, records):
        if not path.is_file():
            _fail(SohoaError(f"{path}: no such file", hint="give the truth and the export JSONL files"))
    card = score_files(truth, records)
    if as_json:
        print(json.dumps(card.as_dict(), ensure_ascii=False, indent=1))
    else:
        print_scorecard(card, console)


@app.command()
def check() -> None:
    """Check that tesseract, its Vietnamese model and poppler are installed."""
    from ocr.tesseract import probe

    try:
        info = probe("vie")
    except SohoaError as exc:
        _fail(exc)
    console.print(f"tesseract {info.version}, languages: {', '.join(sorted(info.languages))}")


def _register_archive_commands() -> None:
    from sohoa.archive_commands import archive_app

    app.add_typer(archive_app)


_register_archive_commands()


def _register_review_commands() -> None:
    from sohoa.review_commands import review_app, users_app

    app.add_typer(review_app)  # sohoa review [--host 127.0.0.1 --port 8700]
    app.add_typer(users_app, name="users")  # sohoa users add|list|set-role|...


_register_review_commands()


def _register_match_commands() -> None:
    from sohoa.match_commands import match_app

    app.add_typer(match_app)  # sohoa match RECORDS.csv --out MATCHES.csv


_register_match_commands()


def _register_ops_commands() -> None:
    from sohoa.ops_commands import inbox_app, ops_app

    app.add_typer(ops_app)  # sohoa serve [--every S]
    app.add_typer(inbox_app, name="inbox")  # sohoa inbox run|status


_register_ops_commands()


def _register_cache_commands() -> None:
    from sohoa.cache_commands import cache_app

    app.add_typer(cache_app, name="cache")  # sohoa cache info|prune --older-than DAYS|clear


_register_cache_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
