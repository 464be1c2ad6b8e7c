"""`sohoa match`: typed records (a clerk's spreadsheet, another system's export) matched to
the registry with the pipeline's rule set and decisions; and the registry import with a
progress bar and legacy encodings.

Registered on the main app with ``app.add_typer(match_app)`` (the command joins the top
level); also runnable alone: ``python -m sohoa.match_commands RECORDS.csv --out M.csv``.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from kernel.errors import SohoaError

match_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="Match typed records to the registry.")
console = Console()
err = Console(stderr=True)

EncodingOpt = Annotated[str, typer.Option(
    "--encoding", help="utf-8 (NFC or NFD), or a legacy export: tcvn3, vni.")]


def _fail(exc: SohoaError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}", soft_wrap=True)
    if exc.hint:
        err.print(f"[yellow]what to do:[/] {exc.hint}", soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True)


def _data_rows(path: Path) -> int:
    """Lines after the header (a quoted field over two lines counts twice: a bound)."""
    with path.open("rb") as fh:
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                   - 1)


def import_with_progress(store, csv_path: Path, *, encoding: str = "utf-8"):
    """``store.import_csv`` with a progress bar on stderr (for ``sohoa registry import``)."""
    total = _data_rows(csv_path) if csv_path.is_file() else None
    with _progress() as bar:
        task = bar.add_task(f"importing {csv_path.name}", total=total)
        return store.import_csv(csv_path, encoding=encoding,
                                progress=lambda n: bar.update(task, completed=n))


@match_app.command("match")
def match(records: Annotated[Path, typer.Argument(help="CSV: registry columns (any may be "
                                                        "missing) + record_id or query_id.")],
          out: Annotated[Path, typer.Option("--out", help="CSV to write (one row per record).")],
          registry_url: Annotated[Optional[str], typer.Option(
              "--registry-url", help="SQLAlchemy URL (SOHOA_REGISTRY_URL).")] = None,
          rules_file: Annotated[Optional[Path], typer.Option(
              "--rules", help="A rule set (JSON) instead of the default one.")] = None,
          workers: Annotated[Optional[int], typer.Option(
              "--workers", min=1, help="Processes (default: cores).")] = None,
          encoding: EncodingOpt = "utf-8") -> None:
    """Match every record of RECORDS to the registry; write decisions, scores, candidates and
    explanations to --out, and the rule set used beside it (<out>.rules.json)."""
    from kernel.settings import Settings
    from matching.bulk import Thresholds, match_queries, read_records, write_matches
    from matching.rules import DEFAULT_RULES, RuleSet

    try:
        settings = Settings(**({"registry_url": registry_url} if registry_url else {}))
        rules = RuleSet.from_json(rules_file.read_text(encoding="utf-8")) if rules_file \
            else DEFAULT_RULES
        if not records.is_file():
            raise SohoaError(f"{records}: no such file", hint="give the records CSV")
        _check_registry(settings.registry_url)
        parsed = read_records(records, encoding=encoding)
        for line, problem in parsed.problems[:50]:
            err.print(f"[red]line {line}[/]: {problem}")
        if parsed.unknown_columns:
            err.print(f"[yellow]ignored columns:[/] {', '.join(parsed.unknown_columns)}")
        thresholds = Thresholds(settings.match_upper, settings.match_lower,
                                settings.match_margin, settings.match_max_candidates)
        started = time.monotonic()
        with _progress() as bar:
            task = bar.add_task("matching", total=len(parsed.queries))
            matches, trained = match_queries(
                settings.registry_url, parsed.queries, thresholds, rules=rules,
                workers=workers or settings.ocr_workers,
                progress=lambda n: bar.update(task, completed=n))
        rules_path = write_matches(out, parsed.id_column, matches, trained)
    except (SohoaError, ValueError) as exc:
        _fail(exc if isinstance(exc, SohoaError) else SohoaError(str(exc)))
    seconds = time.monotonic() - started
    decisions = Counter(m.result.decision.value for m in matches)
    console.print(f"{len(matches)} record(s) in {seconds:.1f} s: {decisions['matched']} matched, "
                  f"{decisions['review']} to review, {decisions['no_match']} no match; "
                  f"{len(parsed.problems)} unreadable row(s)", soft_wrap=True)
    console.print(f"matches: {out}", soft_wrap=True)
    console.print(f"rules:   {rules_path} ({trained.provenance()})", soft_wrap=True)
    raise typer.Exit(1 if parsed.problems else 0)


def _check_registry(url: str) -> None:
    from matching.registry import RegistryStore

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise SohoaError("the registry is empty: no record can be matched",
                         hint="load one with `sohoa registry import REGISTRY.csv`")
    with RegistryStore(url) as store:
        if store.count() == 0:
            raise SohoaError("the registry is empty: no record can be matched",
                             hint="load one with `sohoa registry import REGISTRY.csv`")


if __name__ == "__main__":
    match_app()
