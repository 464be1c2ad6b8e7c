"""One page, start to finish inside the OCR stage: preprocess, recognize, extract.

Reads and writes files only; returns a small typed result so that no image array crosses a
task boundary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kernel.places import Gazetteer
from kernel.syllables import SyllableLexicon
from kernel.records import ExtractedRecord, OcrPage
from ocr.extract import extract_page
from ocr.fields import STRUCTURED_AUTO_MIN
from ocr.preprocess import preprocess_file
from ocr.tesseract import recognize


@dataclass(frozen=True)
class PageOutput:
    page: int
    preprocessed: Path  # the cleaned page image (archived)
    hocr: Path  # OCR words with boxes and confidences (archived)
    words: Path  # the parsed OcrPage as JSON (kept in the work folder)
    skew_deg: float
    word_count: int
    records: tuple[ExtractedRecord, ...]


def process_page(image: Path, page: int, *, dpi: int | None, lang: str, timeout_s: float,
                 auto_min: float, structured_auto_min: float = STRUCTURED_AUTO_MIN,
                 gazetteer: Gazetteer | None = None,
                 lexicon: SyllableLexicon | None = None) -> PageOutput:
    stem = image.with_name(f"page-{page:04d}")
    pre = preprocess_file(image, stem.with_name(stem.name + ".pre.png"), dpi)
    result = recognize(pre.path, lang=lang, dpi=pre.dpi, timeout_s=timeout_s)
    hocr = stem.with_suffix(".hocr")
    hocr.write_bytes(result.hocr)
    words = stem.with_suffix(".words.json")
    words.write_text(result.page.model_dump_json(), encoding="utf-8")
    records = extract_page(result.page, pre.tables, auto_min=auto_min,
                           structured_auto_min=structured_auto_min, gazetteer=gazetteer,
                           lexicon=lexicon)
    return PageOutput(page, pre.path, hocr, words, pre.skew_deg, len(result.page.words),
                      tuple(records))


def load_words(path: Path) -> OcrPage:
    return OcrPage.model_validate(json.loads(path.read_text(encoding="utf-8")))
