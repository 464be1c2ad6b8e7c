"""A realistic synthetic corpus: scans of civil-status documents, the registry to match them
against, and the truth of every record. The library function the CLI calls::

    generate_corpus(out_dir, docs=200, registry=2000, seed=7, difficulty="typical")

writes under ``out_dir``:

- ``batch/``: the scans (PNG, JPEG, multi-page TIFF and PDF, in nested folders);
- ``registry.csv``: the registry export (``synth.registry.REGISTRY_COLUMNS``), holding the
  documents' people except :data:`synth.population.ABSENT_SHARE` of them, hard distractors
  (siblings, twins, namesakes, near-names) and ``registry`` unrelated people;
- ``truth.jsonl``: one line per person record (see :mod:`synth.truth`), sorted by source,
  page, row and role;
- ``corpus.json``: the parameters, where names and places came from, and counts.

The same arguments (and the same shared data, fonts and library versions) give
byte-identical files, whatever the number of worker processes. ``images=False`` writes all
but the scans (the pages are still typeset, so the truth is the same), quickly.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import random
import shutil
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from synth.degrade import DIFFICULTIES
from synth.fonts import fonts_available, vietnamese_families
from synth.gazetteer import load_places
from synth.namefreq import describe as describe_names
from synth.namefreq import load_name_book
from synth.plan import CorpusPlan, FileJob, make_plan
from synth.population import ABSENT_SHARE, build_registry
from synth.produce import produce_file
from synth.reform import load_reform
from synth.registry import write_registry_csv
from synth.truth import PrintedRecord, TruthLine

log = logging.getLogger(__name__)

SYNTH_VERSION = "2.0"
ROLE_ORDER = {None: 0, "husband": 1, "wife": 2, "deceased": 3,
              # dossier pages (synth.dossier): declaration roles, ID cards
              "requester": 4, "subject": 5, "mother": 6, "father": 7, "card": 8}


@dataclass(frozen=True)
class CorpusSummary:
    out_dir: Path
    files: int
    pages: int
    records: int
    registry_rows: int
    absent_people: int
    doc_types: dict[str, int]
    layouts: dict[str, int]
    formats: dict[str, int]
    dossiers: int = 0


def _workers(requested: int | None, files: int) -> int:
    if requested is not None:
        return max(1, requested)
    return max(1, min(os.cpu_count() or 1, 8, files // 4 or 1))


def _produce_all(plan: CorpusPlan, batch_dir: Path | None, workers: int,
                 progress: Callable[[int, int], None] | None,
                 ) -> list[list[tuple[int, PrintedRecord]]]:
    total = sum(len(f.pages) for f in plan.files)
    done = 0
    results: list[list[tuple[int, PrintedRecord]] | None] = [None] * len(plan.files)
    if progress:
        progress(0, total)
    if workers == 1:
        for i, job in enumerate(plan.files):
            results[i] = produce_file(job, batch_dir)
            done += len(job.pages)
            if progress:
                progress(done, total)
    else:
        context = multiprocessing.get_context("spawn")  # safe beside threads; no shared state
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(produce_file, job, batch_dir): i
                       for i, job in enumerate(plan.files)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                done += len(plan.files[i].pages)
                if progress:
                    progress(done, total)
    return [r for r in results if r is not None]


def _truth_lines(files: tuple[FileJob, ...], produced: list[list[tuple[int, PrintedRecord]]],
                 absent: frozenset[str]) -> list[TruthLine]:
    lines = [TruthLine(job.path, page, record,
                       None if record.person_id in absent else record.person_id)
             for job, records in zip(files, produced) for page, record in records]
    return sorted(lines, key=lambda t: (t.source, t.page, t.record.row or 0,
                                        ROLE_ORDER[t.record.role]))


def _prepare_out_dir(out_dir: Path, images: bool) -> None:
    """A ``batch/`` left by an earlier corpus (``corpus.json`` beside it) is replaced; any
    other non-empty ``batch/`` is refused rather than mixed with."""
    batch = out_dir / "batch"
    if not images or not batch.is_dir() or not any(batch.iterdir()):
        return
    if not (out_dir / "corpus.json").is_file():
        raise FileExistsError(f"{batch} is not empty and holds no earlier corpus: generate "
                              "into a new folder")
    shutil.rmtree(batch)


def generate_corpus(out_dir: Path, *, docs: int, registry: int, seed: int,
                    difficulty: Literal["clean", "typical", "hard"],
                    progress: Callable[[int, int], None] | None = None,
                    images: bool = True, workers: int | None = None,
                    shared_data: bool = True, data_dir: Path | None = None,
                    dossiers: int = 0, disagree_rate: float = 0.1) -> CorpusSummary:
    """Write a corpus of ``docs`` document pages under ``out_dir`` (see the module doc).

    ``registry``: how many unrelated people the registry holds besides the documents' people
    and their distractors. ``progress(done, total)`` is called with pages done. ``workers``:
    processes (default: up to the number of cores). ``shared_data=False`` (or no
    ``../shared/data``) uses the built-in names and places only. ``dossiers``: that many
    administrative-procedure dossiers besides (``batch/dossiers/``, ``dossiers.jsonl``; see
    :mod:`synth.dossier`), ``disagree_rate`` of the birth dossiers with a planted
    disagreement between their documents; ``docs`` may then be 0.
    """
    if docs < 0 or registry < 0 or dossiers < 0 or docs + dossiers < 1:
        raise ValueError("docs must be at least 1 (or 0 with dossiers) and registry at least 0")
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {DIFFICULTIES}, not {difficulty!r}")
    if not fonts_available():
        from kernel.errors import MissingDependencyError
        from synth.fonts import INSTALL_HINT
        raise MissingDependencyError("no TrueType font covering Vietnamese", hint=INSTALL_HINT)
    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir, images)
    rng = random.Random(seed)
    book = load_name_book(data_dir, shared=shared_data)
    places = load_places(data_dir, shared=shared_data)
    reform = load_reform(data_dir, shared=shared_data)
    plan = make_plan(rng, docs, difficulty, book, places)
    jobs = _plan_dossiers(seed, dossiers, difficulty, book, places, plan, disagree_rate)
    reg = build_registry(rng, list(plan.people) + _dossier_people(jobs), registry, book, places,
                         reform)
    batch_dir = out_dir / "batch" if images else None
    file_pages = sum(len(f.pages) for f in plan.files)
    total = file_pages + sum(len(j.pages) for j in jobs)
    produced = _produce_all(plan, batch_dir, _workers(workers, len(plan.files)),
                            progress and (lambda done, _t: progress(done, total)))
    truth = _truth_lines(plan.files, produced, reg.absent)
    if jobs:
        truth = _with_dossiers(truth, jobs, out_dir, batch_dir, reg.absent,
                               _workers(workers, len(jobs)), progress, file_pages, total)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_registry_csv(reg.rows, out_dir / "registry.csv")
    (out_dir / "truth.jsonl").write_text("".join(t.as_json() + "\n" for t in truth),
                                         encoding="utf-8")
    summary = CorpusSummary(
        out_dir=out_dir, files=len(plan.files), pages=sum(len(f.pages) for f in plan.files),
        records=len(truth), registry_rows=len(reg.rows), absent_people=len(reg.absent),
        doc_types=dict(sorted(Counter(t.record.doc_type for t in truth).items())),
        layouts=dict(sorted(Counter(t.record.layout for t in truth).items())),
        formats=dict(sorted(Counter(f.fmt for f in plan.files).items())), dossiers=len(jobs))
    meta = {
        "generator": "synth.corpus", "synth_version": SYNTH_VERSION,
        "parameters": {"docs": docs, "registry": registry, "seed": seed,
                       "difficulty": difficulty, "images": images},
        "sources": {"names": describe_names(book), "places": places.source,
                    "reform_2025": "conversion_new_old_wards_2025-07" if reform.available
                    else "none (old names kept)", "fonts": list(vietnamese_families())},
        "counts": {
            "files": summary.files, "pages": summary.pages, "records": summary.records,
            "people": len(plan.people), "absent_people": summary.absent_people,
            "absent_share": ABSENT_SHARE, "registry_rows": summary.registry_rows,
            "registry_additions": reg.distractors,
            "doc_types": summary.doc_types, "layouts": summary.layouts,
            "pages_by_layout": dict(sorted(Counter(_page_layout(p.kind) for f in plan.files
                                                   for p in f.pages).items())),
            "formats": summary.formats,
            "file_modes": dict(sorted(Counter(f"{f.fmt}:{f.mode}" + (
                f":{f.compression}" if f.compression else "") for f in plan.files).items())),
            "phone_photos": sum(1 for f in plan.files for p in f.pages if p.scan.photo),
            "turned_pages": sum(1 for f in plan.files for p in f.pages if p.scan.turn),
        },
    }
    if jobs:
        meta["parameters"] |= {"dossiers": dossiers, "disagree_rate": disagree_rate}
        meta["counts"]["dossiers"] = {  # type: ignore[index]
            "dossiers": len(jobs), "pages": sum(len(j.pages) for j in jobs),
            "procedures": dict(sorted(Counter(j.procedure for j in jobs).items())),
            "page_classes": dict(sorted(Counter(p.doc_class for j in jobs
                                                for p in j.pages).items())),
            "disagreements": sum(len(j.disagreements) for j in jobs)}
    (out_dir / "corpus.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    log.info("corpus: %d files, %d pages, %d records, %d registry rows in %s", summary.files,
             summary.pages, summary.records, summary.registry_rows, out_dir)
    return summary


def _plan_dossiers(seed: int, count: int, difficulty: str, book, places, plan: CorpusPlan,
                   disagree_rate: float) -> list:
    """The dossiers, drawn from their own rng (a corpus without dossiers is unchanged)."""
    if not count:
        return []
    from synth.dossier_procedures import make_dossiers
    taken = {c.id_number for c in plan.people}
    return make_dossiers(random.Random(f"sohoa-dossiers:{seed}"), count, difficulty, book,
                         places, taken, disagree_rate)


def _dossier_people(jobs: list) -> list:
    seen: dict[str, object] = {}
    for job in jobs:
        for citizen in (*job.people.values(), *job.extra_people):
            seen.setdefault(citizen.id_number, citizen)
    return list(seen.values())


def _with_dossiers(truth: list[TruthLine], jobs: list, out_dir: Path, batch_dir: Path | None,
                   absent: frozenset[str], workers: int,
                   progress: Callable[[int, int], None] | None, done: int,
                   total: int) -> list[TruthLine]:
    """Draw the dossiers, write ``dossiers.jsonl``; the truth with their records added."""
    from synth.dossier_produce import dossier_line, produce_all
    state = {"done": done}

    def step(pages: int) -> None:
        state["done"] += pages
        if progress:
            progress(state["done"], total)

    produced = produce_all(jobs, batch_dir, workers, step)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "dossiers.jsonl").write_text(
        "".join(dossier_line(j, pages, absent) + "\n" for j, pages in zip(jobs, produced)),
        encoding="utf-8")
    lines = truth + [TruthLine(p.source, p.page, r, None if r.person_id in absent else r.person_id)
                     for pages in produced for p in pages for r in p.records]
    return sorted(lines, key=lambda t: (t.source, t.page, t.record.row or 0,
                                        ROLE_ORDER[t.record.role]))


def _page_layout(kind: str) -> str:
    return {"birth_lines": "label_lines", "birth_boxed": "boxed_form",
            "birth_two_column": "two_column", "birth_register": "register_table",
            "marriage": "marriage_table", "death": "death_lines"}[kind]


def main(argv: list[str] | None = None) -> int:
    """``python -m synth.corpus OUT_DIR --docs 200 --registry 2000 --seed 7 --difficulty hard``"""
    import argparse
    import sys
    parser = argparse.ArgumentParser(prog="python -m synth.corpus",
                                     description="Write a synthetic corpus (see synth.corpus).")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--registry", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--difficulty", choices=DIFFICULTIES, default="typical")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-images", action="store_true")
    args = parser.parse_args(argv)

    def show(done: int, total: int) -> None:
        print(f"\r{done}/{total} pages", end="", file=sys.stderr, flush=True)

    summary = generate_corpus(args.out_dir, docs=args.docs, registry=args.registry,
                              seed=args.seed, difficulty=args.difficulty, progress=show,
                              images=not args.no_images, workers=args.workers)
    print(file=sys.stderr)
    print(f"{summary.files} files, {summary.pages} pages, {summary.records} records, "
          f"{summary.registry_rows} registry rows -> {summary.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
