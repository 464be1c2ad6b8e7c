"""The population registry: a table of persons with comparison keys, behind SQLAlchemy.

SQLite by default (``sqlite:///path/registry.sqlite``), PostgreSQL for production
(``postgresql+psycopg://user:pass@host/db``): only portable SQL is used (no dialect-specific
upsert), and the same tests run on both. The schema is created (or completed) on open.

Besides the persons, the database keeps what matching learns from them
(:mod:`matching.estimate`): the frequency of every name part, parent's name and ethnicity
(``registry_term``), and the ``u`` probabilities of a rule set estimated from random pairs of
registry people (``registry_meta``). Both are refreshed after every import that changed rows.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (Column, Index, Integer, MetaData, String, Table, Text, and_, bindparam,
                        create_engine, delete, event, func, insert, inspect, select,
                        text, union_all, update)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (ArgumentError, DisconnectionError, InterfaceError, OperationalError,
                            SQLAlchemyError)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from kernel.errors import RegistryError, RegistryUnavailableError
from matching.blocking import DEFAULT_BLOCKING_RULES, RULE_INDEXES, BlockingRule
from matching.compare import Profile, registry_profile
from matching.legacy import ENCODINGS, decode_legacy
from matching.names import KEYS_VERSION
from matching.person import (KEY_COLUMNS, PersonQuery, RegistryPerson, clean_text, keys,
                             parse_date, parse_id, parse_sex)
from matching.places import PlaceCoder
from matching.rules import DEFAULT_RULES, RuleSet

log = logging.getLogger(__name__)

CSV_COLUMNS: tuple[str, ...] = (
    "id_number", "full_name", "date_of_birth", "sex", "place_of_birth", "hometown", "ethnicity",
    "father_name", "mother_name", "permanent_address",
)
PERSON_COLUMNS: tuple[str, ...] = (
    "id_number", "full_name", "date_of_birth", "birth_year", "sex", "place_of_birth", "hometown",
    "ethnicity", "father_name", "mother_name", "permanent_address",
)
TERM_COLUMNS: dict[str, str] = {
    # term-frequency table name -> registry column counted
    "family": "family_key", "middle": "middle_key", "given": "given_key",
    "family_ascii": "family_ascii", "middle_ascii": "middle_ascii", "given_ascii": "given_ascii",
    "father": "father_key", "mother": "mother_key", "father_ascii": "father_ascii",
    "mother_ascii": "mother_ascii", "ethnicity": "ethnicity_key",
}
JOINED_TERMS = ("father", "mother", "father_ascii", "mother_ascii")  # read with candidates
SMALL_TERM_COLUMNS = frozenset({"family", "middle", "given", "family_ascii", "middle_ascii",
                                "given_ascii", "ethnicity"})
CHUNK_ROWS = 2000
SCHEMA_VERSION = f"2/{KEYS_VERSION}"

metadata = MetaData()
_KEY_TYPES = {"pob_units": Text, "home_units": Text}
persons = Table(
    "registry_person", metadata,
    Column("id_number", String(12), primary_key=True),
    Column("full_name", String(200), nullable=False),
    Column("date_of_birth", String(10), nullable=False),
    Column("birth_year", Integer, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("place_of_birth", Text),
    Column("hometown", Text),
    Column("ethnicity", String(100)),
    Column("father_name", String(200)),
    Column("mother_name", String(200)),
    Column("permanent_address", Text),
    *(Column(k, _KEY_TYPES.get(k, String(200))) for k in KEY_COLUMNS),
    Index("ix_registry_person_dob", "date_of_birth", "id_number"),
    # each default blocking rule has a composite index ending in id_number (a block comes out
    # in ID order without sorting)
    *(Index("ix_registry_person_" + "_".join(cols), *cols, "id_number") for cols in RULE_INDEXES),
)
terms = Table(
    "registry_term", metadata,
    Column("term", String(20), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("n", Integer, nullable=False),
)
meta = Table(
    "registry_meta", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)


@dataclass
class ImportReport:
    """What an import did. ``errors``: (1-based file line, reason) of rows not stored."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged + len(self.errors)


