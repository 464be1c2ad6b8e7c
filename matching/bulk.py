"""Many records at once: a clerk's spreadsheet or another system's export, matched with the
same rule set and the same decisions as pages in the pipeline.

:func:`read_records` reads a CSV whose columns are those of the registry export (any may be
missing or empty) plus an id column (``record_id`` or ``query_id``); :func:`match_queries`
matches them on ``workers`` processes (each with its own database connection; the rule set
is trained once, before they start); :func:`write_matches` writes one row per record.
"""

from __future__ import annotations

import csv
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kernel.errors import SohoaError
from kernel.records import MatchResult
from kernel.vndate import parse_date as parse_written_date
from matching.compare import profile
from matching.legacy import decode_legacy
from matching.person import PersonQuery
from matching.registry import CSV_COLUMNS, RegistryStore
from matching.rules import DEFAULT_RULES, RuleSet
from matching.score import PairScore, decide_scored, score_candidates

log = logging.getLogger(__name__)

ID_COLUMNS = ("record_id", "query_id")
OUTPUT_COLUMNS = ("decision", "registry_id", "score", "candidates", "reasons", "explanation")
CHUNK = 200


class RecordsError(SohoaError):
    exit_code = 2
    code = "bad_records"


@dataclass(frozen=True)
class Thresholds:
    upper: float
    lower: float
    margin: float
    max_candidates: int


@dataclass(frozen=True)
class RecordMatch:
    query_id: str
    result: MatchResult
    explanation: str  # the best candidate's waterfall ('' without candidates)
    blocked: tuple[str, ...] = ()  # every registry id blocking found (when asked for)


@dataclass
class RecordsFile:
    id_column: str
    queries: list[tuple[str, PersonQuery]]
    problems: list[tuple[int, str]]  # (line, reason): rows that could not be read
    unknown_columns: list[str]


