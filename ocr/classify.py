"""What kind of page this is, from its content, never its file name.

Dossiers mix declaration forms, ID-card copies, certificates, register and civil-status
pages, residence papers and blank separator sheets. Three kinds of evidence, added up per
kind (:func:`classify_page`):

- the printed title, fuzzy-matched on short lines near the top ("TỜ KHAI ĐĂNG KÝ KHAI SINH",
  "CĂN CƯỚC CÔNG DÂN", "GIẤY KHAI SINH", "TRÍCH LỤC KHAI TỬ", "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ"
  ...): the longest title that matches wins over one it contains ("giấy khai sinh" in "tờ
  khai đăng ký khai sinh");
- words only that kind prints, anywhere on the page ("người yêu cầu", "Full name", "nơi tạm
  trú", "đã chết vào lúc" ...);
- layout: card-shaped grey rectangles (:mod:`ocr.cardfind`), a ruled table with a birth
  register's column headers, and next to no ink and no words (a blank sheet).
A page with no evidence at all is ``unknown`` and keeps the old behaviour (read as a birth
document, so nothing is dropped silently).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

from kernel.records import DocType, ExtractedRecord, OcrPage
from ocr.cardfind import CardScan, find_cards, load_gray, page_box
from ocr.cardread import read_cards
from ocr.layout import Table
from ocr.quality import BLANK_INK_FRACTION
from ocr.lines import Line, reading_lines

log = logging.getLogger(__name__)

TITLES: tuple[tuple[str, DocType], ...] = (
    ("to khai dang ky khai sinh", DocType.DECLARATION_FORM),
    ("can cuoc cong dan", DocType.ID_CARD), ("citizen identity card", DocType.ID_CARD),
    ("can cuoc", DocType.ID_CARD), ("identity card", DocType.ID_CARD),
    ("so dang ky khai sinh", DocType.BIRTH_REGISTER),
    ("giay chung nhan ket hon", DocType.MARRIAGE_CERTIFICATE),
    ("trich luc khai tu", DocType.DEATH_EXTRACT), ("giay chung tu", DocType.DEATH_EXTRACT),
    ("trich luc khai sinh", DocType.BIRTH_CERTIFICATE),
    ("ban sao giay khai sinh", DocType.BIRTH_CERTIFICATE),
    ("giay khai sinh", DocType.BIRTH_CERTIFICATE),
    ("xac nhan thong tin ve cu tru", DocType.OTHER), ("giay xac nhan cu tru", DocType.OTHER),
)
KEYWORDS: dict[DocType, tuple[str, ...]] = {
    DocType.DECLARATION_FORM: (
        "nguoi yeu cau", "quan he voi nguoi duoc khai sinh", "kinh gui", "toi cam doan",
        "de nghi co quan dang ky khai sinh", "chu thich", "ghi ro ten co quan dang ky khai sinh",
        "nguoi co yeu cau dang ky ho tich", "danh dau x vao o", "de nghi cap ban sao",
        "thong tin ve giay chung nhan ket hon cua cha me tre"),
    DocType.ID_CARD: (
        "full name", "date of birth", "place of origin", "place of residence", "nationality",
        "dac diem nhan dang", "ngon tro trai", "ngon tro phai", "co gia tri den",
        "personal identification", "date of expiry", "socialist republic of viet nam"),
    DocType.BIRTH_CERTIFICATE: (
        "nguoi ky giay khai sinh", "nguoi ky trich luc", "dang ky khai sinh tai",
        "ghi ro ho chu dem ten chuc vu va dong dau"),
    DocType.MARRIAGE_CERTIFICATE: (
        "thong tin nguoi chong", "thong tin nguoi vo", "noi dang ky ket hon",
        "dang ky ket hon tai", "nguoi ky giay chung nhan"),
    DocType.DEATH_EXTRACT: (
        "da chet vao luc", "noi chet", "nguyen nhan chet", "noi dang ky khai tu",
        "dang ky khai tu tai", "noi cu tru cuoi cung"),
    DocType.OTHER: (
        "noi tam tru", "noi o hien tai", "ho chu dem va ten chu ho", "quan he voi chu ho",
        "truong cong an", "thong tin ve cu tru", "ton giao", "co gia tri 30 ngay"),
}
TITLE_WEIGHT = 4.0
KEYWORD_CAP = 4
CARD_WEIGHT = 5.0
REGISTER_WEIGHT = 5.0
MIN_EVIDENCE = 2.0
BLANK_MAX_INK = 0.004
"""A blank sheet: at most this share of ink (specks) and no word read with confidence; with
less ink than ocr.quality's BLANK_INK_FRACTION a page is blank whatever OCR made of it."""


