"""What the registry tells about its people: term frequencies and ``u`` probabilities.

- Term frequencies (``registry_term``): how many people hold each family, middle and given
  name, each parent's name and each ethnicity. Agreeing on a value is worth ``log2(m / f)``
  bits where ``f`` is its share: little for "Nguyễn", much for a rare given name.
- ``u`` of every level: how often two *different* people fall into it. Exact agreement on a
  column is the sum of the squared shares of its values (counted, not sampled: dates of
  birth, term columns); every other level is counted on random pairs of registry people (a
  fixed seed, so the same registry gives the same estimates). A level never seen in the
  sample gets half a pair (its weight stays finite and modest).

``m`` is not estimated here: without known true pairs the registry cannot say how often OCR
changes a value; the rule set declares it.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from sqlalchemy import Table, delete, func, insert, literal, select
from sqlalchemy.engine import Connection

from matching.compare import Profile, level_of, registry_profile
from matching.person import KEY_COLUMNS
from matching.rules import RuleSet

SAMPLE_PEOPLE = 20_000
SAMPLE_PAIRS = 100_000
SEED = 20250701


def count_terms(conn: Connection, persons: Table, terms: Table,
                columns: dict[str, str]) -> None:
    """Recount ``terms`` (term, value, n) from ``persons`` (term -> person column)."""
    conn.execute(delete(terms))
    for term, column in columns.items():
        col = persons.c[column]
        conn.execute(insert(terms).from_select(
            ["term", "value", "n"],
            select(literal(term), col, func.count()).where(col.is_not(None)).group_by(col)))


def _sum_squares(conn: Connection, counts: Any, total: int) -> float:
    s = conn.execute(select(func.sum(counts.c.n * counts.c.n))).scalar() or 0
    return float(s) / (total * total) if total else 0.0


def _sample(conn: Connection, persons: Table, people: int, rng: random.Random) -> list[Profile]:
    ids = [r[0] for r in conn.execute(select(persons.c.id_number).order_by(persons.c.id_number))]
    chosen = rng.sample(ids, min(people, len(ids)))
    cols = [persons.c[c] for c in ("id_number", "date_of_birth", "sex") + KEY_COLUMNS]
    found: list[Profile] = []
    for start in range(0, len(chosen), 900):
        part = chosen[start:start + 900]
        found += [registry_profile(r._mapping)
                  for r in conn.execute(select(*cols).where(persons.c.id_number.in_(part)))]
    found.sort(key=lambda p: p.id_number or "")
    return found


def estimate_u(conn: Connection, persons: Table, rules: RuleSet, total: int,
               tf: Any, *, people: int = SAMPLE_PEOPLE, pairs: int = SAMPLE_PAIRS,
               seed: int = SEED) -> tuple[dict[str, dict[str, float]], str]:
    """(comparison -> level label -> u, a description of what it was estimated from)."""
    from matching.registry import terms  # noqa: PLC0415 (the table lives with the store)

    rng = random.Random(seed)
    sample = _sample(conn, persons, people, rng)
    counts: dict[str, Counter[str]] = {c.name: Counter() for c in rules.comparisons}
    seen: Counter[str] = Counter()
    done = 0
    pairs = min(pairs, len(sample) * (len(sample) - 1))
    if len(sample) > 1:
        while done < pairs:
            order = list(range(len(sample)))
            rng.shuffle(order)
            for i, j in zip(range(len(sample)), order):
                if i == j:
                    continue
                a, b = sample[i], sample[j]
                for c in rules.comparisons:
                    level = level_of(c, a, b)
                    if level is not None:
                        counts[c.name][level.label] += 1
                        seen[c.name] += 1
                done += 1
                if done >= pairs:
                    break
    estimates: dict[str, dict[str, float]] = {}
    people_share = rules.registry_share(total)
    strength = rules.prior_strength
    for c in rules.comparisons:
        n = seen[c.name]
        per_level: dict[str, float] = {}
        for lv in c.levels:
            exact_u = _exact_u(conn, persons, terms, c, lv, total)
            if c.kind == "civil_id" and lv.when == "exact":  # one person per number
                per_level[lv.label] = 1.0 / max(total, rules.min_population)
                continue
            if exact_u is not None:
                u = people_share * exact_u + (1.0 - people_share) * lv.u
            else:  # the declared u counts as `strength` pairs; a level never seen as half one
                hits = max(counts[c.name][lv.label], 0.5 if n else 0.0)
                u = (hits + strength * lv.u) / (n + strength) if n + strength else lv.u
            per_level[lv.label] = min(1.0, max(u, rules.tf_floor))
        estimates[c.name] = per_level
    source = (f"registry of {total} people: {done} random pairs of {len(sample)} people "
              f"(seed {seed}); exact agreement from value frequencies; declared u as "
              f"{strength} pseudo-observations")
    return estimates, source


def _exact_u(conn: Connection, persons: Table, terms: Table, c: Any, lv: Any,
             total: int) -> float | None:
    """u of an exact-agreement level from value frequencies, where they say it exactly."""
    if lv.tf is not None:
        counts = select(terms.c.n.label("n")).where(terms.c.term == lv.tf).subquery()
        return _sum_squares(conn, counts, total)
    if lv.when != "exact":
        return None
    if c.kind == "date":
        col = persons.c.date_of_birth
    elif c.kind == "civil_id":
        return 1.0 / total if total else None
    elif c.kind == "exact" and c.field == "sex":
        col = persons.c.sex
    else:
        return None
    counts = select(func.count().label("n")).select_from(persons).group_by(col).subquery()
    return _sum_squares(conn, counts, total)
