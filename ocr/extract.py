"""From OCR words to person records, for every kind of page sohoa knows.

The page's kind comes from its printed title (fuzzy), or from its layout when the title is
unreadable: a ruled table with a register's column headers is a register page. Labels are
found by fuzzy matching (:mod:`ocr.scan`), values normalized and cross-checked
(:mod:`ocr.fields`); register rows and the marriage table have their own readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kernel.places import Gazetteer
from kernel.records import DEATH_FIELDS, FIELD_NAMES, DocType, ExtractedRecord, OcrPage
from kernel.syllables import SyllableLexicon
from ocr.fields import AUTO_MIN, STRUCTURED_AUTO_MIN, Context, FieldBuilder
from ocr.labels import BIRTH, DEATH, TITLES
from ocr.layout import Table
from ocr.lines import reading_lines
from ocr.scan import find_title, scan

if TYPE_CHECKING:
    from ocr.classify import PageCues


EXPECTED_ON_CERTIFICATES = tuple(f for f in FIELD_NAMES if f != "id_number")
"""Printed on every birth certificate and extract: missing means unread, so it is reviewed.
The ID number is not on older documents: its absence is not an error."""


def classify(page: OcrPage, tables: tuple[Table, ...] = ()) -> DocType:
    kind = find_title(reading_lines(page, tables), TITLES)
    if kind:
        return DocType(kind)
    from ocr.register import looks_like_register

    if any(looks_like_register(page, t) for t in tables):
        return DocType.BIRTH_REGISTER
    return DocType.UNKNOWN


def extract_birth_certificate(page: OcrPage, *, auto_min: float = AUTO_MIN,
                              gazetteer: Gazetteer | None = None,
                              lexicon: SyllableLexicon | None = None,
                              tables: tuple[Table, ...] = ()) -> ExtractedRecord:
    return _birth_record(page, tables, Context(auto_min, gazetteer, lexicon))


def _birth_record(page: OcrPage, tables: tuple[Table, ...], ctx: Context) -> ExtractedRecord:
    lines = reading_lines(page, tables)
    raw = scan(lines, BIRTH, page.width)
    fields = FieldBuilder(ctx).fill(raw, FIELD_NAMES, required=EXPECTED_ON_CERTIFICATES)
    found = find_title(lines, TITLES) == "birth_certificate" or "full_name" in raw
    return ExtractedRecord(doc_type=DocType.BIRTH_CERTIFICATE if found else DocType.UNKNOWN,
                           fields=fields)


def extract_death(page: OcrPage, ctx: Context, tables: tuple[Table, ...] = ()) -> ExtractedRecord:
    raw = scan(reading_lines(page, tables), DEATH, page.width)
    fields = FieldBuilder(ctx).fill(raw, DEATH_FIELDS,
                                    required=tuple(f for f in DEATH_FIELDS if f != "id_number"))
    return ExtractedRecord(doc_type=DocType.DEATH_EXTRACT, fields=fields, role="deceased")


def extract_page(page: OcrPage, tables: tuple[Table, ...], *, auto_min: float = AUTO_MIN,
                 structured_auto_min: float = STRUCTURED_AUTO_MIN,
                 gazetteer: Gazetteer | None = None,
                 lexicon: SyllableLexicon | None = None,
                 cues: "PageCues | None" = None) -> list[ExtractedRecord]:
    """Every person record on the page (none for a blank or unknown page without a name).

    The page's kind comes from :func:`ocr.classify.classify_page` (content and, with
    ``cues``, the ID cards found on the image and their words); dossier pages (declarations,
    ID-card copies) have their own readers, blank and "other" pages give no record."""
    from ocr.classify import classify_page

    ctx = Context(auto_min, gazetteer, lexicon, structured_auto_min)
    kind = classify_page(page, tables, cues).doc_class
    if kind in (DocType.BLANK, DocType.OTHER):
        return []
    if kind is DocType.ID_CARD:
        from ocr.idcard import extract_cards

        return extract_cards(cues.cards if cues else (), ctx, page)
    if kind is DocType.DECLARATION_FORM:
        from ocr.declaration import extract_declaration

        return extract_declaration(page, tables, ctx)
    if kind is DocType.BIRTH_REGISTER:
        from ocr.register import extract_register

        return extract_register(page, tables, ctx)
    if kind is DocType.MARRIAGE_CERTIFICATE:
        from ocr.marriage import extract_marriage

        return extract_marriage(page, tables, ctx)
    if kind is DocType.DEATH_EXTRACT:
        return [extract_death(page, ctx, tables)]
    return [_birth_record(page, tables, ctx)]