@dataclass(frozen=True)
class Candidate:
    """A registry person found by blocking, with its stored comparison keys."""

    person: RegistryPerson
    profile: Profile
    rules: tuple[str, ...]  # the blocking rules that found it


class RegistryTermFrequencies:
    """Shares of values in the registry (``registry_term``), read once (small columns) or
    per value with a cache (parents' names)."""

    def __init__(self, engine: Engine, total: int) -> None:
        self._engine = engine
        self.total = total
        self._small: dict[str, dict[str, int]] = {t: {} for t in SMALL_TERM_COLUMNS}
        self._cache: dict[tuple[str, str], int] = {}
        with engine.connect() as conn:
            rows = conn.execute(select(terms.c.term, terms.c.value, terms.c.n).where(
                terms.c.term.in_(sorted(SMALL_TERM_COLUMNS))))
            for term, value, n in rows:
                self._small[term][value] = n

    def count(self, column: str, value: str) -> int:
        small = self._small.get(column)
        if small is not None:
            return small.get(value, 0)
        key = (column, value)
        n = self._cache.get(key)
        if n is None:
            with self._engine.connect() as conn:
                n = conn.execute(select(terms.c.n).where(
                    terms.c.term == column, terms.c.value == value)).scalar() or 0
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = n
        return n

    def share(self, column: str, value: str) -> float | None:
        if not self.total:
            return None
        n = self.count(column, value)
        return n / self.total if n else None


