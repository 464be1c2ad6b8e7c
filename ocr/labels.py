"""Printed labels of each kind of document, declared as data.

Each label is matched on its diacritics-free, lower-case, punctuation-free form, so that OCR
losing a tone mark or a colon does not lose the field. ``starts_scope`` opens a person's
block (child / mother / father); other labels belong to the block they are in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    key: str  # what the value means, e.g. "name", "birth_year", "dob_words"
    text: str  # normalized label text
    starts_scope: str | None = None

    @property
    def size(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class LabelSet:
    labels: tuple[Label, ...]
    scoped: dict[tuple[str, str], str]  # (scope, label key) -> field name
    unscoped: dict[str, str]  # label key -> field name, whatever the scope
    first_scope: str = "child"

    def field(self, key: str, scope: str) -> str | None:
        return self.unscoped.get(key) or self.scoped.get((scope, key))


_PERSON = (
    Label("id_number", "so dinh danh ca nhan"),
    Label("id_paper", "giay to tuy than"),
    Label("date_of_birth", "ngay thang nam sinh"),
    Label("registration_date", "ngay dang ky"),
    Label("sex", "gioi tinh"),
    Label("ethnicity", "dan toc"),
    Label("nationality", "quoc tich"),
    Label("residence", "noi cu tru"),
    Label("book_number", "quyen so"),
    Label("registration_number", "so"),
    Label("notes", "ghi chu"),
)
_REGISTRATION = {"registration_number": "registration_number", "book_number": "book_number",
                 "registration_date": "registration_date",
                 "registration_place": "registration_place"}

BIRTH = LabelSet(
    labels=(
        Label("name", "ho chu dem ten nguoi me", starts_scope="mother"),
        Label("name", "ho chu dem ten nguoi cha", starts_scope="father"),
        Label("name", "ho chu dem ten", starts_scope="child"),
        Label("name", "ho va ten", starts_scope="child"),
        Label("registration_place", "noi dang ky khai sinh"),
        Label("registration_place", "dang ky khai sinh tai"),
        Label("dob_words", "ghi bang chu"),
        Label("place_of_birth", "noi sinh"),
        Label("hometown", "que quan"),
        Label("birth_year", "nam sinh"),
        *_PERSON,
    ),
    scoped={
        ("child", "name"): "full_name", ("child", "date_of_birth"): "date_of_birth",
        ("child", "sex"): "sex", ("child", "ethnicity"): "ethnicity",
        ("child", "nationality"): "nationality", ("child", "place_of_birth"): "place_of_birth",
        ("child", "hometown"): "hometown", ("child", "id_number"): "id_number",
        ("mother", "name"): "mother_name", ("mother", "birth_year"): "mother_birth_year",
        ("father", "name"): "father_name", ("father", "birth_year"): "father_birth_year",
    },
    unscoped=_REGISTRATION | {"dob_words": "dob_words"},
)

DEATH = LabelSet(
    labels=(
        Label("name", "ho chu dem ten", starts_scope="deceased"),
        Label("name", "ho va ten", starts_scope="deceased"),
        Label("last_residence", "noi cu tru cuoi cung"),
        Label("date_of_death", "da chet vao luc"),
        Label("date_of_death", "chet vao luc"),
        Label("place_of_death", "noi chet"),
        Label("cause", "nguyen nhan chet"),
        Label("registration_place", "noi dang ky khai tu"),
        Label("registration_place", "dang ky khai tu tai"),
        *_PERSON,
    ),
    scoped={("deceased", k): k for k in ("date_of_birth", "sex", "ethnicity", "nationality",
                                          "id_number", "id_paper", "date_of_death",
                                          "place_of_death")} | {("deceased", "name"): "full_name"},
    unscoped=_REGISTRATION,
    first_scope="deceased",
)

MARRIAGE = LabelSet(  # the lines around the spouses' table
    labels=(
        Label("registration_place", "noi dang ky ket hon"),
        Label("registration_place", "dang ky ket hon tai"),
        *_PERSON,
    ),
    scoped={},
    unscoped=_REGISTRATION,
)

# row labels of the marriage table (first column) -> field
MARRIAGE_ROWS = {
    "ho chu dem ten": "full_name", "ho va ten": "full_name",
    "ngay thang nam sinh": "date_of_birth", "dan toc": "ethnicity", "quoc tich": "nationality",
    "noi cu tru": "residence", "giay to tuy than": "id_paper", "so dinh danh ca nhan": "id_number",
}

# normalized title text -> document type value
TITLES = {
    "so dang ky khai sinh": "birth_register",
    "giay chung nhan ket hon": "marriage_certificate",
    "trich luc khai tu": "death_extract",
    "giay chung tu": "death_extract",
    "trich luc khai sinh": "birth_certificate",
    "ban sao giay khai sinh": "birth_certificate",
    "giay khai sinh": "birth_certificate",
}