class PageCues(BaseModel):
    """What the page image says besides its words: the ID cards on it (read or not) and its
    share of ink. Saved beside the words so that extraction can be re-run without the image."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cards: tuple[CardScan, ...] = ()
    ink_fraction: float | None = None


@dataclass(frozen=True)
class PageClass:
    doc_class: DocType
    scores: dict[str, float] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()


def _real_words(page: OcrPage) -> int:
    return sum(1 for w in page.words if w.confidence >= 0.5
               and sum(c.isalnum() for c in w.text) >= 2)


def _title(lines: list[Line]) -> tuple[DocType, float, str] | None:
    best: tuple[float, int, DocType, str] | None = None
    for line in lines[:22]:
        words = [t.norm for t in line.tokens if t.norm]
        for text, kind in TITLES:
            n = len(text.split())
            if len(words) > n + 6:  # a title stands on a short line of its own
                continue
            for i in range(max(1, len(words) - n + 1)):
                score = fuzz.ratio(text, " ".join(words[i:i + n]))
                if score >= 85 and (best is None or (score, n) > (best[0], best[1])):
                    best = (score, n, kind, text)
    return (best[2], best[0], best[3]) if best else None


def _page_text(lines: list[Line]) -> str:
    return " | ".join(" ".join(t.norm for t in ln.tokens if t.norm) for ln in lines)


def classify_page(page: OcrPage, tables: tuple[Table, ...] = (),
                  cues: PageCues | None = None) -> PageClass:
    """The page's class (a DocType), the score of each kind and the evidence seen."""
    cues = cues or PageCues()
    scores: dict[DocType, float] = {}
    evidence: list[str] = []
    ink = cues.ink_fraction
    if not cues.cards and ink is not None and ink < BLANK_INK_FRACTION:
        return PageClass(DocType.BLANK, {}, ("no_ink",))  # what OCR reads in specks is noise
    if _real_words(page) <= 2 and not cues.cards and (ink is None or ink < BLANK_MAX_INK):
        return PageClass(DocType.BLANK, {}, ("no_words",))
    lines = reading_lines(page, tables)
    title = _title(lines)
    if title:
        scores[title[0]] = TITLE_WEIGHT * title[1] / 100
        evidence.append(f"title:{title[2]}")
    text = _page_text(lines)
    for kind, words in KEYWORDS.items():
        hits = [w for w in words if (w in text if len(w) < 10
                                     else fuzz.partial_ratio(w, text) >= 90)]
        if hits:
            scores[kind] = scores.get(kind, 0.0) + min(len(hits), KEYWORD_CAP)
            evidence += [f"word:{w}" for w in hits]
    if cues.cards:
        scores[DocType.ID_CARD] = scores.get(DocType.ID_CARD, 0.0) + CARD_WEIGHT + min(
            len(cues.cards) - 1, 2)
        evidence.append(f"cards:{len(cues.cards)}")
    if tables:
        from ocr.register import looks_like_register

        if any(looks_like_register(page, t) for t in tables):
            scores[DocType.BIRTH_REGISTER] = scores.get(DocType.BIRTH_REGISTER, 0.0) + REGISTER_WEIGHT
            evidence.append("register_table")
    named = {k.value: round(v, 2) for k, v in scores.items()}
    if not scores or max(scores.values()) < MIN_EVIDENCE:
        return PageClass(DocType.UNKNOWN, named, tuple(evidence))
    best = max(scores, key=lambda k: scores[k])
    return PageClass(best, named, tuple(evidence))


def page_cues(image: Path, page: OcrPage, tables: tuple[Table, ...], *, rotation: int,
              transform: tuple[float, ...], size: tuple[int, int], ink_fraction: float | None,
              lang: str, timeout_s: float) -> PageCues:
    """Look at the page image: find ID cards; when the page reads as an ID-card copy, read
    each card (one OCR call per card). ``rotation`` (the page's turn, for reading the
    cards), ``transform`` and ``size`` (width, height) are the preprocessing's: the cards are
    placed on the preprocessed page through the same geometry, a photo's perspective too."""
    first = classify_page(page, tables, PageCues(ink_fraction=ink_fraction))
    if first.doc_class not in (DocType.ID_CARD, DocType.UNKNOWN, DocType.OTHER) \
            and DocType.ID_CARD.value not in first.scores:
        return PageCues(ink_fraction=ink_fraction)  # the words say what it is: no card there
    gray = load_gray(image)
    if gray is None:
        return PageCues(ink_fraction=ink_fraction)
    corners = find_cards(gray)
    boxes = [page_box(c, transform, size) for c in corners]
    cards = [CardScan(corners=tuple((float(x), float(y)) for x, y in c), box=b)
             for c, b in zip(corners, boxes)]
    cues = PageCues(cards=tuple(cards), ink_fraction=ink_fraction)
    if not cards or classify_page(page, tables, cues).doc_class is not DocType.ID_CARD:
        return cues
    read = read_cards(gray, corners, cards, rotation=rotation, lang=lang, timeout_s=timeout_s)
    log.debug("%s: %d ID card(s) read", image.name, len(read))
    return PageCues(cards=read, ink_fraction=ink_fraction)


def load_cues(path: Path | None) -> PageCues | None:
    """The cues saved beside a page's words (None when there are none)."""
    if path is None or not Path(path).is_file():
        return None
    return PageCues.model_validate_json(Path(path).read_text(encoding="utf-8"))


def resolved_class(page: OcrPage, tables: tuple[Table, ...], cues: PageCues | None,
                   records: list[ExtractedRecord] | tuple[ExtractedRecord, ...]) -> str:
    """The class a page output reports: the classifier's, or for a page without evidence the
    type its record was read as (a birth document found by its labels, or unknown)."""
    kind = classify_page(page, tables, cues).doc_class
    if kind is DocType.UNKNOWN and records:
        return records[0].doc_type.value
    return kind.value
