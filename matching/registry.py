"""The population registry: a table of persons with blocking keys, behind SQLAlchemy.

SQLite by default (``sqlite:///path/registry.sqlite``), any SQLAlchemy URL later (PostgreSQL):
only portable SQL is used (no dialect-specific upsert). The schema is created on open.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (Column, Index, Integer, MetaData, String, Table, Text, and_, bindparam,
                        create_engine, event, func, insert, select, update)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from kernel.errors import RegistryError
from matching.blocking import DEFAULT_BLOCKING_RULES, BlockingRule
from matching.person import (PersonQuery, RegistryPerson, blocking_keys, clean_text, parse_date,
                             parse_id, parse_sex)

log = logging.getLogger(__name__)

CSV_COLUMNS: tuple[str, ...] = (
    "id_number", "full_name", "date_of_birth", "sex", "place_of_birth", "hometown", "ethnicity",
    "father_name", "mother_name", "permanent_address",
)
PERSON_COLUMNS: tuple[str, ...] = (
    "id_number", "full_name", "date_of_birth", "birth_year", "sex", "place_of_birth", "hometown",
    "ethnicity", "father_name", "mother_name", "permanent_address",
)
KEY_COLUMNS: tuple[str, ...] = (
    "name_key", "name_ascii", "given_ascii", "family_ascii", "father_ascii", "mother_ascii",
)
CHUNK_ROWS = 2000

metadata = MetaData()
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
    Column("name_key", String(200)),
    Column("name_ascii", String(200)),
    Column("given_ascii", String(50)),
    Column("family_ascii", String(50)),
    Column("father_ascii", String(200)),
    Column("mother_ascii", String(200)),
    # each blocking rule has a column that leads an index (blocking.LEADING_COLUMNS); the
    # default rules have composite ones, ending in id_number so that a block comes out in ID
    # order without sorting it
    Index("ix_registry_person_name_key", "name_key", "id_number"),
    Index("ix_registry_person_name_ascii", "name_ascii", "id_number"),
    Index("ix_registry_person_given", "given_ascii", "id_number"),
    Index("ix_registry_person_dob_given", "date_of_birth", "given_ascii", "id_number"),
    Index("ix_registry_person_dob_family", "date_of_birth", "family_ascii", "id_number"),
    Index("ix_registry_person_year_given", "birth_year", "given_ascii", "id_number"),
    Index("ix_registry_person_parents", "father_ascii", "mother_ascii", "id_number"),
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


class RegistryStore:
    """Registry persons in a SQL database (created on open)."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise RegistryError(f"invalid registry URL: {exc}",
                                hint="use e.g. sqlite:///path/registry.sqlite") from None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._engine = create_engine(url)
            if parsed.get_backend_name() == "sqlite":
                event.listen(self._engine, "connect", _sqlite_pragmas)
            metadata.create_all(self._engine)
        except (SQLAlchemyError, ImportError) as exc:
            raise RegistryError(f"cannot open the registry database ({parsed.get_backend_name()}): "
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
        with _db_errors("count"), self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(persons)).scalar_one())

    def get(self, id_number: str) -> RegistryPerson | None:
        stmt = select(*(persons.c[c] for c in PERSON_COLUMNS)).where(
            persons.c.id_number == id_number)
        with _db_errors("read"), self._engine.connect() as conn:
            row = conn.execute(stmt).first()
        return RegistryPerson(**row._mapping) if row else None

    def candidates(self, query: PersonQuery, limit: int = 50, *,
                   rules: Sequence[BlockingRule] = DEFAULT_BLOCKING_RULES) -> list[RegistryPerson]:
        """Distinct persons satisfying at least one blocking rule (indexed lookups only).

        At most ``limit`` per rule and in total; persons found by more rules come first, then
        by the order of the rules.
        """
        values = query.blocking_values()
        found: dict[str, tuple[int, int, RegistryPerson]] = {}  # id -> (hits, first rule, person)
        cols = [persons.c[c] for c in PERSON_COLUMNS]
        with _db_errors("search"), self._engine.connect() as conn:
            for index, rule in enumerate(rules):
                wanted = [values.get(c) for c in rule.columns]
                if any(v is None or v == "" for v in wanted):
                    continue
                cond = and_(*(persons.c[c] == v for c, v in zip(rule.columns, wanted)))
                stmt = select(*cols).where(cond).order_by(persons.c.id_number).limit(limit)
                rows = conn.execute(stmt).all()
                log.debug("blocking rule %s: %d rows%s", rule.name, len(rows),
                          " (limit reached)" if len(rows) >= limit else "")
                for row in rows:
                    if row.id_number in found:
                        hits, first, person = found[row.id_number]
                        found[row.id_number] = (hits + 1, first, person)
                    else:
                        found[row.id_number] = (1, index, RegistryPerson(**row._mapping))
        ranked = sorted(found.values(), key=lambda t: (-t[0], t[1], t[2].id_number))
        return [person for _, _, person in ranked[:limit]]

    # -- import ----------------------------------------------------------------------------

    def import_csv(self, path: str | Path, *,
                   progress: Callable[[int], None] | None = None) -> ImportReport:
        """Upsert a registry export (UTF-8 CSV, header :data:`CSV_COLUMNS`, any order).

        Bad rows are reported with their file line and reason and not stored; good rows are
        inserted or updated (an unchanged row is left alone). The whole file is one
        transaction: an unreadable file changes nothing.
        """
        path = Path(path)
        report = ImportReport()
        seen: set[int] = set()  # ids of this file (as ints tagged with their length)
        done = 0
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh, _db_errors("import"), \
                    self._engine.begin() as conn:
                rows = _read_rows(fh, path)
                for chunk in _chunks(rows, CHUNK_ROWS):
                    good: list[dict[str, Any]] = []
                    for line, raw in chunk:
                        record, problems = _validate(raw)
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
                    _upsert(conn, good, report)
                    done += len(chunk)
                    if progress is not None:
                        progress(done)
        except FileNotFoundError:
            raise RegistryError(f"registry export not found: {path}") from None
        except OSError as exc:
            raise RegistryError(f"cannot read the registry export {path}: {exc.strerror}") from None
        log.info("registry import %s: %d inserted, %d updated, %d unchanged, %d rejected",
                 path.name, report.inserted, report.updated, report.unchanged, len(report.errors))
        return report