class RegistryStore:
    """Registry persons in a SQL database (schema created on open)."""

    def __init__(self, url: str, *, places: PlaceCoder | None = None) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise RegistryError(f"invalid registry URL: {exc}",
                                hint="use e.g. sqlite:///path/registry.sqlite") from None
        self.backend = parsed.get_backend_name()
        if self.backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.places = places or PlaceCoder.load()
        self._count: int | None = None
        self._tf: RegistryTermFrequencies | None = None
        self._trained: dict[str, RuleSet] = {}
        self._statements: dict[Any, Any] = {}
        try:
            self._engine = create_engine(url)
            if self.backend == "sqlite":
                event.listen(self._engine, "connect", _sqlite_pragmas)
            metadata.create_all(self._engine)
            self._migrate()
        except SQLAlchemyError as exc:
            if is_unavailable(exc):
                raise unavailable("opening it", exc) from exc
            raise RegistryError(f"cannot open the registry database ({self.backend}): "
                                f"{exc.__class__.__name__}",
                                hint="check registry_url and that the database is "
                                     "reachable") from exc
        except ImportError as exc:
            raise RegistryError(f"cannot open the registry database ({self.backend}): "
                                f"{exc.__class__.__name__}",
                                hint="check registry_url and that the database is "
                                     "reachable") from exc

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> "RegistryStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        if self._count is None:
            with _db_errors("count"), self._engine.connect() as conn:
                self._count = int(conn.execute(
                    select(func.count()).select_from(persons)).scalar_one())
        return self._count

    def get(self, id_number: str) -> RegistryPerson | None:
        stmt = select(*(persons.c[c] for c in PERSON_COLUMNS)).where(
            persons.c.id_number == id_number)
        with _db_errors("read"), self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        return RegistryPerson(**row._mapping) if row else None

    def candidates(self, query: PersonQuery, limit: int = 100, *,
                   rules: Sequence[BlockingRule] = DEFAULT_BLOCKING_RULES) -> list[RegistryPerson]:
        """Distinct persons satisfying at least one blocking rule (indexed lookups only)."""
        return [c.person for c in self.candidate_rows(query, limit, rules=rules)]

    def candidate_rows(self, query: PersonQuery, limit: int = 100, *,
                       rules: Sequence[BlockingRule] = DEFAULT_BLOCKING_RULES,
                       conn: Connection | None = None) -> list[Candidate]:
        """Persons found by any rule (at most ``limit`` per rule, in ID order), each with its
        keys, the frequencies of its parents' names and the rules that found it; in ID
        order. One statement per query (built once per set of applicable rules)."""
        values = query.blocking_values()
        applicable = tuple(r for r in rules
                           if all(values.get(c) not in (None, "") for c in r.columns))
        if not applicable:
            return []
        stmt = self._candidate_statement(applicable, limit)
        params = {f"r{i}_{c}": values[c] for i, r in enumerate(applicable) for c in r.columns}
        with _db_errors("search"):
            if conn is None:
                with self._engine.connect() as own:
                    rows = own.execute(stmt, params).all()
            else:
                rows = conn.execute(stmt, params).all()
        found = []
        for row in rows:
            m = row._mapping
            hit = tuple(r.name for r in applicable
                        if all(m[c] == values[c] for c in r.columns))
            person = RegistryPerson(**{c: m[c] for c in PERSON_COLUMNS})
            counts = {t: m[f"tf_{t}"] or 0 for t in JOINED_TERMS}
            found.append(Candidate(person, registry_profile(m, counts), hit))
        return found

    def _candidate_statement(self, applicable: tuple[BlockingRule, ...], limit: int) -> Any:
        key = (tuple((r.name, r.columns) for r in applicable), limit)
        stmt = self._statements.get(key)
        if stmt is not None:
            return stmt
        parts = [select(persons.c.id_number)
                 .where(and_(*(persons.c[c] == bindparam(f"r{i}_{c}") for c in r.columns)))
                 .order_by(persons.c.id_number).limit(limit).subquery()
                 for i, r in enumerate(applicable)]
        ids = union_all(*(select(p.c.id_number) for p in parts)) if len(parts) > 1 \
            else select(parts[0].c.id_number)
        joined = persons
        term_cols = []
        for term in JOINED_TERMS:
            alias = terms.alias(f"tf_{term}")
            joined = joined.outerjoin(alias, and_(alias.c.term == term,
                                                  alias.c.value == persons.c[TERM_COLUMNS[term]]))
            term_cols.append(alias.c.n.label(f"tf_{term}"))
        stmt = (select(*(persons.c[c] for c in PERSON_COLUMNS + KEY_COLUMNS), *term_cols)
                .select_from(joined).where(persons.c.id_number.in_(ids))
                .order_by(persons.c.id_number))
        self._statements[key] = stmt
        return stmt

    def connect(self) -> Connection:
        """A connection for many :meth:`candidate_rows` calls (the caller closes it)."""
        return self._engine.connect()

    # -- what matching learns from the registry ----------------------------------------------

    def term_frequencies(self) -> RegistryTermFrequencies:
        if self._tf is None:
            with _db_errors("read term frequencies"):
                self._tf = RegistryTermFrequencies(self._engine, self.count())
        return self._tf

    def rules_for(self, rules: RuleSet = DEFAULT_RULES) -> RuleSet:
        """``rules`` with its ``u`` values estimated from this registry (stored; estimated
        now if missing). An empty registry leaves the declared values."""
        key = rules.fingerprint()
        if key in self._trained:
            return self._trained[key]
        trained = rules
        if self.count():
            stored = self._meta(f"u:{key}")
            if stored is None:
                stored = self._estimate(rules)
            data = json.loads(stored)
            trained = rules.with_u(data["u"], data["source"])
        self._trained[key] = trained
        return trained

    def refresh_statistics(self, rules: Iterable[RuleSet] = (DEFAULT_RULES,)) -> None:
        """Recount the term frequencies and re-estimate ``u`` (after the rows changed)."""
        from matching.estimate import count_terms  # noqa: PLC0415 (estimate imports us)

        with _db_errors("count terms"), self._engine.begin() as conn:
            count_terms(conn, persons, terms, TERM_COLUMNS)
            conn.execute(delete(meta).where(meta.c.key.like("u:%")))
        self._count, self._tf, self._trained = None, None, {}
        for rule_set in rules:
            if self.count():
                self._estimate(rule_set)

    def _estimate(self, rules: RuleSet) -> str:
        from matching.estimate import estimate_u  # noqa: PLC0415

        with _db_errors("estimate u"), self._engine.connect() as conn:
            estimates, source = estimate_u(conn, persons, rules, self.count(),
                                           self.term_frequencies())
        stored = json.dumps({"u": estimates, "source": source}, sort_keys=True)
        self._set_meta(f"u:{rules.fingerprint()}", stored)
        return stored

    def _meta(self, key: str) -> str | None:
        with _db_errors("read"), self._engine.connect() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def _set_meta(self, key: str, value: str) -> None:
        with _db_errors("write"), self._engine.begin() as conn:
            conn.execute(delete(meta).where(meta.c.key == key))
            conn.execute(insert(meta).values(key=key, value=value))

    # -- import ----------------------------------------------------------------------------

    def import_csv(self, path: str | Path, *, progress: Callable[[int], None] | None = None,
                   encoding: str = "utf-8", statistics: bool = True) -> ImportReport:
        """Upsert a registry export (CSV, header :data:`CSV_COLUMNS` in any order).

        ``encoding``: "utf-8" (NFC or NFD; a BOM is fine), or a legacy "tcvn3" / "vni"
        export. Bad rows are reported with their file line and reason and not stored; good
        rows are inserted or updated (an unchanged row is left alone). The whole file is one
        transaction: an unreadable file changes nothing. ``progress`` is called with the
        number of data rows read so far. Afterwards the term frequencies and ``u`` estimates
        are refreshed (``statistics=False``: later, with :meth:`refresh_statistics`).
        """
        path = Path(path)
        if encoding.lower() not in ENCODINGS and encoding.lower() not in ("utf8",):
            raise RegistryError(f"unknown encoding {encoding!r}",
                                hint="use one of: " + ", ".join(ENCODINGS))
        report = ImportReport()
        seen: set[int] = set()  # ids of this file (as ints tagged with their length)
        done = 0
        try:
            with path.open("rb") as raw, _db_errors("import"), self._engine.begin() as conn:
                empty = conn.execute(select(func.count()).select_from(
                    select(persons.c.id_number).limit(1).subquery())).scalar_one() == 0
                if empty and self.backend == "sqlite":
                    _drop_indexes(conn)
                lines = _decoded_lines(raw, encoding)
                for chunk in _chunks(_read_rows(lines, path), CHUNK_ROWS):
                    good: list[dict[str, Any]] = []
                    for line, row in chunk:
                        record, problems = self._validate(row)
                        if record is not None:
                            tag = int("1" + record["id_number"])
                            if tag in seen:
                                problems.append("duplicate id_number: appears earlier in the file")
                                record = None
                            else:
                                seen.add(tag)
                        if record is None:
                            report.errors.append((line, "; ".join(problems)))
                        else:
                            good.append(record)
                    _upsert(conn, good, report, known_empty=empty)
                    done += len(chunk)
                    if progress is not None:
                        progress(done)
                if empty and self.backend == "sqlite":
                    _create_indexes(conn)
                conn.execute(delete(meta).where(meta.c.key == "schema"))
                conn.execute(insert(meta).values(key="schema", value=SCHEMA_VERSION))
        except FileNotFoundError:
            raise RegistryError(f"registry export not found: {path}") from None
        except IsADirectoryError:
            raise RegistryError(f"{path} is a folder, not a registry export") from None
        except OSError as exc:
            raise RegistryError(f"cannot read the registry export {path}: {exc.strerror}") from None
        self._count = None
        if statistics and (report.inserted or report.updated):
            self.refresh_statistics()
        log.info("registry import %s: %d inserted, %d updated, %d unchanged, %d rejected",
                 path.name, report.inserted, report.updated, report.unchanged, len(report.errors))
        return report

    def _validate(self, raw: dict[str, str]) -> tuple[dict[str, Any] | None, list[str]]:
        record, problems = _validate(raw)
        if record is not None:
            record.update(keys(record["full_name"], record["father_name"],
                               record["mother_name"], record["place_of_birth"],
                               record["hometown"], record["ethnicity"], self.places))
        return record, problems

    def _migrate(self) -> None:
        """Add key columns a registry of an older sohoa lacks, and derive them."""
        existing = {c["name"] for c in inspect(self._engine).get_columns("registry_person")}
        missing = [c for c in KEY_COLUMNS if c not in existing]
        with self._engine.begin() as conn:
            for name in missing:
                column = persons.c[name]
                conn.execute(text(f"ALTER TABLE registry_person ADD COLUMN {name} "
                                  f"{column.type.compile(self._engine.dialect)}"))
            schema = conn.execute(select(meta.c.value).where(meta.c.key == "schema")).scalar()
            has_rows = conn.execute(select(persons.c.id_number).limit(1)).first() is not None
        if has_rows and (missing or schema != SCHEMA_VERSION):
            log.warning("registry keys are from another sohoa version: deriving them again")
            self.rekey()

    def rekey(self) -> None:
        """Derive every row's keys again (after the key derivation changed)."""
        cols = [persons.c[c] for c in PERSON_COLUMNS]
        with self._engine.begin() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(*cols))]
            for start in range(0, len(rows), CHUNK_ROWS):
                params = []
                for row in rows[start:start + CHUNK_ROWS]:
                    k = keys(row["full_name"], row["father_name"], row["mother_name"],
                             row["place_of_birth"], row["hometown"], row["ethnicity"],
                             self.places)
                    k["b_id"] = row["id_number"]
                    params.append(k)
                conn.execute(update(persons).where(persons.c.id_number == bindparam("b_id"))
                             .values({c: bindparam(c) for c in KEY_COLUMNS}), params)
            conn.execute(delete(meta).where(meta.c.key == "schema"))
            conn.execute(insert(meta).values(key="schema", value=SCHEMA_VERSION))
        self.refresh_statistics()


