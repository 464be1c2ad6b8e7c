"""What each procedure's dossier holds (see :mod:`synth.dossier`): the people, the pages in
order, and the planted disagreements. Every choice comes from the planner's rng."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from synth.certificate import DocumentKind
from synth.declaration import DeclarationSpec, PersonOnForm
from synth.dossier import (DISAGREEMENTS, PROCEDURE_NAMES, PROCEDURES, Declaration, DossierJob,
                           DossierPage,
                           Planner, _adult, card_of, digit_off, id_paper, one_letter_off)
from synth.gazetteer import PlaceBook
from synth.names import NameBook
from synth.events import MarriageRegistration, Registration, Residence, Spouse, make_death, make_marriage
from synth.idpapers import IdPaper
from synth.marks import MarkPlan
from synth.people import BODY_LONG, BODY_SHORT, BirthRegistration, Parent, make_registration
from synth.places import Commune, PlaceStyle
from synth.plan import BIRTH_LAYOUT_KINDS, _dpi, _register_pages
from synth.population import Citizen, citizen_of, unique_id


@dataclass
class Drawn:
    """A procedure's draw: pages in order, people by role, disagreements, the office."""

    pages: list[DossierPage]
    people: dict[str, Citizen]
    requester: str  # the role of the requester in ``people``
    office: Commune
    when: date
    disagreements: list[dict]
    extra_people: list[Citizen]  # others the registry should know (register entries)


def _residence_text(p: Planner, hamlet: str, home: Commune) -> str:
    style = PlaceStyle.BARE if p.rng.random() < 0.6 else PlaceStyle.FULL
    return f"{hamlet}, {home.format(style)}"


def _form_person(reg: BirthRegistration, residence: str, paper: str, number: str | None
                 ) -> PersonOnForm:
    person = reg.person
    return PersonOnForm(person.name.upper, person.date_of_birth, person.ethnicity,
                        person.nationality, residence, paper, number)


def _with_separators(p: Planner, groups: list[list[DossierPage]]) -> list[DossierPage]:
    out: list[DossierPage] = []
    for i, group in enumerate(groups):
        if i and p.rng.random() < 0.25:
            out.append(p.separator())
        out += group
    if p.rng.random() < 0.1:
        out.append(p.separator())
    return out


