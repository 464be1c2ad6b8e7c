"""The S3 inbox on a real S3 server (SeaweedFS): a batch with its READY object is taken once,
even by processes on "different machines" racing for it, and a claim left by a run that died
is finished by the next run of the same inbox."""

import io
import json
import os
import subprocess
import textwrap
import time
import uuid

import pytest

from conftest import ROOT
from flows.inbox import KEPT_MARKER, FolderInbox
from test_inbox import PY

pytestmark = pytest.mark.s3
BUCKET = "sohoa-inbox-test"


@pytest.fixture
def s3_inbox(s3_server, tmp_path):
    """An S3 inbox under a fresh prefix, its settings, and a put(key, bytes) helper."""
    from minio import Minio

    from flows.inbox_s3 import S3Inbox
    from kernel.settings import Settings

    client = Minio(s3_server.endpoint, access_key=s3_server.access_key,
                   secret_key=s3_server.secret_key, secure=False)
    if not client.bucket_exists(BUCKET):
        client.make_bucket(BUCKET)
    prefix = f"inbox-{uuid.uuid4().hex[:10]}"
    env = {"SOHOA_INBOX_S3": f"s3://{BUCKET}/{prefix}", "SOHOA_S3_ENDPOINT": s3_server.endpoint,
           "SOHOA_S3_ACCESS_KEY": s3_server.access_key,
           "SOHOA_S3_SECRET_KEY": s3_server.secret_key, "SOHOA_S3_SECURE": "false"}
    settings = Settings(**{k.removeprefix("SOHOA_").lower(): v for k, v in env.items()})

    def put(key: str, data: bytes = b"scan") -> None:
        client.put_object(BUCKET, f"{prefix}/{key}", io.BytesIO(data), len(data))

    def keys() -> list[str]:
        return sorted(o.object_name[len(prefix) + 1:] for o in
                      client.list_objects(BUCKET, prefix=prefix + "/", recursive=True))

    return S3Inbox.from_settings(settings), env, put, keys


def test_a_batch_with_its_ready_object_is_taken_once(s3_inbox, tmp_path):
    s3, _, put, keys = s3_inbox
    put("incoming/lô-1/a.png", b"first")
    put("incoming/lô-1/so/trang 2.png", b"second")
    put("incoming/lô-1/READY", b"archivist lan")
    put("incoming/lo-2/x.png")  # still uploading: no READY yet
    assert s3.waiting() == {"lô-1": True, "lo-2": False}
    local = FolderInbox(tmp_path / "inbox")
    got = s3.claim_next(local)
    assert got == local.folder("processing") / "lô-1"
    assert (got / "a.png").read_bytes() == b"first"
    assert (got / "so" / "trang 2.png").read_bytes() == b"second"
    assert (got / KEPT_MARKER).read_bytes() == b"archivist lan"
    assert keys() == ["incoming/lo-2/x.png"]  # objects and claim gone, the other batch kept
    assert s3.claim_next(local) is None


CLAIMER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from flows.inbox import FolderInbox
    from flows.inbox_s3 import S3Inbox
    from kernel.settings import Settings
    s3 = S3Inbox.from_settings(Settings())
    local = FolderInbox(sys.argv[1])
    go = Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.001)
    won = []
    while (path := s3.claim_next(local)) is not None:
        won.append(path.name)
    print("\\n".join(won))
