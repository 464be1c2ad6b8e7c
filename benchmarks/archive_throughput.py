"""Archive throughput for a 500-page batch: the local folder and S3 (SeaweedFS on loopback).

    .venv/bin/python benchmarks/archive_throughput.py [--pages 500] [--workers 2]

Synthesizes page-sized objects (no OCR): per page, an original scan (250-650 kB), a cleaned
page PNG (80 kB), its hOCR (26 kB), one record JSON (4 kB) and the per-file manifest; sizes
are those of the sample batch's archive. Objects are written the way the flow writes them
(original first, immutable; manifest last) by ``--workers`` threads, then the batch bag.
Measured three times per backend: the first run (everything new), the same batch again
(nothing new: the idempotency checks), and a full fixity pass (every object re-read).
Writes the table between the archive markers of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage import LocalArchive  # noqa: E402
from storage.bag import BagInfo, collect_objects, write_bag  # noqa: E402
from storage.base import Archive  # noqa: E402
from storage.devserver import DevS3Server, weed_binary  # noqa: E402
from storage.fixity import check_fixity  # noqa: E402
from storage.layout import (manifest_key, original_key, page_image_key,  # noqa: E402
                            page_ocr_key, record_key)
from storage.manifest import manifest_bytes  # noqa: E402
from storage.s3 import S3Archive, S3Config  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- archive:start -->", "<!-- archive:end -->"


def synthesize(folder: Path, pages: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for i in range(pages):
        page = folder / f"{i:04d}"
        page.mkdir(parents=True)
        original = page / "scan.jpg"
        original.write_bytes(rng.randbytes(rng.randint(250_000, 650_000)))
        (page / "page.png").write_bytes(rng.randbytes(80_000))
        words = "<span class='ocrx_word'>GIẤY KHAI SINH</span>\n" * 520
        (page / "page.hocr").write_bytes(words.encode() + rng.randbytes(64))
        record = ('{"record_id": "%020x", "fields": {}}' % rng.getrandbits(80)).encode() + b" " * 4200
        sha = hashlib.sha256(original.read_bytes()).hexdigest()
        items.append({"dir": page, "sha": sha, "record": record})
    return items


def archive_page(archive: Archive, item: dict) -> tuple[int, int, int]:
    sha, page = item["sha"], item["dir"]
    puts = [archive.put_file(original_key(sha, "scan.jpg"), page / "scan.jpg", immutable=True),
            archive.put_file(page_image_key("p1", sha, 1), page / "page.png"),
            archive.put_file(page_ocr_key("p1", sha, 1), page / "page.hocr"),
            archive.put_bytes(record_key("p1", sha, "r" + sha[:19]), item["record"])]
    objs = [p.obj for p in puts]
    puts.append(archive.put_bytes(manifest_key("p1", sha),
                                  manifest_bytes(f"{page.name}.jpg", sha, objs, {"bench": 1})))
    return len(puts), sum(p.written for p in puts), sum(p.obj.size for p in puts)


def run_batch(archive: Archive, items: list[dict], workers: int) -> dict:
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda item: archive_page(archive, item), items))
    info = BagInfo("bench", "benchmark", "2026-01-01T00:00:00+00:00", "bench", "p1", len(items), 0)
    bag = write_bag(archive, info, collect_objects(
        archive, [manifest_key("p1", i["sha"]) for i in items], []))
    seconds = time.perf_counter() - started
    objects = sum(r[0] for r in results) + 5
    return {"seconds": seconds, "objects": objects,
            "written": sum(r[1] for r in results) + bag.written,
            "bytes": sum(r[2] for r in results)}


def measure(name: str, archive: Archive, items: list[dict], workers: int) -> list[dict]:
    rows = []
    first = run_batch(archive, items, workers)
    rows.append({"backend": name, "what": "first run (all new)", **first})
    again = run_batch(archive, items, workers)
    assert again["written"] == 0, "a second run stored something"
    rows.append({"backend": name, "what": "same batch again (nothing new)", **again})
    started = time.perf_counter()
    report = check_fixity(archive)
    assert report.ok, report.problems[:3]
    rows.append({"backend": name, "what": "fixity (re-read all)", "objects": report.checked,
                 "written": 0, "bytes": first["bytes"], "seconds": time.perf_counter() - started})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| backend | what | objects | MB | seconds | MB/s | objects/s |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        mb = r["bytes"] / 1e6
        s = r["seconds"]
        lines.append(f"| {r['backend']} | {r['what']} | {r['objects']} | {mb:.0f} | {s:.1f} | "
                     f"{mb / s:.1f} | {r['objects'] / s:.0f} |")
    return "\n".join(lines)


def write_results(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{START}\n{text.rstrip()}\n{END}"
    if START in old and END in old:
        new = old[:old.index(START)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-") as tmp:
        tmp = Path(tmp)
        items = synthesize(tmp / "batch", args.pages)
        rows = measure("local folder", LocalArchive(tmp / "archive"), items, args.workers)
        with DevS3Server(tmp / "s3") as server:
            s3 = S3Archive(S3Config(server.endpoint, "bench", "archive", server.access_key,
                                    server.secret_key, secure=False, retention_days=1))
            rows += measure("S3 (SeaweedFS, loopback)", s3, items, args.workers)
            s3.close()
    weed = subprocess.run([weed_binary(), "version"], capture_output=True, text=True).stdout.split()
    text = "\n".join([
        "## Archive throughput",
        "",
        f"`.venv/bin/python benchmarks/archive_throughput.py --pages {args.pages} "
        f"--workers {args.workers}` on {date.today().isoformat()}: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SeaweedFS "
        f"{weed[2] if len(weed) > 2 else '?'} (`weed mini`) on 127.0.0.1 with object lock "
        "and versioning on. A synthetic batch of "
        f"{args.pages} single-page scans: {rows[0]['objects']} objects (original, page PNG, hOCR, "
        "record JSON, manifest per page, and the batch bag). MB counts payload bytes of the "
        "per-page objects. S3 uploads are verified by their ETag; the second run reads only "
        "object metadata on S3 and re-hashes files on the local folder; fixity re-reads and "
        "hashes every object.",
        "",
        table(rows),
    ])
    print(text)
    if not args.no_write:
        write_results(text)
        print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