def birth_registration(p: Planner) -> Drawn:
    rng, book, places = p.rng, p.book, p.places
    when = p.when()
    at = places.at(when.year)
    home = at.random_commune(rng)
    hamlet = at.random_hamlet(rng, home)
    father = _adult(rng, book, places, when, "M", (22, 45), p.taken)
    mother = _adult(rng, book, places, when, "F", (19, 40), p.taken)
    dob = when - timedelta(days=rng.randint(3, 60))
    child = make_registration(rng, book, date_of_birth=dob, residence=home, places=places,
                              id_printed=True)
    name = book.name(rng, child.person.sex, dob.year, ethnicity=father.person.ethnicity,
                     family=father.person.name.family)

    def parent(reg: BirthRegistration) -> Parent:
        return Parent(reg.person.name, reg.person.date_of_birth.year, reg.person.ethnicity,
                      reg.person.nationality, hamlet, home)

    child = unique_id(rng, replace(
        child, person=replace(child.person, name=name, ethnicity=father.person.ethnicity),
        father=parent(father), mother=parent(mother), registration_date=when,
        registration_commune=home), p.taken)
    card_home = _residence_text(p, hamlet, home)
    cards = {"father": card_of(rng, father, card_home, when),
             "mother": card_of(rng, mother, card_home, when)}
    role = rng.choice(("father", "mother"))
    regs = {"father": father, "mother": mother}
    full_home = f"{hamlet}, {home.format()}"
    forms = {r: _form_person(regs[r], full_home, id_paper(cards[r]), cards[r].id_number)
             for r in ("father", "mother")}
    requester = forms[role]
    subject = PersonOnForm(child.person.name.upper, dob, child.person.ethnicity,
                           child.person.nationality, sex=child.person.sex,
                           place_of_birth=child.person.place_of_birth_text,
                           hometown=child.person.hometown.format())
    marriage = None
    married = rng.random() < 0.75
    if married:
        wed = dob - timedelta(days=rng.randint(300, 3000))
        reg = Registration(max(1, int(wed.timetuple().tm_yday * rng.uniform(0.02, 0.2))),
                           f"01/{wed.year}", wed, home, BODY_SHORT if rng.random() < 0.6 else BODY_LONG)
        marriage = MarriageRegistration(
            Spouse(father, Residence(hamlet, home), IdPaper("CCCD", father.person.id_number, wed)
                   if wed.year >= 2016 else IdPaper("", None)),
            Spouse(mother, Residence(hamlet, home), IdPaper("CCCD", mother.person.id_number, wed)
                   if wed.year >= 2016 else IdPaper("", None)), reg)
    disagreements: list[dict] = []
    if rng.random() < p.disagree_rate:
        kind = rng.choice(DISAGREEMENTS)
        if kind == "subject_date_of_birth":
            shifted = dob + timedelta(days=rng.choice((-3, -2, -1, 1, 2)))
            subject = replace(subject, date_of_birth=shifted)
            disagreements.append({"kind": kind, "person": "subject", "field": "date_of_birth",
                                  "values": {"declaration_form": shifted.isoformat(),
                                             "birth_certificate": dob.isoformat()}})
        elif kind == "requester_full_name":
            wrong = one_letter_off(rng, requester.full_name)
            requester = replace(requester, full_name=wrong)
            disagreements.append({"kind": kind, "person": role, "field": "full_name",
                                  "values": {"declaration_form": wrong,
                                             "id_card": cards[role].name}})
        else:
            wrong = digit_off(rng, cards[role].id_number)
            requester = replace(requester, id_paper=id_paper(cards[role], wrong), id_number=wrong)
            disagreements.append({"kind": kind, "person": role, "field": "id_number",
                                  "values": {"declaration_form": wrong,
                                             "id_card": cards[role].id_number}})
    spec = DeclarationSpec(
        f"{child.registration_body} {home.format()}", requester,
        "Cha" if role == "father" else "Mẹ", subject, forms["mother"], forms["father"],
        None if marriage is None else (
            f"Số: {marriage.registration.number}, Quyển số: {marriage.registration.book_number}, "
            f"đăng ký ngày {marriage.registration.when:%d/%m/%Y} tại {marriage.registration.place}"),
        f"{home.kind} {home.name}", when)
    ids = {"requester": regs[role].person.id_number, "subject": child.person.id_number,
           "mother": mother.person.id_number, "father": father.person.id_number}
    groups = [[p.page("declaration", "declaration_form", Declaration(spec, ids))]]
    if rng.random() < 0.4:
        groups[0].append(p.page("declaration_notes", "declaration_form", None))
    both = rng.random() < 0.4
    groups.append([p.id_copy([cards[role], cards["mother" if role == "father" else "father"]]
                             if both else [cards[role]])])
    if marriage is not None and rng.random() < 0.5:
        groups.append([p.page("marriage", "marriage_certificate", marriage,
                              marks=MarkPlan(copy_stamp=rng.random() < 0.4))])
    kind = rng.choice(BIRTH_LAYOUT_KINDS)
    cert = rng.choice((DocumentKind.BIRTH_CERTIFICATE, DocumentKind.BIRTH_EXTRACT))
    groups.append([p.page(kind, "birth_certificate", child, certificate=cert)])
    if rng.random() < 0.3:
        head = father.person.name.upper
        groups.append([p.residence(regs[role], hamlet, home, head,
                                   "Chủ hộ" if role == "father" else "Vợ", when)])
    people = {"subject": Citizen(child, hamlet, home), "father": Citizen(father, hamlet, home),
              "mother": Citizen(mother, hamlet, home)}
    return Drawn(_with_separators(p, groups), people, role, home, when, disagreements, [])


def death_registration(p: Planner) -> Drawn:
    rng, book, places = p.rng, p.book, p.places
    death = make_death(rng, book, places, year_from=2021, year_to=2025)
    deceased = unique_id(rng, death.deceased, p.taken)
    paper = death.paper
    if paper.kind in ("CCCD", "CC"):
        paper = replace(paper, number=deceased.person.id_number)
    death = replace(death, deceased=deceased, paper=paper)
    when = death.registration.when
    home, hamlet = death.residence.commune, death.residence.hamlet
    family = deceased.person.name.family if deceased.person.sex == "M" else None
    requester = _adult(rng, book, places, when, rng.choice("MF"), (25, 58), p.taken,
                       family=family)
    card = card_of(rng, requester, _residence_text(p, hamlet, home), when)
    groups = [[p.id_copy([card])], [p.page("death", "death_extract", death)]]
    if rng.random() < 0.4:
        groups.append([p.residence(requester, hamlet, home, deceased.person.name.upper, "Con",
                                   when)])
    people = {"deceased": Citizen(deceased, hamlet, home), "requester": Citizen(requester, hamlet, home)}
    return Drawn(_with_separators(p, groups), people, "requester", death.registration.commune,
                 when, [], [])