""")


def test_racing_inboxes_take_each_s3_batch_exactly_once(s3_inbox, tmp_path):
    s3, env, put, keys = s3_inbox
    names = [f"b{i:02d}" for i in range(12)]
    for name in names:
        put(f"incoming/{name}/scan.png", name.encode())
        put(f"incoming/{name}/READY")
    go = tmp_path / "go"
    procs = [subprocess.Popen([PY, "-c", CLAIMER.format(root=str(ROOT)),
                               str(tmp_path / f"host{i}"), str(go)],
                              env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)
             for i in range(3)]  # three inboxes, as on three machines
    time.sleep(2.0)
    go.touch()
    wins = []
    for i, proc in enumerate(procs):
        out, _ = proc.communicate(timeout=90)
        assert proc.returncode == 0
        wins.append([n for n in out.splitlines() if n])
        for name in wins[-1]:  # each winner holds exactly that batch's bytes
            got = tmp_path / f"host{i}" / "processing" / name / "scan.png"
            assert got.read_bytes() == name.encode()
    assert sorted(n for won in wins for n in won) == names
    assert sum(1 for won in wins if won) >= 2, "the inboxes did not actually race"
    assert keys() == []


def test_a_claim_left_by_a_dead_run_is_finished_by_its_own_inbox_only(s3_inbox, tmp_path):
    s3, _, put, keys = s3_inbox
    for name in ("mine", "theirs"):
        put(f"incoming/{name}/a.png", name.encode())
        put(f"incoming/{name}/READY")
    local, other = FolderInbox(tmp_path / "here"), FolderInbox(tmp_path / "elsewhere")
    assert s3.claim("mine", local) and s3.claim("theirs", other)  # then both runs died
    assert not s3.claim("mine", other)  # a claim is exclusive
    assert s3.claim_next(local) is None  # both are claimed: nothing new to take
    claims = s3.claims()
    assert set(claims) == {"mine", "theirs"} and claims["mine"].endswith(str(local.root.resolve()))
    with local.lock():
        s3.settle(local)
    assert (local.folder("processing") / "mine" / "a.png").read_bytes() == b"mine"
    assert keys() == ["claims/theirs", "incoming/theirs/READY", "incoming/theirs/a.png"]


@pytest.mark.flow
def test_nightly_intake_takes_s3_batches_through_the_batch_flow(prefect_harness, s3_inbox,
                                                                 tmp_path):
    from flows.nightly import nightly_intake

    _, env, put, keys = s3_inbox
    put("incoming/tu-xa/hong.pdf", b"%PDF-1.4 truncated")
    put("incoming/tu-xa/READY")
    overrides = {k.removeprefix("SOHOA_").lower(): v for k, v in env.items()}
    overrides.update(data_dir=str(tmp_path / "data"), inbox_dir=str(tmp_path / "inbox"))
    summary = nightly_intake(overrides)
    assert [(b.batch, b.state, b.files_failed) for b in summary.batches] == [("tu-xa", "failed", 1)]
    inbox = FolderInbox(tmp_path / "inbox")
    assert (inbox.folder("failed") / "tu-xa" / "hong.pdf").is_file()
    assert json.loads((inbox.folder("failed") / "tu-xa.report.json").read_text())["files"] == 1
    assert keys() == []


def test_the_inbox_bucket_is_made_when_missing_and_status_shows_s3_batches(s3_inbox, s3_server,
                                                                           tmp_path):
    from minio import Minio
    from typer.testing import CliRunner

    from flows.inbox_s3 import S3Inbox
    from kernel.settings import Settings
    from sohoa.cli import app

    s3, env, put, _ = s3_inbox
    bucket = f"sohoa-inbox-{uuid.uuid4().hex[:8]}"
    fresh = S3Inbox.from_settings(Settings(**{
        **{k.removeprefix("SOHOA_").lower(): v for k, v in env.items()},
        "inbox_s3": f"s3://{bucket}/site"}))
    assert fresh.waiting() == {}
    assert Minio(s3_server.endpoint, access_key=s3_server.access_key,
                 secret_key=s3_server.secret_key, secure=False).bucket_exists(bucket)

    put("incoming/san-sang/a.png")
    put("incoming/san-sang/READY")
    put("incoming/dang-tai/a.png")
    put("incoming/da-nhan/a.png")
    put("incoming/da-nhan/READY")
    s3.claim("da-nhan", FolderInbox(tmp_path / "elsewhere"))
    result = CliRunner().invoke(app, ["inbox", "status", "--inbox", str(tmp_path / "inbox")],
                                env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    row = lambda name: next(line for line in lines if f" {name} " in line)  # noqa: E731
    assert "ready (S3)" in row("san-sang")
    assert "waiting (S3)" in row("dang-tai")
    assert "claimed (S3)" in row("da-nhan")
