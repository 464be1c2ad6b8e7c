"""The matching rule set, declared as data (Splink style) and saved with every run.

A :class:`RuleSet` lists comparisons. Each comparison looks at one field (or one part of the
name) on both sides and falls into the first of its levels whose condition holds ("exact",
"marks", "ocr <= 0.65", ..., "else"). Every level has two probabilities (Fellegi-Sunter):

- ``m``: how often a true pair (page and registry entry of one person) is at this level:
  declared, from how often OCR and clerks change a value;
- ``u``: how often two different people are at this level: estimated from the registry
  itself (:mod:`matching.estimate`: random pairs of registry people, and exact value
  frequencies), the declared value being the fallback.

A level's *weight* is ``log2(m / u)`` bits. A level with ``tf`` set adjusts ``u`` to the
frequency of the agreed value in the registry (term frequency): agreeing on "Nguyễn" (38 % of
people) counts about one bit, on a rare given name ten or more.

A pair's match weight is the prior (``log2`` odds that a page's person is one given registry
entry: ``presence / ((1 - presence) * population)``) plus the weights of the comparisons
with a value on both sides (a missing field counts neither way). The scores of a page's
candidates are posterior probabilities that each one is the page's person, the others and
"not in the registry" competing (so two twins the page cannot tell apart get about 0.5 each).

``auto_link_floor``: no automatic link below this probability, whatever the thresholds a run
is given (precision first: a wrong link attaches one citizen's papers to another).
"""

from __future__ import annotations

import hashlib
import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from matching.blocking import DEFAULT_BLOCKING_RULES, BlockingRule

Kind = Literal["name_part", "name", "date", "civil_id", "exact", "place"]
NamePart = Literal["family", "middle", "given"]
TermColumn = Literal["family", "middle", "given", "family_ascii", "middle_ascii",
                     "given_ascii", "father", "mother", "father_ascii", "mother_ascii",
                     "ethnicity"]