def read_records(path: str | Path, *, encoding: str = "utf-8") -> RecordsFile:
    """The records of a CSV file. Dates may be YYYY-MM-DD or as Vietnamese write them
    (12/03/1987, ngày 12 tháng 3 năm 1987)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecordsError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = decode_legacy(data, encoding)
    except UnicodeDecodeError:
        raise RecordsError(f"{path}: not UTF-8",
                           hint="a legacy export: give --encoding tcvn3 or vni") from None
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip() for h in next(reader, [])]
    id_column = next((c for c in ID_COLUMNS if c in header), None)
    if id_column is None:
        raise RecordsError(f"{path}: no id column", hint="add a record_id or query_id column")
    known = set(CSV_COLUMNS) | {id_column}
    unknown = [h for h in header if h not in known]
    queries: list[tuple[str, PersonQuery]] = []
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    line = reader.line_num
    for values in reader:
        start, line = line + 1, reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append((start, f"expected {len(header)} columns, found {len(values)}"))
            continue
        row = dict(zip(header, values))
        qid = row[id_column].strip()
        if not qid:
            problems.append((start, f"missing {id_column}"))
            continue
        if qid in seen:
            problems.append((start, f"{id_column} repeated"))
            continue
        seen.add(qid)
        fields = {c: row.get(c) for c in CSV_COLUMNS if c != "permanent_address"}
        written = (fields.get("date_of_birth") or "").strip()
        if written and not _iso(written):
            parsed = parse_written_date(written)
            fields["date_of_birth"] = parsed.isoformat() if parsed else written
        queries.append((qid, PersonQuery.from_fields(fields)))
    return RecordsFile(id_column, queries, problems, unknown)


def _iso(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


# -- matching on several processes --------------------------------------------------------------

_WORKER: dict[str, object] = {}


def _init_worker(url: str, rules_json: str, thresholds: Thresholds, keep_blocked: bool) -> None:
    store = RegistryStore(url)
    _WORKER.update(store=store, conn=store.connect(), rules=RuleSet.from_json(rules_json),
                   thresholds=thresholds, keep_blocked=keep_blocked,
                   tf=store.term_frequencies(), size=store.count())


def _match_chunk(chunk: list[tuple[str, PersonQuery]]) -> list[RecordMatch]:
    store: RegistryStore = _WORKER["store"]  # type: ignore[assignment]
    rules: RuleSet = _WORKER["rules"]  # type: ignore[assignment]
    t: Thresholds = _WORKER["thresholds"]  # type: ignore[assignment]
    out = []
    for qid, query in chunk:
        found = store.candidate_rows(query, rules.candidate_limit, rules=rules.blocking_rules,
                                     conn=_WORKER["conn"])  # type: ignore[arg-type]
        scored: list[PairScore] = score_candidates(profile(query, store.places), found, rules,
                                                   tf=_WORKER["tf"],  # type: ignore[arg-type]
                                                   registry_size=_WORKER["size"])  # type: ignore[arg-type]
        result = decide_scored(scored, upper=t.upper, lower=t.lower, margin=t.margin,
                               max_candidates=t.max_candidates, rules=rules)
        blocked = tuple(c.person.id_number for c in found) if _WORKER["keep_blocked"] else ()
        out.append(RecordMatch(qid, result, scored[0].explain() if scored else "", blocked))
    return out


def match_queries(url: str, queries: Sequence[tuple[str, PersonQuery]], thresholds: Thresholds,
                  *, rules: RuleSet = DEFAULT_RULES, workers: int | None = None,
                  progress: Callable[[int], None] | None = None,
                  keep_blocked: bool = False) -> tuple[list[RecordMatch], RuleSet]:
    """Match every query; returns the matches (in input order) and the trained rule set used
    (save it with the results: :meth:`RuleSet.to_json`)."""
    with RegistryStore(url) as store:
        trained = store.rules_for(rules)
        store.term_frequencies()
    workers = max(1, workers or os.cpu_count() or 1)
    chunks = [list(queries[i:i + CHUNK]) for i in range(0, len(queries), CHUNK)]
    args = (url, trained.to_json(), thresholds, keep_blocked)
    results: list[RecordMatch] = []
    done = 0
    if workers == 1 or len(chunks) <= 1:
        _init_worker(*args)
        try:
            for chunk in chunks:
                results += _match_chunk(chunk)
                done += len(chunk)
                if progress:
                    progress(done)
        finally:
            _close_worker()
        return results, trained
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=args) as pool:
        for part in pool.map(_match_chunk, chunks):
            results += part
            done += len(part)
            if progress:
                progress(done)
    return results, trained


def _close_worker() -> None:
    conn = _WORKER.pop("conn", None)
    if conn is not None:
        conn.close()  # type: ignore[attr-defined]
    store = _WORKER.pop("store", None)
    if store is not None:
        store.close()  # type: ignore[attr-defined]
    _WORKER.clear()


def match_rows(matches: Sequence[RecordMatch]) -> Iterator[list[str]]:
    """Output rows (:data:`OUTPUT_COLUMNS` after the id): candidates as 'id:score|...'."""
    for m in matches:
        r = m.result
        yield [m.query_id, r.decision.value, r.registry_id or "",
               "" if r.score is None else f"{r.score:.6f}",
               "|".join(f"{c.registry_id}:{c.score:.6f}" for c in r.candidates),
               "; ".join(r.reasons), m.explanation]


def write_matches(path: str | Path, id_column: str, matches: Sequence[RecordMatch],
                  rules: RuleSet) -> Path:
    """The results CSV, and the rule set beside it (``<name>.rules.json``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow((id_column,) + OUTPUT_COLUMNS)
        writer.writerows(match_rows(matches))
    os.replace(tmp, path)
    rules_path = path.with_name(path.stem + ".rules.json")
    rules_path.write_text(rules.to_json() + "\n", encoding="utf-8")
    return rules_path
