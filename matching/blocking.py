"""Blocking rules: which registry rows are worth scoring against a query.

A rule is a set of registry columns that must all equal the query's value; a candidate is
any row that satisfies at least one rule. Every rule is served by an index of the registry
(each rule has a column of :data:`LEADING_COLUMNS`, the default rules have composite
indexes), so finding candidates never scans the table. A rule with a query value unknown is
skipped.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

BLOCKING_COLUMNS: tuple[str, ...] = (
    "id_number", "date_of_birth", "birth_year", "name_key", "name_ascii", "given_ascii",
    "family_ascii", "father_ascii", "mother_ascii",
)

LEADING_COLUMNS: frozenset[str] = frozenset({
    # columns that lead an index of the registry table (matching.registry)
    "id_number", "date_of_birth", "birth_year", "name_ascii", "father_ascii",
})


class BlockingRule(BaseModel):
    """Rows whose ``columns`` all equal the query's values are candidates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    columns: tuple[str, ...]

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, columns: tuple[str, ...]) -> tuple[str, ...]:
        if not columns:
            raise ValueError("a blocking rule needs at least one column")
        unknown = [c for c in columns if c not in BLOCKING_COLUMNS]
        if unknown:
            raise ValueError(f"unknown blocking columns {unknown}; known: {list(BLOCKING_COLUMNS)}")
        if not LEADING_COLUMNS.intersection(columns):
            raise ValueError(f"a blocking rule needs an indexed column: one of "
                             f"{sorted(LEADING_COLUMNS)}")
        return columns


DEFAULT_BLOCKING_RULES: tuple[BlockingRule, ...] = (
    # each rule survives what breaks the others: an ID read right; a name whose letters are
    # right (marks aside) with a date, or with a year when a digit of the date is wrong; the
    # parents when the person's own name or date is misread
    BlockingRule(name="id_number", columns=("id_number",)),
    BlockingRule(name="dob_given", columns=("date_of_birth", "given_ascii")),
    BlockingRule(name="dob_family", columns=("date_of_birth", "family_ascii")),
    BlockingRule(name="year_name", columns=("birth_year", "name_ascii")),
    BlockingRule(name="year_mother", columns=("birth_year", "mother_ascii")),
    BlockingRule(name="parents", columns=("father_ascii", "mother_ascii")),
)

# the composite indexes of the registry table that serve the default rules
RULE_INDEXES: tuple[tuple[str, ...], ...] = (
    ("date_of_birth", "given_ascii"),
    ("date_of_birth", "family_ascii"),
    ("birth_year", "name_ascii"),
    ("birth_year", "mother_ascii"),
    ("father_ascii", "mother_ascii"),
    ("name_ascii",),
)
