"""One page, start to finish inside the OCR stage: preprocess, recognize, extract, and say
what is wrong with the page when something is (quality flags, :mod:`ocr.quality`).

Reads and writes files only; returns a small typed result so that no image array crosses a
task boundary.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from kernel.places import Gazetteer
from kernel.syllables import SyllableLexicon
from kernel.records import ExtractedRecord, OcrPage
from ocr.classify import PageCues, page_cues, resolved_class
from ocr.extract import extract_page
from ocr.fields import STRUCTURED_AUTO_MIN
from ocr.layout import Table
from ocr.preprocess import PreprocessConfig, preprocess_file
from ocr.quality import image_flags, ocr_flags, read_share, reads_as_no_print
from ocr.tesseract import recognize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageOutput:
    page: int
    preprocessed: Path  # the cleaned page image (archived)
    hocr: Path  # OCR words with boxes and confidences (archived)
    words: Path  # the parsed OcrPage as JSON (kept in the work folder)
    skew_deg: float
    word_count: int
    records: tuple[ExtractedRecord, ...]
    tables: tuple[Table, ...] = ()  # ruled tables found: extraction is re-run from these and
    # the words when the page comes from the OCR cache (ocr/cache.py)
    quality: tuple[str, ...] = ()  # flags (ocr/quality.py): blank, too dark, too small,
    # handwriting; the page and its records go to review with them as the reason
    pdf: Path | None = None  # the page as a searchable PDF (image + text layer), when asked
    doc_class: str = "unknown"  # what the page is (ocr/classify.py): a DocType value, also
    # declaration_form, id_card, other, blank for the pages of dossiers
    cues: Path | None = None  # the ID cards found and read, the ink (ocr/classify.PageCues
    # JSON): extraction is re-run from it and the words (``extract_page(..., cues=...)``)


def process_page(image: Path, page: int, *, dpi: int | None, lang: str, timeout_s: float,
                 auto_min: float, structured_auto_min: float = STRUCTURED_AUTO_MIN,
                 gazetteer: Gazetteer | None = None,
                 lexicon: SyllableLexicon | None = None,
                 searchable_pdf: bool = False) -> PageOutput:
    """Preprocess, OCR (hOCR, words and, with ``searchable_pdf``, the page's PDF in the same
    tesseract call), extract. Records are returned as read: the caller sends those of a
    flagged page to review (:func:`ocr.quality.review_flagged`), also for cached pages."""
    stem = image.with_name(f"page-{page:04d}")
    pre = preprocess_file(image, stem.with_name(stem.name + ".pre.png"), dpi)
    result = recognize(pre.path, lang=lang, dpi=pre.dpi, timeout_s=timeout_s, pdf=searchable_pdf)
    if reads_as_no_print(pre.measures, result.page):  # upside down after all? read it turned
        over = preprocess_file(image, stem.with_name(stem.name + ".over.png"), dpi,
                               PreprocessConfig(turn_over=True))
        again = recognize(over.path, lang=lang, dpi=over.dpi, timeout_s=timeout_s,
                          pdf=searchable_pdf)
        if read_share(over.measures.ink, again.page) > read_share(pre.measures.ink, result.page):
            over.path.replace(pre.path)
            pre, result = replace(over, path=pre.path), again
            log.info("page %d read upside down at first: turned over", page)
        else:
            over.path.unlink(missing_ok=True)
    hocr = stem.with_suffix(".hocr")
    hocr.write_bytes(result.hocr)
    pdf = None
    if result.pdf is not None:
        pdf = stem.with_suffix(".pdf")
        pdf.write_bytes(result.pdf)
    words = stem.with_suffix(".words.json")
    words.write_text(result.page.model_dump_json(), encoding="utf-8")
    cues = page_cues(image, result.page, pre.tables, rotation=pre.rotation,
                     transform=pre.transform, size=(pre.width, pre.height), lang=lang,
                     timeout_s=timeout_s,
                     ink_fraction=pre.measures.ink_fraction if pre.measures is not None else None)
    cues_path = stem.with_suffix(".cues.json")
    cues_path.write_text(cues.model_dump_json(), encoding="utf-8")
    records = extract_page(result.page, pre.tables, auto_min=auto_min,
                           structured_auto_min=structured_auto_min, gazetteer=gazetteer,
                           lexicon=lexicon, cues=cues)
    flags: tuple[str, ...] = ()
    if pre.measures is not None:
        flags = image_flags(pre.measures)
        flags += () if flags else ocr_flags(pre.measures, result.page)
    return PageOutput(page, pre.path, hocr, words, pre.skew_deg, len(result.page.words),
                      tuple(records), tables=pre.tables, quality=flags, pdf=pdf,
                      doc_class=resolved_class(result.page, pre.tables, cues, records),
                      cues=cues_path)


def reextract(out: PageOutput, *, auto_min: float,
              structured_auto_min: float = STRUCTURED_AUTO_MIN,
              gazetteer: Gazetteer | None = None,
              lexicon: SyllableLexicon | None = None) -> PageOutput:
    """``out`` (a page read before: the OCR cache, ocr/cache.py) with its records and class
    extracted again, with these settings, from its words, tables and cues, as process_page
    extracts them: keep the two in step."""
    words = load_words(out.words)
    cues = (PageCues.model_validate_json(out.cues.read_text(encoding="utf-8"))
            if out.cues is not None else None)
    records = extract_page(words, out.tables, auto_min=auto_min,
                           structured_auto_min=structured_auto_min, gazetteer=gazetteer,
                           lexicon=lexicon, cues=cues)
    return replace(out, records=tuple(records),
                   doc_class=resolved_class(words, out.tables, cues, records))


def load_words(path: Path) -> OcrPage:
    return OcrPage.model_validate(json.loads(path.read_text(encoding="utf-8")))
