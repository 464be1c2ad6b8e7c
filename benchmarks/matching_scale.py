"""The matching benchmark: 10,000 extracted records against a registry of 1,000,000 people.

    .venv/bin/python benchmarks/matching_scale.py --splink --write-results

For each corpus (``--scale``: 1 = typical OCR slips, 2 = twice as many, the hard corpus):
generates the data (``benchmarks/matching_data.py``, fixed seed) unless it is there, imports
the registry into SQLite (time, peak memory), matches the records on ``--workers`` processes
(time, peak memory of the whole process tree), scores the decisions against the truth, and
with ``--splink`` runs Splink (DuckDB) on the same data (``benchmarks/matching_splink.py``).
``--write-results`` puts the table between the matching markers of benchmarks/RESULTS.md.

Precision = right links / links made; recall = right links / records whose person is in the
registry; blocking recall = records whose person is among the candidates / those records.
Slow (minutes): a benchmark, not a test. Splink needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- matching:start -->", "<!-- matching:end -->"


# -- peak memory of a process tree (from /proc; shared pages count once per process) ----------

def _tree_rss_kib(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, stack = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


class PeakMemory:
    """Samples the RSS of a process and its children every 0.1 s."""

    def __init__(self, pid: int | None = None) -> None:
        self.pid = pid or os.getpid()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_kib(self.pid))
            self._stop.wait(0.1)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss_kib(self.pid))

    @property
    def mib(self) -> float:
        return self.peak / 1024


# -- scoring ----------------------------------------------------------------------------------

def read_truth(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        return {r["query_id"]: r["registry_id"] for r in csv.DictReader(fh)}


def score_links(links: dict[str, str], truth: dict[str, str]) -> dict:
    present = sum(1 for v in truth.values() if v)
    right = sum(1 for q, r in links.items() if truth.get(q) == r)
    wrong = len(links) - right
    precision = right / len(links) if links else 1.0
    recall = right / present if present else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"links": len(links), "right": right, "wrong": wrong, "precision": precision,
            "recall": recall, "f1": f1}


def run_sohoa(data: Path, workers: int) -> dict:
    from matching.bulk import Thresholds, match_queries, read_records
    from matching.registry import RegistryStore

    db = data / "registry.sqlite"
    url = f"sqlite:///{db}"
    imported = None
    if not db.exists():
        with PeakMemory() as mem:
            t0 = time.monotonic()
            with RegistryStore(url) as store:
                report = store.import_csv(data / "registry.csv")
            imported = {"seconds": time.monotonic() - t0, "peak_mib": mem.mib,
                        "rows": report.rows, "rejected": len(report.errors)}
        (data / "import.json").write_text(json.dumps(imported))
    else:
        imported = json.loads((data / "import.json").read_text())
    with RegistryStore(url) as store:  # u estimates of this rule set (made at import time
        store.rules_for()              # when it was the default; here if it changed since)
    truth = read_truth(data / "truth.csv")
    load = os.getloadavg()[0]
    with PeakMemory() as mem:
        t0 = time.monotonic()
        records = read_records(data / "records.csv")
        matches, rules = match_queries(url, records.queries, Thresholds(0.88, 0.5, 0.08, 5),
                                       workers=workers, keep_blocked=True)
        seconds = time.monotonic() - t0
    links = {m.query_id: m.result.registry_id for m in matches
             if m.result.decision.value == "matched"}
    present = [m for m in matches if truth[m.query_id]]
    blocked = sum(1 for m in present if truth[m.query_id] in m.blocked)
    review = sum(1 for m in matches if m.result.decision.value == "review")
    absent_linked = sum(1 for m in matches if not truth[m.query_id]
                        and m.result.decision.value == "matched")
    wrong = [(m.query_id, truth[m.query_id], m.result.registry_id, m.explanation)
             for m in matches if m.result.decision.value == "matched"
             and m.result.registry_id != truth[m.query_id]]
    return {"import": imported, "match_seconds": seconds, "match_peak_mib": mem.mib,
            "load_average": load,
            "scores": score_links(links, truth), "blocking_recall": blocked / len(present),
            "review": review, "absent_linked": absent_linked, "records": len(matches),
            "rules": rules.provenance(), "wrong_examples": wrong[:5]}


def run_splink(data: Path) -> dict:
    """Splink in its own process (its memory measured alone)."""
    cmd = [sys.executable, str(Path(__file__)), "--splink-only", str(data)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as mem:
        out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"splink failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mib"] = mem.mib
    return result


def splink_only(data: Path) -> None:
    import logging

    import matching_splink
    from matching.bulk import read_records

    logging.disable(logging.WARNING)
    truth = read_truth(data / "truth.csv")
    records = read_records(data / "records.csv")
    t0 = time.monotonic()
    res = matching_splink.run(data / "registry.sqlite", records.queries, truth)
    seconds = time.monotonic() - t0
    print(json.dumps({"seconds": seconds, "load_s": res["load_s"], "train_s": res["train_s"],
                      "predict_s": res["predict_s"], "pairs": res["pairs"],
                      "scores": score_links(res["links"], truth),
                      "scores_checked": score_links(res["links_checked"], truth)}))


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def markdown(runs: list[dict], command: str) -> str:
    lines = [START, "", "## Matching at province scale", "",
             f"Command: `{command}`  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}. SQLite "
             "registry; peak memory is the resident memory of the whole process tree "
             "(workers included), sampled every 0.1 s.", ""]
    for r in runs:
        s, sp = r["sohoa"], r.get("splink")
        c = r["corpus"]
        d = c["distractors"]
        lines += [f"### {r['label']}: {c['records']:,} records against {c['people']:,} people",
                  "",
                  f"Data: `benchmarks/matching_data.py --people {c['people']} --records "
                  f"{c['records']} --seed {c['seed']} --scale {c['scale']}`; distractors in "
                  f"the registry: {d['sibling']} siblings, {d['twin']} twins, {d['namesake']} "
                  f"namesakes, {d['near_name']} near-names; {d['absent']} records' people "
                  "absent.", "",
                  "| | precision | recall | F1 | links right / wrong | to review | "
                  "time | peak memory |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        sc = s["scores"]
        lines.append(f"| sohoa ({s['rules']}) | {pct(sc['precision'])} | {pct(sc['recall'])} "
                     f"| {sc['f1']:.4f} | {sc['right']} / {sc['wrong']} | {s['review']} | "
                     f"{s['match_seconds']:.1f} s | {s['match_peak_mib']:.0f} MiB |")
        if sp:
            for key, name in (("scores", "Splink 5 (DuckDB), best candidate >= 0.99"),
                              ("scores_checked", "Splink, same + no second >= 0.5")):
                x = sp[key]
                lines.append(f"| {name} | {pct(x['precision'])} | {pct(x['recall'])} | "
                             f"{x['f1']:.4f} | {x['right']} / {x['wrong']} | - | "
                             f"{sp['seconds']:.1f} s | {sp['peak_mib']:.0f} MiB |")
        imp = s["import"]
        lines += ["", f"- sohoa blocking recall (the true entry among the candidates): "
                      f"{pct(s['blocking_recall'])}; absent people linked: "
                      f"{s['absent_linked']}; machine load average when matching started: "
                      f"{s.get('load_average', 0):.1f} (other jobs share the 2 cores).",
                  f"- Registry import (CSV to SQLite with keys, term frequencies and u "
                  f"estimates): {imp['seconds']:.0f} s, peak {imp['peak_mib']:.0f} MiB, "
                  f"{imp['rows']:,} rows."]
        if sp:
            lines.append(f"- Splink: load {sp['load_s']:.0f} s, training (u by 2M random "
                         f"pairs, 2 EM rounds) {sp['train_s']:.0f} s, prediction "
                         f"{sp['predict_s']:.0f} s ({sp['pairs']:,} pairs >= 0.01).")
        lines.append("")
    lines += [END]
    return "\n".join(lines)


def write_results(text: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        _, tail = rest.split(END, 1)
        current = head + text + tail
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(current, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/sohoa-matching-bench"))
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scales", default="1,2", help="corruption scales, comma-separated")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--splink", action="store_true")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--splink-only", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.splink_only:
        splink_only(args.splink_only)
        return
    from matching_data import generate

    runs = []
    for scale in [float(s) for s in args.scales.split(",")]:
        data = args.out / f"p{args.people}-r{args.records}-s{args.seed}-x{scale:g}"
        summary_path = data / "corpus.json"
        if not summary_path.exists():
            summary = generate(data, args.people, args.records, args.seed, scale)
            summary_path.write_text(json.dumps(summary))
        corpus = json.loads(summary_path.read_text())
        label = "typical" if scale <= 1 else f"hard (OCR slips x{scale:g})"
        run = {"label": label, "corpus": corpus, "sohoa": run_sohoa(data, args.workers)}
        if args.splink:
            run["splink"] = run_splink(data)
        print(json.dumps(run, ensure_ascii=False, indent=1, default=str))
        runs.append(run)
    if args.write_results:
        command = ".venv/bin/python benchmarks/matching_scale.py " + shlex.join(
            a for a in sys.argv[1:])
        write_results(markdown(runs, command))


if __name__ == "__main__":
    main()
