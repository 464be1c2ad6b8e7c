"""Matching extracted records to the population registry.

Layers: :mod:`matching.names` (Vietnamese name keys, OCR-aware distance),
:mod:`matching.places` (places as unit codes across the 2025 reform), :mod:`matching.person`
(the two sides, normalized), :mod:`matching.legacy` (TCVN3/VNI exports),
:mod:`matching.registry` (the SQL registry, import and blocking), :mod:`matching.rules` (the
declared Fellegi-Sunter rule set), :mod:`matching.estimate` (u and term frequencies from the
registry), :mod:`matching.compare` (field comparisons), :mod:`matching.score` (scores and
decisions) and :mod:`matching.bulk` (many records at once). Imports only :mod:`kernel`.
"""

from matching.blocking import DEFAULT_BLOCKING_RULES, BlockingRule
from matching.names import NameParts, ascii_name, canonical_name, ocr_distance, split_name
from matching.person import PersonQuery, RegistryPerson
from matching.registry import CSV_COLUMNS, Candidate, ImportReport, RegistryStore
from matching.rules import DEFAULT_RULES, Comparison, Level, RuleSet
from matching.score import (Matcher, PairScore, decide, decide_scored, match_record,
                            score_candidates, score_pair)

__all__ = [
    "BlockingRule", "CSV_COLUMNS", "Candidate", "Comparison", "DEFAULT_BLOCKING_RULES",
    "DEFAULT_RULES", "ImportReport", "Level", "Matcher", "NameParts", "PairScore", "PersonQuery",
    "RegistryPerson", "RegistryStore", "RuleSet", "ascii_name", "canonical_name", "decide",
    "decide_scored", "match_record", "ocr_distance", "score_candidates", "score_pair",
    "split_name",
]
