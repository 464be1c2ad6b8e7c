"""Synthetic persons and their birth registrations. Everything is drawn from a seeded rng.

A :class:`BirthRegistration` holds what a birth certificate says: the child (:class:`Person`),
the parents (:class:`Parent`), and the registration (number, book, date, registering body).
The 12-digit ID follows kernel.civil_id: registration province, century/sex, year, random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from kernel import civil_id

from synth.names import NameBook, PersonName
from synth.numwords import date_in_words
from synth.places import (Commune, Province, nearby_commune, random_commune, random_hamlet,
                          random_province)

if TYPE_CHECKING:
    from synth.gazetteer import PlaceBook

__all__ = [
    "Parent", "Person", "BirthRegistration", "date_in_words", "make_id_number",
    "random_birth_date", "make_registration", "make_sibling", "make_namesake",
]

NATIONALITY = "Việt Nam"
BODY_SHORT = "UBND"
BODY_LONG = "Ủy ban nhân dân"


@dataclass(frozen=True)
class Parent:
    name: PersonName
    birth_year: int
    ethnicity: str
    nationality: str
    hamlet: str  # "Thôn 3", "Ấp Tân Phú"
    residence: Commune

    @property
    def residence_text(self) -> str:
        """'Thôn 3, xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định'."""
        return f"{self.hamlet}, {self.residence.format()}"


@dataclass(frozen=True)
class Person:
    name: PersonName
    sex: str  # "M" or "F"
    date_of_birth: date
    ethnicity: str
    nationality: str
    place_of_birth: Commune
    birth_facility: str | None  # "Trạm y tế" when born at the commune health station
    hometown: Commune
    id_number: str  # 12 digits, as held by the registry (printed or not on old papers)

    @property
    def place_of_birth_text(self) -> str:
        place = self.place_of_birth.format()
        return f"{self.birth_facility} {place}" if self.birth_facility else place


@dataclass(frozen=True)
class BirthRegistration:
    person: Person
    mother: Parent
    father: Parent | None
    registration_number: int
    book_number: str  # "01/2017"
    registration_date: date
    registration_commune: Commune
    registration_body: str  # "UBND" or "Ủy ban nhân dân"
    id_printed: bool = True  # False for old papers issued before personal ID numbers

    @property
    def registration_place(self) -> str:
        """'UBND xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định'."""
        return f"{self.registration_body} {self.registration_commune.format()}"

    @property
    def family_residence(self) -> Parent:
        return self.father or self.mother


def make_id_number(rng: random.Random, province_code: str, sex: str, birth_year: int) -> str:
    """A 12-digit ID that kernel.civil_id.decode accepts and agrees with sex and year."""
    if province_code not in civil_id.PROVINCE_CODES:
        raise ValueError(f"unknown province code {province_code}")
    if sex not in ("M", "F") or not 1900 <= birth_year <= 2399:
        raise ValueError(f"cannot encode sex={sex!r} year={birth_year}")
    century_sex = 2 * (birth_year // 100 - 19) + (1 if sex == "F" else 0)
    number = f"{province_code}{century_sex}{birth_year % 100:02d}{rng.randrange(10**6):06d}"
    info = civil_id.decode(number)
    assert info is not None and info.sex == sex and info.birth_year == birth_year, number
    return number


class _BuiltinToday:
    """The built-in table with today's names, drawn exactly as the sample batch was."""

    def at(self, year: int) -> _BuiltinToday:
        return self

    def random_commune(self, rng: random.Random, prov: Province | None = None) -> Commune:
        return random_commune(rng, prov or random_province(rng))

    def nearby_commune(self, rng: random.Random, near: Commune) -> Commune:
        return nearby_commune(rng, near)

    def random_hamlet(self, rng: random.Random, commune: Commune) -> str:
        return random_hamlet(rng, commune)


_BUILTIN_TODAY = _BuiltinToday()


def random_birth_date(rng: random.Random, year_from: int = 1950, year_to: int = 2023) -> date:
    start, end = date(year_from, 1, 1), date(year_to, 12, 31)
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _ethnicity(rng: random.Random, commune: Commune) -> str:
    groups = commune.province.ethnicities
    return rng.choices([g for g, _ in groups], weights=[w for _, w in groups])[0]


def _parent(rng: random.Random, book: NameBook, sex: str, child_year: int, ethnicity: str,
            hamlet: str, residence: Commune, family: str | None = None) -> Parent:
    year = child_year - rng.randint(18 if sex == "F" else 20, 40)
    return Parent(book.name(rng, sex, year, ethnicity=ethnicity, family=family), year,
                  ethnicity, NATIONALITY, hamlet, residence)


