"""Calibrating "auto": how often a field marked auto is wrong, per field group and threshold.

    .venv/bin/python benchmarks/calibration.py cache DIR...     # OCR every page once (slow)
    .venv/bin/python benchmarks/calibration.py extract DIR...   # extraction + matching again
    .venv/bin/python benchmarks/calibration.py errors DIR       # every wrong auto field
    .venv/bin/python benchmarks/calibration.py table DIR... [--write-results]

DIR is a corpus written by ``sohoa synth`` or benchmarks/scorecard.py (``batch/``,
``truth.jsonl``, ``registry.csv``). ``cache`` runs the pipeline's own page splitting,
preprocessing and tesseract call once per page and keeps the words and tables in
``DIR/cache/``; ``extract`` re-runs everything after OCR from that cache - extraction, the
cross-checks, the registry link and the name confirmation of the flow (``flows/tasks.py
build_record``) - in seconds, writes ``DIR/reextract.jsonl`` (with the review reasons) and
prints the scores. ``table`` prints, for each field group, the share of fields that would be
auto and the error among them for each confidence threshold: the numbers behind the
thresholds of kernel/settings.py. The scorecard of the real flow (benchmarks/scorecard.py)
remains the final measure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, END = "<!-- calibration:start -->", "<!-- calibration:end -->"
GROUPS = {"name": ("full_name", "mother_name", "father_name"),
          "place": ("place_of_birth", "hometown", "registration_place", "residence",
                    "place_of_death"),
          "id": ("id_number",)}
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def group_of(field: str) -> str:
    return next((g for g, names in GROUPS.items() if field in names), "structured")


# --- cache ------------------------------------------------------------------------------

def _cache_file(corpus: Path, relative: str) -> Path:
    return corpus / "cache" / (relative.replace("/", "__") + ".json")


def _ocr_file(job: tuple[str, str]) -> None:
    from ocr.layout import table_to_dict
    from ocr.pages import split_pages
    from ocr.preprocess import preprocess_file
    from ocr.tesseract import recognize

    corpus, relative = Path(job[0]), job[1]
    out = _cache_file(corpus, relative)
    if out.exists():
        return
    tmp = Path(tempfile.mkdtemp(prefix="sohoa-calib-"))
    try:
        pages = split_pages(corpus / "batch" / relative, tmp, max_pixels=10**9, max_pages=500,
                            pdf_dpi=300)
        entries = []
        for p in pages:
            pre = preprocess_file(p.path, tmp / f"pre{p.page}.png", p.dpi)
            result = recognize(pre.path, dpi=pre.dpi)
            entries.append({"page": p.page, "ocr": json.loads(result.page.model_dump_json()),
                            "tables": [table_to_dict(t) for t in pre.tables]})
        out.write_text(json.dumps(entries), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cache(corpora: list[Path], workers: int) -> None:
    from ocr.pages import discover

    for corpus in corpora:
        (corpus / "cache").mkdir(exist_ok=True)
        files, _ = discover(corpus / "batch")
        with Pool(workers) as pool:
            pool.map(_ocr_file, [(str(corpus), f.relative) for f in files], chunksize=1)
        print(f"{corpus}: {len(files)} files cached", flush=True)


# --- extract ----------------------------------------------------------------------------

def _store(corpus: Path):
    from matching.registry import RegistryStore

    db = corpus / "calibration-registry.sqlite"
    fresh = not db.exists()
    store = RegistryStore(f"sqlite:///{db}")
    if fresh:
        store.import_csv(corpus / "registry.csv")
    return store


def extract(corpus: Path, *, link: bool = True) -> list[dict]:
    from kernel.places import Gazetteer
    from kernel.records import MatchDecision, OcrPage
    from kernel.settings import Settings
    from kernel.syllables import SyllableLexicon
    from matching.confirm import confirm_names
    from matching.score import match_record
    from ocr.extract import extract_page
    from ocr.layout import table_from_dict

    s = Settings()
    gazetteer, lexicon = Gazetteer.load(s.admin_units), SyllableLexicon.load(
        str(s.word_lists) if s.word_lists else None)
    store = _store(corpus) if link else None
    out = []
    for path in sorted((corpus / "cache").glob("*.json")):
        relative = path.name[:-len(".json")].replace("__", "/")
        for entry in json.loads(path.read_text(encoding="utf-8")):
            page = OcrPage.model_validate(entry["ocr"])
            tables = tuple(table_from_dict(t) for t in entry["tables"])
            for r in extract_page(page, tables, auto_min=s.field_auto_min_confidence,
                                  structured_auto_min=s.field_auto_min_structured,
                                  gazetteer=gazetteer, lexicon=lexicon):
                fields, decision = r.fields, "no_match"
                if store is not None:
                    m = match_record(store, {k: v.value for k, v in fields.items()},
                                     upper=s.match_upper, lower=s.match_lower,
                                     margin=s.match_margin, max_candidates=s.match_max_candidates)
                    decision = m.decision.value
                    person = store.get(m.registry_id) if (
                        m.decision is MatchDecision.MATCHED and m.registry_id) else None
                    if person is not None:
                        fields = confirm_names(fields, person)
                out.append({"source": relative, "page": entry["page"], "row": r.row,
                            "role": r.role, "doc_type": r.doc_type.value,
                            "fields": {k: {"value": v.value, "confidence": v.confidence,
                                           "status": v.status.value, "reasons": list(v.reasons)}
                                       for k, v in fields.items()},
                            "match": {"decision": decision}})
    if store is not None:
        store.close()
    (corpus / "reextract.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    return out


def summary(corpus: Path) -> dict:
    from evaluation.scorecard import read_jsonl, score

    card = score(read_jsonl(corpus / "truth.jsonl"), read_jsonl(corpus / "reextract.jsonl"))
    f = card.as_dict()["fields"]
    return {"corpus": corpus.name, "accuracy": f["accuracy"], "auto": round(1 - f["review_rate"], 4),
            "auto_error": f["auto_error_rate"], "auto_wrong": f["auto_wrong"],
            "missed": card.missed, "extra": card.extra}


# --- analysis ---------------------------------------------------------------------------

def pairs(corpus: Path):
    """(truth record, field, true value, exported field dict or {}) for every true field."""
    from evaluation.scorecard import read_jsonl, record_key

    got = {record_key(r): r for r in read_jsonl(corpus / "reextract.jsonl")}
    for t in read_jsonl(corpus / "truth.jsonl"):
        r = got.get(record_key(t)) or {"fields": {}}
        for name, value in t["fields"].items():
            yield t, name, value, r["fields"].get(name) or {}


def errors(corpus: Path, status: str = "auto") -> Counter:
    from evaluation.scorecard import canonical_value

    count: Counter = Counter()
    for t, name, value, f in pairs(corpus):
        if f.get("status", "review") != status or canonical_value(value) == canonical_value(
                f.get("value")):
            continue
        count[(t["doc_type"], name)] += 1
        print(f"{t['doc_type'][:14]:14} {name:19} true={value!r} read={f.get('value')!r} "
              f"conf={f.get('confidence', 0):.2f} {','.join(f.get('reasons', []))} "
              f"| {t['source']} p{t['page']} r{t.get('row')} {t.get('role') or ''}")
    for key, n in count.most_common():
        print(n, *key)
    return count


def table(corpora: list[Path]) -> list[str]:
    """Markdown rows: group, threshold, auto share of all fields, wrong among auto."""
    from evaluation.scorecard import canonical_value

    rows: dict[tuple[str, str], list[tuple[float, bool, bool]]] = {}
    for corpus in corpora:
        for t, name, value, f in pairs(corpus):
            eligible = f.get("status") == "auto" or f.get("reasons") == ["low_ocr_confidence"]
            ok = canonical_value(value) == canonical_value(f.get("value"))
            rows.setdefault((f"{corpus.parent.name}/{corpus.name}", group_of(name)), []).append(
                (f.get("confidence", 0.0), eligible, ok))
    lines = ["| corpus | group | fields | " + " | ".join(f">= {t}" for t in THRESHOLDS) + " |",
             "|---|---|---|" + "---|" * len(THRESHOLDS)]
    for (corpus, group), items in sorted(rows.items()):
        cells = []
        for th in THRESHOLDS:
            auto = [ok for conf, eligible, ok in items if eligible and conf >= th]
            wrong = sum(not ok for ok in auto)
            cells.append(f"{100 * len(auto) / len(items):.1f}% / {100 * wrong / max(1, len(auto)):.2f}%")
        lines.append(f"| {corpus} | {group} | {len(items)} | " + " | ".join(cells) + " |")
    return lines


def chosen_table(corpora: list[Path]) -> list[str]:
    """Markdown rows: each corpus's field accuracy, auto share and error among auto as extracted."""
    lines = ["| corpus | records | fields | field accuracy | fields auto | error among auto (wrong) |",
             "|---|---|---|---|---|---|"]
    for corpus in corpora:
        s = summary(corpus)
        records = sum(1 for _ in open(corpus / "truth.jsonl", encoding="utf-8"))
        fields = sum(1 for _ in pairs(corpus))
        lines.append(f"| {corpus.parent.name}/{corpus.name} | {records} | {fields} | "
                     f"{100 * s['accuracy']:.1f}% | {100 * s['auto']:.1f}% | "
                     f"{100 * s['auto_error']:.2f}% ({s['auto_wrong']}) |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["cache", "extract", "errors", "review", "table"])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-link", action="store_true", help="extract without the registry link")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--note", default="", help="how the corpora were made (written with the table)")
    args = ap.parse_args()
    if args.command == "cache":
        cache(args.corpora, args.workers)
    elif args.command == "extract":
        for corpus in args.corpora:
            extract(corpus, link=not args.no_link)
            print(json.dumps(summary(corpus)), flush=True)
    elif args.command in ("errors", "review"):
        for corpus in args.corpora:
            errors(corpus, "auto" if args.command == "errors" else "review")
    else:
        lines = table(args.corpora)
        chosen = chosen_table(args.corpora)
        print("\n".join(chosen + [""] + lines))
        if args.write_results:
            from benchmarks.scorecard import write_results

            command = "python benchmarks/calibration.py table " + " ".join(map(str, args.corpora))
            write_results("\n".join([
                START, "", "## Calibration of auto", "",
                f"Command: `{command}` (after `cache` and `extract` of each corpus: OCR once, "
                "then extraction, checks, registry link and name confirmation as in the flow)."
                f"  \nMachine: {platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}.",
                *([f"Corpora: {args.note}"] if args.note else []), "",
                "With the thresholds in force (names, places, ID numbers: "
                "`SOHOA_FIELD_AUTO_MIN_CONFIDENCE`; other fields: `SOHOA_FIELD_AUTO_MIN_STRUCTURED`):",
                "", *chosen, "", "Share of all fields that would be auto / error among them, by "
                "threshold and field group (a field counts when nothing but its confidence holds "
                "it back; 'structured': dates, sex, ethnic group, nationality, numbers, years):",
                "", *lines, "", END]), START, END)


if __name__ == "__main__":
    main()
