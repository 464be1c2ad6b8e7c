"""The batch's HTML report: counts and distributions a supervisor looks at rather than reads.

One self-contained file (inline CSS and SVG, no script, nothing fetched), so it opens from the
archive, a mail attachment or a USB stick. Only counts, distributions, file names and failure
reasons go in: never a name, an ID number or a date read from a page. Labels are Vietnamese
with English beside them, like the review desk. Numbers are computed here; the markup, charts
included, is in ``templates/batch_report.html.j2``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kernel.records import DocType, FieldStatus, MatchDecision, PersonRecord
from kernel.report import BatchReport

TEMPLATES = Path(__file__).parent / "templates"

DOC_LABELS = {
    DocType.BIRTH_CERTIFICATE: "Giấy khai sinh · Birth certificate",
    DocType.BIRTH_REGISTER: "Sổ đăng ký khai sinh · Birth register",
    DocType.MARRIAGE_CERTIFICATE: "Giấy chứng nhận kết hôn · Marriage certificate",
    DocType.DEATH_EXTRACT: "Trích lục khai tử · Death extract",
    DocType.UNKNOWN: "Không rõ · Unknown",
}
DECISIONS = ((MatchDecision.MATCHED, "matched", "Đã liên kết · Linked"),
             (MatchDecision.REVIEW, "review", "Cần kiểm tra · To review"),
             (MatchDecision.NO_MATCH, "nomatch", "Không tìm thấy · No match"))
TENTHS = [i / 10 for i in range(11)]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    css: str
    tip: str  # shown on hover (<title>)


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    """A bar chart laid out in pixels; the template draws it as inline SVG."""

    title: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    grid: list[Label] = field(default_factory=list)  # y axis: value labels at grid lines
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)
    total: int = 0
    note: str = ""


def bins(values: list[float], edges: list[float]) -> list[int]:
    """Counts per bin [edges[i], edges[i+1]); the last bin includes its upper edge."""
    counts = [0] * (len(edges) - 1)
    for v in values:
        for i in range(len(counts)):
            if edges[i] <= v < edges[i + 1] or (i == len(counts) - 1 and v == edges[-1]):
                counts[i] += 1
                break
    return counts


def column_chart(title: str, categories: list[str],
                 series: list[tuple[str, str, list[int]]], note: str = "") -> Chart:
    """Stacked vertical bars: ``series`` is [(css class, legend label, count per category)]."""
    width, height, left, bottom, top = 560, 230, 44, 40, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    totals = [sum(s[2][i] for s in series) for i in range(len(categories))]
    top_value = max(totals, default=0) or 1
    chart = Chart(title, width, height, legend=[(css, label) for css, label, _ in series],
                  total=sum(totals), note=note)
    step = plot_w / max(len(categories), 1)
    for tick in _ticks(top_value):
        chart.grid.append(Label(left - 6, top + plot_h - tick / top_value * plot_h, str(tick), "end"))
    for i, name in enumerate(categories):
        x, base = left + i * step + step * 0.12, top + plot_h
        for css, label, counts in series:
            h = counts[i] / top_value * plot_h
            if counts[i]:
                chart.rects.append(Rect(x, base - h, step * 0.76, h, css, f"{name}: {counts[i]} ({label})"))
            base -= h
        if totals[i]:
            chart.labels.append(Label(x + step * 0.38, base - 3, str(totals[i])))
        chart.labels.append(Label(x + step * 0.38, top + plot_h + 16, name))
    return chart


def row_chart(title: str, rows: list[tuple[str, int]], css: str | list[str],
              note: str = "") -> Chart:
    """Horizontal bars with the category name on the left (long labels: reasons, types);
    ``css`` is one class for every bar or one per row."""
    row_h, left, width = 24, 300, 640
    top_value = max((n for _, n in rows), default=0) or 1
    chart = Chart(title, width, max(row_h * len(rows) + 8, 40), total=sum(n for _, n in rows),
                  note=note)
    for i, (name, n) in enumerate(rows):
        y, w = 4 + i * row_h, n / top_value * (width - left - 60)
        chart.labels.append(Label(left - 8, y + 15, name, "end"))
        chart.rects.append(Rect(left, y + 3, max(w, 1), row_h - 8,
                                css if isinstance(css, str) else css[i], f"{name}: {n}"))
        chart.labels.append(Label(left + w + 6, y + 15, str(n), "start"))
    return chart


def _ticks(top_value: int) -> list[int]:
    step = max(1, -(-top_value // 4))
    return list(range(0, top_value + 1, step))


def _seconds_edges(values: list[float]) -> list[float]:
    """About eight bins of a round width (0.5, 1, 2, 5, 10 s ...) covering every value."""
    top = max(values)
    for width in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300):
        if top / width <= 8:
            break
    count = int(top // width) + 1
    return [round(i * width, 3) for i in range(count + 1)]


@dataclass(frozen=True)
class DocTypeRow:
    label: str
    records: int
    fields_auto: int
    fields_review: int
    matched: int
    review: int
    no_match: int


@dataclass(frozen=True)
class FailureRow:
    source: str
    page: int | None
    reason: str
    message: str
    hint: str | None


def doc_type_rows(records: list[PersonRecord]) -> list[DocTypeRow]:
    rows = []
    for doc_type, label in DOC_LABELS.items():
        mine = [r for r in records if r.doc_type is doc_type]
        if not mine:
            continue
        statuses = [f.status for r in mine for f in r.fields.values()]
        decisions = Counter(r.match.decision for r in mine)
        rows.append(DocTypeRow(label, len(mine), statuses.count(FieldStatus.AUTO),
                               statuses.count(FieldStatus.REVIEW),
                               decisions[MatchDecision.MATCHED], decisions[MatchDecision.REVIEW],
                               decisions[MatchDecision.NO_MATCH]))
    return rows


def failure_rows(report: BatchReport) -> list[FailureRow]:
    rows = [FailureRow(f.source, None, f.reason, f.message, f.hint) for f in report.failures]
    rows += [FailureRow(p.source, p.page, p.reason, p.message, None) for p in report.page_failures]
    return sorted(rows, key=lambda r: (r.source, r.page or 0))


def charts(report: BatchReport, records: list[PersonRecord],
           page_seconds: list[float] | None) -> dict[str, Chart]:
    fields = [f for r in records for f in r.fields.values() if f.value is not None]
    conf = {s: [f.confidence for f in fields if f.status is s] for s in FieldStatus}
    tenths = [f"{a:.1f}" for a in TENTHS[:-1]]
    out = {
        "decisions": row_chart("Liên kết với sổ dân cư · Links to the registry (records)",
                               [(label, sum(r.match.decision is d for r in records))
                                for d, _, label in DECISIONS], [css for _, css, _ in DECISIONS]),
        "confidence": column_chart(
            "Độ tin cậy của trường · Field confidence (fields read)", tenths,
            [("auto", "tự động · auto", bins(conf[FieldStatus.AUTO], TENTHS)),
             ("review", "cần kiểm tra · review", bins(conf[FieldStatus.REVIEW], TENTHS))],
            note="bin 0.9 = 0.9 to 1.0"),
        "scores": column_chart(
            "Điểm liên kết · Match score of the best candidate (records)", tenths,
            [(css, label, bins([r.match.score for r in records
                                if r.match.decision is d and r.match.score is not None], TENTHS))
             for d, css, label in DECISIONS],
            note=f"{sum(r.match.score is None for r in records)} record(s) without a candidate"),
    }
    reasons = Counter(reason for r in records for f in r.fields.values()
                      if f.status is FieldStatus.REVIEW for reason in f.reasons)
    out["reasons"] = row_chart("Lý do cần kiểm tra · Why fields go to review",
                               reasons.most_common(12), "review")
    out["doc_types"] = row_chart("Loại giấy tờ · Records per document type",
                                 [(row.label, row.records) for row in doc_type_rows(records)],
                                 "neutral")
    if page_seconds:
        edges = _seconds_edges(page_seconds)
        names = [f"{a:g}" for a in edges[:-1]]
        out["page_time"] = column_chart(
            "Thời gian mỗi trang · Time per page (seconds)", names,
            [("neutral", "trang · pages", bins(page_seconds, edges))],
            note=f"bin {names[0]} = {edges[0]:g} to {edges[1]:g} s")
    return out


def render(report: BatchReport, records: list[PersonRecord], *,
           page_seconds: list[float] | None = None, archive_location: str | None = None) -> str:
    """The whole report as one HTML document."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    times = sorted(page_seconds or [])
    return env.get_template("batch_report.html.j2").render(
        r=report, charts=charts(report, records, page_seconds), doc_types=doc_type_rows(records),
        failures=failure_rows(report), archive_location=archive_location,
        notes=[FailureRow(p.source, p.page, p.reason, p.message, None)  # flagged, not failed
               for p in getattr(report, "page_notes", [])],
        timed_pages=len(times), median_page_s=times[len(times) // 2] if times else None,
        slowest_page_s=times[-1] if times else None,
        generated=datetime.now(timezone.utc).isoformat(timespec="seconds"))