def _registration_number(rng: random.Random, registered: date) -> int:
    """Row number in the year's book: grows with the day of the year, restarts at 1."""
    rate = rng.uniform(0.1, 0.6)  # registrations per day in a commune
    return max(1, int(registered.timetuple().tm_yday * rate) + rng.randint(0, 3))


def make_registration(rng: random.Random, book: NameBook | None = None, *,
                      date_of_birth: date | None = None, sex: str | None = None,
                      residence: Commune | None = None, given: str | None = None,
                      middle: str | None = None, id_printed: bool | None = None,
                      year_from: int = 1950, year_to: int = 2023,
                      places: PlaceBook | None = None) -> BirthRegistration:
    """A synthetic birth registration; keyword arguments pin parts of it.

    ``places`` (a :class:`synth.gazetteer.PlaceBook`) draws the communes, named as in the year
    of birth; without it, the built-in table of :mod:`synth.places` with today's names.
    """
    book = book or NameBook.load()
    dob = date_of_birth or random_birth_date(rng, year_from, year_to)
    sex = sex or rng.choice(("M", "F"))
    at = places.at(dob.year) if places is not None else _BUILTIN_TODAY
    residence = residence or at.random_commune(rng)
    hamlet = at.random_hamlet(rng, residence)
    ethnicity = _ethnicity(rng, residence)
    father = _parent(rng, book, "M", dob.year, ethnicity, hamlet, residence)
    mother_ethnicity = ethnicity if rng.random() < 0.9 else _ethnicity(rng, residence)
    mother = _parent(rng, book, "F", dob.year, mother_ethnicity, hamlet, residence)
    name = book.name(rng, sex, dob.year, ethnicity=ethnicity, family=father.name.family)
    if given or middle:
        name = replace(name, given=given or name.given, middle=middle or name.middle)
    born_at = residence if rng.random() < 0.6 else at.nearby_commune(rng, residence)
    facility = "Trạm y tế" if dob.year >= 1995 and rng.random() < 0.3 else None
    hometown = residence if rng.random() < 0.75 else at.random_commune(rng)
    registered = dob + timedelta(days=rng.randint(0, 60))
    person = Person(name, sex, dob, ethnicity, NATIONALITY, born_at, facility, hometown,
                    make_id_number(rng, residence.province_code, sex, dob.year))
    if id_printed is None:
        id_printed = registered.year >= 2016  # personal ID numbers are printed since 2016
    return BirthRegistration(
        person=person, mother=mother, father=father,
        registration_number=_registration_number(rng, registered),
        book_number=f"{1 if rng.random() < 0.8 else 2:02d}/{registered.year}",
        registration_date=registered, registration_commune=residence,
        registration_body=BODY_SHORT if rng.random() < 0.6 else BODY_LONG,
        id_printed=id_printed)


def make_sibling(rng: random.Random, of: BirthRegistration, book: NameBook | None = None,
                 places: PlaceBook | None = None) -> BirthRegistration:
    """A brother or sister: same parents and residence, another given name and birth date."""
    book = book or NameBook.load()
    first = of.person.date_of_birth
    while True:
        gap = rng.randint(400, 8 * 365) * rng.choice((-1, 1))
        dob = first + timedelta(days=gap)
        youngest_parent = max(p.birth_year for p in (of.father, of.mother) if p is not None)
        if 1950 <= dob.year <= 2023 and dob.year - youngest_parent >= 18:
            break
    sibling = make_registration(rng, book, date_of_birth=dob, residence=of.registration_commune,
                                places=places)
    name = sibling.person.name
    while name.given == of.person.name.given or name.family != of.person.name.family:
        name = book.name(rng, sibling.person.sex, dob.year, family=of.person.name.family)
    person = replace(sibling.person, name=name, ethnicity=of.person.ethnicity,
                     hometown=of.person.hometown)
    return replace(sibling, person=person, father=of.father, mother=of.mother)


def make_namesake(rng: random.Random, of: BirthRegistration, book: NameBook | None = None,
                  places: PlaceBook | None = None) -> BirthRegistration:
    """Someone else with the same full name and sex: other birth date, parents and place."""
    book = book or NameBook.load()
    other = make_registration(rng, book, sex=of.person.sex, places=places)
    while other.person.date_of_birth == of.person.date_of_birth:
        other = make_registration(rng, book, sex=of.person.sex, places=places)
    father = other.father and replace(
        other.father, name=replace(other.father.name, family=of.person.name.family))
    return replace(other, person=replace(other.person, name=of.person.name), father=father)

