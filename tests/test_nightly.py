"""The nightly flows on a real inbox (real batch flow, real tesseract), and the deployments
`sohoa serve` builds (cron and time zone from the settings)."""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SAMPLE
from flows.inbox import MARKER, FolderInbox
from test_inbox import HOLDER, PY, drop

SCAN = SAMPLE / "batch" / "khai_sinh_nghieng.png"


def overrides_for(tmp: Path, **more) -> dict:
    return {"data_dir": str(tmp / "data"), "inbox_dir": str(tmp / "inbox"), "ocr_workers": 2,
            **more}


def drop_scans(inbox: FolderInbox, name: str, scans: dict[str, bytes | Path], ready=True) -> Path:
    folder = inbox.folder("incoming") / name
    folder.mkdir(parents=True)
    for rel, content in scans.items():
        if isinstance(content, Path):
            shutil.copy(content, folder / rel)
        else:
            (folder / rel).write_bytes(content)
    if ready:
        (folder / MARKER).touch()
    return folder


def artifacts_of(state) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))


@pytest.mark.flow
@pytest.mark.tesseract
def test_a_dead_runs_batch_is_taken_again_then_every_ready_batch_once(prefect_harness, tmp_path):
    from flows.nightly import nightly_intake
    from kernel.errors import ConfigError
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    overrides = overrides_for(tmp_path)
    with RegistryStore(Settings(**overrides).registry_url) as store:
        assert not store.import_csv(SAMPLE / "registry.csv").errors
    inbox = FolderInbox(tmp_path / "inbox")
    drop_scans(inbox, "lo-a", {"khai_sinh.png": SCAN})
    drop_scans(inbox, "lo-b", {"dang_chep.png": SCAN}, ready=False)  # still being copied

    # a run that stops on its surroundings (here: a unit list that is not there) leaves the
    # batch it had claimed in processing/, and fails loudly
    stopped = nightly_intake({**overrides, "admin_units": str(tmp_path / "missing.csv")},
                             return_state=True)
    assert stopped.is_failed()
    with pytest.raises(ConfigError):
        stopped.result()
    (note,) = [a.data for a in artifacts_of(stopped) if a.key == "nightly-intake"]
    assert "**Stopped:**" in note and "| lo-a | processing |" in note
    assert [p.name for p in inbox.in_processing()] == ["lo-a"]
    assert inbox.holder() is None  # the lock went with the run

    drop_scans(inbox, "lo-c", {"hong.png": b"\x89PNG\r\n\x1a\n not really a scan"})
    state = nightly_intake(overrides, return_state=True)
    summary = state.result()
    got = {b.batch: b for b in summary.batches}
    assert list(got) == ["lo-a", "lo-c"]  # the resumed batch first, lo-b not ready
    assert got["lo-a"].state == "done" and got["lo-a"].resumed and got["lo-a"].records == 1
    assert got["lo-c"].state == "failed" and got["lo-c"].files_failed == 1
    assert inbox.in_processing() == [] and inbox.ready() == []
    assert (inbox.folder("incoming") / "lo-b" / "dang_chep.png").is_file()
    receipt = json.loads((inbox.folder("done") / "lo-a.report.json").read_text())
    assert receipt["records"] == 1 and receipt["matched"] == 1
    export = [json.loads(line) for line in
              (tmp_path / "data" / "exports" / "lo-a.jsonl").read_text().splitlines()]
    assert export[0]["source"] == "khai_sinh.png" and export[0]["match"]["decision"] == "matched"
    assert (inbox.folder("done") / "lo-a" / "khai_sinh.png").is_file()
    failed = json.loads((inbox.folder("failed") / "lo-c.report.json").read_text())
    assert failed["failures"][0]["source"] == "hong.png"
    summary_artifact = [a for a in artifacts_of(state) if a.key == "nightly-intake"]
    assert summary_artifact and "| lo-a | done (resumed) | 1 | 0 | 1 |" in summary_artifact[0].data

    again = nightly_intake(overrides)  # nothing ready: nothing taken
    assert again.batches == [] and again.busy is None


@pytest.mark.flow
@pytest.mark.tesseract
def test_a_batch_that_breaks_the_flow_fails_alone(prefect_harness, tmp_path, monkeypatch):
    import flows.nightly as nightly

    real = nightly.run_batch

    def breaks_on_x1(path, **kwargs):  # a bug the batch triggers (injected)
        if Path(path).name == "x1":
            raise RuntimeError("unexpected")
        return real(path, **kwargs)

    monkeypatch.setattr(nightly, "run_batch", breaks_on_x1)
    inbox = FolderInbox(tmp_path / "inbox")
    drop_scans(inbox, "x1", {"a.png": SCAN})
    drop_scans(inbox, "x2", {"rong.pdf": b""})
    summary = nightly.nightly_intake(overrides_for(tmp_path))
    assert [(b.batch, b.state) for b in summary.batches] == [("x1", "failed"), ("x2", "failed")]
    error = json.loads((inbox.folder("failed") / "x1.error.json").read_text())
    assert error["error"] == "RuntimeError" and error["message"] == "unexpected"
    assert (inbox.folder("failed") / "x1" / "a.png").is_file()
    assert json.loads((inbox.folder("failed") / "x2.report.json").read_text())["files_failed"] == 1


