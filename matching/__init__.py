"""Matching extracted records to the population registry.

Layers: :mod:`matching.names` (Vietnamese name keys), :mod:`matching.person` (the two sides,
normalized), :mod:`matching.registry` (the SQL registry, import and blocking),
:mod:`matching.rules` (the declared rule set), :mod:`matching.compare` (field comparisons) and
:mod:`matching.score` (scores and decisions). Imports only :mod:`kernel`.
"""

from matching.blocking import DEFAULT_BLOCKING_RULES, BlockingRule
from matching.names import NameParts, ascii_name, canonical_name, split_name
from matching.person import PersonQuery, RegistryPerson
from matching.registry import CSV_COLUMNS, ImportReport, RegistryStore
from matching.rules import DEFAULT_RULES, Comparison, Level, RuleSet
from matching.score import Matcher, PairScore, decide, match_record, score_candidates, score_pair

__all__ = [
    "BlockingRule", "CSV_COLUMNS", "Comparison", "DEFAULT_BLOCKING_RULES", "DEFAULT_RULES",
    "ImportReport", "Level", "Matcher", "NameParts", "PairScore", "PersonQuery",
    "RegistryPerson", "RegistryStore", "RuleSet", "ascii_name", "canonical_name", "decide",
    "match_record", "score_candidates", "score_pair", "split_name",
]
