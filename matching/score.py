"""Scoring candidates against a query and deciding: matched, review or no_match.

Precision matters more than recall: a link is made only when the best candidate is both
good (``>= upper``) and clearly better than the next one (``>= margin`` ahead), so twins,
siblings and namesakes that the page cannot tell apart go to a person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from kernel.civil_id import mask
from kernel.errors import ConfigError
from kernel.records import MatchCandidate, MatchDecision, MatchResult
from matching.compare import Profile, facts, level_for, profile
from matching.person import PersonQuery, RegistryPerson
from matching.rules import DEFAULT_RULES, RuleSet

if TYPE_CHECKING:
    from matching.registry import RegistryStore

log = logging.getLogger(__name__)

REASON_NO_CANDIDATES = "no candidates: no blocking rule found anyone"
REASON_AMBIGUOUS = "ambiguous: second candidate within margin"
REASON_BETWEEN = "best score between lower and upper"
REASON_BELOW = "best score below lower"
REASON_THIN = "little evidence: few fields on both sides"


@dataclass(frozen=True)
class PairScore:
    """The score of one candidate, with its waterfall (comparison -> contribution)."""

    registry_id: str
    score: float
    contributions: dict[str, float] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)  # comparison -> level label
    vetoes: tuple[str, ...] = ()  # comparisons whose level blocks an automatic link
    evidence_weight: float = 0.0  # sum of the weights of the comparisons that counted

    def candidate(self) -> MatchCandidate:
        return MatchCandidate(registry_id=self.registry_id, score=round(self.score, 6),
                              explanation={k: round(v, 6) for k, v in self.contributions.items()})


def score_pair(query: PersonQuery | Profile, person: RegistryPerson,
               rules: RuleSet = DEFAULT_RULES) -> PairScore:
    """Compare ``query`` with one registry person field by field (see :mod:`matching.rules`)."""
    q = query if isinstance(query, Profile) else profile(query)
    p = profile(person)
    raw: dict[str, float] = {}
    levels: dict[str, str] = {}
    vetoes: list[str] = []
    present = 0.0
    for comparison in rules.comparisons:
        found = facts(comparison, q, p)
        if found is None:
            continue
        level = level_for(comparison, found)
        raw[comparison.name] = comparison.weight * level.value
        levels[comparison.name] = level.label
        present += comparison.weight
        if level.blocks_auto_match:
            vetoes.append(comparison.name)
    denominator = max(present, rules.min_evidence_weight)
    contributions = {k: v / denominator for k, v in raw.items()} if denominator else {}
    score = min(1.0, max(0.0, sum(contributions.values())))
    return PairScore(registry_id=person.id_number, score=score, contributions=contributions,
                     levels=levels, vetoes=tuple(vetoes), evidence_weight=present)


def score_candidates(query: PersonQuery, persons: Iterable[RegistryPerson],
                     rules: RuleSet = DEFAULT_RULES) -> list[PairScore]:
    """Scores of distinct persons, best first (ties by ID, for stable output)."""
    q = profile(query)
    unique = {p.id_number: p for p in persons}
    scored = [score_pair(q, p, rules) for p in unique.values()]
    return sorted(scored, key=lambda s: (-s.score, s.registry_id))


def decide(query: PersonQuery, candidates: Sequence[RegistryPerson], *, upper: float,
           lower: float, margin: float, max_candidates: int,
           rules: RuleSet = DEFAULT_RULES) -> MatchResult:
    """Score the candidates and decide.

    ``matched`` only when best >= upper, best - second >= margin and no comparison of the best
    pair blocks an automatic link (a disagreeing 12-digit ID); otherwise ``review`` when
    best >= lower (so also when only the margin or a veto failed), else ``no_match``.
    ``registry_id`` is set only for ``matched``; ``candidates`` (best first, at most
    ``max_candidates``, each with its per-comparison contributions) are always given.
    """
    if not 0.0 <= lower <= upper <= 1.0 or margin < 0 or max_candidates < 1:
        raise ConfigError(f"bad match thresholds: lower={lower} upper={upper} margin={margin} "
                          f"max_candidates={max_candidates}",
                          hint="need 0 <= lower <= upper <= 1, margin >= 0, max_candidates >= 1")
    scored = score_candidates(query, candidates, rules)
    shown = tuple(s.candidate() for s in scored[:max_candidates])
    if not scored:
        return MatchResult(decision=MatchDecision.NO_MATCH, registry_id=None, score=None,
                           reasons=(REASON_NO_CANDIDATES,))
    best = scored[0]
    second = scored[1].score if len(scored) > 1 else 0.0
    thin = best.evidence_weight < rules.min_evidence_weight
    reasons: list[str] = []
    if best.score >= upper and best.score - second >= margin and not best.vetoes:
        decision = MatchDecision.MATCHED
    elif best.score >= lower:
        decision = MatchDecision.REVIEW
    else:
        decision = MatchDecision.NO_MATCH
    if decision is not MatchDecision.MATCHED:
        if len(scored) > 1 and best.score >= lower and best.score - second < margin:
            reasons.append(REASON_AMBIGUOUS)
        reasons += [f"{name} disagrees with the best candidate" for name in best.vetoes]
        if lower <= best.score < upper:
            reasons.append(REASON_BETWEEN)
        if best.score < lower:
            reasons.append(REASON_BELOW)
        if thin:
            reasons.append(REASON_THIN)
    log.debug("match %s: best %s %.3f, second %.3f, %d candidates", decision.value,
              mask(best.registry_id), best.score, second, len(scored))
    return MatchResult(
        decision=decision,
        registry_id=best.registry_id if decision is MatchDecision.MATCHED else None,
        score=round(best.score, 6),
        candidates=shown,
        reasons=tuple(reasons),
    )


class MatchSettings(Protocol):
    """What :class:`Matcher` reads from the settings (``kernel.settings.Settings`` has it)."""

    match_upper: float
    match_lower: float
    match_margin: float
    match_max_candidates: int


def match_record(store: "RegistryStore", fields: Mapping[str, str | None], *, upper: float,
                 lower: float, margin: float, max_candidates: int,
                 rules: RuleSet = DEFAULT_RULES, limit: int = 50) -> MatchResult:
    """Match one page's extracted fields against the registry."""
    query = PersonQuery.from_fields(fields)
    candidates = store.candidates(query, limit, rules=rules.blocking_rules)
    return decide(query, candidates, upper=upper, lower=lower, margin=margin,
                  max_candidates=max_candidates, rules=rules)


class Matcher:
    """A registry, thresholds and a rule set bound together: ``matcher.match(fields)``."""

    def __init__(self, store: "RegistryStore", settings: MatchSettings, *,
                 rules: RuleSet = DEFAULT_RULES, limit: int = 50) -> None:
        self.store = store
        self.rules = rules
        self.limit = limit
        self.upper = settings.match_upper
        self.lower = settings.match_lower
        self.margin = settings.match_margin
        self.max_candidates = settings.match_max_candidates

    def match(self, fields: Mapping[str, str | None]) -> MatchResult:
        return self.match_query(PersonQuery.from_fields(fields))

    def match_query(self, query: PersonQuery) -> MatchResult:
        candidates = self.store.candidates(query, self.limit, rules=self.rules.blocking_rules)
        return decide(query, candidates, upper=self.upper, lower=self.lower, margin=self.margin,
                      max_candidates=self.max_candidates, rules=self.rules)
