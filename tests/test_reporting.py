"""The batch's HTML report and Prefect artifacts: right counts, one self-contained valid file
beside the export and in the archive, no personal data, no address on the network, artifacts
readable back from the Prefect API under keys derived from the batch name."""

import json
import re
from html.parser import HTMLParser

import pytest

from kernel.records import (DocType, FieldStatus, FieldValue, FileFailure, MatchCandidate,
                            MatchDecision, MatchResult, PageFailure, PersonRecord, Provenance)
from kernel.report import BatchReport

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source",
        "track", "wbr"}
SVG_EMPTY = {"rect", "line", "path", "circle"}  # written <x/>: html.parser reports start+end


class ReportParser(HTMLParser):
    """Checks nesting (every element closed in order) and collects what the tests read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.tiles: dict[str, str] = {}
        self.tips: list[str] = []
        self.text: list[str] = []
        self._tile: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        self.urls += [v for k, v in attrs.items() if k in ("src", "href", "action") and v]
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "div" and "tile" in (attrs.get("class") or "").split():
            self._tile = []
        self._in_title = tag == "title" and "svg" in self.stack

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "div" and self._tile is not None:
            value, *label = [t for t in self._tile if t.strip()]
            self.tiles[" ".join(label).split(" · ")[-1].strip()] = value.strip()
            self._tile = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._tile is not None:
            self._tile.append(data)
        if self._in_title:
            self.tips.append(data)


def parse(html: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(html)
    parser.close()
    assert html.startswith("<!DOCTYPE html>")
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    return parser


def chart_total(parser: ReportParser, category_prefix: str, series: str) -> int:
    """Sum of the bars of one series, read from the bars' hover titles ('0.9: 14 (auto)')."""
    total = 0
    for tip in parser.tips:
        m = re.fullmatch(r"(.+): (\d+) \((.+)\)", tip)
        if m and m.group(1).startswith(category_prefix) and m.group(3) == series:
            total += int(m.group(2))
    return total


def assert_self_contained(html: str, parser: ReportParser) -> None:
    assert not {"script", "link", "img", "iframe", "object"} & parser.tags
    assert parser.urls == []
    assert "http://" not in html and "https://" not in html
    assert "url(" not in html and "@import" not in html


# --- rendering a made-up batch: exact counts -------------------------------------------------
PROV = Provenance(sohoa_version="t", pipeline_version="p1", engine="tesseract", settings_hash="x")


def person(n: int, doc: DocType, confidences: list[tuple[float, FieldStatus]],
           decision: MatchDecision, score: float | None) -> PersonRecord:
    fields = {f"f{i}": FieldValue(value=f"VALUE {n} {i}", confidence=c, status=s,
                                  reasons=() if s is FieldStatus.AUTO else ("low_ocr_confidence",))
              for i, (c, s) in enumerate(confidences)}
    fields["full_name"] = FieldValue(value=f"NGUYỄN VĂN BÍ MẬT {n}", confidence=0.95,
                                     status=FieldStatus.AUTO)
    candidates = () if score is None else (MatchCandidate(registry_id=f"0012340000{n:02d}",
                                                          score=score),)
    return PersonRecord(record_id=f"r{n}", source=f"scan_{n}.png", source_sha256="0" * 64,
                        page=1, row=None, doc_type=doc, fields=fields,
                        match=MatchResult(decision=decision, registry_id=candidates[0].registry_id
                                          if candidates else None, score=score,
                                          candidates=candidates),
                        archive_key=f"derived/p1/00/x/records/r{n}.json", provenance=PROV)


A, R = FieldStatus.AUTO, FieldStatus.REVIEW


