"""Page quality flags (blank, too dark, too small, handwriting) on small synthetic pages, and
their way through a batch: the receipt, the review desk, records forced to review; plus the
searchable PDF a batch archives for each source file."""

import json
import random
import shutil
import subprocess

import cv2
import numpy as np
import pytest

from kernel.records import DocType, ExtractedRecord, FieldStatus, FieldValue
from ocr.preprocess import preprocess_array
from ocr.quality import (BLANK, HANDWRITING, TOO_DARK, TOO_SMALL, image_flags, page_note,
                         review_flagged)

DPI = 200


@pytest.fixture(scope="module")
def certificate():
    """A rendered birth certificate at 200 dpi (BGR), from the synthetic generator."""
    from synth.certificate import DocumentKind, render_certificate
    from synth.fonts import fonts_available
    from synth.people import make_registration

    if not fonts_available():
        pytest.skip("no Vietnamese-capable fonts installed (make setup installs them)")
    reg = make_registration(random.Random(5))
    rendered = render_certificate(reg, DocumentKind.BIRTH_CERTIFICATE, dpi=DPI, seal=True)
    return cv2.cvtColor(np.array(rendered.image.convert("RGB")), cv2.COLOR_RGB2BGR)


def blank_page(seed=0):
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 6, (2339, 1654))
    return np.clip(245 + noise, 0, 255).astype(np.uint8)


def scribbles(seed=1, strokes=50):
    """Wavy pen strokes of uneven darkness and width: ink, but no print."""
    rng = np.random.default_rng(seed)
    page = np.full((2339, 1654), 250, np.uint8)
    for _ in range(strokes):
        y0, x0 = rng.integers(100, 2239), rng.integers(100, 1054)
        xs = np.arange(x0, x0 + rng.integers(200, 900), 4)
        ys = y0 + 12 * np.sin(xs / rng.uniform(5, 12)) + rng.normal(0, 2, len(xs)).cumsum()
        cv2.polylines(page, [np.stack([xs, ys], 1).astype(np.int32)], False,
                      int(rng.integers(10, 60)), int(rng.integers(2, 4)), cv2.LINE_AA)
    return page


def flags_of_image(img, dpi=DPI):
    _, info = preprocess_array(img, dpi)
    return image_flags(info["measures"])


def test_a_blank_page_is_flagged_blank_and_nothing_else():
    assert flags_of_image(blank_page()) == (BLANK,)


def test_a_dark_page_is_flagged_too_dark(certificate):
    flags = flags_of_image((certificate * 0.3).astype(np.uint8))
    assert TOO_DARK in flags and BLANK not in flags