@pytest.mark.flow
def test_a_second_run_takes_nothing_while_the_first_holds_the_inbox(prefect_harness, tmp_path):
    from flows.nightly import nightly_intake

    inbox = FolderInbox(tmp_path / "inbox")
    drop(inbox, "waiting")
    proc = subprocess.Popen([PY, "-c", HOLDER.format(root=str(ROOT)), str(inbox.root)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        summary = nightly_intake(overrides_for(tmp_path))
    finally:
        proc.kill()
        proc.wait()
    assert summary.batches == [] and "another run is processing the inbox" in summary.busy
    assert inbox.ready() == ["waiting"]


@pytest.mark.flow
def test_nightly_fixity_fails_its_run_on_a_changed_object(prefect_harness, tmp_path):
    from flows.nightly import nightly_fixity
    from kernel.errors import ArchiveError
    from storage import LocalArchive
    from storage.bag import collect_objects, write_bag
    from test_storage_contract import INFO, _small_batch

    archive = LocalArchive(tmp_path / "archive")
    objs, manifest = _small_batch(archive)
    write_bag(archive, INFO, collect_objects(archive, [manifest], []))
    overrides = {"archive": str(archive.root), "data_dir": str(tmp_path / "data")}
    # what a write killed before its rename leaves (storage/local.py): swept once a day old
    folder = (archive.root / objs[0].key).parent
    stale, fresh = folder / ".part-killed", folder / ".part-writing"
    stale.write_bytes(b"half an object")
    fresh.write_bytes(b"a write in progress")
    os.utime(stale, (time.time() - 2 * 86400,) * 2)
    clean = nightly_fixity(overrides=overrides)
    assert (clean.manifests, clean.bags, clean.checked, clean.problems) == (1, 1, 9, [])
    assert clean.partial_removed == 1 and not stale.exists() and fresh.exists()
    assert nightly_fixity(sample=3, overrides=overrides).checked == 3
    path = archive.root / objs[1].key
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    state = nightly_fixity(overrides=overrides, return_state=True)
    assert state.is_failed()
    with pytest.raises(ArchiveError, match="1 problem"):
        state.result()
    (note,) = [a.data for a in artifacts_of(state) if a.key == "nightly-fixity"]
    assert f"changed {objs[1].key}" in note


# --- the deployments `sohoa serve` serves -----------------------------------------------------
@pytest.fixture
def served(monkeypatch):
    """`sohoa serve` up to the hand-over to Prefect's scheduler, which is recorded instead of
    run (it would serve until killed: tests/test_schedule.py runs it for real)."""
    import prefect

    calls = []
    monkeypatch.setattr(prefect, "serve", lambda *deps, **kw: calls.append((deps, kw)))
    for name in ("SOHOA_NIGHTLY_CRON", "SOHOA_NIGHTLY_TIMEZONE", "SOHOA_FIXITY_CRON",
                 "SOHOA_FIXITY_SAMPLE"):
        monkeypatch.delenv(name, raising=False)

    def serve(*args, api_url: str | None = "http://127.0.0.1:9/api"):
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from sohoa.cli import app

        server = temporary_settings(updates={PREFECT_API_URL: api_url}) if api_url else \
            temporary_settings(restore_defaults={PREFECT_API_URL})
        with server:
            result = CliRunner().invoke(app, ["serve", "--quiet", *args])
        return result, calls

    return serve


def schedule_of(deployment):
    (only,) = deployment.schedules
    return only.schedule


def test_serve_schedules_the_intake_at_01_00_in_ho_chi_minh_by_default(served):
    result, calls = served()
    assert result.exit_code == 0, result.output
    (deployments, options), = calls
    intake, fixity = deployments
    assert intake.name == "nightly-intake" and intake.entrypoint == "flows.nightly.nightly_intake"
    assert (schedule_of(intake).cron, schedule_of(intake).timezone) == ("0 1 * * *",
                                                                       "Asia/Ho_Chi_Minh")
    assert (schedule_of(fixity).cron, schedule_of(fixity).timezone) == ("0 3 * * *",
                                                                       "Asia/Ho_Chi_Minh")
    for d in deployments:  # never two runs of one deployment at once
        assert d.concurrency_limit == 1
        assert d.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    assert options["limit"] == 1 and fixity.parameters == {"sample": None}


def test_serve_takes_cron_and_time_zone_from_the_settings(served, monkeypatch):
    monkeypatch.setenv("SOHOA_NIGHTLY_CRON", "30 2 * * 1-6")
    monkeypatch.setenv("SOHOA_NIGHTLY_TIMEZONE", "Asia/Bangkok")
    monkeypatch.setenv("SOHOA_FIXITY_CRON", "0 5 * * 0")
    monkeypatch.setenv("SOHOA_FIXITY_SAMPLE", "500")
    result, calls = served()
    assert result.exit_code == 0, result.output
    intake, fixity = calls[0][0]
    assert (schedule_of(intake).cron, schedule_of(intake).timezone) == ("30 2 * * 1-6",
                                                                       "Asia/Bangkok")
    assert (schedule_of(fixity).cron, schedule_of(fixity).timezone) == ("0 5 * * 0",
                                                                       "Asia/Bangkok")
    assert fixity.parameters == {"sample": 500}
    result, calls = served("--every", "5")
    assert schedule_of(calls[-1][0][0]).interval.total_seconds() == 5


def test_serve_refuses_a_bad_cron_with_what_to_do(served, monkeypatch):
    monkeypatch.setenv("SOHOA_NIGHTLY_CRON", "0 25 * * *")
    result, calls = served()
    assert result.exit_code == 2 and not calls
    assert "SOHOA_NIGHTLY_CRON='0 25 * * *' is not a cron line" in result.output
    assert "minute hour day month weekday" in result.output


def test_serve_without_a_prefect_server_says_how_to_start_one(served):
    result, calls = served(api_url=None)
    assert result.exit_code == 2 and not calls
    assert "sohoa serve needs a Prefect server" in result.output
    assert "export PREFECT_API_URL=http://127.0.0.1:4200/api" in result.output
