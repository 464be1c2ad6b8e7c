"""Throughput: the whole pipeline against bare Tesseract on the same pages, and memory as
batches grow.

    .venv/bin/python benchmarks/throughput.py --pages 100 1000 --write-results
    .venv/bin/python benchmarks/throughput.py --pages 40 120          # a quick check

For each size N, a typical synthetic batch of N pages (``sohoa synth``: documents of one or
two pages, register pages too) and its registry; then, in the same run:

1. bare Tesseract on the pages exactly as the pipeline splits them (``ocr.pages.split_pages``):
   ``tesseract PAGE OUT -l vie --psm 4 [--dpi D] hocr tsv`` with ``OMP_THREAD_LIMIT=1``,
   ``--workers`` processes at once (one per core), as ``ocr/tesseract.py`` calls it;
2. the pipeline: ``sohoa run BATCH --workers W`` in a child process, OCR cache off, a fresh
   data folder (ingest, preprocessing, OCR, extraction, matching, archive, export, reports).

Pages per second of each and their ratio (target >= 0.85): from the flow's own time (the
receipt's ``seconds``) and from the whole command's wall time (process start and the
temporary Prefect API included). Peak memory: RSS of each process tree, sampled every 0.1 s
(psutil), and of the ``sohoa`` process alone: it should stay flat as N grows.
``--stages K`` also times the stages of K pages one at a time in this process (split,
preprocess, Tesseract on the cleaned page, extraction; bare Tesseract on the raw page) to show
where the pipeline's time goes. Slow: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scorecard import write_results  # noqa: E402

START, END = "<!-- throughput:start -->", "<!-- throughput:end -->"
SEED = 2031


class PeakRss:
    """Peak RSS (MB) of a process and all its descendants, sampled in a thread; and the CPU
    seconds each kind of process used (last sample of each: short-lived processes lose at most
    one sampling interval)."""

    def __init__(self, pid: int, every_s: float = 0.1, children_only: bool = False) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.children_only = children_only  # this benchmark's own process is not measured
        self.every_s = every_s
        self.tree_mb = 0.0
        self.root_mb = 0.0
        self._cpu: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _kind(self, proc) -> str:
        if proc.pid == self.root.pid:
            return "sohoa"
        cmd = " ".join(proc.cmdline())
        if proc.name().startswith("tesseract"):
            return "tesseract"
        if "prefect" in cmd or "uvicorn" in cmd:
            return "prefect server"
        return "other"

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = ([] if self.children_only else [self.root]) + \
                    self.root.children(recursive=True)
                root = self.root.memory_info().rss
            except psutil.NoSuchProcess:
                break
            total = 0
            for p in procs:
                try:
                    with p.oneshot():
                        total += p.memory_info().rss
                        cpu = p.cpu_times()
                        kind = self._cpu[p.pid][0] if p.pid in self._cpu else self._kind(p)
                        self._cpu[p.pid] = (kind, cpu.user + cpu.system)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            self.tree_mb = max(self.tree_mb, total / 1e6)
            self.root_mb = max(self.root_mb, root / 1e6)
            self._stop.wait(self.every_s)

    def cpu_seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for kind, seconds in self._cpu.values():
            out[kind] = round(out.get(kind, 0.0) + seconds, 1)
        return dict(sorted(out.items()))

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def make_corpus(out: Path, pages: int) -> Path:
    """A typical corpus of ``pages`` documents (one page each on average), reused when the
    folder already holds the same one."""
    from synth.corpus import generate_corpus

    corpus = out / f"corpus-{pages}"
    meta = corpus / "corpus.json"
    if meta.is_file():
        params = json.loads(meta.read_text(encoding="utf-8"))["parameters"]
        if params == {"docs": pages, "registry": 2 * pages, "seed": SEED, "difficulty": "typical",
                      "images": True}:
            return corpus
    generate_corpus(corpus, docs=pages, registry=2 * pages, seed=SEED, difficulty="typical")
    return corpus


def split_batch(corpus: Path, dest: Path) -> list[tuple[Path, int | None]]:
    """The page images the pipeline's ingest step writes, with their dpi."""
    from kernel.settings import Settings
    from ocr.pages import discover, split_pages

    settings = Settings()
    files, _ = discover(corpus / "batch")
    pages = []
    for i, f in enumerate(files):
        for p in split_pages(f.path, dest / f"{i:05d}", max_pixels=settings.max_image_pixels,
                             max_pages=settings.max_pages_per_file, pdf_dpi=settings.pdf_dpi):
            pages.append((p.path, p.dpi))
    return pages


