"""Printed labels of the birth certificate / extract, declared as data.

Each label is matched on its diacritics-free, lower-case, punctuation-free form, so that OCR
losing a tone mark or a colon does not lose the field. ``scope`` says whose field it is:
"child" fields follow the person's name; "mother"/"father" fields follow that parent's name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    key: str  # what the value means, e.g. "name", "birth_year", "dob_words"
    text: str  # normalized label text
    starts_scope: str | None = None  # this label opens a new scope (child / mother / father)

    @property
    def size(self) -> int:
        return len(self.text.split())


LABELS: tuple[Label, ...] = (
    Label("name", "ho chu dem ten nguoi me", starts_scope="mother"),
    Label("name", "ho chu dem ten nguoi cha", starts_scope="father"),
    Label("name", "ho chu dem ten", starts_scope="child"),
    Label("name", "ho va ten", starts_scope="child"),
    Label("id_number", "so dinh danh ca nhan"),
    Label("registration_place", "noi dang ky khai sinh"),
    Label("registration_place", "dang ky khai sinh tai"),
    Label("date_of_birth", "ngay thang nam sinh"),
    Label("registration_date", "ngay dang ky"),
    Label("dob_words", "ghi bang chu"),
    Label("sex", "gioi tinh"),
    Label("ethnicity", "dan toc"),
    Label("nationality", "quoc tich"),
    Label("place_of_birth", "noi sinh"),
    Label("hometown", "que quan"),
    Label("residence", "noi cu tru"),
    Label("birth_year", "nam sinh"),
    Label("book_number", "quyen so"),
    Label("registration_number", "so"),
)

# (scope, label key) -> export field name
FIELD_FOR: dict[tuple[str, str], str] = {
    ("child", "name"): "full_name",
    ("child", "date_of_birth"): "date_of_birth",
    ("child", "sex"): "sex",
    ("child", "ethnicity"): "ethnicity",
    ("child", "nationality"): "nationality",
    ("child", "place_of_birth"): "place_of_birth",
    ("child", "hometown"): "hometown",
    ("child", "id_number"): "id_number",
    ("mother", "name"): "mother_name",
    ("mother", "birth_year"): "mother_birth_year",
    ("father", "name"): "father_name",
    ("father", "birth_year"): "father_birth_year",
}
# labels whose field does not depend on scope
GLOBAL_FIELDS = {
    "registration_number": "registration_number",
    "book_number": "book_number",
    "registration_date": "registration_date",
    "registration_place": "registration_place",
    "dob_words": "dob_words",
}

TITLES = {"giay khai sinh": "birth_certificate", "trich luc khai sinh": "birth_certificate",
          "ban sao giay khai sinh": "birth_certificate"}
