"""The two sides of a match: a registry person and a query built from extracted fields.

Both normalize their values the same way (NFC, single spaces, ``M``/``F``, ISO dates, IDs as
strings) and derive the same blocking keys, so a registry row and a page agree on what
"the same value" means.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping

from pydantic import BaseModel, ConfigDict

from kernel.vntext import canonical_text, collapse_spaces, nfc, strip_diacritics
from matching.names import ascii_name, canonical_name, split_name
from matching.places import PlaceCoder

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[0-9]{9}|[0-9]{12}")  # ASCII digits only
_SEX = {"m": "M", "male": "M", "nam": "M", "f": "F", "female": "F", "nữ": "F", "nu": "F"}

MIN_BIRTH_YEAR = 1850


def clean_text(value: str | None) -> str | None:
    """NFC, trimmed, single spaces; ``None`` for empty."""
    if value is None:
        return None
    text = str(value)
    text = " ".join((text if text.isascii() else nfc(text)).split())
    return text or None


def parse_sex(value: str | None) -> str | None:
    """'M'/'F' from M/F, Nam/Nữ, male/female (any case); ``None`` when not recognised."""
    text = clean_text(value)
    return _SEX.get(text.casefold()) if text else None


def parse_date(value: str | None, *, today: dt.date | None = None) -> dt.date | None:
    """A real, plausible date of birth written ``YYYY-MM-DD``; ``None`` otherwise."""
    text = clean_text(value)
    if not text or not _ISO_DATE.fullmatch(text):
        return None
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if date.year < MIN_BIRTH_YEAR or date > (today or dt.date.today()):
        return None
    return date


def parse_id(value: str | None) -> str | None:
    """A 9-digit (CMND) or 12-digit ID as a string (spaces and dots dropped); else ``None``."""
    text = clean_text(value)
    if not text:
        return None
    compact = re.sub(r"[\s.]", "", text)
    return compact if _ID.fullmatch(compact) else None


def blocking_keys(full_name: str | None, father_name: str | None,
                  mother_name: str | None) -> dict[str, str | None]:
    """The name-derived blocking keys stored with a registry row (and computed for a query)."""
    parts = split_name(full_name)
    return {
        "name_key": parts.canonical or None,
        "name_ascii": parts.ascii or None,
        "given_ascii": parts.given_ascii or None,
        "family_ascii": parts.family_ascii or None,
        "father_ascii": ascii_name(father_name) or None,
        "mother_ascii": ascii_name(mother_name) or None,
    }


KEY_COLUMNS: tuple[str, ...] = (
    "name_key", "name_ascii", "family_key", "middle_key", "given_key", "family_ascii",
    "middle_ascii", "given_ascii", "father_key", "father_ascii", "mother_key", "mother_ascii",
    "pob_units", "home_units", "ethnicity_key",
)
"""Comparison keys stored with every registry row (derived from its values by :func:`keys`)."""


def keys(full_name: str | None, father_name: str | None, mother_name: str | None,
         place_of_birth: str | None, hometown: str | None, ethnicity: str | None,
         places: PlaceCoder) -> dict[str, str | None]:
    """Every comparison and blocking key of a person (both sides derive them alike)."""
    parts = split_name(full_name)
    return {
        "name_key": parts.canonical or None,
        "name_ascii": parts.ascii or None,
        "family_key": parts.family or None,
        "middle_key": parts.middle or None,
        "given_key": parts.given or None,
        "family_ascii": parts.family_ascii or None,
        "middle_ascii": parts.middle_ascii or None,
        "given_ascii": parts.given_ascii or None,
        "father_key": canonical_name(father_name) or None,
        "father_ascii": ascii_name(father_name) or None,
        "mother_key": canonical_name(mother_name) or None,
        "mother_ascii": ascii_name(mother_name) or None,
        "pob_units": places.tokens(place_of_birth) or None,
        "home_units": places.tokens(hometown) or None,
        "ethnicity_key": canonical_text(ethnicity) if ethnicity else None,
    }


@dataclass(frozen=True, slots=True)
class RegistryPerson:
    """One person of the population registry, as stored (values NFC, IDs and dates strings)."""

    id_number: str
    full_name: str
    date_of_birth: str  # YYYY-MM-DD
    birth_year: int
    sex: str  # "M" or "F"
    place_of_birth: str | None = None
    hometown: str | None = None
    ethnicity: str | None = None
    father_name: str | None = None
    mother_name: str | None = None
    permanent_address: str | None = None


class PersonQuery(BaseModel):
    """What a page says about a person, normalized for matching. Any field may be missing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    full_name: str | None = None
    date_of_birth: str | None = None  # YYYY-MM-DD
    sex: str | None = None  # "M" or "F"
    id_number: str | None = None
    father_name: str | None = None
    mother_name: str | None = None
    place_of_birth: str | None = None
    hometown: str | None = None
    ethnicity: str | None = None
    father_birth_year: int | None = None
    mother_birth_year: int | None = None

    @classmethod
    def from_fields(cls, fields: Mapping[str, str | None]) -> "PersonQuery":
        """Build from extracted fields keyed by ``kernel.records.FIELD_NAMES``.

        Values that cannot be read (a date that is not a real ``YYYY-MM-DD``, a sex other than
        M/F/Nam/Nữ, an ID that is not 9 or 12 digits) become ``None``: a missing field does not
        count for or against a candidate. Fields the registry does not hold are ignored.
        """
        date = parse_date(fields.get("date_of_birth"))
        return cls(
            full_name=clean_text(fields.get("full_name")),
            date_of_birth=date.isoformat() if date else None,
            sex=parse_sex(fields.get("sex")),
            id_number=parse_id(fields.get("id_number")),
            father_name=clean_text(fields.get("father_name")),
            mother_name=clean_text(fields.get("mother_name")),
            place_of_birth=clean_text(fields.get("place_of_birth")),
            hometown=clean_text(fields.get("hometown")),
            ethnicity=clean_text(fields.get("ethnicity")),
            father_birth_year=_year(fields.get("father_birth_year")),
            mother_birth_year=_year(fields.get("mother_birth_year")),
        )

    @property
    def birth_year(self) -> int | None:
        return int(self.date_of_birth[:4]) if self.date_of_birth else None

    def blocking_values(self) -> dict[str, str | int | None]:
        """Values of the registry's blocking columns for this query (``None`` = unknown)."""
        values: dict[str, str | int | None] = {
            "id_number": self.id_number,
            "date_of_birth": self.date_of_birth,
            "birth_year": self.birth_year,
        }
        values.update(blocking_keys(self.full_name, self.father_name, self.mother_name))
        return values


def _year(value: str | None) -> int | None:
    text = clean_text(value)
    if text and re.fullmatch(r"\d{4}", text) \
            and MIN_BIRTH_YEAR <= int(text) <= dt.date.today().year:
        return int(text)
    return None


def ascii_text(value: str | None) -> str:
    """Upper-case ascii form of any text (places, ethnicity); '' for none."""
    return collapse_spaces(strip_diacritics(nfc(value))).upper() if value else ""
