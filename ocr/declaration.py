"""Birth-registration declarations (TỜ KHAI ĐĂNG KÝ KHAI SINH): one record per person on the
form, told apart by role.

The form's person labels open blocks: "Họ, chữ đệm, tên người yêu cầu" the requester's,
"Họ, chữ đệm, tên" (after "Đề nghị ... cho người dưới đây") the child's (role ``subject``),
"... người mẹ" and "... người cha" the parents'. Other labels belong to the block they are
in (:func:`ocr.scan.scan`), values are normalized and cross-checked by
:class:`ocr.fields.FieldBuilder`: the requester's and parents' ID numbers (from "Giấy tờ tùy
thân") against their birth year, the child's date in digits against the date in words.
"""

from __future__ import annotations

from kernel.records import DECLARATION_FIELDS, DocType, ExtractedRecord, OcrPage
from kernel.vntext import collapse_spaces
from ocr.fields import Context, FieldBuilder
from ocr.labels import Label, LabelSet
from ocr.layout import Table
from ocr.lines import Line, normalize_token, reading_lines
from ocr.scan import RawField, hits_in, scan

ROLES = ("requester", "subject", "mother", "father")
_PERSON_KEYS = ("name", "date_of_birth", "residence", "id_paper", "ethnicity", "nationality")
DECLARATION = LabelSet(
    labels=(
        Label("name", "ho chu dem ten nguoi yeu cau", starts_scope="requester"),
        Label("name", "ho chu dem ten nguoi me", starts_scope="mother"),
        Label("name", "ho chu dem ten nguoi cha", starts_scope="father"),
        Label("name", "ho chu dem ten", starts_scope="subject"),
        Label("office", "kinh gui"),
        Label("relationship", "quan he voi nguoi duoc khai sinh"),
        Label("request", "de nghi co quan dang ky khai sinh cho nguoi duoi day"),
        Label("marriage", "thong tin ve giay chung nhan ket hon cua cha me tre"),
        Label("date_of_birth", "ngay thang nam sinh"),
        Label("date_of_birth", "nam sinh"),
        Label("dob_words", "ghi bang chu"),
        Label("sex", "gioi tinh"),
        Label("ethnicity", "dan toc"),
        Label("nationality", "quoc tich"),
        Label("place_of_birth", "noi sinh"),
        Label("hometown", "que quan"),
        Label("residence", "noi cu tru"),
        Label("id_paper", "giay to tuy than"),
        Label("made_at", "lam tai"),
    ),
    scoped={
        **{(role, key): f"{role}.{'full_name' if key == 'name' else key}"
           for role in ("requester", "mother", "father") for key in _PERSON_KEYS},
        ("requester", "relationship"): "requester.relationship",
        **{("subject", key): f"subject.{'full_name' if key == 'name' else key}"
           for key in ("name", "date_of_birth", "dob_words", "sex", "ethnicity", "nationality",
                       "place_of_birth", "hometown")},
    },
    unscoped={"office": "subject.registration_place"},
    first_scope="requester",
)
REQUIRED = {
    "requester": ("full_name", "date_of_birth", "relationship"),
    "subject": ("full_name", "date_of_birth", "sex", "place_of_birth", "hometown"),
    "mother": ("full_name",),
    "father": ("full_name",),
}
RELATIONSHIPS = {"cha": "Cha", "me": "Mẹ", "ongnoi": "Ông nội", "banoi": "Bà nội",
                 "ongngoai": "Ông ngoại", "bangoai": "Bà ngoại", "anh": "Anh", "chi": "Chị",
                 "nguoigiamho": "Người giám hộ"}


def _relationship(raw: RawField) -> tuple[str | None, list[str]]:
    key = "".join(normalize_token(t.text) for t in raw.tokens)
    if key in RELATIONSHIPS:
        return RELATIONSHIPS[key], []
    text = collapse_spaces(raw.text)
    return (text or None), ["relationship_unusual"]


WRAPS = ("dob_words", "registration_place", "residence", "place_of_birth", "hometown",
         "id_paper")
"""Values that run on to the next line, which starts at the margin (the form's dotted
lines), where position-aware scanning does not look for them."""


def _continued(lines: list[Line], raw: RawField, right: float) -> RawField:
    """``raw`` with the next line when the value ran to the right margin (it wrapped), that
    line is close below and holds no label."""
    if not raw.tokens or raw.tokens[-1].bbox[2] < 0.85 * right:
        return raw
    last = raw.tokens[-1]
    for i, line in enumerate(lines[:-1]):
        if last in line.tokens:
            below = lines[i + 1]
            if below.cell == line.cell and not hits_in(below.tokens, DECLARATION.labels) \
                    and below.top - line.top < 3 * max(t.height for t in line.tokens) \
                    and not any(t in raw.tokens for t in below.tokens):
                return RawField([*raw.tokens, *below.tokens])
            break
    return raw


def extract_declaration(page: OcrPage, tables: tuple[Table, ...], ctx: Context
                        ) -> list[ExtractedRecord]:
    """The requester, the child (``subject``), the mother and the father, each found by name
    (a block without a name gives no record: the form's second page gives none)."""
    lines = reading_lines(page, tables)
    found = scan(lines, DECLARATION)
    right = max((t.bbox[2] for ln in lines for t in ln.tokens), default=0)
    for name in [n for n in found if n.split(".", 1)[1] in WRAPS]:
        found[name] = _continued(lines, found[name], right)
    by_role: dict[str, dict[str, RawField]] = {role: {} for role in ROLES}
    for name, raw in found.items():
        role, field = name.split(".", 1)
        by_role[role][field] = raw
    subject = by_role["subject"]
    for parent in ("mother", "father"):
        if "full_name" in by_role[parent]:
            subject[f"{parent}_name"] = by_role[parent]["full_name"]
    records = []
    for role in ROLES:
        raw = by_role[role]
        if "full_name" not in raw:
            continue
        builder = FieldBuilder(ctx)
        fields = builder.fill(raw, DECLARATION_FIELDS, required=REQUIRED[role])
        if "relationship" in raw:
            value, reasons = _relationship(raw["relationship"])
            builder.put("relationship", value, raw["relationship"], reasons)
            fields["relationship"] = builder.fields["relationship"]
        records.append(ExtractedRecord(doc_type=DocType.DECLARATION_FORM, fields=fields,
                                       role=role))
    return records
