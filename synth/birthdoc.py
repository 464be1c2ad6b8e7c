"""The printed values of a birth registration, shared by the corpus layouts of birth
certificates and extracts (:mod:`synth.boxed`, :mod:`synth.twocol`), and the small choices
a form edition makes (title, label of the registering body, how places are written).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kernel.records import FIELD_NAMES

from synth.certificate import SEX_WORDS, DocumentKind
from synth.numwords import WordStyle, date_in_words
from synth.people import BirthRegistration, Parent
from synth.places import Commune, PlaceStyle

REGISTRATION_PLACE_LABELS = ("Nơi đăng ký khai sinh", "Đăng ký khai sinh tại")


@dataclass(frozen=True)
class BirthEdition:
    """How one printed form writes a birth registration."""

    kind: DocumentKind
    title: str
    place_style: PlaceStyle  # FULL or ABBREVIATED
    place_label: str  # "Nơi đăng ký khai sinh" or "Đăng ký khai sinh tại"
    words: WordStyle
    points: float

    @classmethod
    def draw(cls, rng: random.Random, kind: DocumentKind) -> BirthEdition:
        title = kind.title
        if kind is DocumentKind.BIRTH_CERTIFICATE and rng.random() < 0.15:
            title = "BẢN SAO GIẤY KHAI SINH"
        extract = kind is DocumentKind.BIRTH_EXTRACT
        return cls(kind, title,
                   PlaceStyle.ABBREVIATED if rng.random() < 0.2 else PlaceStyle.FULL,
                   REGISTRATION_PLACE_LABELS[1 if extract and rng.random() < 0.7 else 0],
                   WordStyle(zero_tens="lẻ" if rng.random() < 0.2 else "linh",
                             four="tư" if rng.random() < 0.3 else "bốn"),
                   rng.choice((11.5, 12.0, 12.0, 12.5)))

    @property
    def signer_title(self) -> str:
        return self.kind.signer_title

    def place(self, commune: Commune, prefix: str = "") -> str:
        return f"{prefix}{commune.format(self.place_style)}"

    def residence(self, parent: Parent) -> str:
        return self.place(parent.residence, f"{parent.hamlet}, ")


def birth_place_text(reg: BirthRegistration, edition: BirthEdition) -> str:
    person = reg.person
    facility = f"{person.birth_facility} " if person.birth_facility else ""
    return edition.place(person.place_of_birth, facility)


def registration_place_text(reg: BirthRegistration, edition: BirthEdition) -> str:
    return edition.place(reg.registration_commune, f"{reg.registration_body} ")


def dob_words(reg: BirthRegistration, edition: BirthEdition) -> str:
    return date_in_words(reg.person.date_of_birth, edition.words)


def empty_fields() -> dict[str, str | None]:
    return dict.fromkeys(FIELD_NAMES)


def export_values(reg: BirthRegistration, printed: dict[str, str]) -> dict[str, str | None]:
    """Printed texts -> truth values: dates as YYYY-MM-DD, sex as M/F, the rest as printed."""
    out = empty_fields()
    for name, text in printed.items():
        out[name] = text or None
    if out["date_of_birth"]:
        out["date_of_birth"] = reg.person.date_of_birth.isoformat()
    if out["registration_date"]:
        out["registration_date"] = reg.registration_date.isoformat()
    if out["sex"]:
        out["sex"] = "M" if out["sex"] == SEX_WORDS["M"] else "F"
    return out
