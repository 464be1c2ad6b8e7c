"""The matching rule set, declared as data (Splink style) and saved with every run.

A :class:`RuleSet` lists comparisons. Each comparison looks at one field on both sides and
falls into the first of its levels whose condition holds ("exact", "ascii_exact",
"similarity >= 0.92", ..., "else"). A level's ``value`` (-1..1) is its share of the
comparison's ``weight``: positive is evidence for the same person, negative against.

The score of a pair is the sum of ``weight * value`` over the comparisons that have a value on
both sides, divided by the sum of their weights (but by no less than ``min_evidence_weight``,
so a page with little on it cannot reach a confident score), clipped to 0..1. A field missing
on either side therefore neither adds nor subtracts.

Moving to Fellegi-Sunter later means giving levels m/u probabilities (and comparisons a
term-frequency flag) instead of ``value``; the declaration stays the same.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from matching.blocking import DEFAULT_BLOCKING_RULES, BlockingRule

Kind = Literal["name", "date", "civil_id", "exact", "place"]
Metric = Literal["indel", "levenshtein", "token_set", "token_sort"]
NamePart = Literal["full", "family", "middle", "given"]

PREDICATES: dict[str, frozenset[str]] = {
    # conditions a level may test, per comparison kind ("else" is always allowed, last)
    "name": frozenset({"exact", "ascii_exact_unmarked", "ascii_exact", "similarity",
                       "one_edit"}),
    "date": frozenset({"exact", "day_month_swapped", "one_digit", "same_year"}),
    "civil_id": frozenset({"exact", "one_digit", "different_12"}),
    "exact": frozenset({"exact"}),
    "place": frozenset({"exact", "similarity"}),
}
COMPARABLE_FIELDS: frozenset[str] = frozenset({
    "full_name", "date_of_birth", "sex", "id_number", "father_name", "mother_name",
    "place_of_birth", "hometown", "ethnicity",
})
NAME_FIELDS: frozenset[str] = frozenset({"full_name", "father_name", "mother_name"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(_Frozen):
    label: str
    when: str  # a predicate of the comparison's kind, or "else"
    value: float  # -1..1, share of the comparison weight
    threshold: float | None = None  # for "similarity" (0..1)
    blocks_auto_match: bool = False  # a pair at this level is never linked without a person


class Comparison(_Frozen):
    name: str  # key in the explanation
    kind: Kind
    field: str  # attribute of PersonQuery and RegistryPerson
    weight: float
    levels: tuple[Level, ...]
    part: NamePart = "full"  # kind "name": which part of the name
    metric: Metric = "indel"  # similarity measure (on ascii forms)


class RuleSet(_Frozen):
    name: str
    version: str
    comparisons: tuple[Comparison, ...]
    min_evidence_weight: float = 0.0
    blocking_rules: tuple[BlockingRule, ...] = DEFAULT_BLOCKING_RULES
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> "RuleSet":
        """Collect every problem of the rule set and report them all at once."""
        problems: list[str] = []
        names = [c.name for c in self.comparisons]
        problems += [f"comparison name {n!r} repeated" for n in sorted(set(names))
                     if names.count(n) > 1]
        if self.min_evidence_weight < 0:
            problems.append("min_evidence_weight must be >= 0")
        for c in self.comparisons:
            where = f"comparison {c.name!r}"
            if c.field not in COMPARABLE_FIELDS:
                problems.append(f"{where}: unknown field {c.field!r}")
            if c.kind == "name" and c.field not in NAME_FIELDS:
                problems.append(f"{where}: kind 'name' needs a name field, not {c.field!r}")
            if c.weight <= 0:
                problems.append(f"{where}: weight must be > 0")
            if not c.levels or c.levels[-1].when != "else":
                problems.append(f"{where}: the last level must be 'else'")
            for lv in c.levels:
                lwhere = f"{where} level {lv.label!r}"
                if lv.when != "else" and lv.when not in PREDICATES[c.kind]:
                    problems.append(f"{lwhere}: {lv.when!r} is not a condition of kind "
                                    f"{c.kind!r} ({sorted(PREDICATES[c.kind])})")
                if lv.when == "else" and lv is not c.levels[-1]:
                    problems.append(f"{lwhere}: 'else' must be the last level")
                if not -1.0 <= lv.value <= 1.0:
                    problems.append(f"{lwhere}: value must be within -1..1")
                if lv.when == "similarity" and (lv.threshold is None
                                                or not 0.0 <= lv.threshold <= 1.0):
                    problems.append(f"{lwhere}: 'similarity' needs a threshold within 0..1")
        if problems:
            raise ValueError("invalid rule set: " + "; ".join(problems))
        return self

    @property
    def ident(self) -> str:
        """'name@version', for provenance (``Provenance.matching_rules``)."""
        return f"{self.name}@{self.version}"

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> "RuleSet":
        return cls.model_validate_json(text)

    def fingerprint(self) -> str:
        """Hash of the full declaration: two runs with one fingerprint used the same rules."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]