@contextmanager
def _db_errors(action: str) -> Iterator[None]:
    """Database failures become RegistryError. The message leaves out the URL (a password)
    and the driver's text (PostgreSQL quotes key values); the cause stays chained."""
    try:
        yield
    except SQLAlchemyError as exc:
        if is_unavailable(exc):
            raise unavailable(action, exc) from exc
        raise RegistryError(f"registry database failed during {action}: "
                            f"{exc.__class__.__name__}",
                            hint="check registry_url and that the database is reachable "
                                 "and writable") from exc


def is_unavailable(exc: BaseException) -> bool:
    """Failures that waiting may cure: the server is down or unreachable, the connection
    dropped, SQLite is locked by another writer, the pool had no connection in time."""
    return isinstance(exc, (OperationalError, InterfaceError, DisconnectionError,
                            PoolTimeoutError))


def unavailable(action: str, exc: BaseException) -> RegistryUnavailableError:
    cause = getattr(exc, "orig", None) or exc
    locked = "locked" in str(cause).lower()
    what = "locked by another program" if locked else "unreachable"
    return RegistryUnavailableError(
        f"registry database {what} during {action} ({cause.__class__.__name__})",
        hint="the run retried it; check that the registry database is running and not held "
             "by a long import, then run the same batch again: archived originals are kept "
             "and the missing records are made then")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A larger page cache: imports insert into many indexes in random ID order."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _drop_indexes(conn: Connection) -> None:
    """Loading an empty table: build the indexes once at the end (much faster)."""
    for index in persons.indexes:
        conn.execute(text(f"DROP INDEX IF EXISTS {index.name}"))