def made_up_batch():
    records = [
        person(1, DocType.BIRTH_CERTIFICATE, [(0.99, A), (0.55, R)], MatchDecision.MATCHED, 0.999),
        person(2, DocType.BIRTH_CERTIFICATE, [(0.91, A), (0.35, R)], MatchDecision.REVIEW, 0.62),
        person(3, DocType.BIRTH_REGISTER, [(1.0, A), (0.85, A)], MatchDecision.NO_MATCH, None),
    ]
    report = BatchReport(batch="Lô tháng 3", sohoa_version="t", files=5, files_failed=2, pages=6,
                         pages_failed=1, records=3, records_all_auto=1, fields_auto=7,
                         fields_review=2, matched=1, match_review=1, no_match=1, seconds=12.0,
                         pages_per_second=0.5, export="/x/out.jsonl", report="/x/out.report.json",
                         archive="/x/archive")
    report.failures.append(FileFailure(source="hỏng.pdf", reason="encrypted",
                                       message="hỏng.pdf: the PDF is password-protected",
                                       hint="save an unprotected copy and run again"))
    report.page_failures.append(PageFailure(source="so_ho_tich/trang.tif", page=2,
                                            reason="ocr_failed", message="tesseract timed out"))
    if "page_notes" in BatchReport.model_fields:
        report.page_notes.append(PageFailure(source="to_trang.png", page=1, reason="blank",
                                             message="the page is blank"))
    return report, records


def test_made_up_batch_counts_charts_and_failures():
    from flows.htmlreport import render

    report, records = made_up_batch()
    html = render(report, records, page_seconds=[0.8, 1.2, 1.3, 4.9], archive_location="/a/r.html")
    parser = parse(html)
    assert_self_contained(html, parser)
    tiles = parser.tiles
    assert (tiles["Files"], tiles["Files failed"], tiles["Pages"], tiles["Pages failed"]) == \
        ("5", "2", "6", "1")
    assert (tiles["Records"], tiles["Fields auto"], tiles["Fields to review"]) == ("3", "7", "2")
    assert (tiles["Linked"], tiles["Links to review"], tiles["No match"]) == ("1", "1", "1")
    assert tiles["Failures"] == "2" and tiles["Pages per second"] == "0.50"
    assert tiles["Pages flagged"] == str(len(getattr(report, "page_notes", [])))
    assert tiles["Seconds per page (median)"] == "1.3" and tiles["Slowest page (s)"] == "4.9"
    # field confidences of fields read: 7 auto (3 full names included) and 2 review, by tenth
    assert chart_total(parser, "0.", "tự động · auto") == 7
    assert chart_total(parser, "0.9", "tự động · auto") == 6  # 0.99, 0.91, 1.0, three names
    assert chart_total(parser, "0.8", "tự động · auto") == 1
    assert chart_total(parser, "0.5", "cần kiểm tra · review") == 1
    assert chart_total(parser, "0.3", "cần kiểm tra · review") == 1
    # match scores: one matched at 0.999, one to review at 0.62, none for the no-match record
    assert chart_total(parser, "0.9", "Đã liên kết · Linked") == 1
    assert chart_total(parser, "0.6", "Cần kiểm tra · To review") == 1
    assert "Giấy khai sinh · Birth certificate: 2" in parser.tips
    assert "Sổ đăng ký khai sinh · Birth register: 1" in parser.tips
    assert "low_ocr_confidence: 2" in parser.tips
    assert {"Đã liên kết · Linked: 1", "Cần kiểm tra · To review: 1",
            "Không tìm thấy · No match: 1"} <= set(parser.tips)
    assert sum(int(t.rsplit(": ", 1)[1].split()[0]) for t in parser.tips
               if t.startswith(tuple("012345")) and "(trang · pages)" in t) == 4
    text = " ".join(parser.text)
    for needle in ("hỏng.pdf", "encrypted", "save an unprotected copy and run again",
                   "so_ho_tich/trang.tif", "ocr_failed", "/a/r.html", "/x/out.jsonl"):
        assert needle in text
    assert ("to_trang.png" in text) == bool(getattr(report, "page_notes", []))
    assert "BÍ MẬT" not in html and "001234" not in html and "VALUE" not in html


def test_no_timings_no_records_still_renders():
    from flows.htmlreport import render

    report = BatchReport(batch="trống", sohoa_version="t")
    parser = parse(html := render(report, []))
    assert_self_contained(html, parser)
    assert "Time per page not available" in html and parser.tiles["Records"] == "0"


def test_bins_include_the_top_edge():
    from flows.htmlreport import TENTHS, bins

    assert bins([0.0, 0.05, 0.1, 0.95, 1.0], TENTHS) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]


