"""The registry side of a corpus: the documents' people (a fixed share of them left out), hard
distractors around them, and unrelated people, written as a registry writes them.

- ``absent``: exactly ``round(ABSENT_SHARE * n)`` of the n distinct document people are not
  in the registry (their truth ``registry_id`` is null);
- distractors: siblings (same parents and address, another name and birth date), twins
  (same birth date and parents), namesakes (same full name, another birth date), near-names
  (one syllable or one diacritic apart, same or nearby birth date, other parents);
- unrelated people, named from the same frequency tables;
- the writing: Title case, the other tone placement for some names ("Hoà"), some rows in
  NFD, places named as in 2025-01 or, for some rows, after the July 2025 reform.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta

from kernel.vntext import canonical_tones, strip_diacritics

from synth.gazetteer import PlaceBook
from synth.names import GIVEN_NAMES, MIDDLE_NAMES, NameBook
from synth.people import BirthRegistration, make_id_number, make_namesake, make_registration
from synth.places import Commune, PlaceStyle
from synth.reform import Reform
from synth.registry import RegistryRow

ABSENT_SHARE = 0.15
DISTRACTOR_RATES = {"sibling": 0.18, "twin": 0.04, "namesake": 0.1, "near_name": 0.12}


@dataclass(frozen=True)
class Citizen:
    """A person as the registry holds them: identity and the current permanent address."""

    reg: BirthRegistration
    hamlet: str
    home: Commune

    @property
    def id_number(self) -> str:
        return self.reg.person.id_number


def citizen_of(reg: BirthRegistration) -> Citizen:
    home = reg.family_residence
    return Citizen(reg, home.hamlet, home.residence)


@dataclass(frozen=True)
class Registry:
    rows: tuple[RegistryRow, ...]
    absent: frozenset[str]  # ids of document people left out
    distractors: dict[str, int]


def _given_variants(book: NameBook) -> dict[tuple[str, str], tuple[str, ...]]:
    """(sex, letters without diacritics) -> given names spelled so: 'Hùng', 'Hưng'..."""
    names: dict[tuple[str, str], set[str]] = {}
    for sex in ("M", "F"):
        pool = set(GIVEN_NAMES[sex]) | set(MIDDLE_NAMES[sex])
        if book.shared is not None:
            pool |= {g for _, g in book.shared[sex]}
        for g in pool:
            names.setdefault((sex, strip_diacritics(g).lower()), set()).add(g)
    return {k: tuple(sorted(v)) for k, v in names.items()}


def _near_name(rng: random.Random, of: BirthRegistration, book: NameBook, places: PlaceBook,
               variants: dict[tuple[str, str], tuple[str, ...]]) -> BirthRegistration:
    """Another person whose name is one diacritic or one syllable away."""
    person = of.person
    name = person.name
    spelled = [g for g in variants.get((person.sex, strip_diacritics(name.given).lower()), ())
               if g != name.given]
    if spelled and rng.random() < 0.6:
        name = replace(name, given=rng.choice(spelled))
    else:
        other = book.name(rng, person.sex, person.date_of_birth.year, family=name.family)
        name = (replace(name, middle=other.middle) if other.middle != name.middle
                and rng.random() < 0.5 else replace(name, given=other.given))
    dob = person.date_of_birth
    if rng.random() < 0.5:
        dob += timedelta(days=rng.choice((-1, 1)) * rng.randint(1, 40))
    near = places.at(dob.year).random_commune(rng, of.registration_commune.province)
    other_reg = make_registration(rng, book, date_of_birth=dob, sex=person.sex, residence=near,
                                  places=places)
    return replace(other_reg, person=replace(other_reg.person, name=name))


def make_sibling_of(rng: random.Random, of: BirthRegistration, book: NameBook,
                    places: PlaceBook, *, twin: bool = False) -> BirthRegistration | None:
    """A brother or sister of ``of``: same parents and home, another given name; born more
    than a year apart (or, ``twin``, the same day). None when the parents' ages leave no
    room for one."""
    first = of.person.date_of_birth
    parents = [p.birth_year for p in (of.father, of.mother) if p is not None]
    for _ in range(40):
        dob = first if twin else first + timedelta(
            days=rng.choice((-1, 1)) * rng.randint(400, 8 * 365))
        if not 1900 <= dob.year <= 2024:
            continue
        if min(dob.year - y for y in parents) >= 17 and dob.year - of.mother.birth_year <= 46:
            break
    else:
        return None
    sex = rng.choice(("M", "F"))
    home = places.name_in(of.registration_commune, dob.year) or of.registration_commune
    sibling = make_registration(rng, book, date_of_birth=dob, sex=sex, residence=home,
                                places=places)
    name = book.name(rng, sex, dob.year, ethnicity=of.person.ethnicity,
                     family=of.person.name.family)
    for _ in range(20):
        if name.given != of.person.name.given:
            break
        name = book.name(rng, sex, dob.year, family=of.person.name.family)
    person = replace(sibling.person, name=name, ethnicity=of.person.ethnicity,
                     hometown=of.person.hometown)
    if twin:  # born together: same place, same facility
        person = replace(person, place_of_birth=of.person.place_of_birth,
                         birth_facility=of.person.birth_facility)
    return replace(sibling, person=person, father=of.father, mother=of.mother)


def unique_id(rng: random.Random, reg: BirthRegistration, taken: set[str]) -> BirthRegistration:
    """``reg`` with an ID not in ``taken`` (redrawn if needed), which is then taken."""
    person = reg.person
    while person.id_number in taken:
        person = replace(person, id_number=make_id_number(
            rng, person.id_number[:3], person.sex, person.date_of_birth.year))
    taken.add(person.id_number)
    return reg if person is reg.person else replace(reg, person=person)


def _place(commune: Commune, places: PlaceBook, reform: Reform, after: bool) -> str:
    current = places.current(commune)
    new = reform.after_reform(current) if after else None
    return new.format() if new else current.format(PlaceStyle.REGISTRY)


def registry_row(citizen: Citizen, rng: random.Random, places: PlaceBook,
                 reform: Reform) -> RegistryRow:
    """How a registry writes ``citizen``: Title case, tone placement and Unicode form as the
    export comes, places as named in 2025-01 or after the 2025 reform."""
    reg, person = citizen.reg, citizen.reg.person
    after = reform.available and rng.random() < 0.35
    full_name = person.name.full
    if rng.random() < 0.25 and canonical_tones(full_name) != full_name:
        full_name = canonical_tones(full_name)
    row = RegistryRow(
        id_number=person.id_number, full_name=full_name,
        date_of_birth=person.date_of_birth.isoformat(), sex=person.sex,
        place_of_birth=_place(person.place_of_birth, places, reform, after),
        hometown=_place(person.hometown, places, reform, after),
        ethnicity=person.ethnicity,
        father_name=reg.father.name.full if reg.father else "",
        mother_name=reg.mother.name.full,
        permanent_address=f"{citizen.hamlet}, {_place(citizen.home, places, reform, after)}")
    if rng.random() < 0.08:
        row = RegistryRow(*(unicodedata.normalize("NFD", v) for v in (
            row.id_number, row.full_name, row.date_of_birth, row.sex, row.place_of_birth,
            row.hometown, row.ethnicity, row.father_name, row.mother_name,
            row.permanent_address)))
    return row


def build_registry(rng: random.Random, people: list[Citizen], unrelated: int, book: NameBook,
                   places: PlaceBook, reform: Reform) -> Registry:
    """The registry rows for ``people`` (document people, distinct ids) and ``unrelated``
    others; ids are unique."""
    ids = sorted({c.id_number for c in people})
    absent = frozenset(rng.sample(ids, round(ABSENT_SHARE * len(ids))))
    by_id = {c.id_number: c for c in people}
    taken = set(ids)
    members = [by_id[i] for i in ids if i not in absent]
    counts: Counter[str] = Counter()
    variants = _given_variants(book)
    for i in ids:
        citizen = by_id[i]
        reg = citizen.reg
        for kind in ("sibling", "twin"):
            if rng.random() < DISTRACTOR_RATES[kind]:
                sibling = make_sibling_of(rng, reg, book, places, twin=kind == "twin")
                if sibling is not None:
                    members.append(replace(citizen, reg=unique_id(rng, sibling, taken)))
                    counts[kind] += 1
        if rng.random() < DISTRACTOR_RATES["namesake"]:
            members.append(citizen_of(unique_id(rng, make_namesake(rng, reg, book, places), taken)))
            counts["namesake"] += 1
        if rng.random() < DISTRACTOR_RATES["near_name"]:
            members.append(citizen_of(unique_id(rng, _near_name(rng, reg, book, places, variants),
                                              taken)))
            counts["near_name"] += 1
    for _ in range(unrelated):
        reg = make_registration(rng, book, places=places, year_from=1935, year_to=2024)
        members.append(citizen_of(unique_id(rng, reg, taken)))
    counts["unrelated"] = unrelated
    rows = [registry_row(c, rng, places, reform) for c in members]
    rng.shuffle(rows)
    return Registry(tuple(rows), absent, dict(sorted(counts.items())))
