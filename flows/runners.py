"""Where the batch's tasks run: a thread pool in this process (default), or a Dask cluster.

* default: ``ocr_workers`` threads, each driving one single-threaded tesseract;
* ``dask_local_workers=N``: a local Dask cluster of N worker *processes*, one thread each
  (each worker drives one tesseract), listening on 127.0.0.1 only, no dashboard;
* ``dask_address=tcp://host:port``: an existing Dask scheduler. Its workers must run the same
  sohoa version and see the same data and work folders at the same paths (shared storage):
  tasks pass file paths, never images.

Everything a task takes or returns (Settings, SourceFile, PageRef, PageOutput, Ingested...)
is a small picklable record, so it crosses to another process as is. Tasks on Dask workers
report to the Prefect API of the flow: the configured ``PREFECT_API_URL``, else the
temporary local API this process starts (reachable from workers on this machine only).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from kernel.errors import ConfigError
from kernel.settings import Settings


def task_runner_for(settings: Settings) -> TaskRunner:
    if settings.dask_address and settings.dask_local_workers:
        raise ConfigError("both a Dask scheduler address and a local Dask cluster were asked for",
                          hint="give either --dask-address or --dask-local, not both")
    if not (settings.dask_address or settings.dask_local_workers):
        return ThreadPoolTaskRunner(max_workers=settings.ocr_workers)
    from prefect_dask import DaskTaskRunner  # noqa: PLC0415 (only when asked for)

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs=local_cluster_kwargs(settings.dask_local_workers))


def local_cluster_kwargs(workers: int) -> dict:
    """One process per worker, one thread each: tesseract runs single-threaded per core. The
    scheduler's HTTP server (health checks) takes a free port on 127.0.0.1, never 8787."""
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True,
            "host": "127.0.0.1", "dashboard_address": "127.0.0.1:0",
            "scheduler_kwargs": {"dashboard": False}}


@contextlib.contextmanager
def dask_ready(runner: TaskRunner) -> Iterator[None]:
    """What tasks in other processes need, for the run inside the block (nothing for the
    thread pool):

    * the flow's Prefect API: without a configured one, start the temporary local API here
      (the one the flow would start) and hand its URL on; else every worker would start a
      temporary API of its own and the flow would never hear of its tasks;
    * sohoa's packages: a Dask worker puts its own folder first on ``sys.path``, and keeps its
      spill files in a ``storage`` subfolder there. With sohoa installed in editable mode
      (packages found by a finder after ``sys.path``), ``import storage`` would find that folder
      first. Local workers start with this process's ``sys.path``: the folder holding sohoa's
      packages goes on it, where a regular package wins over such a folder. (Workers started
      by ``dask worker`` need sohoa installed normally, or that folder in ``PYTHONPATH``.)
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if isinstance(runner, ThreadPoolTaskRunner):
        yield
        return
    with contextlib.ExitStack() as stack:
        root = str(Path(__file__).resolve().parents[1])
        if root not in sys.path:
            sys.path.append(root)
            stack.callback(sys.path.remove, root)
        if not PREFECT_API_URL.value():
            from prefect.server.api.server import SubprocessASGIServer

            server = SubprocessASGIServer()
            server.start()
            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: server.api_url}))
        yield
