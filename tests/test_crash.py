"""Crash safety: a batch run as a child process is killed with SIGKILL twice, at points chosen
from what it has written so far (once its first original is archived, then once its first
derived object is); after a re-run the archive holds every page once, every manifest
verifies, no partial file is left, the page read before the kill is not read again (OCR
cache), and the export equals that of an uninterrupted run.

The children use the session's Prefect API (no temporary server per child), so each start is
quick; the batch is one sample page."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from storage import LocalArchive, sha256_file
from storage.layout import original_key
from storage.manifest import verify_manifest

pytestmark = [pytest.mark.flow, pytest.mark.tesseract]

CHILD = r"""
import sys
from pathlib import Path
from flows.batch import run_batch
run_batch(Path(sys.argv[1]), export=Path(sys.argv[2]),
          overrides={"data_dir": sys.argv[3], "ocr_workers": 2})
"""


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _child(batch, export, data, api_url):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": api_url,
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(batch), str(export), str(data)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _kill_when(proc, condition, timeout_s=120.0) -> bool:
    """SIGKILL the child (its whole process group: tesseract too) once ``condition()`` holds;
    False if the child finished first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if condition():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    pytest.fail("the child neither finished nor reached the kill point in time")


def test_sigkill_twice_then_rerun_loses_nothing_and_duplicates_nothing(prefect_harness, tmp_path):
    from prefect.settings import PREFECT_API_URL

    from flows.batch import run_batch
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    api_url = PREFECT_API_URL.value()
    assert api_url, "the session Prefect harness has no API URL"
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLE / "batch" / "khai_sinh_nghieng.png", batch / "khai_sinh_nghieng.png")

    def data_dir(name):
        data = tmp_path / name
        with RegistryStore(Settings(data_dir=str(data)).registry_url) as store:
            assert not store.import_csv(SAMPLE / "registry.csv").errors
        return data

    # the uninterrupted reference run
    ref = data_dir("reference")
    run_batch(batch, export=ref / "out.jsonl", overrides={"data_dir": str(ref), "ocr_workers": 2})

    data = data_dir("crashed")
    archive_root = data / "archive"
    kills = 0
    points = [lambda: any("originals" in p.parts for p in _files(archive_root)),
              lambda: any("derived" in p.parts for p in _files(archive_root))]
    for point in points:
        proc = _child(batch, data / "out.jsonl", data, api_url)
        kills += _kill_when(proc, point)
    assert kills >= 1, "no run was interrupted"
    assert not (data / "out.jsonl").exists()  # no export from a killed run

    # the page was read before a kill (derived objects come after OCR): its OCR is cached, whole
    entries = [p for p in (data / "cache" / "ocr").glob("??/*") if not p.name.startswith(".")]
    assert len(entries) == 1
    used = entries[0] / "entry.json"
    os.utime(used, (time.time() - 86400, time.time() - 86400))

    final = _child(batch, data / "out.jsonl", data, api_url)
    output = final.communicate(timeout=300)[0].decode(errors="replace")
    assert final.returncode == 0, output[-3000:]
    # the re-run took the page from the cache (a hit marks the entry used) instead of reading it
    assert time.time() - used.stat().st_mtime < 3600

    # the export equals the uninterrupted run's
    assert (data / "out.jsonl").read_bytes() == (ref / "out.jsonl").read_bytes()
    archive, reference = LocalArchive(archive_root), LocalArchive(ref / "archive")
    keys = archive.list()
    assert sorted(k for k in keys if not k.startswith("bags/")) == \
        sorted(k for k in reference.list() if not k.startswith("bags/"))
    for src in batch.iterdir():
        sha = sha256_file(src)
        assert archive.get_bytes(original_key(sha, src.name)) == src.read_bytes()
        pages = [k for k in keys if sha in k and k.endswith(".png") and "/page-" in k]
        assert len(pages) == len(set(pages)) == 1  # every page exactly once
    manifests = [k for k in keys if k.endswith("manifest.json")]
    assert len(manifests) == 1
    for key in manifests:
        assert verify_manifest(archive, key) == []
    # a write cut by SIGKILL can leave its temporary '.part-*' file (never renamed into place):
    # it is not an object, is never listed, and the re-run wrote the object whole
    listed = {archive_root / k for k in keys}
    leftovers = [p for p in _files(archive_root) if p.name.startswith(".part-")]
    assert not listed & set(leftovers)
    unlisted = [p for p in _files(archive_root) if p not in listed
                and not p.name.startswith(".part-") and "_versions" not in p.parts]
    assert unlisted == []
    records = [json.loads(line) for line in (data / "out.jsonl").read_text().splitlines()]
    assert len({r["record_id"] for r in records}) == len(records) == 1
