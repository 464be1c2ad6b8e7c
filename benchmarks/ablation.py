"""Preprocessing ablation: each step off vs all on, field accuracy and time per page.

    .venv/bin/python benchmarks/ablation.py --docs 30 --write-results

Draws fixed-seed "typical" and "hard" corpora (sohoa synth), then for every configuration
preprocesses, OCRs (one single-threaded tesseract per core) and extracts every page, and
scores the fields against the truth (no matching: this measures the image and OCR stages).
Times are per page, preprocessing and Tesseract measured separately in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scorecard import write_results  # noqa: E402

START, END = "<!-- ablation:start -->", "<!-- ablation:end -->"
STEPS = ("remove_red", "flatten", "orientation", "deskew", "rescale", "binarize", "erase_rules")


def _page_job(args):
    from kernel.places import Gazetteer
    from kernel.syllables import SyllableLexicon
    from ocr.extract import extract_page
    from ocr.pages import split_pages
    from ocr.preprocess import PreprocessConfig, preprocess_file
    from ocr.tesseract import recognize

    corpus, rel, config = args
    cfg = PreprocessConfig(**config)
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-ablation-"))
    out, t_pre, t_ocr, n = [], 0.0, 0.0, 0
    for p in split_pages(Path(corpus) / "batch" / rel, tmp, max_pixels=10**9, max_pages=50,
                         pdf_dpi=300):
        t0 = time.perf_counter()
        pre = preprocess_file(p.path, tmp / f"pre-{p.page}.png", p.dpi, cfg)
        t1 = time.perf_counter()
        result = recognize(pre.path, dpi=pre.dpi)
        t2 = time.perf_counter()
        t_pre, t_ocr, n = t_pre + t1 - t0, t_ocr + t2 - t1, n + 1
        for r in extract_page(result.page, pre.tables, gazetteer=Gazetteer.load(None),
                              lexicon=SyllableLexicon.load()):
            out.append({"source": rel, "page": p.page, "row": r.row, "role": r.role,
                        "fields": {k: {"value": v.value, "status": v.status.value}
                                   for k, v in r.fields.items()}})
    return out, t_pre, t_ocr, n


def run_config(corpus: Path, config: dict, workers: int) -> dict:
    from evaluation.scorecard import read_jsonl, score
    from ocr.pages import discover

    files, _ = discover(corpus / "batch")
    with Pool(workers) as pool:
        results = pool.map(_page_job, [(str(corpus), f.relative, config) for f in files], chunksize=1)
    records = [r for rs, *_ in results for r in rs]
    pages = sum(n for *_, n in results)
    card = score(read_jsonl(corpus / "truth.jsonl"), records)
    return {"accuracy": card.overall.accuracy, "pre_s": sum(r[1] for r in results) / pages,
            "ocr_s": sum(r[2] for r in results) / pages, "pages": pages}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=Path("/tmp/sohoa-ablation"))
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    from synth.corpus import generate_corpus

    rows = []
    for difficulty in ("typical", "hard"):
        corpus = args.out / difficulty
        if not (corpus / "truth.jsonl").exists():
            generate_corpus(corpus, docs=args.docs, registry=50, seed=args.seed, difficulty=difficulty)
        for off in (None, *STEPS):
            config = {} if off is None else {off: False}
            r = run_config(corpus, config, args.workers)
            rows.append((difficulty, off or "all on", r))
            print(difficulty, off or "all on", json.dumps(r), flush=True)
    lines = [START, "", "## Preprocessing ablation (each step off vs all on)", "",
             f"Command: `python benchmarks/ablation.py --docs {args.docs} --seed {args.seed}"
             f"{' --write-results' if args.write_results else ''}`; fields of every record, "
             "no matching; times per page in the same run (preprocessing vs Tesseract).", "",
             "| corpus | configuration | field accuracy | preprocess s/page | tesseract s/page | preprocess / tesseract |",
             "|---|---|---|---|---|---|"]
    for difficulty, name, r in rows:
        lines.append(f"| {difficulty} | {name if name == 'all on' else name + ' off'} | "
                     f"{100 * r['accuracy']:.1f}% | {r['pre_s']:.3f} | {r['ocr_s']:.3f} | "
                     f"{r['pre_s'] / r['ocr_s']:.0%} |")
    lines += ["", END]
    section = "\n".join(lines)
    print(section)
    if args.write_results:
        write_results(section, START, END)


if __name__ == "__main__":
    main()
