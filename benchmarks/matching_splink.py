"""Splink (DuckDB backend) on the matching benchmark's data, for a side-by-side comparison.

Called by ``benchmarks/matching_scale.py`` (``--splink``); it reads the registry already
imported by sohoa (its normalized keys, so both tools see the same NFC, tone-placement and
place-code preprocessing) and the records' keys, and runs a standard Splink model:

- the same six blocking rules as sohoa (ID; date + given name; date + family name; year +
  full name; year + mother; both parents, all on diacritics-free keys);
- comparisons from Splink's library: name parts (exact with term frequencies, then
  Jaro-Winkler), date of birth (exact, one edit, month, year), sex, ID (Levenshtein),
  parents (exact with term frequencies, Jaro-Winkler), places (commune, province), ethnicity;
- u by random sampling (2,000,000 pairs), m by expectation maximisation on two blocking
  rules, the prior set to sohoa's (85 % of records present among the registry's people).

A record is linked to its best candidate when that candidate's match probability reaches
the threshold (0.99, sohoa's auto-link floor), and, for the "with ambiguity check" line,
no other candidate reaches 0.5.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pyarrow as pa

FEATURES = ("family_key", "middle_key", "given_key", "given_ascii", "family_ascii",
            "name_ascii", "middle_ascii", "father_key", "mother_key", "father_ascii",
            "mother_ascii", "ethnicity_key")


def _first(tokens: str | None, prefix: str) -> str | None:
    for t in (tokens or "").split():
        if t.startswith(prefix):
            return t
    return None


def _row(uid: str, id_number, dob, sex, k) -> dict:
    return {"unique_id": uid, "id_number": id_number, "dob": dob,
            "birth_year": int(dob[:4]) if dob else None, "sex": sex,
            **{f: k.get(f) for f in FEATURES},
            "pob_commune": _first(k.get("pob_units"), "c"),
            "pob_province": _first(k.get("pob_units"), "p"),
            "home_commune": _first(k.get("home_units"), "c"),
            "home_province": _first(k.get("home_units"), "p")}


def registry_table(sqlite_path: Path) -> pa.Table:
    con = sqlite3.connect(sqlite_path)
    con.row_factory = sqlite3.Row
    cols = "id_number, date_of_birth, sex, pob_units, home_units, " + ", ".join(FEATURES)
    rows = [_row(r["id_number"], r["id_number"], r["date_of_birth"], r["sex"], dict(r))
            for r in con.execute(f"SELECT {cols} FROM registry_person")]
    con.close()
    return pa.Table.from_pylist(rows)


def records_table(queries) -> pa.Table:
    from matching.person import keys
    from matching.places import PlaceCoder

    coder = PlaceCoder.load()
    rows = []
    for qid, q in queries:
        k = keys(q.full_name, q.father_name, q.mother_name, q.place_of_birth, q.hometown,
                 q.ethnicity, coder)
        rows.append(_row(qid, q.id_number, q.date_of_birth, q.sex, k))
    return pa.Table.from_pylist(rows)


def settings(prior: float):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def name(col: str, ascii_col: str):
        return cl.CustomComparison(output_column_name=col, comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=True),
            cll.ExactMatchLevel(ascii_col),
            cll.JaroWinklerLevel(ascii_col, 0.92),
            cll.JaroWinklerLevel(ascii_col, 0.80),
            cll.ElseLevel()])

    def place(prefix: str):
        return cl.CustomComparison(output_column_name=prefix, comparison_levels=[
            cll.NullLevel(f"{prefix}_province"),
            cll.ExactMatchLevel(f"{prefix}_commune"),
            cll.ExactMatchLevel(f"{prefix}_province"),
            cll.ElseLevel()])

    return SettingsCreator(
        link_type="link_only",
        probability_two_random_records_match=prior,
        blocking_rules_to_generate_predictions=[
            block_on("id_number"), block_on("dob", "given_ascii"),
            block_on("dob", "family_ascii"), block_on("birth_year", "name_ascii"),
            block_on("birth_year", "mother_ascii"), block_on("father_ascii", "mother_ascii")],
        comparisons=[
            name("family_key", "family_ascii"),
            name("middle_key", "middle_ascii"),
            name("given_key", "given_ascii"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("id_number", [1]),
            name("father_key", "father_ascii"),
            name("mother_key", "mother_ascii"),
            place("pob"), place("home"),
            cl.ExactMatch("ethnicity_key").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run(sqlite_path: Path, queries, truth: dict[str, str], *, threshold: float = 0.99,
        presence: float = 0.85) -> dict:
    """Train and predict; returns timings and the links with both decision rules."""
    import logging

    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    t0 = time.monotonic()
    left = registry_table(sqlite_path)
    right = records_table(queries)
    t_load = time.monotonic() - t0
    db = DuckDBAPI()
    prior = presence / max(len(left), 1)
    linker = Linker([db.register(left, table_name="registry"),
                     db.register(right, table_name="records")], settings(prior))
    t1 = time.monotonic()
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob", "given_ascii"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("father_ascii", "mother_ascii"))
    t_train = time.monotonic() - t1
    t2 = time.monotonic()
    pairs = linker.inference.predict(threshold_match_probability=0.01).as_pyarrow_table()
    t_predict = time.monotonic() - t2
    best: dict[str, list[tuple[float, str]]] = {}
    for uid_l, uid_r, p in zip(pairs.column("unique_id_l").to_pylist(),
                               pairs.column("unique_id_r").to_pylist(),
                               pairs.column("match_probability").to_pylist()):
        reg, rec = (uid_l, uid_r) if str(uid_r).startswith("Q") else (uid_r, uid_l)
        best.setdefault(rec, []).append((float(p), reg))
    plain, checked = {}, {}
    for rec, found in best.items():
        found.sort(reverse=True)
        p, reg = found[0]
        if p >= threshold:
            plain[rec] = reg
            if len(found) == 1 or found[1][0] < 0.5:
                checked[rec] = reg
    return {"load_s": t_load, "train_s": t_train, "predict_s": t_predict,
            "pairs": pairs.num_rows, "links": plain, "links_checked": checked}