def test_a_tiny_image_and_tiny_print_are_flagged_too_small(certificate):
    thumbnail = cv2.resize(certificate, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    assert flags_of_image(thumbnail, None) == (TOO_SMALL,)
    # a page-sized image whose print is a quarter of the usual size (nine pages on one sheet)
    h, w = thumbnail.shape[:2]
    sheet = np.full((3 * h, 3 * w, 3), 255, np.uint8)
    for i in range(3):
        for j in range(3):
            sheet[i * h:(i + 1) * h, j * w:(j + 1) * w] = thumbnail
    assert min(sheet.shape[:2]) >= 1000 and flags_of_image(sheet, None) == (TOO_SMALL,)


def test_a_normal_page_has_no_image_flag(certificate):
    assert flags_of_image(certificate) == ()


def write_page(tmp_path, name, img):
    path = tmp_path / name
    cv2.imwrite(str(path), img)
    return path


def process(path, **kw):
    from ocr.page import process_page

    return process_page(path, 1, dpi=DPI, lang="vie", timeout_s=120, auto_min=0.8, **kw)


@pytest.mark.tesseract
def test_scribbles_are_flagged_handwriting(tmp_path):
    out = process(write_page(tmp_path, "scribbles.png", scribbles()))
    assert out.quality == (HANDWRITING,)


@pytest.mark.tesseract
def test_a_page_the_orientation_vote_turns_upside_down_is_read_turned_over(tmp_path, certificate,
                                                                         monkeypatch):
    """The vote can be wrong (a clean register page: cells side by side, lines merged): the
    page then reads as no print at all, and is read once more turned over before it would be
    flagged. The fault is injected: the vote says "upside down" for an upright page."""
    import ocr.preprocess

    plain = preprocess_array(certificate, DPI)[0]  # as the vote left alone reads it
    monkeypatch.setattr(ocr.preprocess, "is_upside_down", lambda small: True)
    out = process(write_page(tmp_path, "page.png", certificate), searchable_pdf=True)
    assert out.quality == () and out.records
    assert out.records[0].fields["full_name"].value  # read upright: the fields are there
    assert not list(tmp_path.glob("*.over.png"))  # the second reading's file is not left over
    upright = cv2.imread(str(out.preprocessed), cv2.IMREAD_GRAYSCALE)
    assert upright.shape == plain.shape and float((upright == plain).mean()) > 0.99
    # scribbles stay scribbles however they are turned: read twice, still flagged
    assert process(write_page(tmp_path, "scribbles.png", scribbles())).quality == (HANDWRITING,)


@pytest.mark.tesseract
def test_a_printed_page_is_not_flagged_and_its_pdf_is_searchable(tmp_path, certificate):
    out = process(write_page(tmp_path, "page.png", certificate), searchable_pdf=True)
    assert out.quality == () and out.records
    text = subprocess.run(["pdftotext", str(out.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "KHAI SINH" in text.upper()
    # joined files are reproducible: a re-run archives the same bytes (no date, no random ID)
    from ocr.searchable import join_pages

    if shutil.which("pdfunite"):
        first = join_pages([out.pdf, out.pdf], tmp_path / "a.pdf").read_bytes()
        assert join_pages([out.pdf, out.pdf], tmp_path / "b.pdf").read_bytes() == first
        info = subprocess.run(["pdfinfo", str(tmp_path / "a.pdf")], capture_output=True,
                              text=True, check=True)
        assert "Pages:           2" in info.stdout and "rror" not in info.stderr


def test_records_of_a_flagged_page_go_to_review_with_the_flag():
    fv = FieldValue(value="NGUYỄN VĂN AN", confidence=0.97, status=FieldStatus.AUTO)
    checked = FieldValue(value="1990-01-02", confidence=0.5, status=FieldStatus.REVIEW,
                         reasons=("date_unreadable",))
    record = ExtractedRecord(doc_type=DocType.BIRTH_CERTIFICATE,
                             fields={"full_name": fv, "date_of_birth": checked})
    assert review_flagged([record], ()) == (record,)
    (out,) = review_flagged([record], (TOO_DARK,))
    assert out.fields["full_name"].status is FieldStatus.REVIEW
    assert out.fields["full_name"].reasons == (TOO_DARK,)
    assert out.fields["date_of_birth"].reasons == ("date_unreadable", TOO_DARK)
    assert out.fields["full_name"].value == "NGUYỄN VĂN AN"
    note = page_note("a/b.tif", 2, (BLANK,), 0)
    assert note.reason == BLANK and "blank" in note.message and note.page == 2


@pytest.mark.flow
@pytest.mark.tesseract
def test_a_batch_reports_a_blank_page_and_archives_a_searchable_pdf(
        prefect_harness, tmp_path, certificate, capsys):
    """A two-page TIFF (a certificate, then a blank separator sheet): the blank page is in the
    receipt and on the review desk, the batch still succeeds, and the archive holds the file as
    a two-page searchable PDF listed in its manifest."""
    from PIL import Image

    from flows.batch import run_batch
    from review.db import open_db
    from review.items import sync
    from review.queue import Filters, listing
    from sohoa.cli import print_report
    from storage import LocalArchive

    if shutil.which("pdfunite") is None:
        pytest.skip("pdfunite (poppler-utils) is not installed")
    batch = tmp_path / "lo"
    batch.mkdir()
    pages = [Image.fromarray(cv2.cvtColor(certificate, cv2.COLOR_BGR2GRAY)),
             Image.fromarray(blank_page())]
    pages[0].save(batch / "ho_so.tif", save_all=True, append_images=pages[1:], dpi=(DPI, DPI),
                  compression="tiff_lzw")
    data = tmp_path / "data"
    report = run_batch(batch, export=tmp_path / "out.jsonl",
                       overrides={"data_dir": str(data), "ocr_workers": 2, "ocr_cache": False})
    assert report.ok and report.pages == 2 and not report.page_failures
    assert [(n.source, n.page, n.reason) for n in report.page_notes] == [("ho_so.tif", 2, BLANK)]
    assert json.loads((tmp_path / "out.report.json").read_text())["page_notes"][0]["reason"] == BLANK

    print_report(report)
    receipt = capsys.readouterr().out
    assert "to review" in receipt and "ho_so.tif page 2" in receipt and "blank page" in receipt

    archive = LocalArchive(data / "archive")
    manifest_key = next(k for k in archive.list("derived/") if k.endswith("/manifest.json"))
    manifest = json.loads(archive.get_bytes(manifest_key))
    pdf_key = manifest_key.replace("manifest.json", "searchable.pdf")
    assert pdf_key in json.dumps(manifest)
    pdf = tmp_path / "file.pdf"
    pdf.write_bytes(archive.get_bytes(pdf_key))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in info
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "KHAI SINH" in first.upper()

    engine = open_db(f"sqlite:///{tmp_path / 'review.sqlite'}")
    sync(engine, (tmp_path,), str(data / "archive"))
    found, _ = listing(engine, Filters(state="all"))
    pages_to_look_at = [(i.source, i.page, i.reason) for i in found if i.kind == "page"]
    assert pages_to_look_at == [("ho_so.tif", 2, BLANK)]
