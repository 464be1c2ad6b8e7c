"""Field comparisons: the facts a rule-set level can test, for one pair of people.

:func:`profile` turns either side (a :class:`PersonQuery` or a :class:`RegistryPerson`) into
its comparison form once; :func:`facts` computes, for one declared comparison, the conditions
its levels test ("exact", "ascii_exact", a similarity in 0..1 ...), or ``None`` when the
field is missing on either side (the comparison then does not count).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from matching.names import NameParts, split_name
from matching.person import PersonQuery, RegistryPerson, ascii_text
from matching.rules import NAME_FIELDS, Comparison, Level

Facts = dict[str, Union[bool, float]]

# administrative words in front of place names ("xã", "huyện", "TP." ...), dropped before comparing
_ADMIN_WORDS = re.compile(
    r"\b(THANH PHO|THI TRAN|THI XA|XA|PHUONG|HUYEN|QUAN|TINH|TP|TT|TX)\b")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Profile:
    """One side of a comparison: raw values plus name parts and ascii forms, computed once."""

    values: dict[str, str | None]
    names: dict[str, NameParts]


def profile(side: PersonQuery | RegistryPerson) -> Profile:
    values: dict[str, str | None] = {
        name: getattr(side, name, None) for name in (
            "full_name", "date_of_birth", "sex", "id_number", "father_name", "mother_name",
            "place_of_birth", "hometown", "ethnicity")
    }
    names = {f: split_name(values[f]) for f in NAME_FIELDS}
    return Profile(values=values, names=names)


def facts(comparison: Comparison, q: Profile, p: Profile) -> Facts | None:
    """The conditions of ``comparison`` for the pair, or ``None`` if it has no value."""
    kind = comparison.kind
    if kind == "name":
        return _name_facts(comparison, q.names[comparison.field], p.names[comparison.field])
    a, b = q.values.get(comparison.field), p.values.get(comparison.field)
    if not a or not b:
        return None
    if kind == "date":
        return _date_facts(a, b)
    if kind == "civil_id":
        return _id_facts(a, b)
    if kind == "exact":
        return {"exact": ascii_text(a) == ascii_text(b)}
    if kind == "place":
        return _place_facts(a, b, comparison.metric)
    raise ValueError(f"unknown comparison kind {kind!r}")


def level_for(comparison: Comparison, found: Facts) -> Level:
    """The first level of ``comparison`` whose condition holds."""
    for level in comparison.levels:
        if level.when == "else":
            return level
        if level.when == "similarity":
            if float(found.get("similarity", 0.0)) >= (level.threshold or 0.0):
                return level
        elif found.get(level.when):
            return level
    return comparison.levels[-1]


def similarity(a: str, b: str, metric: str) -> float:
    """Similarity in 0..1 of two (ascii, upper-case) strings."""
    if metric == "levenshtein":
        return float(Levenshtein.normalized_similarity(a, b))
    if metric == "token_set":
        return fuzz.token_set_ratio(a, b) / 100.0
    if metric == "token_sort":
        return fuzz.token_sort_ratio(a, b) / 100.0
    return fuzz.ratio(a, b) / 100.0


def _name_facts(c: Comparison, q: NameParts, p: NameParts) -> Facts | None:
    if c.part == "full":
        qc, pc, qa, pa = q.canonical, p.canonical, q.ascii, p.ascii
    else:
        qc, pc = getattr(q, c.part), getattr(p, c.part)
        qa, pa = getattr(q, c.part + "_ascii"), getattr(p, c.part + "_ascii")
    if not qa or not pa:
        return None
    ascii_exact = qa == pa
    return {
        "exact": qc == pc,
        "ascii_exact": ascii_exact,
        "ascii_exact_unmarked": ascii_exact and not (q.marked and p.marked),
        "similarity": similarity(qa, pa, c.metric),
        "one_edit": Levenshtein.distance(qa, pa, score_cutoff=1) <= 1,
    }


def _one_digit(a: str, b: str) -> bool:
    """Same length and one digit replaced, or two adjacent digits swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
        and a[diff[1]] == b[diff[0]]


def _date_facts(a: str, b: str) -> Facts:
    ya, ma, da = a[:4], a[5:7], a[8:10]
    yb, mb, db = b[:4], b[5:7], b[8:10]
    return {
        "exact": a == b,
        "day_month_swapped": ya == yb and ma == db and da == mb and ma != da,
        "one_digit": _one_digit(ya + ma + da, yb + mb + db),
        "same_year": ya == yb,
    }


def _id_facts(a: str, b: str) -> Facts | None:
    if len(a) != len(b):
        return None  # an old 9-digit CMND against a 12-digit ID says nothing
    return {
        "exact": a == b,
        "one_digit": _one_digit(a, b),
        "different_12": len(a) == 12 and a != b,
    }


def _place_key(text: str) -> str:
    return " ".join(_ADMIN_WORDS.sub(" ", _NON_WORD.sub(" ", ascii_text(text))).split())


def _place_facts(a: str, b: str, metric: str) -> Facts | None:
    ka, kb = _place_key(a), _place_key(b)
    if not ka or not kb:
        return None
    return {"exact": ka == kb, "similarity": similarity(ka, kb, metric)}
