"""The folder inbox: when a batch is ready, claimed exactly once even by racing processes,
finished beside its receipt; the run lock, held across processes and dropped when its holder
dies. No Prefect, no OCR: fast."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from flows.inbox import KEPT_MARKER, MARKER, FolderInbox, InboxBusyError

PY = sys.executable


def drop(inbox: FolderInbox, name: str, files=("a.png",), ready=True) -> Path:
    folder = inbox.folder("incoming") / name
    folder.mkdir(parents=True)
    for f in files:
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        (folder / f).write_bytes(b"scan " + f.encode())
    if ready:
        (folder / MARKER).touch()
    return folder


def test_a_batch_is_ready_with_its_marker_or_after_the_quiet_period(tmp_path):
    inbox = FolderInbox(tmp_path, quiet_s=600)
    drop(inbox, "marked", files=("x/1.png", "2.pdf"))
    drop(inbox, "copying", ready=False)
    (inbox.folder("incoming") / "empty").mkdir()
    now = time.time()
    state = {w.name: w for w in inbox.waiting(now)}
    assert state["marked"].ready and state["marked"].why == "READY file"
    assert state["marked"].files == 2  # the marker is no scan
    assert not state["copying"].ready and state["copying"].why.startswith("changed")
    assert not state["empty"].ready and state["empty"].why == "empty"
    later = {w.name: w for w in inbox.waiting(now + 601)}
    assert later["copying"].ready and later["copying"].why == "unchanged for 10 min"
    assert not later["empty"].ready  # a folder with no file is never taken without READY
    assert inbox.ready(now + 601) == ["copying", "marked"]


def test_a_copy_that_keeps_old_timestamps_is_not_quiet(tmp_path):
    """cp -p / rsync -t set old mtimes; the ctime still says the copy is happening now."""
    inbox = FolderInbox(tmp_path, quiet_s=600)
    folder = drop(inbox, "rsynced", ready=False)
    old = time.time() - 86400
    for p in [folder / "a.png", folder]:
        os.utime(p, (old, old))
    assert inbox.ready() == []
    (folder / "a.png").write_bytes(b"grown while copying")  # and a change restarts the wait
    assert not inbox.waiting(time.time() + 599)[0].ready


def test_claim_moves_once_and_sets_the_marker_aside(tmp_path):
    inbox = FolderInbox(tmp_path)
    drop(inbox, "lô 1", files=("a.png",))
    got = inbox.claim("lô 1")
    assert got == inbox.folder("processing") / "lô 1"
    assert (got / "a.png").read_bytes() == b"scan a.png"
    assert not (got / MARKER).exists() and (got / KEPT_MARKER).exists()
    assert inbox.claim("lô 1") is None  # gone from incoming: nobody takes it again
    assert inbox.ready() == [] and inbox.in_processing() == [got]
    drop(inbox, "lô 1")  # the same name again while the first is processing: it waits
    assert inbox.claim("lô 1") is None and inbox.ready() == ["lô 1"]
    with pytest.raises(ValueError):
        inbox.claim("../etc")


def test_finish_moves_beside_the_receipt_and_never_overwrites(tmp_path):
    inbox = FolderInbox(tmp_path)
    receipt = tmp_path / "r.report.json"
    receipt.write_text(json.dumps({"records": 3, "files_failed": 0}))
    drop(inbox, "b")
    first = inbox.finish(inbox.claim("b"), ok=True, receipt=receipt)
    assert first.path == inbox.folder("done") / "b" and (first.path / "a.png").exists()
    assert json.loads(first.receipt.read_text())["records"] == 3
    drop(inbox, "b")  # dropped again later: kept apart
    second = inbox.finish(inbox.claim("b"), ok=True, receipt=receipt)
    assert second.path.name.startswith("b.") and second.path != first.path
    assert second.receipt.name == f"{second.path.name}.report.json"
    drop(inbox, "c")
    failed = inbox.finish(inbox.claim("c"), ok=False, error=RuntimeError("boom"))
    assert failed.path == inbox.folder("failed") / "c"
    body = json.loads(failed.receipt.read_text())
    assert body["error"] == "RuntimeError" and body["message"] == "boom"


CLAIMER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from flows.inbox import FolderInbox
    inbox = FolderInbox(sys.argv[1])
    go = Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.001)
    won = []
    while (path := inbox.claim_next()) is not None:
        assert (path / "a.png").read_bytes() == b"scan a.png"
        won.append(path.name)
    print("\\n".join(won))
""")


