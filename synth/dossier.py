"""Administrative-procedure dossiers (hồ sơ thủ tục hành chính): the plan, drawn from one
seeded rng before any pixel is made.

A dossier is a folder ``dossiers/D0001/`` holding its pages as separate scans or as one
multi-page PDF/TIFF, and (most of the time) a ``dossier.json`` manifest: dossier number,
procedure, office, date received. Procedures (:data:`PROCEDURES`):

- ``birth_registration``: the declaration (1-2 pages), the requester's ID card copy (front and
  back, sometimes both parents' cards), sometimes the parents' marriage certificate, the
  birth certificate or extract issued, sometimes a residence confirmation;
- ``death_registration``: the requester's ID copy, the death extract, a residence paper;
- ``copy_request``: the requester's ID copy and a copy of their birth extract, of their
  marriage certificate (both spouses' cards), or of a register page.
Blank separator sheets sit between groups in some dossiers. People are consistent across
the pages (the declaration's child is the certificate's; the requester is a parent whose
card is copied), except for planted disagreements (``disagree_rate`` of birth dossiers: the
child's birth date on the declaration, one letter of the requester's name, or one digit of
the requester's ID number) recorded in the truth (:mod:`synth.dossier_truth`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from synth.certificate import DocumentKind
from synth.copypage import ARRANGEMENTS
from synth.degrade import ScanPlan, draw_plan
from synth.fonts import vietnamese_families
from synth.gazetteer import PlaceBook
from synth.idcard import FEATURES, CardHolder, expiry_for, issue_date
from synth.marks import MarkPlan
from synth.names import NameBook
from synth.people import BirthRegistration, make_registration
from synth.places import Commune, PlaceStyle
from synth.population import unique_id

PROCEDURES = {"birth_registration": 0.6, "death_registration": 0.15, "copy_request": 0.25}
PROCEDURE_NAMES = {"birth_registration": "Đăng ký khai sinh",
                   "death_registration": "Đăng ký khai tử",
                   "copy_request": "Cấp bản sao trích lục hộ tịch"}
DISAGREEMENTS = ("subject_date_of_birth", "requester_full_name", "requester_id_number")
SANS = ("Liberation Sans", "DejaVu Sans", "FreeSans")


@dataclass(frozen=True)
class DossierPage:
    kind: str  # declaration, declaration_notes, id_copy, residence, separator, or a corpus kind
    doc_class: str  # the page's true class (a kernel DocType value)
    payload: object
    font: str
    seed: int
    scan: ScanPlan
    certificate: DocumentKind | None = None
    marks: MarkPlan = MarkPlan()


@dataclass(frozen=True)
class DossierJob:
    number: str  # "D0001"
    folder: str  # under batch/
    procedure: str
    manifest: dict | None
    packing: str  # "files" (one scan per page), "pdf" or "tiff" (one multi-page file)
    formats: tuple[str, ...]  # per page when packing is "files"
    dpi: int
    quality: int
    pages: tuple[DossierPage, ...]
    people: dict = field(default_factory=dict)  # role -> Citizen
    disagreements: tuple[dict, ...] = ()
    requester: str = "requester"  # the requester's role in ``people``
    extra_people: tuple = ()  # Citizens the registry should know besides ``people``


@dataclass(frozen=True)
class Declaration:
    spec: object  # synth.declaration.DeclarationSpec
    ids: dict  # role -> the person's true 12-digit ID (the form may print another)


@dataclass(frozen=True)
class IdCopy:
    holders: tuple[CardHolder, ...]
    arrangement: str
    mono: str


def _adult(rng: random.Random, book: NameBook, places: PlaceBook, when: date, sex: str,
           ages: tuple[int, int], taken: set[str], *, home: Commune | None = None,
           family: str | None = None) -> BirthRegistration:
    dob = when - timedelta(days=rng.randint(ages[0] * 365, ages[1] * 365))
    reg = make_registration(rng, book, date_of_birth=dob, sex=sex, places=places)
    if family:
        name = book.name(rng, sex, dob.year, ethnicity=reg.person.ethnicity, family=family)
        reg = replace(reg, person=replace(reg.person, name=name))
    return unique_id(rng, reg, taken)


def card_of(rng: random.Random, reg: BirthRegistration, residence: str, when: date) -> CardHolder:
    person = reg.person
    issued, edition = issue_date(rng, person.date_of_birth, when)
    bare = rng.random() < 0.7
    style = PlaceStyle.BARE if bare else PlaceStyle.FULL
    return CardHolder(person.id_number, person.name.upper, person.date_of_birth, person.sex,
                      person.nationality, person.hometown.format(style), residence,
                      reg.registration_commune.format(PlaceStyle.REGISTRY), issued,
                      expiry_for(person.date_of_birth, issued), edition, rng.choice(FEATURES))


def id_paper(holder: CardHolder, number: str | None = None) -> str:
    word = "Căn cước công dân" if holder.edition == "cccd2021" else "Căn cước"
    return (f"{word} số {number or holder.id_number}, do Cục Cảnh sát QLHC về TTXH cấp ngày "
            f"{holder.issued:%d/%m/%Y}")


def one_letter_off(rng: random.Random, name: str) -> str:
    """The name with one tone mark changed on its given name (NGUYỄN VĂN HÙNG -> ...HÚNG)."""
    import unicodedata
    words = name.split()
    given = unicodedata.normalize("NFD", words[-1])
    tones = {"\u0300": "\u0301", "\u0301": "\u0300", "\u0303": "\u0309", "\u0309": "\u0303",
             "\u0323": "\u0300"}
    for i, ch in enumerate(given):
        if ch in tones:
            given = given[:i] + tones[ch] + given[i + 1:]
            break
    else:
        vowel = next(i for i, ch in enumerate(given) if ch.upper() in "AEIOUY")
        given = given[:vowel + 1] + rng.choice(("\u0301", "\u0300")) + given[vowel + 1:]
    return " ".join([*words[:-1], unicodedata.normalize("NFC", given)])


def digit_off(rng: random.Random, number: str) -> str:
    i = rng.randint(6, 11)
    return number[:i] + str((int(number[i]) + rng.randint(1, 9)) % 10) + number[i + 1:]


class Planner:
    """Draws dossiers; ``taken`` holds every ID already given (the corpus's and the dossiers')."""

    def __init__(self, rng: random.Random, difficulty: str, book: NameBook, places: PlaceBook,
                 taken: set[str], disagree_rate: float) -> None:
        self.rng, self.difficulty, self.book, self.places = rng, difficulty, book, places
        self.taken, self.disagree_rate = taken, disagree_rate
        self.families = [f for f in vietnamese_families() if "Mono" not in f]
        self.monos = [f for f in vietnamese_families() if "Mono" in f]

    def page(self, kind: str, doc_class: str, payload: object, *,
             certificate: DocumentKind | None = None, marks: MarkPlan = MarkPlan()) -> DossierPage:
        rng = self.rng
        fonts = self.families if kind not in ("id_copy",) else [f for f in SANS if f in self.families]
        return DossierPage(kind, doc_class, payload, rng.choice(fonts or self.families),
                           rng.randrange(2**31), draw_plan(rng, self.difficulty, photo_ok=False),
                           certificate, marks)

    def id_copy(self, holders: list[CardHolder]) -> DossierPage:
        rng = self.rng
        arrangement = "front_back" if len(holders) == 1 else rng.choice(ARRANGEMENTS[1:])
        return self.page("id_copy", "id_card", IdCopy(tuple(holders), arrangement,
                                                       rng.choice(self.monos)))

    def separator(self) -> DossierPage:
        return self.page("separator", "blank", None)

    def residence(self, reg: BirthRegistration, hamlet: str, home: Commune, head: str,
                  relation: str, when: date) -> DossierPage:
        return self.page("residence", "other", {
            "name": reg.person.name.upper, "dob": reg.person.date_of_birth, "sex": reg.person.sex,
            "id_number": reg.person.id_number, "ethnicity": reg.person.ethnicity,
            "hometown": reg.person.hometown.format(), "residence": f"{hamlet}, {home.format()}",
            "head_of_household": head, "relation": relation, "commune": home,
            "issued": when - timedelta(days=self.rng.randint(1, 25))})

    def when(self) -> date:
        return date(2021, 3, 1) + timedelta(days=self.rng.randrange((date(2025, 6, 30)
                                                                       - date(2021, 3, 1)).days))
