"""Scoring candidates against a query (Fellegi-Sunter) and deciding: matched, review, no_match.

The weight of a pair is the sum of its comparisons' level weights (``log2(m/u)`` bits, ``u``
term-frequency adjusted where declared); its *score* is the posterior probability that this
candidate is the page's person, every other candidate and "not in the registry" competing::

    odds_i = 2 ** (prior + weight_i)          score_i = odds_i / (1 + sum_j odds_j)

Precision matters more than recall: a link is made only when the best candidate scores at
least ``upper`` (and the rule set's ``auto_link_floor``), beats the second by ``margin``, and
no comparison of the pair forbids an automatic link (a different 12-digit ID). Twins,
siblings and namesakes that the page cannot tell apart share the probability and go to a
person, with the field-by-field weights of every candidate shown.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, Union

from kernel.civil_id import mask
from kernel.errors import ConfigError
from kernel.records import MatchCandidate, MatchDecision, MatchResult
from matching.compare import Profile, agreed_value, level_of, profile, registry_profile
from matching.person import PersonQuery, RegistryPerson
from matching.rules import DEFAULT_RULES, RuleSet

if TYPE_CHECKING:
    from matching.registry import Candidate, RegistryStore

log = logging.getLogger(__name__)

REASON_NO_CANDIDATES = "no candidates: no blocking rule found anyone"
REASON_AMBIGUOUS = "ambiguous: second candidate within margin"  # or likely too
REASON_BETWEEN = "best score between lower and upper"
REASON_BELOW = "best score below lower"
REASON_FLOOR = "best score below the rule set's auto-link floor"


class TermFrequencies(Protocol):
    """Share of registry people holding a value in a column (``None``: unknown)."""

    total: int  # people in the registry

    def share(self, column: str, value: str) -> float | None: ...


@dataclass(frozen=True)
class PairScore:
    """One candidate: its weight, its posterior score and its waterfall."""

    registry_id: str
    score: float  # posterior probability that this is the page's person (0..1)
    weight: float  # match weight in bits, prior included
    contributions: dict[str, float] = field(default_factory=dict)  # comparison -> bits
    levels: dict[str, str] = field(default_factory=dict)  # comparison -> level label
    vetoes: tuple[str, ...] = ()  # comparisons whose level blocks an automatic link
    prior: float = 0.0  # bits

    @property
    def alone(self) -> float:
        """The probability against "not in the registry" only (no other candidate)."""
        return _probability(self.weight)

    def candidate(self) -> MatchCandidate:
        return MatchCandidate(registry_id=self.registry_id, score=round(self.score, 6),
                              explanation={k: round(v, 3) for k, v in self.contributions.items()})

    def explain(self) -> str:
        """'prior -17.4, family_name=exact +1.3, given_name=marks +3.9, ...' (bits)."""
        items = [f"prior {self.prior:+.1f}"]
        items += [f"{name}={self.levels[name]} {bits:+.1f}"
                  for name, bits in self.contributions.items()]
        return ", ".join(items)


PersonLike = Union[RegistryPerson, "Candidate"]


def _profile_of(person: PersonLike) -> tuple[str, Profile]:
    if isinstance(person, RegistryPerson):
        return person.id_number, profile(person)
    return person.person.id_number, person.profile


def pair_weight(q: Profile, p: Profile, rules: RuleSet, prior: float,
                tf: TermFrequencies | None = None, tf_weight: float = 1.0,
                ) -> tuple[float, dict[str, float], dict[str, str], tuple[str, ...]]:
    """(weight in bits with the prior, contributions, level labels, vetoes) of one pair.

    A term-frequency level takes ``u = tf_weight * share + (1 - tf_weight) * level.u``: the
    agreed value's share in the registry, as far as the registry's size makes it telling."""
    contributions: dict[str, float] = {}
    labels: dict[str, str] = {}
    vetoes: list[str] = []
    total = prior
    for c in rules.comparisons:
        level = level_of(c, q, p)
        if level is None:
            continue
        u = None
        if level.tf is not None and tf is not None:
            if p.terms is not None and level.tf in p.terms and tf.total:
                share = p.terms[level.tf] / tf.total or None
            else:
                value = agreed_value(c, level, p)
                share = tf.share(level.tf, value) if value else None
            if share is not None:
                u = max(tf_weight * share + (1.0 - tf_weight) * level.u, rules.tf_floor)
        bits = level.weight(u)
        contributions[c.name] = bits
        labels[c.name] = level.label
        total += bits
        if level.blocks_auto_match:
            vetoes.append(c.name)
    return total, contributions, labels, tuple(vetoes)


def _probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    odds = 2.0 ** weight
    return odds / (1.0 + odds)


def score_pair(query: PersonQuery | Profile, person: PersonLike,
               rules: RuleSet = DEFAULT_RULES, *, tf: TermFrequencies | None = None,
               registry_size: int = 0) -> PairScore:
    """One pair alone: its score is the probability against "not in the registry" only."""
    q = query if isinstance(query, Profile) else profile(query)
    pid, p = _profile_of(person)
    prior = rules.prior_log2(registry_size)
    weight, contributions, labels, vetoes = pair_weight(q, p, rules, prior, tf,
                                                        rules.registry_share(registry_size))
    return PairScore(pid, _probability(weight), weight, contributions, labels, vetoes, prior)


def score_candidates(query: PersonQuery | Profile, persons: Iterable[PersonLike],
                     rules: RuleSet = DEFAULT_RULES, *, tf: TermFrequencies | None = None,
                     registry_size: int = 0) -> list[PairScore]:
    """Posterior scores of distinct persons, best first (ties by ID, for stable output)."""
    q = query if isinstance(query, Profile) else profile(query)
    prior = rules.prior_log2(registry_size)
    tf_weight = rules.registry_share(registry_size)
    seen: set[str] = set()
    raw = []
    for person in persons:
        pid, p = _profile_of(person)
        if pid in seen:
            continue
        seen.add(pid)
        raw.append((pid, *pair_weight(q, p, rules, prior, tf, tf_weight)))
    if not raw:
        return []
    top = max(w for _, w, *_ in raw)
    # odds relative to the best, to stay within floating point: 1 + sum(odds) scaled alike
    scale = -top if top > 0 else 0.0
    rel = [2.0 ** max(w + scale, -1000.0) for _, w, *_ in raw]
    denominator = 2.0 ** scale + sum(rel) if scale > -1000 else sum(rel)
    scored = [PairScore(pid, r / denominator, w, contrib, labels, vetoes, prior)
              for (pid, w, contrib, labels, vetoes), r in zip(raw, rel)]
    return sorted(scored, key=lambda s: (-s.score, -s.weight, s.registry_id))


def decide_scored(scored: Sequence[PairScore], *, upper: float, lower: float, margin: float,
                  max_candidates: int, rules: RuleSet = DEFAULT_RULES) -> MatchResult:
    """The decision from scored candidates (best first); see :func:`decide`."""
    _check_thresholds(upper, lower, margin, max_candidates)
    if not scored:
        return MatchResult(decision=MatchDecision.NO_MATCH, registry_id=None, score=None,
                           reasons=(REASON_NO_CANDIDATES,))
    shown = tuple(s.candidate() for s in scored[:max_candidates])
    best = scored[0]
    second = scored[1].score if len(scored) > 1 else 0.0
    needed = max(upper, rules.auto_link_floor)
    # ambiguous: the others together hold more than a linked pair may leave to doubt
    ambiguous = len(scored) > 1 and (best.score - second < margin or second >= 1.0 - needed)
    likely = best.alone >= lower  # someone among the candidates fits, who is the question
    reasons: list[str] = []
    if best.score >= needed and not ambiguous and not best.vetoes:
        decision = MatchDecision.MATCHED
    elif best.score >= lower or likely:
        decision = MatchDecision.REVIEW
    else:
        decision = MatchDecision.NO_MATCH
    if decision is not MatchDecision.MATCHED:
        if ambiguous and likely:
            reasons.append(REASON_AMBIGUOUS)
        reasons += [f"{name} disagrees with the best candidate" for name in best.vetoes]
        if lower <= best.score < upper:
            reasons.append(REASON_BETWEEN)
        elif upper <= best.score < needed:
            reasons.append(REASON_FLOOR)
        if not likely:
            reasons.append(REASON_BELOW)
    log.debug("match %s: best %s %.4f, second %.4f, %d candidates", decision.value,
              mask(best.registry_id), best.score, second, len(scored))
    return MatchResult(
        decision=decision,
        registry_id=best.registry_id if decision is MatchDecision.MATCHED else None,
        score=round(best.score, 6),
        candidates=shown,
        reasons=tuple(reasons),
    )


def decide(query: PersonQuery | Profile, candidates: Sequence[PersonLike], *, upper: float,
           lower: float, margin: float, max_candidates: int,
           rules: RuleSet = DEFAULT_RULES, tf: TermFrequencies | None = None,
           registry_size: int = 0) -> MatchResult:
    """Score the candidates and decide.

    ``matched`` only when best >= max(upper, rules.auto_link_floor), best - second >= margin
    and no comparison of the best pair blocks an automatic link; otherwise ``review`` when
    best >= lower (or a veto stopped a link), else ``no_match``. ``registry_id`` is set only
    for ``matched``; ``candidates`` (best first, at most ``max_candidates``, each with its
    per-comparison weights in bits) are always given.
    """
    _check_thresholds(upper, lower, margin, max_candidates)
    scored = score_candidates(query, candidates, rules, tf=tf, registry_size=registry_size)
    return decide_scored(scored, upper=upper, lower=lower, margin=margin,
                         max_candidates=max_candidates, rules=rules)


def _check_thresholds(upper: float, lower: float, margin: float, max_candidates: int) -> None:
    if not 0.0 <= lower <= upper <= 1.0 or margin < 0 or max_candidates < 1 \
            or any(math.isnan(x) for x in (upper, lower, margin)):
        raise ConfigError(f"bad match thresholds: lower={lower} upper={upper} margin={margin} "
                          f"max_candidates={max_candidates}",
                          hint="need 0 <= lower <= upper <= 1, margin >= 0, max_candidates >= 1")


class MatchSettings(Protocol):
    """What :class:`Matcher` reads from the settings (``kernel.settings.Settings`` has it)."""

    match_upper: float
    match_lower: float
    match_margin: float
    match_max_candidates: int


def match_record(store: "RegistryStore", fields: Mapping[str, str | None], *, upper: float,
                 lower: float, margin: float, max_candidates: int,
                 rules: RuleSet = DEFAULT_RULES, limit: int | None = None) -> MatchResult:
    """Match one page's extracted fields against the registry (u values and term
    frequencies of that registry: :meth:`RegistryStore.rules_for`)."""
    return Matcher(store, _Thresholds(upper, lower, margin, max_candidates), rules=rules,
                   limit=limit).match(fields)


@dataclass(frozen=True)
class _Thresholds:
    match_upper: float
    match_lower: float
    match_margin: float
    match_max_candidates: int


class Matcher:
    """A registry, thresholds and a rule set bound together: ``matcher.match(fields)``.

    ``rules`` is the declaration; the matcher uses its copy trained on the registry
    (``matcher.rules``, whose :meth:`RuleSet.provenance` names it).
    """

    def __init__(self, store: "RegistryStore", settings: MatchSettings, *,
                 rules: RuleSet = DEFAULT_RULES, limit: int | None = None) -> None:
        _check_thresholds(settings.match_upper, settings.match_lower, settings.match_margin,
                          settings.match_max_candidates)
        self.store = store
        self.rules = store.rules_for(rules)
        self.limit = limit or self.rules.candidate_limit
        self.upper = settings.match_upper
        self.lower = settings.match_lower
        self.margin = settings.match_margin
        self.max_candidates = settings.match_max_candidates
        self.tf = store.term_frequencies()
        self.registry_size = store.count()

    def match(self, fields: Mapping[str, str | None]) -> MatchResult:
        return self.match_query(PersonQuery.from_fields(fields))

    def score_query(self, query: PersonQuery) -> list[PairScore]:
        q = profile(query, self.store.places)
        candidates = self.store.candidate_rows(query, self.limit,
                                               rules=self.rules.blocking_rules)
        return score_candidates(q, candidates, self.rules, tf=self.tf,
                                registry_size=self.registry_size)

    def match_query(self, query: PersonQuery) -> MatchResult:
        return decide_scored(self.score_query(query), upper=self.upper, lower=self.lower,
                             margin=self.margin, max_candidates=self.max_candidates,
                             rules=self.rules)


__all__ = ["Matcher", "PairScore", "TermFrequencies", "decide", "decide_scored",
           "match_record", "registry_profile", "score_candidates", "score_pair"]
