"""Pages on a Dask cluster (flows/runners.py): a local cluster of two worker processes (one
thread each, 127.0.0.1, no dashboard) exports the same bytes as the default thread pool, and
the pages were read in the workers, not in this process."""

import contextlib
import os
import shutil
import signal
import sys

import pytest

from conftest import ROOT, SAMPLE

pytestmark = [pytest.mark.flow, pytest.mark.tesseract, pytest.mark.slow]

PAGES = ("khai_sinh_nghieng.png", "khai_sinh_chụp.jpg")


@contextlib.contextmanager
def deadline(seconds):
    """Fail instead of hanging when the cluster misbehaves (workers unable to import sohoa
    kept a run waiting for 11 minutes)."""
    def expired(signum, frame):
        raise TimeoutError(f"the Dask run took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _run(batch, data, export, **overrides):
    from flows.batch import run_batch
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    settings = {"data_dir": str(data), "ocr_workers": 2, **overrides}
    with RegistryStore(Settings(**settings).registry_url) as store:
        assert not store.import_csv(SAMPLE / "registry.csv").errors
    return run_batch(batch, export=export, overrides=settings)


def test_a_local_dask_cluster_exports_the_same_bytes(prefect_harness, tmp_path, monkeypatch):
    import ocr.page

    batch = tmp_path / "batch"
    batch.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLE / "batch" / name, batch / name)
    reference = _run(batch, tmp_path / "threads", tmp_path / "threads.jsonl")
    assert reference.ok and reference.records == 2

    # as `sohoa run` from another folder: sohoa's folder is not on the import path (the
    # editable install's finder comes after it), which Dask workers must cope with
    monkeypatch.setattr(sys, "path", [p for p in sys.path
                                      if p not in ("", ".", str(ROOT), os.getcwd())])
    here = []  # tesseract runs in this process: none when the pages go to the workers
    real = ocr.page.recognize
    monkeypatch.setattr(ocr.page, "recognize", lambda *a, **k: here.append(a) or real(*a, **k))
    with deadline(240):
        report = _run(batch, tmp_path / "dask", tmp_path / "dask.jsonl", dask_local_workers=2)
    assert report.ok and report.pages == 2
    assert here == []
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "threads.jsonl").read_bytes()
    # the workers wrote the OCR cache in the shared data folder
    assert len(list((tmp_path / "dask" / "cache" / "ocr").glob("??/*"))) == 2


def test_one_place_to_run_pages():
    from flows.runners import local_cluster_kwargs, task_runner_for
    from kernel.errors import ConfigError
    from kernel.settings import Settings
    from prefect.task_runners import ThreadPoolTaskRunner

    assert isinstance(task_runner_for(Settings(ocr_workers=3)), ThreadPoolTaskRunner)
    with pytest.raises(ConfigError, match="either"):
        task_runner_for(Settings(dask_address="tcp://127.0.0.1:8786", dask_local_workers=2))
    kwargs = local_cluster_kwargs(2)
    assert kwargs["processes"] and kwargs["threads_per_worker"] == 1
    assert kwargs["host"] == "127.0.0.1" and kwargs["dashboard_address"].startswith("127.0.0.1:")
