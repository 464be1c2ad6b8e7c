"""Page quality flags: pages the machine cannot read well, sent to a person with the reason.

A page that yields no record is otherwise silent. These flags say why, cheaply:

- ``page_blank``: next to no ink (a separator sheet, the back of a form);
- ``page_too_dark``: the paper itself is dark (an underexposed photo, a dark copy);
- ``page_too_small``: the image is tiny or its print is too small to read (a thumbnail, a
  page scanned at very low resolution);
- ``page_handwriting``: ink is there but Tesseract reads little of it as print (handwritten
  entries, scribbles).

The first three are measured on the page while it is preprocessed (:func:`measure`, a few
milliseconds on a downscaled copy); the last after OCR (:func:`ocr_flags`), from how much of
the page's ink lies inside words Tesseract read with confidence. Records found on a flagged
page have every field sent to review with the flag as the reason (:func:`review_flagged`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from kernel.records import ExtractedRecord, FieldStatus, OcrPage, PageFailure
from ocr.imaging import shrink

BLANK = "page_blank"
TOO_DARK = "page_too_dark"
TOO_SMALL = "page_too_small"
HANDWRITING = "page_handwriting"
FLAGS = (BLANK, TOO_DARK, TOO_SMALL, HANDWRITING)

MIN_SIDE_PX = 500
"""A page image narrower than this cannot hold readable print (A4 at 60 dpi)."""
MIN_TEXT_HEIGHT_PX = 7.0
"""Glyph height (the 75th percentile of glyph-sized ink blobs, pixels as scanned) below which
Tesseract reads little: 10 pt print at about 90 dpi. Corpus pages measure 12 px and more."""
DARK_PAPER_LEVEL = 100
"""The paper (the page's 90th-percentile grey) darker than this: too dark."""
BLANK_INK_FRACTION = 0.0008
"""Less ink than this fraction of the page (a short line of print is ~0.15%): blank."""
HANDWRITING_MIN_INK = 0.004
"""Handwriting is only looked for on pages with at least this much ink."""
HANDWRITING_MAX_READ = 0.35
"""...and flagged when less than this share of the ink lies in words read with confidence
(printed corpus pages: 0.57 and more, 200 pages of the typical and hard corpora)."""
READ_MIN_CONFIDENCE = 0.6
MASK_SIZE = 1000  # longer side of the small ink mask kept for the check after OCR


@dataclass(frozen=True)
class PageMeasures:
    width: int  # as loaded (after perspective cropping), pixels
    height: int
    paper_level: float  # 90th-percentile grey before flattening (0-255)
    ink_fraction: float  # share of the page that is ink
    text_height: float  # letter height (MIN_TEXT_HEIGHT_PX), pixels as scanned (0: none)
    ink: np.ndarray | None = field(default=None, repr=False, compare=False)
    """A small ink mask (uint8 0/1) in the geometry of the page sent to OCR, set by
    :meth:`with_ocr_mask`; None until then."""

    def with_ocr_mask(self, page: np.ndarray, ink_value: bool = False) -> "PageMeasures":
        """The measures with the ink of the page sent to OCR kept, small: ``page`` is the
        binarized page (ink 0), or with ``ink_value`` a mask of its ink (ink 255), which may
        be a reduced copy."""
        small, _ = shrink(page, MASK_SIZE)
        mask = ((small >= 128) if ink_value else (small < 128)).astype(np.uint8)
        return PageMeasures(self.width, self.height, self.paper_level, self.ink_fraction,
                            self.text_height, mask)


def _percentile(gray: np.ndarray, q: float) -> float:
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    cdf = np.cumsum(hist)
    return float(np.searchsorted(cdf, q * cdf[-1]))


def paper_level(gray: np.ndarray) -> float:
    """How light the paper is: the 90th-percentile grey of a small copy."""
    return _percentile(shrink(gray, 500)[0], 0.9)


def ink_measures(flat: np.ndarray, scale: float = 1.0, work: int = 1200) -> tuple[float, float]:
    """(ink fraction, glyph height in pixels as scanned) of a flattened grey page; ``flat`` may
    be a reduced copy, ``scale`` times the page's size.

    Ink is what is clearly darker than the paper (under 60% of its level), measured on a
    copy at most about ``work`` pixels long.
    """
    small, reduced = shrink(flat, work)
    scale *= reduced
    level = _percentile(small, 0.9)
    ink = (small < 0.6 * max(level, 1.0)).astype(np.uint8)
    fraction = float(ink.mean())
    if fraction == 0.0:
        return 0.0, 0.0
    _, _, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(ink, 8, cv2.CV_32S,
                                                                  cv2.CCL_GRANA)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    areas = stats[1:, cv2.CC_STAT_AREA]
    # glyph-sized: not a speck, not a rule or a seal
    glyph = (areas >= 3) & (heights >= 2) & (heights <= small.shape[0] // 20) \
        & (widths <= small.shape[1] // 10)
    if glyph.sum() < 5:
        return fraction, 0.0
    # diacritics and dots are short: the upper half of the blobs are the letters
    height = float(np.percentile(heights[glyph], 75)) / scale
    return fraction, height


def measure(gray: np.ndarray, flat: np.ndarray, scale: float = 1.0) -> PageMeasures:
    """Measures of a page: ``gray`` as loaded (grey, cropped to the paper), ``flat`` the same
    after background flattening (or ``gray`` again when flattening is off); both may be
    reduced copies, ``scale`` times the page's size."""
    fraction, height = ink_measures(flat, scale)
    h, w = gray.shape
    return PageMeasures(int(round(w / scale)), int(round(h / scale)), paper_level(gray),
                        fraction, height)


def image_flags(m: PageMeasures) -> tuple[str, ...]:
    """Flags decided from the image alone: blank, too dark, too small."""
    flags = []
    if m.ink_fraction < BLANK_INK_FRACTION:
        flags.append(BLANK)
    if m.paper_level < DARK_PAPER_LEVEL:
        flags.append(TOO_DARK)
    if min(m.width, m.height) < MIN_SIDE_PX or (
            BLANK not in flags and 0 < m.text_height < MIN_TEXT_HEIGHT_PX):
        flags.append(TOO_SMALL)
    return tuple(flags)


def read_share(ink: np.ndarray, page: OcrPage, min_confidence: float = READ_MIN_CONFIDENCE) -> float:
    """Share of the ink (small mask in the OCR page's geometry) lying inside words read with
    at least ``min_confidence`` that hold a letter or a digit."""
    total = int(ink.sum())
    if total == 0:
        return 1.0
    sy, sx = ink.shape[0] / page.height, ink.shape[1] / page.width
    boxes = np.zeros_like(ink)
    for w in page.words:
        if w.confidence < min_confidence or not any(c.isalnum() for c in w.text):
            continue
        l, t, r, b = w.bbox
        boxes[int(t * sy):int(np.ceil(b * sy)) + 1, int(l * sx):int(np.ceil(r * sx)) + 1] = 1
    return float((ink & boxes).sum()) / total


def reads_as_no_print(m: PageMeasures | None, page: OcrPage) -> bool:
    """Ink on the page, but little of it read as print: handwriting, or print read upside
    down (the page is read once more turned over before it is flagged: ocr.page)."""
    if m is None or m.ink is None or m.ink_fraction < HANDWRITING_MIN_INK or not page.width:
        return False
    if float(m.ink.mean()) < HANDWRITING_MIN_INK:  # e.g. all the ink was table rules
        return False
    return read_share(m.ink, page) < HANDWRITING_MAX_READ


def ocr_flags(m: PageMeasures, page: OcrPage) -> tuple[str, ...]:
    """Flags decided after OCR: handwriting (ink that Tesseract does not read as print)."""
    return (HANDWRITING,) if reads_as_no_print(m, page) else ()


def review_flagged(records: tuple[ExtractedRecord, ...] | list[ExtractedRecord],
                   flags: tuple[str, ...]) -> tuple[ExtractedRecord, ...]:
    """Records of a flagged page with every field in review, the flags added to its reasons."""
    if not flags:
        return tuple(records)
    out = []
    for record in records:
        fields = {name: fv.model_copy(update={
            "status": FieldStatus.REVIEW,
            "reasons": fv.reasons + tuple(f for f in flags if f not in fv.reasons)})
            for name, fv in record.fields.items()}
        out.append(record.model_copy(update={"fields": fields}))
    return tuple(out)


def describe(flags: tuple[str, ...]) -> str:
    """The flags in words, for the receipt."""
    words = {BLANK: "blank page", TOO_DARK: "page too dark to read",
             TOO_SMALL: "image or print too small to read",
             HANDWRITING: "handwriting or marks Tesseract cannot read as print"}
    return "; ".join(words.get(f, f) for f in flags)


def page_note(source: str, page: int, flags: tuple[str, ...], records: int) -> PageFailure:
    """The receipt's note for a flagged page (the review desk makes a page item of it). The
    reason is the first flag; the message has them all and what happened to the records."""
    what = (f"{records} record(s) on it sent to review" if records
            else "no record read from it: look at the page")
    return PageFailure(source=source, page=page, reason=flags[0],
                       message=f"{describe(flags)}; {what}")