def _name_levels(sim_high: float, v_high: float, sim_low: float | None, v_low: float,
                 v_else: float, v_one_edit: float | None = None) -> tuple[Level, ...]:
    levels = [
        Level(label="exact", when="exact", value=1.0),
        # one side carries no marks at all (OCR lost them): cannot tell, nearly exact
        Level(label="ascii_exact_unmarked", when="ascii_exact_unmarked", value=0.95),
        # marks present on both sides but different (Ân/An): OCR confuses them, so still close
        Level(label="ascii_exact", when="ascii_exact", value=0.9),
        Level(label=f"similar_{sim_high}", when="similarity", threshold=sim_high, value=v_high),
    ]
    if sim_low is not None:
        levels.append(Level(label=f"similar_{sim_low}", when="similarity", threshold=sim_low,
                            value=v_low))
    if v_one_edit is not None:
        # short names one letter apart (An/Anh, An/Am): another name, or an OCR slip
        levels.append(Level(label="one_edit", when="one_edit", value=v_one_edit))
    levels.append(Level(label="different", when="else", value=v_else))
    return tuple(levels)


def _place_levels() -> tuple[Level, ...]:
    return (
        Level(label="same", when="similarity", threshold=0.9, value=1.0),
        Level(label="similar", when="similarity", threshold=0.7, value=0.4),
        Level(label="different", when="else", value=-0.2),  # renamed units, old names: weak
    )


DEFAULT_RULES = RuleSet(
    name="sohoa-weighted",
    version="1",
    description="Weighted field agreement for the first end-to-end version.",
    min_evidence_weight=6.0,
    comparisons=(
        Comparison(name="full_name", kind="name", field="full_name", part="full",
                   metric="indel", weight=2.0,
                   levels=_name_levels(0.92, 0.5, 0.8, 0.1, -0.6)),
        Comparison(name="given_name", kind="name", field="full_name", part="given",
                   metric="levenshtein", weight=2.5,
                   levels=_name_levels(0.8, 0.3, None, 0.0, -0.8, v_one_edit=-0.2)),
        Comparison(name="family_name", kind="name", field="full_name", part="family",
                   metric="levenshtein", weight=0.5,
                   levels=_name_levels(0.8, 0.3, None, 0.0, -0.5)),
        Comparison(name="date_of_birth", kind="date", field="date_of_birth", weight=3.0, levels=(
            Level(label="exact", when="exact", value=1.0),
            Level(label="day_month_swapped", when="day_month_swapped", value=0.4),
            Level(label="one_digit", when="one_digit", value=0.4),
            Level(label="same_year", when="same_year", value=-0.4),
            Level(label="different", when="else", value=-0.7),
        )),
        Comparison(name="sex", kind="exact", field="sex", weight=1.0, levels=(
            Level(label="same", when="exact", value=1.0),
            Level(label="different", when="else", value=-1.0),
        )),
        Comparison(name="id_number", kind="civil_id", field="id_number", weight=4.0, levels=(
            Level(label="exact", when="exact", value=1.0),
            Level(label="one_digit", when="one_digit", value=0.2),
            Level(label="different_12", when="different_12", value=-0.75,
                  blocks_auto_match=True),
            Level(label="different", when="else", value=-0.3),
        )),
        Comparison(name="father_name", kind="name", field="father_name", weight=1.5,
                   levels=_name_levels(0.9, 0.5, 0.75, 0.1, -0.5)),
        Comparison(name="mother_name", kind="name", field="mother_name", weight=1.5,
                   levels=_name_levels(0.9, 0.5, 0.75, 0.1, -0.5)),
        Comparison(name="place_of_birth", kind="place", field="place_of_birth",
                   metric="token_set", weight=0.5, levels=_place_levels()),
        Comparison(name="hometown", kind="place", field="hometown", metric="token_set",
                   weight=0.3, levels=_place_levels()),
        Comparison(name="ethnicity", kind="exact", field="ethnicity", weight=0.2, levels=(
            Level(label="same", when="exact", value=1.0),
            Level(label="different", when="else", value=-0.5),
        )),
    ),
)
"""The rule set used unless a run names another one."""
