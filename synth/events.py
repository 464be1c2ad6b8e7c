"""Marriages and deaths of synthetic persons: what a Giấy chứng nhận kết hôn and a Trích lục
khai tử say. Each person is a :class:`synth.people.BirthRegistration` (parents, places, the
12-digit ID the registry knows), so the registry side is built the same way as for births.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from synth.gazetteer import PlaceBook
from synth.idpapers import IdPaper, id_paper_at
from synth.names import NameBook
from synth.people import BODY_LONG, BODY_SHORT, BirthRegistration, make_registration
from synth.places import Commune


@dataclass(frozen=True)
class Residence:
    hamlet: str
    commune: Commune  # named as at the event

    def text(self, style_full: bool = True) -> str:
        from synth.places import PlaceStyle
        style = PlaceStyle.FULL if style_full else PlaceStyle.ABBREVIATED
        return f"{self.hamlet}, {self.commune.format(style)}"


@dataclass(frozen=True)
class Spouse:
    birth: BirthRegistration
    residence: Residence
    paper: IdPaper


@dataclass(frozen=True)
class Registration:
    number: int
    book_number: str
    when: date
    commune: Commune
    body: str

    @property
    def place(self) -> str:
        return f"{self.body} {self.commune.format()}"


@dataclass(frozen=True)
class MarriageRegistration:
    husband: Spouse
    wife: Spouse
    registration: Registration


@dataclass(frozen=True)
class DeathRegistration:
    deceased: BirthRegistration
    residence: Residence  # last residence
    paper: IdPaper
    died: date
    time_of_death: tuple[int, int]  # hour, minute
    place_of_death: str  # as printed
    cause: str
    registration: Registration


def _registration(rng: random.Random, when: date, commune: Commune) -> Registration:
    number = max(1, int(when.timetuple().tm_yday * rng.uniform(0.02, 0.2)) + rng.randint(0, 2))
    return Registration(number, f"{1 if rng.random() < 0.9 else 2:02d}/{when.year}", when,
                        commune, BODY_SHORT if rng.random() < 0.65 else BODY_LONG)


def _date_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(max(1, (last - first).days + 1)))


def _home(rng: random.Random, places: PlaceBook, born: Commune, year: int,
          moved: float) -> Commune:
    """Where someone registered at ``born`` lives in ``year``: the same commune under its name
    of that year, or (``moved``, or when it no longer exists) another one."""
    at = places.at(year)
    same = places.name_in(born, year)
    if same is None or rng.random() < moved:
        return at.random_commune(rng) if rng.random() < 0.5 else at.random_commune(
            rng, born.province)
    return same


def make_marriage(rng: random.Random, book: NameBook, places: PlaceBook, *,
                  year_from: int = 1980, year_to: int = 2024) -> MarriageRegistration:
    when = _date_between(rng, date(year_from, 1, 1), date(year_to, 12, 31))
    at = places.at(when.year)
    husband_dob = _date_between(rng, date(when.year - 38, 1, 1), date(when.year - 21, 1, 1))
    wife_dob = husband_dob + timedelta(days=rng.randint(-3 * 365, 8 * 365))
    if (when - wife_dob).days < 18 * 366:
        wife_dob = when - timedelta(days=rng.randint(18 * 366, 26 * 365))
    husband = make_registration(rng, book, date_of_birth=husband_dob, sex="M", places=places)
    wife = make_registration(rng, book, date_of_birth=wife_dob, sex="F", places=places)
    home = _home(rng, places, husband.registration_commune, when.year, moved=0.3)
    his = Residence(at.random_hamlet(rng, home), home)
    if rng.random() < 0.4:
        hers = his
    else:
        commune = at.nearby_commune(rng, home)
        hers = Residence(at.random_hamlet(rng, commune), commune)
    registered_at = rng.choice((his.commune, hers.commune))
    return MarriageRegistration(
        Spouse(husband, his, id_paper_at(rng, when, husband.person.id_number,
                                         home.province_code, husband_dob)),
        Spouse(wife, hers, id_paper_at(rng, when, wife.person.id_number,
                                       hers.commune.province_code, wife_dob)),
        _registration(rng, when, registered_at))


CAUSES = ("Bệnh già", "Bệnh", "Tai nạn giao thông", "Đột quỵ", "Bệnh tim", "Ung thư", "")


def _place_of_death(rng: random.Random, residence: Residence) -> str:
    c = residence.commune
    p = c.province
    roll = rng.random()
    if roll < 0.55:
        return f"Tại nhà, {residence.text()}"
    if roll < 0.65:
        return f"Trạm y tế {c.format()}"
    if roll < 0.85:
        return (f"Trung tâm y tế {c.district_kind} {c.district}, {p.kind} {p.name}"
                if c.district_kind == "huyện" else f"Bệnh viện Đa khoa {p.kind} {p.name}")
    return f"Bệnh viện Đa khoa {p.kind} {p.name}"


def make_death(rng: random.Random, book: NameBook, places: PlaceBook, *,
               year_from: int = 1990, year_to: int = 2024) -> DeathRegistration:
    died = _date_between(rng, date(year_from, 1, 1), date(year_to, 12, 31))
    age_days = rng.randint(35 * 365, 95 * 365)
    dob = max(date(1905, 1, 1), died - timedelta(days=age_days))
    deceased = make_registration(rng, book, date_of_birth=dob, places=places)
    at = places.at(died.year)
    home = _home(rng, places, deceased.registration_commune, died.year, moved=0.4)
    residence = Residence(at.random_hamlet(rng, home), home)
    registered = died + timedelta(days=rng.randint(1, 30))
    paper = id_paper_at(rng, died, deceased.person.id_number, home.province_code, dob)
    return DeathRegistration(
        deceased, residence, paper, died, (rng.randint(0, 23), rng.choice((0, 10, 15, 20, 30,
                                                                            40, 45, 50))),
        _place_of_death(rng, residence), rng.choice(CAUSES),
        _registration(rng, registered, home))
