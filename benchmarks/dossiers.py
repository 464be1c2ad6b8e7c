"""Dossier pages: classification accuracy and ID-card numbers on synthetic dossiers.

    .venv/bin/python benchmarks/dossiers.py --dossiers 60 --write-results
    .venv/bin/python benchmarks/dossiers.py --difficulty typical hard --dossiers 40

Draws fixed-seed corpora of dossiers only (``sohoa synth OUT --docs 0 --dossiers N``), then
runs every page through the OCR stage as the batch flow does (``ocr.page.process_page``:
preprocess, OCR, page cues and card reading, classification, extraction; a pool of worker
processes, one single-threaded tesseract each) and scores:

- classification: the page's class against the truth (confusion matrix);
- ID-card numbers: every card holder of the truth, the 12-digit number read exactly, and how
  many numbers marked ``auto`` are wrong;
- fields per document type (evaluation.scorecard, records paired by source, page, row, role).
Writes the section between the dossiers markers of benchmarks/RESULTS.md (--write-results).
Slow (OCR of every page, plus one OCR call per ID card): a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scorecard import write_results  # noqa: E402

START, END = "<!-- dossiers:start -->", "<!-- dossiers:end -->"
CLASSES = ("declaration_form", "id_card", "birth_certificate", "birth_register",
           "marriage_certificate", "death_extract", "other", "blank", "unknown")


def _file_job(args: tuple[str, str]) -> list[dict]:
    from kernel.places import Gazetteer
    from kernel.syllables import SyllableLexicon
    from ocr.layout import table_to_dict
    from ocr.page import process_page
    from ocr.pages import split_pages

    batch, rel = args
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-dossier-bench-"))
    out = []
    for p in split_pages(Path(batch) / rel, tmp, max_pixels=150_000_000, max_pages=50,
                         pdf_dpi=300):
        t0 = time.perf_counter()
        try:
            result = process_page(p.path, p.page, dpi=p.dpi, lang="vie", timeout_s=300,
                                  auto_min=0.8, gazetteer=Gazetteer.load(None),
                                  lexicon=SyllableLexicon.load())
        except Exception as exc:  # a failed page counts as misread, the run goes on
            out.append({"source": rel, "page": p.page, "doc_class": "error", "seconds": 0.0,
                        "quality": [], "error": repr(exc), "records": []})
            continue
        out.append({"source": rel, "page": p.page, "doc_class": result.doc_class,
                    "seconds": time.perf_counter() - t0, "quality": list(result.quality),
                    "words": str(result.words), "cues": str(result.cues),
                    "tables": [table_to_dict(t) for t in result.tables],
                    "records": _records(rel, p.page, result.records)})
    return out


def _records(rel: str, page: int, records) -> list[dict]:
    return [{"source": rel, "page": page, "row": r.row, "role": r.role,
             "doc_type": r.doc_type.value,
             "fields": {k: {"value": v.value, "status": v.status.value, "reasons": list(v.reasons)}
                        for k, v in r.fields.items()}} for r in records]


def reextract(pages: list[dict]) -> list[dict]:
    """Classification and extraction again from the saved words, tables and cues (no OCR):
    for working on the readers."""
    from kernel.places import Gazetteer
    from kernel.syllables import SyllableLexicon
    from ocr.classify import load_cues, resolved_class
    from ocr.extract import extract_page
    from ocr.layout import table_from_dict
    from ocr.page import load_words

    gazetteer, lexicon = Gazetteer.load(None), SyllableLexicon.load()
    out = []
    for p in pages:
        if "words" not in p:
            out.append(p)
            continue
        words, cues = load_words(Path(p["words"])), load_cues(Path(p["cues"]))
        tables = tuple(table_from_dict(t) for t in p["tables"])
        records = extract_page(words, tables, gazetteer=gazetteer, lexicon=lexicon, cues=cues)
        out.append(p | {"doc_class": resolved_class(words, tables, cues, records),
                        "records": _records(p["source"], p["page"], records)})
    return out


def run_corpus(corpus: Path, workers: int) -> list[dict]:
    from ocr.pages import discover

    files, _ = discover(corpus / "batch")
    jobs = [(str(corpus / "batch"), f.relative) for f in files if f.relative.endswith(
        (".png", ".jpg", ".tif", ".pdf"))]
    with Pool(workers) as pool:
        return [page for pages in pool.imap(_file_job, jobs, chunksize=1) for page in pages]


def score(corpus: Path, pages: list[dict]) -> dict:
    from evaluation.scorecard import read_jsonl, score as score_fields

    truth_pages = {(p["source"], p["page"]): p["doc_class"]
                   for d in read_jsonl(corpus / "dossiers.jsonl") for p in d["pages"]}
    confusion: Counter[tuple[str, str]] = Counter()
    for p in pages:
        confusion[(truth_pages[(p["source"], p["page"])], p["doc_class"])] += 1
    right = sum(n for (t, g), n in confusion.items() if t == g)
    truth = read_jsonl(corpus / "truth.jsonl")
    records = [r for p in pages for r in p["records"]]
    by_key = {(r["source"], r["page"], r["row"], r["role"]): r for r in records}
    cards = [t for t in truth if t["doc_type"] == "id_card"]
    ids_right = ids_auto = ids_auto_wrong = 0
    misses = []
    for t in cards:
        got = by_key.get((t["source"], t["page"], t["row"], t["role"]), {}).get("fields", {})
        value = (got.get("id_number") or {}).get("value")
        status = (got.get("id_number") or {}).get("status")
        ok = value == t["fields"]["id_number"]
        ids_right += ok
        ids_auto += status == "auto"
        ids_auto_wrong += status == "auto" and not ok
        if not ok:
            misses.append({"source": t["source"], "page": t["page"], "row": t["row"],
                           "truth_masked": t["fields"]["id_number"][:4] + "…",
                           "read": None if value is None else len(value)})
    card = score_fields(truth, records)
    return {
        "pages": len(pages), "classified_right": right,
        "classification_accuracy": right / len(pages) if pages else 0.0,
        "confusion": {f"{t}->{g}": n for (t, g), n in sorted(confusion.items())},
        "id_cards": len(cards), "id_right": ids_right,
        "id_accuracy": ids_right / len(cards) if cards else 0.0,
        "id_auto": ids_auto, "id_auto_wrong": ids_auto_wrong, "id_misses": misses,
        "per_doc_type": {k: v.as_dict() for k, v in card.per_doc_type.items()},
        "per_field_id_card": {k: v.as_dict() for k, v in _per_field(truth, records, "id_card").items()},
        "missed_records": card.missed, "extra_records": card.extra,
        "seconds_per_page": sum(p["seconds"] for p in pages) / len(pages) if pages else 0.0,
        "errors": [p["error"] for p in pages if "error" in p],
        "quality_flags": dict(Counter(f"{truth_pages[(p['source'], p['page'])]}:{q}"
                                      for p in pages for q in p["quality"])),
    }


def _per_field(truth: list[dict], records: list[dict], doc_type: str) -> dict:
    from evaluation.scorecard import score as score_fields

    card = score_fields([t for t in truth if t["doc_type"] == doc_type],
                        [r for r in records if r["doc_type"] == doc_type])
    return dict(card.per_field)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def markdown(results: list[tuple[str, dict]], command: str) -> str:
    lines = [START, "", "## Dossiers: page classification and ID-card numbers", "",
             f"Command: `{command}`  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}. Every page "
             "through `ocr.page.process_page` (preprocess, OCR, card finding and reading, "
             "classification, extraction); no matching.", "",
             "| corpus | pages | classification | ID cards | ID number exact | ID auto | "
             "ID auto wrong | s/page |", "|---|---|---|---|---|---|---|---|"]
    for name, r in results:
        lines.append(f"| {name} | {r['pages']} | {pct(r['classification_accuracy'])} "
                     f"({r['classified_right']}/{r['pages']}) | {r['id_cards']} | "
                     f"{pct(r['id_accuracy'])} ({r['id_right']}/{r['id_cards']}) | "
                     f"{r['id_auto']} | {r['id_auto_wrong']} | {r['seconds_per_page']:.1f} |")
    for name, r in results:
        lines += ["", f"Confusion, {name} (truth -> predicted: pages):", "",
                  ", ".join(f"{k}: {v}" for k, v in r["confusion"].items())]
        lines += ["", f"Field accuracy by document type, {name}:", "",
                  "| document type | fields | accuracy | auto | auto wrong |", "|---|---|---|---|---|"]
        for t, s in sorted(r["per_doc_type"].items()):
            lines.append(f"| {t} | {s['fields']} | {pct(s['accuracy'])} | {s['auto']} | "
                         f"{s['auto_wrong']} |")
        lines += ["", f"ID-card fields, {name}:", "",
                  "| field | accuracy | auto | auto wrong |", "|---|---|---|---|"]
        for f, s in r["per_field_id_card"].items():
            lines.append(f"| {f} | {pct(s['accuracy'])} | {s['auto']} | {s['auto_wrong']} |")
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--difficulty", nargs="+", default=["typical"])
    ap.add_argument("--dossiers", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2028)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=Path("/tmp/sohoa-dossiers"))
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--rescore", action="store_true",
                    help="re-run classification and extraction from the last run's words")
    args = ap.parse_args()
    from synth.corpus import generate_corpus

    results = []
    for difficulty in args.difficulty:
        corpus = args.out / f"{difficulty}-{args.dossiers}-{args.seed}"
        if not (corpus / "dossiers.jsonl").exists():
            generate_corpus(corpus, docs=0, registry=50, seed=args.seed, difficulty=difficulty,
                            dossiers=args.dossiers, workers=args.workers)
        if args.rescore:
            pages = reextract(json.loads((corpus / "pages.json").read_text(encoding="utf-8")))
            failed = sorted({p["source"] for p in pages if "error" in p})
            if failed:  # pages that failed last time (OCR and all) are run again
                with Pool(args.workers) as pool:
                    again = [q for qs in pool.imap(_file_job, [(str(corpus / "batch"), s)
                                                               for s in failed]) for q in qs]
                pages = [p for p in pages if p["source"] not in failed] + again
        else:
            pages = run_corpus(corpus, args.workers)
        (corpus / "pages.json").write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
        r = score(corpus, pages)
        (corpus / "dossier_score.json").write_text(json.dumps(r, ensure_ascii=False, indent=1))
        print(difficulty, json.dumps({k: v for k, v in r.items()
                                      if k not in ("per_doc_type", "per_field_id_card")}),
              flush=True)
        results.append((difficulty, r))
    command = "python benchmarks/dossiers.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    section = markdown(results, command.strip())
    print(section)
    if args.write_results:
        write_results(section, START, END)


if __name__ == "__main__":
    main()
