"""Field comparisons: which level of each declared comparison a pair of people falls into.

:class:`Profile` is one side in comparison form (name parts with and without marks, parents'
keys, place unit tokens), made once: from a :class:`PersonQuery` (:func:`profile`) or from a
stored registry row, whose keys were derived at import (:func:`registry_profile`). :func:`level_of`
walks a comparison's levels in order and returns the first whose condition holds, or ``None``
when the field is missing on either side (the comparison then does not count).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import JaroWinkler, Levenshtein

from matching.names import ocr_distance
from matching.person import PersonQuery, RegistryPerson, keys
from matching.places import PlaceCoder, compare_tokens
from matching.rules import Comparison, Level


@dataclass(frozen=True, slots=True)
class Profile:
    """One side of a comparison."""

    id_number: str | None
    date_of_birth: str | None
    sex: str | None
    family: str | None  # canonical keys (marks kept, one tone placement, Huỳnh -> Hoàng)
    middle: str | None
    given: str | None
    family_ascii: str | None
    middle_ascii: str | None
    given_ascii: str | None
    marked: bool  # the person's name carries marks
    father: str | None
    father_ascii: str | None
    mother: str | None
    mother_ascii: str | None
    place_of_birth: str | None  # unit tokens: "p36 d366 c14233"
    hometown: str | None
    ethnicity: str | None
    terms: Mapping[str, int] | None = None  # registry counts of some of its values

    def part(self, name: str) -> tuple[str | None, str | None]:
        if name == "family":
            return self.family, self.family_ascii
        if name == "middle":
            return self.middle, self.middle_ascii
        return self.given, self.given_ascii


def _from_keys(k: Mapping[str, Any], id_number: str | None, date_of_birth: str | None,
               sex: str | None, terms: Mapping[str, int] | None = None) -> Profile:
    name_key = k.get("name_key") or ""
    return Profile(
        id_number=id_number, date_of_birth=date_of_birth, sex=sex,
        family=k.get("family_key"), middle=k.get("middle_key"), given=k.get("given_key"),
        family_ascii=k.get("family_ascii"), middle_ascii=k.get("middle_ascii"),
        given_ascii=k.get("given_ascii"), marked=not name_key.isascii(),
        father=k.get("father_key"), father_ascii=k.get("father_ascii"),
        mother=k.get("mother_key"), mother_ascii=k.get("mother_ascii"),
        place_of_birth=k.get("pob_units"), hometown=k.get("home_units"),
        ethnicity=k.get("ethnicity_key"), terms=terms,
    )


def profile(side: PersonQuery | RegistryPerson, places: PlaceCoder | None = None) -> Profile:
    """The comparison form of a query (or of a registry person read without its keys)."""
    coder = places or PlaceCoder.load()
    k = keys(side.full_name, side.father_name, side.mother_name, side.place_of_birth,
             side.hometown, side.ethnicity, coder)
    return _from_keys(k, side.id_number, side.date_of_birth, side.sex)


def registry_profile(row: Mapping[str, Any], terms: Mapping[str, int] | None = None) -> Profile:
    """The comparison form of a stored registry row (keys stored at import); ``terms``: the
    registry counts of some of its values (term column -> n), read along with it."""
    return _from_keys(row, row["id_number"], row["date_of_birth"], row["sex"], terms)


# -- conditions --------------------------------------------------------------------------------

def _one_digit(a: str, b: str) -> bool:
    """Same length and one digit replaced, or two adjacent digits swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
        and a[diff[1]] == b[diff[0]]


def _name_part_level(c: Comparison, q: Profile, p: Profile) -> Level | None:
    qc, qa = q.part(c.part or "given")
    pc, pa = p.part(c.part or "given")
    if not qa or not pa:
        return None
    same_ascii = qa == pa
    for lv in c.levels:
        w = lv.when
        if w == "exact":
            if qc == pc:
                return lv
        elif w == "unmarked":
            if same_ascii and not (q.marked and p.marked):
                return lv
        elif w == "marks":
            if same_ascii:
                return lv
        elif w == "ocr":
            # an OCR slip changes at most two letters of the bare form ("rn" for "m")
            if not same_ascii and Levenshtein.distance(qa, pa, score_cutoff=2) <= 2 \
                    and ocr_distance(qc or "", pc or "") <= (lv.threshold or 0.0):
                return lv
        elif w == "similar":
            if JaroWinkler.normalized_similarity(qa, pa) >= (lv.threshold or 0.0):
                return lv
        else:
            return lv
    return c.levels[-1]