def test_racing_processes_claim_each_batch_exactly_once(tmp_path):
    inbox = FolderInbox(tmp_path / "inbox")
    names = [f"batch-{i:03d}" for i in range(60)]
    for name in names:
        drop(inbox, name)
    go = tmp_path / "go"
    script = CLAIMER.format(root=str(ROOT))
    procs = [subprocess.Popen([PY, "-c", script, str(inbox.root), str(go)],
                              stdout=subprocess.PIPE, text=True) for _ in range(3)]
    time.sleep(1.0)  # let every process import and wait at the start line
    go.touch()
    wins = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        wins.append([line for line in out.splitlines() if line])
    claimed = [name for won in wins for name in won]
    assert sorted(claimed) == names  # every batch taken, none twice
    assert sum(1 for won in wins if won) >= 2, "the processes did not actually race"
    assert sorted(p.name for p in inbox.in_processing()) == names


HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from flows.inbox import FolderInbox
    with FolderInbox(sys.argv[1]).lock():
        print("held", flush=True)
        time.sleep(120)
""")


@pytest.fixture
def held_by_another_process(tmp_path):
    inbox = FolderInbox(tmp_path / "inbox")
    proc = subprocess.Popen([PY, "-c", HOLDER.format(root=str(ROOT)), str(inbox.root)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield inbox, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_the_run_lock_refuses_a_second_run_until_its_holder_dies(held_by_another_process):
    inbox, proc = held_by_another_process
    assert f"pid {proc.pid}" in inbox.holder()
    with pytest.raises(InboxBusyError) as busy:
        with inbox.lock():
            pass
    assert "another run is processing the inbox" in busy.value.message
    assert f"pid {proc.pid}" in busy.value.message
    proc.send_signal(signal.SIGKILL)  # a crash: no clean-up runs
    proc.wait()
    assert inbox.holder() is None
    with inbox.lock():
        assert f"pid {os.getpid()}" in inbox.holder()
        with pytest.raises(InboxBusyError):  # exclusive within one process too
            with inbox.lock():
                pass


def test_inbox_run_exits_clearly_while_another_run_holds_the_inbox(held_by_another_process):
    from sohoa.cli import app

    inbox, proc = held_by_another_process
    drop(inbox, "waiting")
    result = CliRunner().invoke(app, ["inbox", "run", "--inbox", str(inbox.root)])
    assert result.exit_code == 75, result.output
    assert "another run is processing the inbox" in result.output
    assert inbox.ready() == ["waiting"]  # untouched


def test_inbox_status_lists_every_state(tmp_path):
    from sohoa.cli import app

    inbox = FolderInbox(tmp_path / "inbox", quiet_s=600)
    drop(inbox, "ready-one")
    drop(inbox, "still-copying", ready=False)
    drop(inbox, "left")
    inbox.claim("left")
    drop(inbox, "finished")
    (inbox.folder("incoming") / "le.png").write_bytes(b"a scan outside any batch folder")
    receipt = tmp_path / "r.json"
    receipt.write_text(json.dumps({"records": 7, "files_failed": 1}))
    inbox.finish(inbox.claim("finished"), ok=False, receipt=receipt)
    result = CliRunner().invoke(app, ["inbox", "status", "--inbox", str(inbox.root)],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    row = lambda name: next(line for line in lines if f" {name} " in line)  # noqa: E731
    assert "ready" in row("ready-one") and "READY file" in row("ready-one")
    assert "waiting" in row("still-copying") and "create READY" in row("still-copying")
    assert "processing" in row("left") and "left by a run that stopped" in row("left")
    assert "failed" in row("finished") and "7 record(s), 1 file(s) failed" in row("finished")
    assert "not taken" in row("le.png") and "a file straight in incoming" in row("le.png")
    assert "no run is processing it" in result.output