def copy_request(p: Planner) -> Drawn:
    rng, book, places = p.rng, p.book, p.places
    when = p.when()
    at = places.at(when.year)
    home = at.random_commune(rng)
    hamlet = at.random_hamlet(rng, home)
    roll = rng.random()
    extra: list[Citizen] = []
    if roll < 0.5:  # a copy of the requester's own birth extract
        requester = _adult(rng, book, places, when, rng.choice("MF"), (18, 60), p.taken)
        requester = replace(requester, id_printed=True)
        card = card_of(rng, requester, _residence_text(p, hamlet, home), when)
        doc = p.page(rng.choice(BIRTH_LAYOUT_KINDS), "birth_certificate", requester,
                     certificate=DocumentKind.BIRTH_EXTRACT,
                     marks=MarkPlan(copy_stamp=rng.random() < 0.3))
        groups = [[p.id_copy([card])], [doc]]
        people = {"requester": Citizen(requester, hamlet, home)}
    elif roll < 0.85:  # a copy of the marriage certificate: both spouses' cards
        m = make_marriage(rng, book, places, year_from=1995, year_to=2020)
        spouses = []
        for s in (m.husband, m.wife):
            birth = unique_id(rng, s.birth, p.taken)
            paper = replace(s.paper, number=birth.person.id_number) \
                if s.paper.kind in ("CCCD", "CC") else s.paper
            spouses.append(replace(s, birth=birth, paper=paper))
        m = replace(m, husband=spouses[0], wife=spouses[1])
        cards = [card_of(rng, s.birth, _residence_text(p, hamlet, home), when) for s in spouses]
        groups = [[p.id_copy(cards)], [p.page("marriage", "marriage_certificate", m,
                                              marks=MarkPlan(copy_stamp=rng.random() < 0.3))]]
        people = {"requester": Citizen(spouses[0].birth, hamlet, home),
                  "spouse": Citizen(spouses[1].birth, hamlet, home)}
        if rng.random() < 0.5:
            people = {"requester": people["spouse"], "spouse": people["requester"]}
    else:  # a photocopy of a register page, asked for by someone on it or a relative
        register = _register_pages(rng, book, places, 1, p.taken)[0]
        extra = [citizen_of(e.reg) for e in register.entries]
        requester = _adult(rng, book, places, when, rng.choice("MF"), (20, 60), p.taken)
        card = card_of(rng, requester, _residence_text(p, hamlet, home), when)
        groups = [[p.id_copy([card])], [p.page("birth_register", "birth_register", register)]]
        people = {"requester": Citizen(requester, hamlet, home)}
    return Drawn(_with_separators(p, groups), people, "requester", home, when, [], extra)


FILE_WEIGHTS = {"clean": (50, 20, 30), "typical": (35, 40, 25), "hard": (25, 55, 20)}
PROCEDURE_DRAW = {"birth_registration": birth_registration,
                  "death_registration": death_registration, "copy_request": copy_request}


def _manifest(p: Planner, number: int, procedure: str, drawn: Drawn) -> dict:
    office = drawn.office
    code = office.province_code[1:]
    return {"dossier_number": f"000.00.{code}.H{code}-{drawn.when:%y%m%d}-{number:04d}",
            "procedure": PROCEDURE_NAMES[procedure],
            "office": f"UBND {office.format()}", "received": drawn.when.isoformat()}


def make_dossiers(rng: random.Random, count: int, difficulty: str, book: NameBook,
                  places: PlaceBook, taken: set[str], disagree_rate: float = 0.1,
                  ) -> list[DossierJob]:
    """``count`` dossiers under ``dossiers/``; ``taken`` (IDs in use) grows with theirs."""
    planner = Planner(rng, difficulty, book, places, taken, disagree_rate)
    jobs = []
    for n in range(1, count + 1):
        procedure = rng.choices(list(PROCEDURES), weights=list(PROCEDURES.values()))[0]
        drawn = PROCEDURE_DRAW[procedure](planner)
        manifest = _manifest(planner, n, procedure, drawn) if rng.random() < 0.8 else None
        packing = rng.choices(("files", "pdf", "tiff"), weights=(70, 20, 10))[0]
        formats = tuple(rng.choices(("png", "jpeg", "tiff"), weights=FILE_WEIGHTS[difficulty])[0]
                        for _ in drawn.pages)
        quality = {"clean": 92, "typical": rng.choice((75, 80, 85, 90)),
                   "hard": rng.choice((55, 65, 75))}[difficulty]
        people = dict(drawn.people)
        jobs.append(DossierJob(f"D{n:04d}", f"dossiers/D{n:04d}", procedure, manifest, packing,
                               formats, _dpi(rng, difficulty), quality, tuple(drawn.pages),
                               people, tuple(drawn.disagreements), drawn.requester,
                               tuple(drawn.extra_people)))
    return jobs
