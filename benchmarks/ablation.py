"""Preprocessing ablation: each step off vs all on, field accuracy and time per page.

    .venv/bin/python benchmarks/ablation.py --docs 20 --seed 2027 --write-results

Draws fixed-seed "typical" and "hard" corpora (sohoa synth), then for every configuration
preprocesses, OCRs (one single-threaded tesseract per core) and extracts every page, and
scores the fields against the truth (no matching: this measures the image and OCR stages).
Times are per page, preprocessing (reading the page image, cleaning it, writing the result)
and Tesseract measured separately in the same run, as CPU time (this process's for
preprocessing, the tesseract child's for OCR): on a machine shared with other work, CPU time
stays put where wall time does not. Wall-clock ratios are printed too.

``--photos`` adds the phone-photo measurement: the marriage certificates of the scorecard's
hard corpus (``--docs 160 --registry 2000 --seed 2026``, drawn if absent), with perspective
correction on and off, photos and scans scored apart.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scorecard import write_results  # noqa: E402

START, END = "<!-- ablation:start -->", "<!-- ablation:end -->"
STEPS = ("remove_red", "perspective", "flatten", "orientation", "deskew", "rescale", "binarize",
         "erase_rules")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
    out, n = [], 0
    t = dict(pre=0.0, ocr=0.0, pre_wall=0.0, ocr_wall=0.0)
    for p in split_pages(Path(corpus) / "batch" / rel, tmp, max_pixels=10**9, max_pages=50,
                         pdf_dpi=300):
        w0, c0 = time.perf_counter(), time.process_time()
        pre = preprocess_file(p.path, tmp / f"pre-{p.page}.png", p.dpi, cfg)
        w1, c1, k1 = time.perf_counter(), time.process_time(), _children_cpu()
        result = recognize(pre.path, dpi=pre.dpi)
        w2, k2 = time.perf_counter(), _children_cpu()
        t["pre"] += c1 - c0
        t["ocr"] += k2 - k1
        t["pre_wall"] += w1 - w0
        t["ocr_wall"] += w2 - w1
        n += 1
        for r in extract_page(result.page, pre.tables, gazetteer=Gazetteer.load(None),
                              lexicon=SyllableLexicon.load()):
            out.append({"source": rel, "page": p.page, "row": r.row, "role": r.role,
                        "fields": {k: {"value": v.value, "status": v.status.value}
                                   for k, v in r.fields.items()}})
    return out, t, n


def run_config(corpus: Path, config: dict, workers: int, sources: list[str] | None = None) -> dict:
    """Accuracy and times of one configuration on ``corpus`` (or on ``sources`` of it only)."""
    from evaluation.scorecard import read_jsonl, score
    from ocr.pages import discover

    if sources is None:
        files, _ = discover(corpus / "batch")
        sources = [f.relative for f in files]
    with Pool(workers) as pool:
        results = pool.map(_page_job, [(str(corpus), s, config) for s in sources], chunksize=1)
    pages = sum(n for *_, n in results)
    truth = [t for t in read_jsonl(corpus / "truth.jsonl") if t["source"] in set(sources)]
    records = [r for rs, *_ in results for r in rs]
    times = {k: sum(r[1][k] for r in results) / pages for k in results[0][1]}
    row = {"accuracy": score(truth, records).overall.accuracy, "pages": pages, **times}
    photos = {s for s in sources if s.startswith("anh_chup/")}
    if photos and photos != set(sources):
        for name, keep in (("photos", photos), ("scans", set(sources) - photos)):
            row[name] = score([t for t in truth if t["source"] in keep],
                              [r for r in records if r["source"] in keep]).overall.accuracy
    return row


def _corpus(path: Path, docs: int, registry: int, seed: int, difficulty: str) -> Path:
    from synth.corpus import generate_corpus

    if not (path / "truth.jsonl").exists():
        generate_corpus(path, docs=docs, registry=registry, seed=seed, difficulty=difficulty)
    return path


def photo_rows(args) -> list[str]:
    """Marriage certificates of the scorecard's hard corpus, perspective correction on/off."""
    from evaluation.scorecard import read_jsonl

    corpus = _corpus(args.out / "scorecard-hard", 160, 2000, 2026, "hard")
    sources = sorted({t["source"] for t in read_jsonl(corpus / "truth.jsonl")
                      if t["doc_type"] == "marriage_certificate"})
    lines = ["", "Phone photos: the marriage certificates of the scorecard's hard corpus "
             f"(`--docs 160 --registry 2000 --seed 2026`, {len(sources)} files, "
             f"{sum(s.startswith('anh_chup/') for s in sources)} of them phone photos), field "
             "accuracy with perspective correction on and off:", "",
             "| configuration | all | phone photos | scans |", "|---|---|---|---|"]
    for name, config in (("all on", {}), ("perspective off", {"perspective": False})):
        r = run_config(corpus, config, args.workers, sources)
        print("photos", name, json.dumps(r), flush=True)
        lines.append(f"| {name} | {100 * r['accuracy']:.1f}% | {100 * r['photos']:.1f}% | "
                     f"{100 * r['scans']:.1f}% |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=Path("/tmp/sohoa-ablation"))
    ap.add_argument("--only-all-on", action="store_true", help="skip the steps-off rows")
    ap.add_argument("--photos", action="store_true", help="add the phone-photo measurement")
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()

    rows = []
    for difficulty in ("typical", "hard"):
        corpus = _corpus(args.out / difficulty, args.docs, 50, args.seed, difficulty)
        for off in (None,) if args.only_all_on else (None, *STEPS):
            config = {} if off is None else {off: False}
            r = run_config(corpus, config, args.workers)
            rows.append((difficulty, off or "all on", r))
            print(difficulty, off or "all on", json.dumps(r), flush=True)
    command = (f"python benchmarks/ablation.py --docs {args.docs} --seed {args.seed}"
               f"{' --photos' if args.photos else ''}"
               f"{' --write-results' if args.write_results else ''}")
    lines = [START, "", "## Preprocessing ablation (each step off vs all on)", "",
             f"Command: `{command}`; fields of every record, no matching. Times per page in the "
             "same run, as CPU seconds: preprocessing (reading the page as ingest hands it on: "
             "the scan's own JPEG, PNG or TIFF, or the image a PDF page holds; cleaning it; "
             "writing the 1-bit result) in the worker, Tesseract in its child process; the "
             "last column is the same ratio in wall-clock time. Perspective correction acts "
             "on phone photos only (the typical corpus has none); whether flattening earns "
             "its place on typical is measured on more pages in the flatten-gate section.", "",
             "| corpus | configuration | field accuracy | preprocess s/page | tesseract s/page "
             "| preprocess / tesseract | (wall) |",
             "|---|---|---|---|---|---|---|"]
    for difficulty, name, r in rows:
        lines.append(f"| {difficulty} | {name if name == 'all on' else name + ' off'} | "
                     f"{100 * r['accuracy']:.1f}% | {r['pre']:.3f} | {r['ocr']:.3f} | "
                     f"{r['pre'] / r['ocr']:.0%} | {r['pre_wall'] / r['ocr_wall']:.0%} |")
    if args.photos:
        lines += photo_rows(args)
    lines += ["", END]
    section = "\n".join(lines)
    print(section)
    if args.write_results:
        write_results(section, START, END)


if __name__ == "__main__":
    main()
