"""Field-level test data for the matching benchmark: a registry and OCR-like extracted records.

    .venv/bin/python benchmarks/matching_data.py OUT_DIR --people 1000000 --records 10000

writes ``OUT_DIR/registry.csv`` (the registry export, columns of ``matching.CSV_COLUMNS``),
``OUT_DIR/records.csv`` (``query_id`` + the same columns, as a page's extraction gives them) and
``OUT_DIR/truth.csv`` (``query_id, registry_id, case``). Deterministic for a seed.

The population is one province's: households (parents, 1-4 children, 2 % twins, sharing a home
commune and the father's hometown), named from the shared name lists' frequencies (Nguyễn
38 %, ...; given names by their frequency among 115,000 real names) when ``../shared/data`` is
there, small built-in lists otherwise; places from the GSO list of 2025-01 (a third of the
registry rows written as after the July 2025 reform).

Records are *hard*: every record's person gets distractors in the registry at the issue's
rates (siblings 18 %, twins 4 %, namesakes 10 %, near-names 12 %: one mark or one syllable
apart, same or nearby birth date, other parents), and 15 % of the records' people are absent
from the registry (their distractors are not). Fields are corrupted the way OCR and clerks
corrupt them: marks lost or swapped, tones swapped, shapes confused (n/u, c/e, m/rn), whole
names without diacritics, "NGUYỄN" read "NGUYÊN", a digit of a date or ID misread, day and
month swapped, regional spellings (Huỳnh/Hoàng, Võ/Vũ), fields missing. Places are written
as at registration (lower-case unit words), the registry writing them its own way.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
import unicodedata
from bisect import bisect
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel.places import shared_data_dir  # noqa: E402
from kernel.vntext import canonical_tones, strip_diacritics  # noqa: E402

CSV_COLUMNS = ("id_number", "full_name", "date_of_birth", "sex", "place_of_birth", "hometown",
               "ethnicity", "father_name", "mother_name", "permanent_address")
FAMILIES = [("Nguyễn", 38.4), ("Trần", 12.1), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.0),
            ("Huỳnh", 2.1), ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 1.9), ("Đặng", 2.1),
            ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5),
            ("Đinh", 0.6), ("Trương", 0.6), ("Đào", 0.5), ("Đoàn", 0.5), ("Lâm", 0.4),
            ("Mai", 0.4), ("Trịnh", 0.4), ("Cao", 0.3), ("Lương", 0.3), ("Hà", 0.4),
            ("Tạ", 0.2), ("Vương", 0.2), ("Chu", 0.2), ("Tô", 0.2), ("Phùng", 0.2),
            ("Kiều", 0.1), ("Lưu", 0.2), ("Thái", 0.1), ("Quách", 0.1), ("Khúc", 0.05),
            ("Mạc", 0.05), ("Triệu", 0.1), ("Văn", 0.05), ("Tăng", 0.05)]
BUILTIN_GIVEN = {
    "M": "An Anh Bảo Bình Cường Dũng Duy Đạt Đức Hải Hiếu Hoàng Hùng Hưng Huy Khang Khánh "
         "Khoa Kiên Lâm Long Lộc Lực Mạnh Minh Nam Năm Nghĩa Nhân Phát Phong Phúc Phương Quang "
         "Quân Quý Sơn Tài Tâm Tân Thắng Thành Thịnh Tiến Toàn Trung Tuấn Tùng Việt Vinh Vũ",
    "F": "An Anh Ánh Bích Châu Chi Dung Dương Giang Hà Hạnh Hằng Hiền Hoa Hoà Hồng Hương "
         "Hường Lan Liên Linh Loan Mai My Nga Ngân Ngọc Nhung Oanh Phương Quyên Quỳnh Tâm "
         "Thảo Thanh Thu Thuỷ Thư Trang Trâm Tuyết Uyên Vân Vy Xuân Yến",
}
BUILTIN_MIDDLE = {"M": "Văn Văn Văn Minh Đức Quang Hữu Ngọc Thanh Công Xuân Đình",
                  "F": "Thị Thị Thị Ngọc Thu Thanh Minh Kim Bích Mỹ Hồng Phương"}
ETHNICITIES = [("Kinh", 86), ("Tày", 2), ("Thái", 2), ("Mường", 2), ("Khmer", 1.5),
               ("Hoa", 1), ("Nùng", 1), ("H'Mông", 1.5), ("Dao", 1)]
# OCR mark losses and swaps: letter -> letters it is read as
MARK_SLIPS = {"ư": "u", "ơ": "oô", "ô": "oơ", "ă": "aâ", "â": "aă", "ê": "e", "đ": "d",
              "Ư": "U", "Ơ": "OÔ", "Ô": "OƠ", "Ă": "AÂ", "Â": "AĂ", "Ê": "E", "Đ": "D"}
TONE_SLIPS = {"\u0301": "\u0309\u0300", "\u0309": "\u0301\u0303", "\u0303": "\u0309\u0301",
              "\u0300": "\u0301", "\u0323": ""}
SHAPE_SLIPS = {"N": "U", "U": "N", "C": "E", "E": "C", "M": "RN", "H": "LI", "I": "L",
               "L": "I", "O": "C", "G": "C"}
REGIONAL = {"Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Vũ": "Võ", "Võ": "Vũ"}


@dataclass(frozen=True)
class Place:
    province: tuple[str, str, str]  # code, type word, name
    district: tuple[str, str, str]
    commune: tuple[str, str, str]
    new: tuple[str, str] | None  # after the 2025 reform: commune (with type), province


@dataclass(frozen=True)
class Person:
    id_number: str
    family: str
    middle: str
    given: str
    dob: dt.date
    sex: str
    birth_place: Place
    hometown: Place
    home: Place
    hamlet: str
    ethnicity: str
    father: str
    mother: str

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)


# -- reference lists ---------------------------------------------------------------------------

def _weighted(items: list[tuple[str, float]]):
    names = [n for n, _ in items]
    cum = list(accumulate(w for _, w in items))
    total = cum[-1]

    def pick(rng: random.Random) -> str:
        return names[bisect(cum, rng.random() * total)]
    return pick


def name_lists(shared: Path | None) -> tuple[dict, dict]:
    """(sex -> weighted given names, sex -> weighted middle names)."""
    names_dir = shared / "names" if shared else None
    boy = names_dir / "duyet_vietnamese-namedb" / "boy.txt" if names_dir else None
    if not boy or not boy.is_file():
        given = {s: _weighted([(n, 1.0) for n in BUILTIN_GIVEN[s].split()]) for s in "MF"}
        middle = {s: _weighted([(n, 1.0) for n in BUILTIN_MIDDLE[s].split()]) for s in "MF"}
        return given, middle
    freq: dict[str, float] = {}
    tsv = names_dir / "toanluu_vietname" / "first_names.tsv"
    if tsv.is_file():
        for line in tsv.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1].isdigit():
                freq[parts[0].strip()] = float(parts[1])
    given, middle = {}, {}
    for sex, fname in (("M", "boy.txt"), ("F", "girl.txt")):
        forms: dict[str, set[str]] = {}
        mids: dict[str, int] = {}
        for line in (names_dir / "duyet_vietnamese-namedb" / fname).read_text(
                encoding="utf-8").splitlines():
            words = unicodedata.normalize("NFC", line).split()
            if len(words) < 2:
                continue
            forms.setdefault(strip_diacritics(words[-1]).lower(), set()).add(words[-1].title())
            mids[words[0].title()] = mids.get(words[0].title(), 0) + 1
        weighted = []
        for key, spelled in forms.items():
            share = freq.get(key, 2.0) / len(spelled)
            weighted += [(g, share) for g in sorted(spelled)]
        given[sex] = _weighted(weighted)
        top = sorted(mids.items(), key=lambda kv: -kv[1])[:40]
        common = "Văn" if sex == "M" else "Thị"
        middle[sex] = _weighted([(common, sum(n for _, n in top))] + top)
    return given, middle


def place_lists(shared: Path | None, rng: random.Random) -> tuple[list[Place], list[Place]]:
    """(communes of the registry's province, communes elsewhere)."""
    gso = shared / "admin_units" / "gso_wards_pre2025-07_Xa_2025-01-04.csv" if shared else None
    reform = _reform_names(shared)
    places: list[Place] = []
    if gso and gso.is_file():
        with gso.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                p_type, p_name = _split(row["Tỉnh Thành Phố"])
                d_type, d_name = _split(row["Quận Huyện"])
                c_type, c_name = _split(row["Phường Xã"])
                if not row["Mã PX"]:
                    continue
                places.append(Place((row["Mã TP"], p_type, p_name),
                                    (row["Mã QH"], d_type, d_name),
                                    (row["Mã PX"], c_type, c_name),
                                    reform.get(row["Mã PX"])))
    else:
        from kernel.civil_id import PROVINCE_CODES
        for code3, name in PROVINCE_CODES.items():
            for d in range(3):
                for c in range(8):
                    places.append(Place((code3[1:], "tỉnh", name),
                                        (f"{code3[1:]}{d}", "huyện", f"Huyện {d + 1} {name}"),
                                        (f"{code3[1:]}{d}{c:02d}", "xã", f"Xã {c + 1}"), None))
    home = "36" if any(p.province[0] == "36" for p in places) else places[0].province[0]
    inside = [p for p in places if p.province[0] == home]
    outside = [p for p in places if p.province[0] != home]
    return inside, outside


def _reform_names(shared: Path | None) -> dict[str, tuple[str, str]]:
    path = shared / "admin_units" / "conversion_new_old_wards_2025-07.csv" if shared else None
    out: dict[str, tuple[str, str]] = {}
    if not path or not path.is_file():
        return out
    import re
    code = re.compile(r"\s*\(\d+\)\s*$")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 8 and row[4].strip().isdigit() and row[1].strip():
                out.setdefault(row[4].strip().zfill(5), (row[1].strip(), code.sub("", row[0])))
    return out


def _split(name: str) -> tuple[str, str]:
    name = " ".join(unicodedata.normalize("NFC", name).split())
    for word in ("Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Huyện", "Quận", "Phường", "Xã"):
        if name.startswith(word + " "):
            return word.lower(), name[len(word) + 1:]
    return "", name


# -- the population ----------------------------------------------------------------------------

class Population:
    def __init__(self, rng: random.Random, shared: Path | None) -> None:
        self.rng = rng
        self.given, self.middle = name_lists(shared)
        self.family = _weighted(FAMILIES)
        self.ethnicity = _weighted(ETHNICITIES)
        self.inside, self.outside = place_lists(shared, rng)
        self.ids: set[str] = set()

    def place(self) -> Place:
        pool = self.inside if self.rng.random() < 0.9 else self.outside
        return self.rng.choice(pool)

    def new_id(self, place: Place, sex: str, year: int) -> str:
        century = (year - 1900) // 100
        digit = century * 2 + (sex == "F")
        while True:
            number = f"0{place.province[0]}{digit}{year % 100:02d}{self.rng.randint(0, 999999):06d}"
            if number not in self.ids:
                self.ids.add(number)
                return number

    def name(self, sex: str, family: str | None = None) -> tuple[str, str, str]:
        middle = self.middle[sex](self.rng)
        if self.rng.random() < 0.12:
            extra = self.middle[sex](self.rng)
            if extra != middle:
                middle = f"{middle} {extra}"
        return family or self.family(self.rng), middle, self.given[sex](self.rng)

    def household(self, children: int, twins: bool = False) -> list[Person]:
        rng = self.rng
        father = " ".join(self.name("M"))
        fam = father.split()[0]
        mother = " ".join(self.name("F"))
        first = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randint(0, 89 * 365))
        home, hamlet = self.place(), f"Thôn {rng.randint(1, 15)}"
        hometown = self.place() if rng.random() < 0.3 else home
        ethnicity = self.ethnicity(rng)
        kids = []
        dob = first
        for k in range(children):
            if k:
                dob = dob + dt.timedelta(days=rng.randint(400, 2500))
            if dob > dt.date(2024, 12, 31):
                break
            kids.append(self.child(fam, dob, home, hamlet, hometown, ethnicity, father, mother,
                                   taken={c.given for c in kids}))
            if twins and k == 0:
                kids.append(self.child(fam, dob, home, hamlet, hometown, ethnicity, father,
                                       mother, taken={c.given for c in kids},
                                       birth_place=kids[0].birth_place))
        return kids

    def child(self, family: str, dob: dt.date, home: Place, hamlet: str, hometown: Place,
              ethnicity: str, father: str, mother: str, taken: set[str],
              birth_place: Place | None = None) -> Person:
        sex = self.rng.choice("MF")
        for _ in range(20):
            _, middle, given = self.name(sex, family)
            if given not in taken:
                break
        place = birth_place or (home if self.rng.random() < 0.7 else self.place())
        return Person(self.new_id(place, sex, dob.year), family, middle, given, dob, sex,
                      place, hometown, home, hamlet, ethnicity, father, mother)

    def namesake(self, of: Person) -> Person:
        """Same full name, another birth date, another family."""
        other = self.household(1)[0]
        return replace(other, family=of.family, middle=of.middle, given=of.given, sex=of.sex,
                       id_number=self.new_id(other.birth_place, of.sex, other.dob.year))

    def near_name(self, of: Person) -> Person:
        """One mark or one syllable apart, same or nearby birth date, other parents."""
        rng = self.rng
        other = self.household(1)[0]
        given, middle = of.given, of.middle
        bare = strip_diacritics(of.given).lower()
        for _ in range(30):
            g = self.given[of.sex](rng)
            if strip_diacritics(g).lower() == bare and g != of.given:
                given = g
                break
        else:
            if rng.random() < 0.5:
                middle = self.middle[of.sex](rng)
            while given == of.given:
                given = self.given[of.sex](rng)
        dob = of.dob if rng.random() < 0.5 else of.dob + dt.timedelta(
            days=rng.choice((-1, 1)) * rng.randint(1, 40))
        return replace(other, family=of.family, middle=middle, given=given, sex=of.sex,
                       dob=dob, id_number=self.new_id(other.birth_place, of.sex, dob.year))