def _full_name_level(c: Comparison, qk: str | None, qa: str | None, pk: str | None,
                     pa: str | None) -> Level | None:
    if not qa or not pa:
        return None
    same_ascii = qa == pa
    for lv in c.levels:
        w = lv.when
        if w == "exact":
            if qk == pk:
                return lv
        elif w == "unmarked":
            if same_ascii and ((qk or "").isascii() or (pk or "").isascii()):
                return lv
        elif w == "marks":
            if same_ascii:
                return lv
        elif w == "ocr":
            if not same_ascii and Levenshtein.distance(qa, pa, score_cutoff=3) <= 3 \
                    and ocr_distance(qk or "", pk or "") <= (lv.threshold or 0.0):
                return lv
        elif w == "similar":
            if JaroWinkler.normalized_similarity(qa, pa) >= (lv.threshold or 0.0):
                return lv
        elif w == "given_same":
            if qa.rsplit(" ", 1)[-1] == pa.rsplit(" ", 1)[-1]:
                return lv
        else:
            return lv
    return c.levels[-1]


def _date_level(c: Comparison, a: str | None, b: str | None) -> Level | None:
    if not a or not b:
        return None
    for lv in c.levels:
        w = lv.when
        if w == "exact":
            if a == b:
                return lv
        elif w == "day_month_swapped":
            if a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7] and a[5:7] != a[8:10]:
                return lv
        elif w == "one_digit":
            if _one_digit(a.replace("-", ""), b.replace("-", "")):
                return lv
        elif w == "same_month":
            if a[:7] == b[:7]:
                return lv
        elif w == "same_year":
            if a[:4] == b[:4]:
                return lv
        elif w == "near_year":
            if abs(int(a[:4]) - int(b[:4])) <= 1:
                return lv
        else:
            return lv
    return c.levels[-1]


def _id_level(c: Comparison, a: str | None, b: str | None) -> Level | None:
    if not a or not b or len(a) != len(b):
        return None  # an old 9-digit CMND against a 12-digit ID says nothing
    for lv in c.levels:
        w = lv.when
        if w == "exact":
            if a == b:
                return lv
        elif w == "one_digit":
            if _one_digit(a, b):
                return lv
        elif w == "different_12":
            if len(a) == 12:
                return lv
        else:
            return lv
    return c.levels[-1]


def _place_level(c: Comparison, a: str | None, b: str | None) -> Level | None:
    shared = compare_tokens(a or "", b or "")
    if shared is None:
        return None
    for lv in c.levels:
        w = lv.when
        if w == "commune":
            if shared.commune:
                return lv
        elif w == "district":
            if shared.district:
                return lv
        elif w == "province":
            if shared.province:
                return lv
        else:
            return lv if shared.both_have_province else None
    return None


def level_of(c: Comparison, q: Profile, p: Profile) -> Level | None:
    """The level of ``c`` the pair falls into; ``None``: a value is missing on a side."""
    kind = c.kind
    if kind == "name_part":
        return _name_part_level(c, q, p)
    if kind == "name":
        if c.field == "father_name":
            return _full_name_level(c, q.father, q.father_ascii, p.father, p.father_ascii)
        if c.field == "mother_name":
            return _full_name_level(c, q.mother, q.mother_ascii, p.mother, p.mother_ascii)
        parts_q = " ".join(x for x in (q.family, q.middle, q.given) if x)
        parts_p = " ".join(x for x in (p.family, p.middle, p.given) if x)
        asc_q = " ".join(x for x in (q.family_ascii, q.middle_ascii, q.given_ascii) if x)
        asc_p = " ".join(x for x in (p.family_ascii, p.middle_ascii, p.given_ascii) if x)
        return _full_name_level(c, parts_q, asc_q, parts_p, asc_p)
    if kind == "date":
        return _date_level(c, getattr(q, c.field), getattr(p, c.field))
    if kind == "civil_id":
        return _id_level(c, q.id_number, p.id_number)
    if kind == "place":
        return _place_level(c, getattr(q, c.field), getattr(p, c.field))
    if kind == "exact":
        a, b = getattr(q, c.field), getattr(p, c.field)
        if not a or not b:
            return None
        return c.levels[0] if a == b and c.levels[0].when == "exact" else c.levels[-1]
    raise ValueError(f"unknown comparison kind {kind!r}")


def agreed_value(c: Comparison, level: Level, p: Profile) -> str | None:
    """The registry side's value a term-frequency level looks up."""
    column = level.tf
    if column is None:
        return None
    if column in ("family", "middle", "given"):
        return p.part(column)[0]
    if column in ("family_ascii", "middle_ascii", "given_ascii"):
        return p.part(column.removesuffix("_ascii"))[1]
    if column == "father":
        return p.father
    if column == "mother":
        return p.mother
    if column == "father_ascii":
        return p.father_ascii
    if column == "mother_ascii":
        return p.mother_ascii
    if column == "ethnicity":
        return p.ethnicity
    return None