def test_artifact_keys_are_prefect_keys_and_stable():
    from flows.reporting import artifact_key

    keys = [artifact_key(name, "summary") for name in ("Lô tháng 3/2024", "Lo thang 3 2024",
                                                        "ĐẮK LẮK 01", "   ", "batch")]
    assert all(re.fullmatch(r"[a-z0-9-]+", k) for k in keys)
    assert keys[0].startswith("batch-lo-thang-3-2024-") and keys[2].startswith("batch-dak-lak-01-")
    assert len(set(keys)) == len(keys)  # 'Lô' and 'Lo' stay apart
    assert artifact_key("Lô tháng 3/2024", "summary") == keys[0]
    assert artifact_key("Lô tháng 3/2024", "report") != keys[0]


def test_report_key_is_beside_the_bags_not_in_one():
    from storage.bag import BAG_ROOT, batch_slug
    from storage.layout import batch_report_key

    key = batch_report_key("Lô tháng 3")
    assert key == f"reports/{batch_slug('Lô tháng 3')}/batch-report.html"
    assert not key.startswith(BAG_ROOT + "/")


# --- a real batch: the review desk's session batches (tests/conftest.py) ---------------------
@pytest.mark.flow
@pytest.mark.tesseract
def test_real_batch_report_beside_export_and_in_archive(review_batches):
    from storage import LocalArchive
    from storage.fixity import check_fixity
    from storage.layout import batch_report_key
    from test_privacy import secrets_of_the_sample

    exports = review_batches / "exports"
    receipt = json.loads((exports / "batch.report.json").read_text(encoding="utf-8"))
    html = (exports / "batch.report.html").read_text(encoding="utf-8")
    archive = LocalArchive(review_batches / "archive")
    assert archive.get_bytes(batch_report_key("batch")) == html.encode("utf-8")
    parser = parse(html)
    assert_self_contained(html, parser)
    tiles = parser.tiles
    for label, field in (("Files", "files"), ("Pages", "pages"), ("Records", "records"),
                         ("Fields auto", "fields_auto"), ("Fields to review", "fields_review"),
                         ("Linked", "matched"), ("Links to review", "match_review"),
                         ("No match", "no_match"), ("Files failed", "files_failed")):
        assert tiles[label] == str(receipt[field]), label
    assert receipt["fields_review"] > 0 and receipt["match_review"] > 0  # not vacuous
    records = [json.loads(line) for line in (exports / "batch.jsonl").read_text().splitlines()]
    read = [f for r in records for f in r["fields"].values() if f["value"] is not None]
    assert chart_total(parser, "0.", "tự động · auto") + chart_total(
        parser, "0.", "cần kiểm tra · review") == len(read)
    # each page's OCR time, read back from the Prefect API
    assert sum(int(t.rsplit(": ", 1)[1].split()[0]) for t in parser.tips
               if "(trang · pages)" in t) == receipt["pages"]
    leaks = sorted(s for s in secrets_of_the_sample() if s in html)
    for r in records:
        leaks += [v for v in (r["match"]["registry_id"], r["fields"]["id_number"]["value"],
                              r["fields"]["registration_date"]["value"]) if v and v in html]
    assert leaks == [], f"personal data in the report: {leaks}"
    assert check_fixity(archive).ok  # a report outside bags/ is not taken for a broken bag


@pytest.mark.flow
@pytest.mark.tesseract
def test_failed_page_batch_report_and_artifacts(review_batches):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.reporting import artifact_key

    exports = review_batches / "exports"
    html = (exports / "so_loi.report.html").read_text(encoding="utf-8")
    parser = parse(html)
    assert parser.tiles["Pages failed"] == "1" and parser.tiles["Failures"] == "1"
    assert "trang_mo.png" in html and "ocr_failed" in html

    def latest(kind):
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[artifact_key("so_loi", kind)])))
        assert found, f"no {kind} artifact"
        return max(found, key=lambda a: a.created)

    table = latest("summary")
    assert table.type == "table"
    rows = {row["metric"]: row["value"] for row in json.loads(table.data)}
    assert rows["Trang · pages"] == 1 and rows["Trang lỗi · pages failed"] == 1
    assert rows["Tệp · files"] == 1 and rows["Lỗi · failures"] == 1
    note = latest("report")
    assert note.type == "markdown" and note.flow_run_id == table.flow_run_id
    for where in (exports / "so_loi.jsonl", exports / "so_loi.report.json",
                  exports / "so_loi.report.html",
                  review_batches / "archive" / "reports" / "so_loi" / "batch-report.html"):
        assert f"`{where}`" in note.data
    assert "`trang_mo.png page 1`: ocr_failed" in note.data
