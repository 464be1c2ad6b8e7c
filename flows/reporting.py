"""What a batch leaves for the people who run it: Prefect artifacts and the HTML report.

Called at the end of the batch flow. The HTML report (``flows/htmlreport.py``) goes beside the
export (``<export>.report.html``) and into the archive (``storage.layout.batch_report_key``);
the flow run gets a table artifact with the counts and a markdown artifact with the counts and
where everything is, under keys derived from the batch name so every run of a batch lands in
the same artifact history of the Prefect UI.

The report is not in the batch's bag: the bag id is a hash of what the bag lists, so that the
same batch run again stores nothing, and the report changes on every run (its timings).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import httpx
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext

from flows import htmlreport
from flows.tasks import ocr_page
from kernel.errors import ArchiveError
from kernel.records import PersonRecord
from kernel.report import BatchReport
from kernel.settings import Settings
from storage import open_archive
from storage.layout import batch_report_key

log = logging.getLogger("sohoa.flows")

OCR_TASK = ocr_page.name  # its task runs are named "ocr-page-<n>"


def artifact_key(batch: str, kind: str) -> str:
    """A Prefect artifact key (lowercase letters, digits, dashes) for a batch: its name without
    diacritics, plus a short hash of the exact name so 'Lô 1' and 'Lo 1' stay apart."""
    name = unicodedata.normalize("NFC", batch)
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-") or "batch"
    return f"batch-{slug}-{hashlib.sha256(name.encode()).hexdigest()[:6]}-{kind}"


@dataclass(frozen=True)
class PublishedReport:
    html_path: Path
    archive_key: str
    archive_location: str | None  # None: the archive could not take it (see the log)


def publish_batch_report(report: BatchReport, records: list[PersonRecord],
                         settings: Settings) -> PublishedReport:
    """Write the HTML report beside the export and into the archive; create the artifacts."""
    key = batch_report_key(report.batch)
    html_path = Path(report.export or ".").with_suffix(".report.html")
    times = page_seconds()
    location: str | None = None
    try:
        archive = open_archive(settings.archive, settings)
        location = archive.describe(key)
        html = htmlreport.render(report, records, page_seconds=times, archive_location=location)
        archive.put_bytes(key, html.encode("utf-8"))
    except ArchiveError as exc:  # the batch is done and its receipt written: say so, go on
        log.error("batch %s: HTML report not archived: %s", report.batch, exc.message)
        location = None
        html = htmlreport.render(report, records, page_seconds=times)
    html_path.write_text(html, encoding="utf-8")
    published = PublishedReport(html_path, key, location)
    create_artifacts(report, published)
    return published


def summary_rows(report: BatchReport) -> list[dict[str, object]]:
    return [{"metric": label, "value": value} for label, value in (
        ("Tệp · files", report.files), ("Tệp lỗi · files failed", report.files_failed),
        ("Trang · pages", report.pages), ("Trang lỗi · pages failed", report.pages_failed),
        ("Trang cần xem lại · pages flagged", len(getattr(report, "page_notes", []))),
        ("Hồ sơ · records", report.records),
        ("Trường tự động · fields auto", report.fields_auto),
        ("Trường cần kiểm tra · fields review", report.fields_review),
        ("Đã liên kết · matched", report.matched),
        ("Liên kết cần kiểm tra · match review", report.match_review),
        ("Không tìm thấy · no match", report.no_match),
        ("Lỗi · failures", len(report.failures) + len(report.page_failures)),
        ("Trang/giây · pages per second", report.pages_per_second),
        ("Giây · seconds", report.seconds))]


def markdown(report: BatchReport, published: PublishedReport) -> str:
    lines = [f"# Báo cáo lô · Batch report: {_md(report.batch)}", "",
             "| | |", "|---|---:|"]
    lines += [f"| {row['metric']} | {row['value']} |" for row in summary_rows(report)]
    lines += ["", "## Kết quả · Outputs", "",
              f"- Dữ liệu xuất · export: {_path(report.export)}",
              f"- Biên nhận · receipt: {_path(report.report)}",
              f"- Báo cáo HTML · HTML report: {_path(str(published.html_path))}",
              "- Báo cáo trong kho · HTML report in the archive: "
              + (_path(published.archive_location) if published.archive_location
                 else "not stored (the archive was unavailable: see the flow run's log)")]
    failures = [(f.source, f.reason, f.hint) for f in report.failures]
    failures += [(f"{p.source} page {p.page}", p.reason, None) for p in report.page_failures]
    if failures:
        lines += ["", f"## Lỗi · Failures ({len(failures)})", ""]
        lines += [f"- `{_code(source)}`: {reason}" + (f": {_md(hint)}" if hint else "")
                  for source, reason, hint in failures[:50]]
        if len(failures) > 50:
            lines.append(f"- ... {len(failures) - 50} more in the receipt")
    return "\n".join(lines) + "\n"


def create_artifacts(report: BatchReport, published: PublishedReport) -> None:
    description = f"sohoa batch {report.batch}"
    create_table_artifact(summary_rows(report), key=artifact_key(report.batch, "summary"),
                          description=description)
    create_markdown_artifact(markdown(report, published), key=artifact_key(report.batch, "report"),
                             description=description)


def page_seconds() -> list[float] | None:
    """How long each page's OCR task ran in this flow run, from the Prefect API; None when
    there is no flow run or the API does not have them."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return None
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (FlowRunFilter, FlowRunFilterId, TaskRunFilter,
                                                TaskRunFilterName)

    found: list[float] = []
    read = 0
    try:
        with get_client(sync_client=True) as client:
            while True:
                runs = client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[context.flow_run.id])),
                    task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=OCR_TASK)),
                    limit=200, offset=read)
                read += len(runs)
                found += [r.total_run_time.total_seconds() for r in runs
                          if r.state is not None and r.state.is_final() and r.total_run_time]
                if len(runs) < 200:
                    break
    except httpx.HTTPError as exc:  # timings are a nicety: the report goes out without them
        log.warning("batch report: page timings not read from the Prefect API: %s", exc)
        return None
    return found or None


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text.replace("\n", " "))


def _code(text: str) -> str:
    return text.replace("`", "'").replace("\n", " ")


def _path(text: str | None) -> str:
    return f"`{_code(text)}`" if text else "-"