# -- writing -----------------------------------------------------------------------------------

def registry_place(p: Place, after_reform: bool) -> str:
    if after_reform and p.new:
        return f"{p.new[0]}, {p.new[1]}"
    return ", ".join(f"{t.title()} {n}".strip() for _, t, n in (p.commune, p.district, p.province))


def page_place(p: Place) -> str:
    return ", ".join(f"{t} {n}".strip() for _, t, n in (p.commune, p.district, p.province))


def registry_row(p: Person, rng: random.Random) -> list[str]:
    after = rng.random() < 0.35
    full = p.full
    if rng.random() < 0.25:
        full = canonical_tones(full)
    row = [p.id_number, full, p.dob.isoformat(), p.sex, registry_place(p.birth_place, after),
           registry_place(p.hometown, after), p.ethnicity, p.father, p.mother,
           f"{p.hamlet}, {registry_place(p.home, after)}"]
    if rng.random() < 0.08:
        row = [unicodedata.normalize("NFD", v) for v in row]
    return row


class Corrupter:
    """OCR and clerical slips, at the rates of a hard corpus."""

    def __init__(self, rng: random.Random, scale: float = 1.0) -> None:
        self.rng = rng
        self.s = scale

    def chance(self, p: float) -> bool:
        return self.rng.random() < p * self.s

    def word(self, w: str) -> str:
        rng = self.rng
        if w == "NGUYỄN" and self.chance(0.06):
            return "NGUYÊN"
        chars = list(unicodedata.normalize("NFC", w))
        if self.chance(0.035):  # a vowel mark lost or swapped
            spots = [i for i, c in enumerate(chars)
                     if unicodedata.normalize("NFD", c)[0] in MARK_SLIPS
                     or c in MARK_SLIPS]
            if spots:
                i = rng.choice(spots)
                nfd = unicodedata.normalize("NFD", chars[i])
                base = unicodedata.normalize("NFC", "".join(
                    c for c in nfd if c not in TONE_SLIPS))
                tone = "".join(c for c in nfd if c in TONE_SLIPS)
                if base in MARK_SLIPS:
                    chars[i] = unicodedata.normalize("NFC", rng.choice(MARK_SLIPS[base]) + tone)
        if self.chance(0.025):  # a tone swapped or lost
            for i, c in enumerate(chars):
                nfd = unicodedata.normalize("NFD", c)
                tone = next((t for t in nfd if t in TONE_SLIPS), None)
                if tone is not None:
                    new = rng.choice(TONE_SLIPS[tone]) if TONE_SLIPS[tone] else ""
                    chars[i] = unicodedata.normalize("NFC", nfd.replace(tone, new))
                    break
        if self.chance(0.012):  # a letter shape confused
            spots = [i for i, c in enumerate(chars) if c in SHAPE_SLIPS]
            if spots:
                i = rng.choice(spots)
                chars[i] = SHAPE_SLIPS[chars[i]]
        return "".join(chars)

    def name(self, name: str, *, regional: bool = True) -> str:
        words = name.split()
        if regional and words and words[0] in REGIONAL and self.chance(0.03):
            words[0] = REGIONAL[words[0]]
        text = " ".join(words).upper()
        if self.chance(0.03):  # a clerk typed it without diacritics
            return strip_diacritics(text)
        return " ".join(self.word(w) for w in text.split())

    def date(self, d: dt.date) -> str | None:
        if self.chance(0.02):
            return None
        text = d.isoformat()
        if self.chance(0.012) and d.day <= 12 and d.day != d.month:
            return f"{d.year}-{d.day:02d}-{d.month:02d}"
        if self.chance(0.035):
            digits = list(text)
            i = self.rng.choice([2, 3, 5, 6, 8, 9])
            digits[i] = self.rng.choice([c for c in "0123456789" if c != digits[i]])
            candidate = "".join(digits)
            try:
                dt.date.fromisoformat(candidate)
                return candidate
            except ValueError:
                return text
        return text

    def id_number(self, p: Person) -> str | None:
        on_page = p.dob.year >= 2016 or self.rng.random() < 0.3
        if not on_page:
            return None
        digits = list(p.id_number)
        for _ in range(2 if self.chance(0.006) else 1 if self.chance(0.03) else 0):
            i = self.rng.randrange(12)
            digits[i] = self.rng.choice([c for c in "0123456789" if c != digits[i]])
        return "".join(digits)

    def place(self, p: Place) -> str | None:
        if self.chance(0.08):
            return None
        text = page_place(p)
        return strip_diacritics(text) if self.chance(0.04) else text