@contextmanager
def _db_errors(action: str) -> Iterator[None]:
    """Database failures become RegistryError. The message leaves out the URL (a password)
    and the driver's text (PostgreSQL quotes key values); the cause stays chained."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise RegistryError(f"registry database failed during {action}: "
                            f"{exc.__class__.__name__}",
                            hint="check registry_url and that the database is reachable "
                                 "and writable") from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A larger page cache: imports insert into many indexes in random ID order."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB
    cursor.close()


def _read_rows(fh: Iterable[str], path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(first file line of the record, column -> raw value) for each data row."""
    reader = csv.reader(fh)
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
                            hint="convert the export to UTF-8 (legacy TCVN3/VNI exports need "
                                 "converting first); nothing was imported") from None
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
    record.update(blocking_keys(full_name, record["father_name"], record["mother_name"]))
    return record, problems


def _upsert(conn: Connection, rows: list[dict[str, Any]], report: ImportReport) -> None:
    """Insert new rows and update changed ones, counting both (portable SQL, executemany)."""
    if not rows:
        return
    ids = [r["id_number"] for r in rows]
    stored_cols = [persons.c[c] for c in PERSON_COLUMNS + KEY_COLUMNS]
    existing = {row.id_number: row._mapping
                for row in conn.execute(select(*stored_cols).where(persons.c.id_number.in_(ids)))}
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