def _create_indexes(conn: Connection) -> None:
    for index in persons.indexes:
        index.create(conn, checkfirst=True)


def _decoded_lines(raw: Any, encoding: str) -> Iterator[str]:
    """Text lines of the export (line ends kept, for the csv module)."""
    enc = encoding.lower()
    if enc in ("utf-8", "utf8"):
        first = True
        for line in raw:
            text_line = line.decode("utf-8")
            if first:
                text_line, first = text_line.removeprefix("\ufeff"), False
            yield text_line
    else:
        for line in raw:
            yield decode_legacy(line, enc)


def _read_rows(lines: Iterable[str], path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(first file line of the record, column -> raw value) for each data row."""
    reader = csv.reader(lines)
    header = _next(reader, path)
    names = [h.strip() for h in header] if header else []
    missing = [c for c in CSV_COLUMNS if c not in names]
    unknown = [h for h in names if h not in CSV_COLUMNS]
    if not header or missing or unknown or len(set(names)) != len(names):
        detail = "empty file" if not header else \
            f"missing {missing}, unknown {unknown}" if (missing or unknown) else "repeated columns"
        raise RegistryError(f"{path}: unexpected CSV header ({detail})",
                            hint="expected columns: " + ",".join(CSV_COLUMNS))
    line = reader.line_num
    while (values := _next(reader, path)) is not None:
        start, line = line + 1, reader.line_num
        if not values or (len(values) == 1 and not values[0].strip()):
            continue  # a blank line is not a record
        if len(values) != len(names):
            yield start, {"__width__": str(len(values))}
            continue
        yield start, dict(zip(names, values))


def _next(reader: Any, path: Path) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except UnicodeDecodeError:
        raise RegistryError(f"{path}: not UTF-8 (at or after line {reader.line_num + 1})",
                            hint="a legacy TCVN3 or VNI export: import it with --encoding "
                                 "tcvn3 or --encoding vni; nothing was imported") from None
    except csv.Error as exc:
        raise RegistryError(f"{path}: malformed CSV at line {reader.line_num}: {exc}",
                            hint="nothing was imported") from None


def _chunks(rows: Iterator[tuple[int, dict[str, str]]],
            size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    chunk: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _validate(raw: dict[str, str]) -> tuple[dict[str, Any] | None, list[str]]:
    """A row ready to store, or None and every problem found in it (no personal values)."""
    if "__width__" in raw:
        return None, [f"expected {len(CSV_COLUMNS)} columns, found {raw['__width__']}"]
    problems: list[str] = []
    id_text = clean_text(raw["id_number"])
    id_number = parse_id(id_text)
    if id_number is None:
        digits = sum(ch.isdigit() for ch in id_text or "")
        problems.append("missing id_number" if not id_text else
                        f"id_number must be 9 or 12 digits (found {digits} digits"
                        + (", a leading zero lost?)" if digits in (8, 11) else ")"))
    full_name = clean_text(raw["full_name"])
    if full_name is None:
        problems.append("missing full_name")
    date_text = clean_text(raw["date_of_birth"])
    date = parse_date(date_text)
    if date is None:
        problems.append("missing date_of_birth" if not date_text else
                        "date_of_birth is not a real past date written YYYY-MM-DD")
    sex = parse_sex(raw["sex"])
    if sex is None:
        sex_text = clean_text(raw["sex"])
        problems.append("missing sex" if not sex_text else
                        f"sex {sex_text[:10]!r} is not M/F, Nam/Nữ or male/female")
    if problems:
        return None, problems
    assert id_number and full_name and date and sex
    record: dict[str, Any] = {
        "id_number": id_number,
        "full_name": full_name,
        "date_of_birth": date.isoformat(),
        "birth_year": date.year,
        "sex": sex,
    }
    for col in ("place_of_birth", "hometown", "ethnicity", "father_name", "mother_name",
                "permanent_address"):
        record[col] = clean_text(raw[col])
    return record, problems


def _upsert(conn: Connection, rows: list[dict[str, Any]], report: ImportReport, *,
            known_empty: bool = False) -> None:
    """Insert new rows and update changed ones, counting both (portable SQL, executemany)."""
    if not rows:
        return
    existing: Mapping[str, Any] = {}
    if not known_empty:
        ids = [r["id_number"] for r in rows]
        stored_cols = [persons.c[c] for c in PERSON_COLUMNS + KEY_COLUMNS]
        existing = {row.id_number: row._mapping for row in
                    conn.execute(select(*stored_cols).where(persons.c.id_number.in_(ids)))}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        old = existing.get(row["id_number"])
        if old is None:
            new.append(row)
        elif any(old[k] != v for k, v in row.items()):
            params = {k: v for k, v in row.items() if k != "id_number"}
            params["b_id"] = row["id_number"]
            changed.append(params)
        else:
            report.unchanged += 1
    if new:
        conn.execute(insert(persons), new)
        report.inserted += len(new)
    if changed:
        conn.execute(update(persons).where(persons.c.id_number == bindparam("b_id")), changed)
        report.updated += len(changed)


__all__ = ["CSV_COLUMNS", "Candidate", "ImportReport", "RegistryStore"]
