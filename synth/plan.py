"""The plan of a corpus, drawn from one seeded rng before any pixel is made: which documents,
whose, in which layout, font, resolution and file, with which marks and scan defects.

Document kinds (:data:`KIND_SHARES`): birth certificates and extracts in three layouts, pages
of birth register books, marriage certificates and death extracts. With six documents or more
every kind is present. Register pages come in books of one to three consecutive pages; single
documents go into PNG or JPEG files or are grouped two to four into a PDF or TIFF; hard
phone photos are single JPEG files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from kernel.vntext import strip_diacritics

from synth.certificate import DocumentKind
from synth.degrade import ScanPlan, draw_plan
from synth.events import DeathRegistration, MarriageRegistration, Spouse, make_death, make_marriage
from synth.fonts import MONO_FAMILIES, vietnamese_families
from synth.gazetteer import PlaceBook
from synth.marks import MarkPlan
from synth.names import NameBook
from synth.people import BODY_LONG, BODY_SHORT, BirthRegistration, make_registration
from synth.places import PlaceStyle
from synth.population import Citizen, citizen_of, make_sibling_of, unique_id
from synth.register import RegisterBook, RegisterEntry, RegisterPage

KIND_SHARES: dict[str, float] = {
    "birth_lines": 0.17, "birth_boxed": 0.17, "birth_two_column": 0.17,
    "birth_register": 0.21, "marriage": 0.14, "death": 0.14,
}
BIRTH_LAYOUT_KINDS = ("birth_lines", "birth_boxed", "birth_two_column")
FONT_WEIGHTS = {"Liberation Serif": 30, "DejaVu Serif": 10, "FreeSerif": 15,
                "Liberation Sans": 12, "DejaVu Sans": 8, "FreeSans": 8,
                "Liberation Mono": 9, "FreeMono": 8}
FORMAT_WEIGHTS = {  # png, jpeg, tiff, pdf
    "clean": (35, 15, 25, 25), "typical": (25, 30, 20, 25), "hard": (15, 40, 20, 25)}
FORMATS = ("png", "jpeg", "tiff", "pdf")

Payload = BirthRegistration | RegisterPage | MarriageRegistration | DeathRegistration


@dataclass(frozen=True)
class PageJob:
    kind: str  # a key of KIND_SHARES
    payload: Payload
    certificate: DocumentKind | None  # birth documents: certificate or extract
    font: str
    seed: int
    marks: MarkPlan
    scan: ScanPlan


@dataclass(frozen=True)
class FileJob:
    path: str  # under batch/, NFC, '/' separators
    fmt: str  # png, jpeg, tiff, pdf
    render_dpi: int
    dpi: int | None  # written in the file (None: a phone photo, no resolution)
    mode: str  # "L", "P" (16 greys), "1" (bilevel), "RGB"
    quality: int  # JPEG quality (jpeg files, PDF streams, JPEG-in-TIFF)
    compression: str | None  # TIFF: group4, tiff_deflate or jpeg
    pages: tuple[PageJob, ...]


@dataclass(frozen=True)
class CorpusPlan:
    files: tuple[FileJob, ...]
    people: tuple[Citizen, ...]  # distinct document people


def kind_counts(docs: int, rng: random.Random) -> dict[str, int]:
    """Documents per kind: largest remainders of the shares, every kind once from 6 on;
    fewer than 6 documents are of as many different kinds, drawn at random."""
    if docs < len(KIND_SHARES):
        counts = dict.fromkeys(KIND_SHARES, 0)
        for k in rng.sample(list(KIND_SHARES), docs):
            counts[k] = 1
        return counts
    raw = {k: docs * s for k, s in KIND_SHARES.items()}
    counts = {k: int(v) for k, v in raw.items()}
    order = sorted(raw, key=lambda k: (-(raw[k] - counts[k]), k))
    for k in order[:docs - sum(counts.values())]:
        counts[k] += 1
    for k in KIND_SHARES:
        while counts[k] == 0:
            donor = max(counts, key=lambda d: (counts[d], d))
            counts[donor] -= 1
            counts[k] += 1
    return counts


def _year(rng: random.Random, first: int = 1976, last: int = 2024) -> int:
    """Registration years, more of them recent (more papers survive and circulate)."""
    years = list(range(first, last + 1))
    return rng.choices(years, weights=[1 + (y - first) / 12 for y in years])[0]


def _font(rng: random.Random, year: int) -> str:
    families = vietnamese_families()
    weights = [FONT_WEIGHTS.get(f, 5) * (3 if f in MONO_FAMILIES and year < 1995 else 1)
               for f in families]
    return rng.choices(families, weights=weights)[0]


def _register_pages(rng: random.Random, book: NameBook, places: PlaceBook, pages: int,
                    taken: set[str]) -> list[RegisterPage]:
    year = _year(rng)
    commune = places.at(year).random_commune(rng)
    rows = rng.choice((4, 5, 5, 6))
    rbook = RegisterBook(commune, year, f"{1 if rng.random() < 0.85 else 2:02d}/{year}",
                         BODY_SHORT if rng.random() < 0.7 else BODY_LONG,
                         PlaceStyle.ABBREVIATED if rng.random() < 0.3 else PlaceStyle.FULL, rows)
    number = rng.randint(1, 150)
    day = date(year, 1, 1) + timedelta(days=rng.randint(0, 150))
    sheet = (number - 1) // rows + 1
    out = []
    for p in range(pages):
        count = rows if p < pages - 1 or rng.random() < 0.7 else rng.randint(3, rows)
        entries: list[RegisterEntry] = []
        while len(entries) < count:
            day = min(day + timedelta(days=rng.randint(0, 4)), date(year, 12, 31))
            late = rng.random() < 0.04
            dob = day - timedelta(days=rng.randint(400, 3000) if late else rng.randint(0, 60))
            reg = make_registration(rng, book, date_of_birth=dob, residence=commune,
                                    places=places, id_printed=year >= 2016)
            regs = [reg]
            if rng.random() < 0.05 and len(entries) + 2 <= count:
                twin = make_sibling_of(rng, reg, book, places, twin=True)
                regs += [twin] if twin is not None else []
            for r in regs:
                r = unique_id(rng, replace(r, registration_number=number, registration_date=day,
                                         registration_commune=commune,
                                         book_number=rbook.book_number,
                                         registration_body=rbook.body), taken)
                note = "Sinh đôi" if len(regs) == 2 else "Đăng ký quá hạn" if late else ""
                ages = rbook.edition == "old" and rng.random() < 0.5
                entries.append(RegisterEntry(r, parent_ages=ages, note=note))
                number += 1
        out.append(RegisterPage(rbook, tuple(entries), sheet))
        sheet += 1
    return out


def _birth(rng: random.Random, book: NameBook, places: PlaceBook, kind: DocumentKind,
           taken: set[str]) -> BirthRegistration:
    year = _year(rng)
    dob = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    printed = year >= 2016 or (kind is DocumentKind.BIRTH_EXTRACT and rng.random() < 0.5)
    reg = make_registration(rng, book, date_of_birth=dob, places=places, id_printed=printed)
    return unique_id(rng, reg, taken)


def _spouse(rng: random.Random, spouse: Spouse, taken: set[str]) -> Spouse:
    birth = unique_id(rng, spouse.birth, taken)
    paper = spouse.paper
    if paper.kind in ("CCCD", "CC"):
        paper = replace(paper, number=birth.person.id_number)
    return replace(spouse, birth=birth, paper=paper)


def _marks(rng: random.Random, difficulty: str, register: bool) -> MarkPlan:
    if difficulty == "clean":
        return MarkPlan()
    hard = difficulty == "hard"
    return MarkPlan(copy_stamp=not register and rng.random() < (0.2 if hard else 0.1),
                    seal_over_text=rng.random() < (0.3 if hard else 0.15),
                    margin_stamp=rng.random() < ((0.6 if hard else 0.45) if register
                                                 else (0.25 if hard else 0.1)))


def _slug(text: str) -> str:
    return "_".join(strip_diacritics(text).lower().replace("-", " ").split())


def _dpi(rng: random.Random, difficulty: str) -> int:
    if difficulty == "clean":
        return 300
    return rng.choice((200, 250, 300, 300, 300, 400) if difficulty == "typical"
                      else (200, 250, 300, 300))


def _file(rng: random.Random, difficulty: str, path: str, fmt: str, dpi: int,
          pages: list[PageJob], photo: bool = False) -> FileJob:
    color = any(p.scan.color for p in pages) and fmt in ("jpeg", "pdf")
    if fmt == "png":
        mode, compression = ("L" if difficulty == "clean" else "P"), None
    elif fmt == "tiff":
        bilevel = rng.random() < (0.3 if difficulty == "clean" else 0.6)
        mode = "1" if bilevel else "L"
        compression = "group4" if bilevel else ("tiff_deflate" if difficulty == "clean"
                                                else "jpeg")
    else:
        mode, compression = ("RGB" if color else "L"), None
    quality = {"clean": 92, "typical": rng.choice((75, 80, 85, 90)),
               "hard": rng.choice((55, 65, 75))}[difficulty]
    return FileJob(path, fmt, dpi, None if photo else dpi, mode, quality, compression,
                   tuple(pages))


def make_plan(rng: random.Random, docs: int, difficulty: str, book: NameBook,
              places: PlaceBook) -> CorpusPlan:
    counts = kind_counts(docs, rng)
    taken: set[str] = set()
    units: list[tuple[str, list[tuple[str, Payload, DocumentKind | None]]]] = []
    register_regs: list[BirthRegistration] = []
    left = counts["birth_register"]
    while left:
        pages = _register_pages(rng, book, places, min(left, rng.randint(1, 3)), taken)
        left -= len(pages)
        register_regs += [e.reg for p in pages for e in p.entries]
        units.append(("book", [("birth_register", p, None) for p in pages]))
    for kind in BIRTH_LAYOUT_KINDS:
        for _ in range(counts[kind]):
            cert = rng.choice((DocumentKind.BIRTH_CERTIFICATE, DocumentKind.BIRTH_EXTRACT))
            if register_regs and rng.random() < 0.1:  # a certificate of someone in a book
                reg = rng.choice(register_regs)
            else:
                reg = _birth(rng, book, places, cert, taken)
            units.append(("single", [(kind, reg, cert)]))
    for _ in range(counts["marriage"]):
        m = make_marriage(rng, book, places)
        m = replace(m, husband=_spouse(rng, m.husband, taken), wife=_spouse(rng, m.wife, taken))
        units.append(("single", [("marriage", m, None)]))
    for _ in range(counts["death"]):
        d = make_death(rng, book, places)
        deceased = unique_id(rng, d.deceased, taken)
        paper = d.paper
        if paper.kind in ("CCCD", "CC"):
            paper = replace(paper, number=deceased.person.id_number)
        units.append(("single", [("death", replace(d, deceased=deceased, paper=paper), None)]))
    rng.shuffle(units)
    return CorpusPlan(tuple(_files(rng, units, difficulty)), tuple(_people(units)))


def _year_of(payload: Payload) -> int:
    if isinstance(payload, RegisterPage):
        return payload.book.year
    if isinstance(payload, MarriageRegistration):
        return payload.registration.when.year
    if isinstance(payload, DeathRegistration):
        return payload.registration.when.year
    return payload.registration_date.year


def _people(units: list) -> list[Citizen]:
    seen: dict[str, Citizen] = {}
    for _, docs in units:
        for _, payload, _ in docs:
            if isinstance(payload, RegisterPage):
                found = [citizen_of(e.reg) for e in payload.entries]
            elif isinstance(payload, MarriageRegistration):
                found = [Citizen(s.birth, s.residence.hamlet, s.residence.commune)
                         for s in (payload.husband, payload.wife)]
            elif isinstance(payload, DeathRegistration):
                found = [Citizen(payload.deceased, payload.residence.hamlet,
                                 payload.residence.commune)]
            else:
                found = [citizen_of(payload)]
            for c in found:
                seen.setdefault(c.id_number, c)
    return list(seen.values())


_FOLDERS = {"marriage": "ket_hon", "death": "khai_tu"}
_STEMS = {"birth_lines": "giay_khai_sinh", "birth_boxed": "giay_khai_sinh",
          "birth_two_column": "giay_khai_sinh", "marriage": "gcn_ket_hon",
          "death": "trich_luc_khai_tu"}


def _files(rng: random.Random, units: list, difficulty: str) -> list[FileJob]:
    files: list[FileJob] = []
    pending: list[PageJob] = []
    counter = 0

    def job(kind: str, payload: Payload, cert: DocumentKind | None, photo_ok: bool) -> PageJob:
        font = _font(rng, _year_of(payload))
        return PageJob(kind, payload, cert, font, rng.randrange(2**31),
                       _marks(rng, difficulty, kind == "birth_register"),
                       draw_plan(rng, difficulty, photo_ok=photo_ok))

    for unit_kind, docs in units:
        counter += 1
        if unit_kind == "book":
            book = docs[0][1].book  # type: ignore[union-attr]
            place = _slug(f"{book.commune.kind} {book.commune.name}")
            folder = (f"so_dang_ky_khai_sinh/{place}_{book.year}_"
                      f"q{book.book_number[:2]}_{counter:03d}")
            font = _font(rng, book.year)
            dpi = _dpi(rng, difficulty)
            pages = [replace(job(k, p, c, False), font=font) for k, p, c in docs]
            fmt = rng.choices(FORMATS, weights=FORMAT_WEIGHTS[difficulty])[0]
            if fmt in ("tiff", "pdf"):
                files.append(_file(rng, difficulty, f"{folder}.{'tif' if fmt == 'tiff' else fmt}",
                                   fmt, dpi, pages))
            else:
                for page in pages:
                    sheet = page.payload.sheet  # type: ignore[union-attr]
                    ext = "png" if fmt == "png" else "jpg"
                    files.append(_file(rng, difficulty, f"{folder}/trang_{sheet:03d}.{ext}", fmt,
                                       dpi, [page]))
            continue
        kind, payload, cert = docs[0]
        page = job(kind, payload, cert, True)
        if page.scan.photo:
            files.append(_file(rng, difficulty, f"anh_chup/IMG_{20240000 + 37 * counter}.jpg",
                               "jpeg", rng.choice((200, 240)), [page], photo=True))
            continue
        fmt = rng.choices(FORMATS, weights=FORMAT_WEIGHTS[difficulty])[0]
        if fmt in ("tiff", "pdf") and (pending or rng.random() < 0.5):
            pending.append(page)
            if len(pending) >= rng.randint(2, 4):
                files.append(_group(rng, difficulty, pending, fmt, counter))
                pending = []
            continue
        stem = _STEMS[kind]
        if kind in BIRTH_LAYOUT_KINDS and cert is DocumentKind.BIRTH_EXTRACT:
            stem = "trich_luc_khai_sinh"
        if rng.random() < 0.15:  # some scanners name files in Vietnamese
            stem = {"giay_khai_sinh": "giấy khai sinh", "trich_luc_khai_sinh": "trích lục",
                    "gcn_ket_hon": "kết hôn", "trich_luc_khai_tu": "khai tử"}[stem]
        ext = {"png": "png", "jpeg": "jpg", "tiff": "tif", "pdf": "pdf"}[fmt]
        folder = ("trich_luc" if cert is DocumentKind.BIRTH_EXTRACT
                  else "khai_sinh" if kind in BIRTH_LAYOUT_KINDS else _FOLDERS[kind])
        files.append(_file(rng, difficulty, f"{folder}/{stem}_{counter:04d}.{ext}", fmt,
                           _dpi(rng, difficulty), [page]))
    if pending:
        files.append(_group(rng, difficulty, pending, "pdf", counter + 1))
    return files


def _group(rng: random.Random, difficulty: str, pages: list[PageJob], fmt: str,
           counter: int) -> FileJob:
    """Several single documents scanned into one multi-page file."""
    ext = "tif" if fmt == "tiff" else "pdf"
    return _file(rng, difficulty, f"ho_so/ho_so_{counter:04d}.{ext}", fmt,
                 _dpi(rng, difficulty), pages)