def tesseract_args(image: Path, out: Path, dpi: int | None) -> list[str]:
    args = ["tesseract", str(image), str(out), "-l", "vie", "--psm", "4"]
    return args + (["--dpi", str(dpi)] if dpi else []) + ["hocr", "tsv"]


def bare_tesseract(pages: list[tuple[Path, int | None]], workers: int, tmp: Path) -> dict:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(item: tuple[int, tuple[Path, int | None]]) -> None:
        i, (image, dpi) = item
        subprocess.run(tesseract_args(image, tmp / f"{i:05d}", dpi), env=env, check=True,
                       capture_output=True)

    with PeakRss(os.getpid(), children_only=True) as rss:
        t0 = time.monotonic()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, enumerate(pages)))
        seconds = time.monotonic() - t0
    return {"pages": len(pages), "seconds": round(seconds, 1),
            "pages_per_s": round(len(pages) / seconds, 3), "peak_tree_mb": round(rss.tree_mb),
            "cpu_s": rss.cpu_seconds()}


def pipeline(corpus: Path, workers: int, data: Path) -> dict:
    sohoa = Path(sys.executable).parent / "sohoa"
    env = {**os.environ, "SOHOA_DATA_DIR": str(data), "SOHOA_OCR_CACHE": "false",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("PREFECT_API_URL", None)  # as a user runs it: the temporary local API
    subprocess.run([str(sohoa), "registry", "import", str(corpus / "registry.csv")], env=env,
                   check=True, capture_output=True)
    export = data / "out.jsonl"
    log = data / "run.log"
    with open(log, "wb") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen([str(sohoa), "run", str(corpus / "batch"), "--export", str(export),
                                 "--workers", str(workers)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        with PeakRss(proc.pid) as rss:
            proc.wait()
        wall = time.monotonic() - t0
    receipt = json.loads(export.with_suffix(".report.json").read_text(encoding="utf-8"))
    if receipt["pages_failed"] or receipt["files_failed"]:
        print(f"warning: {receipt['files_failed']} file(s), {receipt['pages_failed']} page(s) "
              f"failed (see {log})", file=sys.stderr)
    pages = receipt["pages"]
    return {"pages": pages, "records": receipt["records"], "flow_seconds": receipt["seconds"],
            "wall_seconds": round(wall, 1), "pages_per_s": round(pages / receipt["seconds"], 3),
            "pages_per_s_wall": round(pages / wall, 3), "peak_tree_mb": round(rss.tree_mb),
            "peak_sohoa_mb": round(rss.root_mb), "exit": proc.returncode,
            "cpu_s": rss.cpu_seconds()}


def stage_times(corpus: Path, count: int, tmp: Path) -> dict:
    """Seconds per page of each stage, one page at a time, for ``count`` pages."""
    from kernel.places import Gazetteer
    from kernel.syllables import SyllableLexicon
    from ocr.extract import extract_page
    from ocr.preprocess import preprocess_file
    from ocr.tesseract import recognize

    gazetteer, lexicon = Gazetteer.load(None), SyllableLexicon.load(None)
    t0 = time.perf_counter()
    pages = split_batch(corpus, tmp / "split")
    split_s = (time.perf_counter() - t0) / max(len(pages), 1)
    pages = pages[:count]
    totals = {"preprocess": 0.0, "tesseract_cleaned": 0.0, "extract": 0.0, "tesseract_raw": 0.0}
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    for i, (image, dpi) in enumerate(pages):
        t = time.perf_counter()
        pre = preprocess_file(image, tmp / f"{i:05d}.pre.png", dpi)
        totals["preprocess"] += time.perf_counter() - t
        t = time.perf_counter()
        result = recognize(pre.path, lang="vie", dpi=pre.dpi)
        totals["tesseract_cleaned"] += time.perf_counter() - t
        t = time.perf_counter()
        extract_page(result.page, pre.tables, gazetteer=gazetteer, lexicon=lexicon)
        totals["extract"] += time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run(tesseract_args(image, tmp / f"{i:05d}.raw", dpi), env=env, check=True,
                       capture_output=True)
        totals["tesseract_raw"] += time.perf_counter() - t
    return {"pages": len(pages), "split": round(split_s, 3)} | {
        k: round(v / max(len(pages), 1), 3) for k, v in totals.items()}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def markdown(rows: list[dict], stages: dict | None, command: str) -> str:
    lines = [START, "", "## Throughput: the pipeline against bare Tesseract", "",
             f"Command: `{command}`  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}. Typical "
             "synthetic batches (seed "
             f"{SEED}); the pipeline is `sohoa run` with the OCR cache off (fresh data folder, "
             "SQLite registry, local archive); bare Tesseract reads the same split pages, "
             "single-threaded, as many at once as the pipeline's workers. Flow pages/s: the "
             "receipt's time; wall: the whole command (start-up and temporary Prefect API). "
             "Peak RSS sampled every 0.1 s.", "",
             "| pages | workers | bare tesseract pages/s | pipeline pages/s (flow / wall) | "
             "ratio (flow / wall) | peak RSS MB: pipeline tree / sohoa process / bare tree | "
             "load avg before -> after |",
             "|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        b, p = r["bare"], r["pipeline"]
        lines.append(
            f"| {p['pages']} | {r['workers']} | {b['pages_per_s']} | {p['pages_per_s']} / "
            f"{p['pages_per_s_wall']} | {p['pages_per_s'] / b['pages_per_s']:.2f} / "
            f"{p['pages_per_s_wall'] / b['pages_per_s']:.2f} | {p['peak_tree_mb']} / "
            f"{p['peak_sohoa_mb']} / {b['peak_tree_mb']} | {r['load_before']} -> "
            f"{r['load_after']} |")
    lines += ["", "CPU seconds per page, by process (sampled: short-lived processes lose up to "
                  "0.1 s each); with 2 busy cores the sum per page bounds the throughput:", "",
              "| pages | pipeline: sohoa process | Prefect API server | tesseract | other "
              "(pdftoppm ...) | bare tesseract |", "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        n, cpu, bare_cpu = r["pipeline"]["pages"], r["pipeline"]["cpu_s"], r["bare"]["cpu_s"]
        lines.append(f"| {n} | " + " | ".join(
            f"{cpu.get(k, 0.0) / n:.2f}" for k in ("sohoa", "prefect server", "tesseract",
                                                  "other"))
            + f" | {bare_cpu.get('tesseract', 0.0) / n:.2f} |")
    lines += ["", "With every core busy the pipeline's throughput is bounded by its CPU per page: the ratio to bare Tesseract cannot exceed bare CPU per page / pipeline CPU per page (all columns summed). The load average shows how much else ran on the machine: compare numbers of one run only."]
    if stages:
        lines += ["", f"Where a page's time goes (seconds per page, {stages['pages']} pages one at "
                      "a time, single-threaded, this process):", "",
                  "| split | preprocess | tesseract on the cleaned page | extraction | "
                  "bare tesseract on the raw page |", "|---:|---:|---:|---:|---:|",
                  f"| {stages['split']} | {stages['preprocess']} | {stages['tesseract_cleaned']} | "
                  f"{stages['extract']} | {stages['tesseract_raw']} |"]
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--stages", type=int, default=0, metavar="K",
                    help="also time each stage on K pages, one at a time")
    ap.add_argument("--out", type=Path, default=Path("/tmp/sohoa-throughput"))
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()

    rows = []
    for n in args.pages:
        corpus = make_corpus(args.out, n)
        with tempfile.TemporaryDirectory(prefix="sohoa-tp-") as tmp:
            tmp = Path(tmp)
            pages = split_batch(corpus, tmp / "split")
            (tmp / "tess").mkdir()
            before = load()
            bare = bare_tesseract(pages, args.workers, tmp / "tess")
            print(f"{n} pages: bare tesseract {bare['pages_per_s']} pages/s", flush=True)
            run = pipeline(corpus, args.workers, tmp / "data")
            rows.append({"workers": args.workers, "bare": bare, "pipeline": run,
                         "load_before": before, "load_after": load()})
            print(f"{n} pages: pipeline {run['pages_per_s']} pages/s (flow), "
                  f"{run['pages_per_s_wall']} (wall); ratio "
                  f"{run['pages_per_s'] / bare['pages_per_s']:.2f}; peak RSS {run['peak_tree_mb']} MB "
                  f"(sohoa process {run['peak_sohoa_mb']} MB)", flush=True)
    stages = None
    if args.stages:
        with tempfile.TemporaryDirectory(prefix="sohoa-tp-") as tmp:
            stages = stage_times(make_corpus(args.out, args.pages[0]), args.stages, Path(tmp))
    command = ".venv/bin/python benchmarks/throughput.py " + " ".join(
        shlex.quote(a) for a in sys.argv[1:])
    section = markdown(rows, stages, command.strip())
    print(section)
    if args.write_results:
        write_results(section, START, END)


if __name__ == "__main__":
    main()