PREDICATES: dict[str, frozenset[str]] = {
    # conditions a level may test, per comparison kind ("else" is always allowed, last)
    "name_part": frozenset({"exact", "unmarked", "marks", "ocr", "similar"}),
    "name": frozenset({"exact", "unmarked", "marks", "ocr", "similar", "given_same"}),
    "date": frozenset({"exact", "day_month_swapped", "one_digit", "same_month", "same_year",
                       "near_year"}),
    "civil_id": frozenset({"exact", "one_digit", "different_12"}),
    "exact": frozenset({"exact"}),
    "place": frozenset({"commune", "district", "province"}),
}
THRESHOLD_PREDICATES = frozenset({"ocr", "similar"})
COMPARABLE_FIELDS: frozenset[str] = frozenset({
    "full_name", "date_of_birth", "sex", "id_number", "father_name", "mother_name",
    "place_of_birth", "hometown", "ethnicity",
})
NAME_FIELDS: frozenset[str] = frozenset({"full_name", "father_name", "mother_name"})
PLACE_FIELDS: frozenset[str] = frozenset({"place_of_birth", "hometown"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(_Frozen):
    label: str
    when: str  # a predicate of the comparison's kind, or "else"
    m: float  # P(level | same person)
    u: float  # P(level | different people); replaced by the registry's estimate when trained
    threshold: float | None = None  # "ocr": at most this OCR distance; "similar": at least
    tf: TermColumn | None = None  # u is the frequency of the agreed value in this column
    blocks_auto_match: bool = False  # a pair at this level is never linked without a person

    def weight(self, u: float | None = None) -> float:
        """log2(m/u) bits (``u`` given: a term-frequency adjusted u)."""
        return math.log2(self.m / (u if u is not None else self.u))


class Comparison(_Frozen):
    name: str  # key in the explanation
    kind: Kind
    field: str  # attribute of PersonQuery and RegistryPerson
    levels: tuple[Level, ...]
    part: NamePart | None = None  # kind "name_part": which part of the full name


class RuleSet(_Frozen):
    name: str
    version: str
    comparisons: tuple[Comparison, ...]
    presence: float = 0.85  # share of pages whose person is in the registry
    min_population: int = 1_000_000  # the prior assumes at least this many people
    tf_floor: float = 1e-6  # a term frequency is never taken below this
    # how much the declared u counts against the registry's evidence, in people (exact
    # agreement, term frequencies) or in sampled pairs (other levels): a small registry says
    # little about the population, a province's registry nearly everything
    prior_strength: int = 10_000
    auto_link_floor: float = 0.99  # no automatic link below this probability
    blocking_rules: tuple[BlockingRule, ...] = DEFAULT_BLOCKING_RULES
    candidate_limit: int = 100  # rows per blocking rule, at most
    estimated_from: str | None = None  # what the u values were estimated from
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> "RuleSet":
        """Collect every problem of the rule set and report them all at once."""
        problems: list[str] = []
        names = [c.name for c in self.comparisons]
        problems += [f"comparison name {n!r} repeated" for n in sorted(set(names))
                     if names.count(n) > 1]
        if not 0.0 < self.presence < 1.0:
            problems.append("presence must be within 0..1 (exclusive)")
        if self.min_population < 1:
            problems.append("min_population must be >= 1")
        if not 0.0 < self.tf_floor < 1.0:
            problems.append("tf_floor must be within 0..1 (exclusive)")
        if not 0.0 <= self.auto_link_floor <= 1.0:
            problems.append("auto_link_floor must be within 0..1")
        if self.prior_strength < 0:
            problems.append("prior_strength must be >= 0")
        if self.candidate_limit < 1:
            problems.append("candidate_limit must be >= 1")
        for c in self.comparisons:
            problems += _comparison_problems(c)
        if problems:
            raise ValueError("invalid rule set: " + "; ".join(problems))
        return self

    @property
    def ident(self) -> str:
        """'name@version', for provenance (``Provenance.matching_rules``)."""
        return f"{self.name}@{self.version}"

    def provenance(self) -> str:
        """'name@version#fingerprint': names the exact declaration and estimates."""
        return f"{self.ident}#{self.fingerprint()}"

    def registry_share(self, registry_size: int) -> float:
        """How far the registry's own frequencies replace the declared u (0..1)."""
        total = registry_size + self.prior_strength
        return registry_size / total if total else 0.0

    def prior_log2(self, registry_size: int) -> float:
        population = max(registry_size, self.min_population)
        return math.log2(self.presence / ((1.0 - self.presence) * population))

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> "RuleSet":
        return cls.model_validate_json(text)

    def fingerprint(self) -> str:
        """Hash of the full declaration: two runs with one fingerprint used the same rules."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def with_u(self, estimates: dict[str, dict[str, float]], source: str) -> "RuleSet":
        """A copy whose levels take the estimated ``u`` (comparison -> label -> u)."""
        comparisons = []
        for c in self.comparisons:
            found = estimates.get(c.name, {})
            levels = tuple(lv.model_copy(update={"u": found[lv.label]}) if lv.label in found
                           else lv for lv in c.levels)
            comparisons.append(c.model_copy(update={"levels": levels}))
        return self.model_copy(update={"comparisons": tuple(comparisons),
                                       "estimated_from": source})


def _comparison_problems(c: Comparison) -> list[str]:
    problems: list[str] = []
    where = f"comparison {c.name!r}"
    if c.field not in COMPARABLE_FIELDS:
        problems.append(f"{where}: unknown field {c.field!r}")
    if c.kind in ("name_part", "name") and c.field not in NAME_FIELDS:
        problems.append(f"{where}: kind {c.kind!r} needs a name field, not {c.field!r}")
    if c.kind == "name_part" and c.part is None:
        problems.append(f"{where}: kind 'name_part' needs a part (family, middle, given)")
    if c.kind == "place" and c.field not in PLACE_FIELDS:
        problems.append(f"{where}: kind 'place' needs a place field, not {c.field!r}")
    if not c.levels or c.levels[-1].when != "else":
        problems.append(f"{where}: the last level must be 'else'")
    labels = [lv.label for lv in c.levels]
    problems += [f"{where}: level label {lb!r} repeated" for lb in sorted(set(labels))
                 if labels.count(lb) > 1]
    for lv in c.levels:
        lwhere = f"{where} level {lv.label!r}"
        if lv.when != "else" and lv.when not in PREDICATES[c.kind]:
            problems.append(f"{lwhere}: {lv.when!r} is not a condition of kind {c.kind!r} "
                            f"({sorted(PREDICATES[c.kind])})")
        if lv.when == "else" and lv is not c.levels[-1]:
            problems.append(f"{lwhere}: 'else' must be the last level")
        if not 0.0 < lv.m <= 1.0:
            problems.append(f"{lwhere}: m must be within 0..1 (above 0)")
        if not 0.0 < lv.u <= 1.0:
            problems.append(f"{lwhere}: u must be within 0..1 (above 0)")
        if lv.when in THRESHOLD_PREDICATES and lv.threshold is None:
            problems.append(f"{lwhere}: {lv.when!r} needs a threshold")
        if lv.tf is not None and lv.when not in ("exact", "unmarked"):
            problems.append(f"{lwhere}: term frequencies apply to 'exact' or 'unmarked' only")
    return problems


# -- the default rule set ----------------------------------------------------------------------
# m: from how pages differ from the registry for one person (Tesseract 'vie' loses or swaps a
# mark on a few percent of names, misreads a digit of a date or ID on a few percent of pages,
# clerks write old place names); u: fallbacks, replaced by the registry's own estimates.

def _name_part_levels(part: str, *, tf: TermColumn, tf_ascii: TermColumn) -> tuple[Level, ...]:
    common = 0.01 if part == "given" else 0.15  # two people sharing a family, a middle name
    return (
        Level(label="exact", when="exact", m=0.90, u=common, tf=tf),
        # the page (or the registry) carries no mark at all: typed or read without diacritics
        Level(label="unmarked", when="unmarked", m=0.90, u=common, tf=tf_ascii),
        # same letters, other marks: OCR (Hưng/Hùng) or another name (Nam/Năm)
        Level(label="marks", when="marks", m=0.05, u=0.003),
        # one confusion OCR makes (n/u, c/e, rn/m, a lost thin letter), marks aside
        Level(label="ocr", when="ocr", threshold=0.65, m=0.02, u=0.004),
        Level(label="similar", when="similar", threshold=0.8, m=0.01, u=0.05,
              blocks_auto_match=part == "given"),
        # a sibling, not an OCR slip: the given name is what tells a family's children apart
        Level(label="different", when="else", m=0.01 if part != "middle" else 0.03, u=0.9,
              blocks_auto_match=part == "given"),
    )


def _parent_levels(tf: TermColumn, tf_ascii: TermColumn) -> tuple[Level, ...]:
    return (
        Level(label="exact", when="exact", m=0.85, u=1e-4, tf=tf),
        Level(label="unmarked", when="unmarked", m=0.85, u=2e-4, tf=tf_ascii),
        Level(label="marks", when="marks", m=0.05, u=5e-5),
        Level(label="ocr", when="ocr", threshold=1.0, m=0.04, u=1e-4),
        Level(label="given_same", when="given_same", m=0.02, u=0.01),
        Level(label="different", when="else", m=0.04, u=0.99),
    )


def _place_levels(m_commune: float, m_district: float, m_province: float) -> tuple[Level, ...]:
    return (
        Level(label="same_commune", when="commune", m=m_commune, u=0.002),
        Level(label="same_district", when="district", m=m_district, u=0.02),
        Level(label="same_province", when="province", m=m_province, u=0.5),
        Level(label="different", when="else", m=1.0 - m_commune - m_district - m_province,
              u=0.5),
    )


DEFAULT_RULES = RuleSet(
    name="sohoa-fs",
    version="2",
    description="Fellegi-Sunter with term frequencies: Vietnamese name parts, dates with "
                "OCR slips, ID numbers, parents, places by unit code across the 2025 reform.",
    comparisons=(
        Comparison(name="family_name", kind="name_part", field="full_name", part="family",
                   levels=_name_part_levels("family", tf="family", tf_ascii="family_ascii")),
        Comparison(name="middle_name", kind="name_part", field="full_name", part="middle",
                   levels=_name_part_levels("middle", tf="middle", tf_ascii="middle_ascii")),
        Comparison(name="given_name", kind="name_part", field="full_name", part="given",
                   levels=_name_part_levels("given", tf="given", tf_ascii="given_ascii")),
        Comparison(name="date_of_birth", kind="date", field="date_of_birth", levels=(
            Level(label="exact", when="exact", m=0.92, u=4e-5),
            Level(label="day_month_swapped", when="day_month_swapped", m=0.01, u=2e-6),
            Level(label="one_digit", when="one_digit", m=0.04, u=8e-4),
            Level(label="same_month", when="same_month", m=0.005, u=1e-3),
            Level(label="near_year", when="near_year", m=0.01, u=0.03),
            Level(label="different", when="else", m=0.015, u=0.97),
        )),
        Comparison(name="sex", kind="exact", field="sex", levels=(
            Level(label="same", when="exact", m=0.985, u=0.5),
            Level(label="different", when="else", m=0.015, u=0.5),
        )),
        Comparison(name="id_number", kind="civil_id", field="id_number", levels=(
            Level(label="exact", when="exact", m=0.96, u=1e-6),
            Level(label="one_digit", when="one_digit", m=0.03, u=1e-5),
            Level(label="different_12", when="different_12", m=0.01, u=0.99,
                  blocks_auto_match=True),
            Level(label="different", when="else", m=0.05, u=0.99),
        )),
        Comparison(name="father_name", kind="name", field="father_name",
                   levels=_parent_levels("father", "father_ascii")),
        Comparison(name="mother_name", kind="name", field="mother_name",
                   levels=_parent_levels("mother", "mother_ascii")),
        Comparison(name="place_of_birth", kind="place", field="place_of_birth",
                   levels=_place_levels(0.80, 0.08, 0.08)),
        Comparison(name="hometown", kind="place", field="hometown",
                   levels=_place_levels(0.70, 0.12, 0.12)),
        Comparison(name="ethnicity", kind="exact", field="ethnicity", levels=(
            Level(label="same", when="exact", m=0.97, u=0.7, tf="ethnicity"),
            Level(label="different", when="else", m=0.03, u=0.3),
        )),
    ),
)
"""The rule set used unless a run names another one (its u values are re-estimated from each
registry: :meth:`matching.registry.RegistryStore.rules_for`)."""
