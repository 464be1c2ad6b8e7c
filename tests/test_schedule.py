"""`sohoa serve` against a real Prefect server: the server's scheduler creates the runs, the
served intake takes a batch dropped in the inbox, and the server shows the run and its summary.

The intake is served every 2 s (`--every 2`) instead of its nightly cron. Both processes listen
on 127.0.0.1 only, keep their state under tmp_path, and are stopped at the end. Measured here:
the server answers 10-25 s after start; the first scheduled run starts a few seconds after
`sohoa serve` registers the deployments.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE

pytestmark = [pytest.mark.flow, pytest.mark.tesseract, pytest.mark.slow]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def wait_for(check, timeout_s: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)
    pytest.fail(f"{what} not within {timeout_s:.0f} s\n{tails}")


@pytest.fixture
def prefect_server(tmp_path):
    import httpx

    port = free_port()
    home = tmp_path / "prefect"
    home.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false", "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    log = tmp_path / "server.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)

    def healthy():
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return proc.poll() is not None and pytest.fail(log.read_text()[-3000:])

    try:
        wait_for(healthy, 60, "the Prefect server", [log])
        print(f"Prefect server answered after {time.monotonic() - started:.1f} s")
        yield env, httpx.Client(base_url=env["PREFECT_API_URL"], timeout=10), log
    finally:
        stop(proc)


def test_served_intake_runs_on_its_schedule_and_takes_a_dropped_batch(prefect_server, tmp_path):
    env, api, server_log = prefect_server
    inbox = tmp_path / "inbox"
    batch = inbox / "incoming" / "lo-dem"
    batch.mkdir(parents=True)
    shutil.copy(SAMPLE / "batch" / "khai_sinh_nghieng.png", batch / "khai_sinh.png")
    (batch / "READY").touch()
    serve_env = {**env, "SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_INBOX_DIR": str(inbox),
                 "SOHOA_OCR_WORKERS": "2", "SOHOA_FIXITY_CRON": "0 3 * * *",
                 "PREFECT_RUNNER_POLL_FREQUENCY": "2"}  # the runner asks for due runs every 2 s
    serve_log = tmp_path / "serve.log"
    started = time.monotonic()
    with open(serve_log, "wb") as out:
        serve = subprocess.Popen([str(BIN / "sohoa"), "serve", "--every", "2"], env=serve_env,
                                 cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: (inbox / "done" / "lo-dem").is_dir(), 75, "the batch in done/",
                 [serve_log, server_log])
        print(f"batch done {time.monotonic() - started:.1f} s after `sohoa serve` started")
        deployment = api.get("/deployments/name/sohoa-nightly-intake/nightly-intake").json()
        (schedule,) = deployment["schedules"]
        assert schedule["schedule"]["interval"] == 2.0
        assert deployment["global_concurrency_limit"]["limit"] == 1  # never two at once
        assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"

        def completed_runs():
            runs = api.post("/flow_runs/filter", json={
                "deployments": {"id": {"any_": [deployment["id"]]}},
                "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}).json()
            return [r for r in runs if r["auto_scheduled"]]

        runs = wait_for(completed_runs, 20, "a completed scheduled run", [serve_log])
        artifacts = api.post("/artifacts/filter", json={"artifacts": {
            "flow_run_id": {"any_": [r["id"] for r in runs]}, "key": {"any_": ["nightly-intake"]}}}
                             ).json()
        assert any("| lo-dem | done | 1 | 0 | 1 |" in a["data"] for a in artifacts), artifacts
    finally:
        stop(serve)
    assert (inbox / "done" / "lo-dem.report.json").is_file()
    assert (tmp_path / "data" / "exports" / "lo-dem.jsonl").read_text().count("\n") == 1