def record_row(qid: str, p: Person, c: Corrupter) -> list[str]:
    rng = c.rng
    sex = p.sex if not c.chance(0.005) else ("F" if p.sex == "M" else "M")
    return [qid, c.id_number(p) or "", c.name(p.full), c.date(p.dob) or "",
            "" if c.chance(0.02) else sex,
            c.place(p.birth_place) or "", c.place(p.hometown) or "",
            "" if c.chance(0.05) else p.ethnicity,
            "" if rng.random() < 0.08 else c.name(p.father, regional=False),
            "" if rng.random() < 0.02 else c.name(p.mother, regional=False),
            ""]


def generate(out: Path, people: int, records: int, seed: int, scale: float = 1.0) -> dict:
    rng = random.Random(seed)
    pop = Population(rng, shared_data_dir() if (shared_data_dir() / "names").is_dir() else None)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # the records' people and their distractors
    targets: list[Person] = []
    registry: list[Person] = []
    counts = {"sibling": 0, "twin": 0, "namesake": 0, "near_name": 0, "absent": 0}
    truth = []
    corrupt = Corrupter(random.Random(seed + 1), scale)
    rows = []
    for q in range(records):
        twins = rng.random() < 0.04
        siblings = rng.random() < 0.18
        kids = pop.household(2 + (rng.random() < 0.3) if siblings else 1, twins=twins)
        person = kids[0]
        counts["twin"] += twins
        counts["sibling"] += len(kids) - 1 - twins
        others = kids[1:]
        if rng.random() < 0.10:
            others.append(pop.namesake(person))
            counts["namesake"] += 1
        if rng.random() < 0.12:
            others.append(pop.near_name(person))
            counts["near_name"] += 1
        absent = rng.random() < 0.15
        counts["absent"] += absent
        if not absent:
            registry.append(person)
        registry += others
        qid = f"Q{q + 1:06d}"
        truth.append((qid, "" if absent else person.id_number, "absent" if absent else "present"))
        rows.append(record_row(qid, person, corrupt))
        targets.append(person)
    # unrelated people, household by household, up to the registry size (the records'
    # people and their distractors come first and are never cut)
    core = len(registry)
    while len(registry) < people:
        registry += pop.household(rng.choice((1, 1, 2, 2, 3, 4)), twins=rng.random() < 0.02)
    registry = registry[:max(people, core)]
    order = list(range(len(registry)))
    rng.shuffle(order)
    row_rng = random.Random(seed + 2)
    with (out / "registry.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for i in order:
            w.writerow(registry_row(registry[i], row_rng))
    with (out / "records.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("query_id",) + CSV_COLUMNS)
        w.writerows(rows)
    with (out / "truth.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(("query_id", "registry_id", "case"))
        w.writerows(truth)
    summary = {"people": len(registry), "records": records, "seed": seed, "scale": scale,
               "distractors": counts, "seconds": round(time.monotonic() - started, 1)}
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the corruption rates")
    args = ap.parse_args()
    print(generate(args.out, args.people, args.records, args.seed, args.scale))


if __name__ == "__main__":
    main()
