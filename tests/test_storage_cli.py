"""`sohoa fixity` and `sohoa s3-dev` as a person runs them."""

import shlex
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from conftest import ROOT, S3_TEST_BUCKET
from storage import LocalArchive, open_archive
from storage.bag import collect_objects, write_bag
from storage.devserver import port_is_free
from sohoa.archive_commands import archive_app
from test_storage_contract import INFO, _small_batch

runner = CliRunner()


def _archive_with_a_batch(archive):
    objs, manifest = _small_batch(archive)
    write_bag(archive, INFO, collect_objects(archive, [manifest], []))
    return objs


def test_fixity_on_a_folder_exits_1_on_a_flipped_byte(tmp_path):
    archive = LocalArchive(tmp_path / "arch")
    objs = _archive_with_a_batch(archive)
    ok = runner.invoke(archive_app, ["fixity", "--archive", str(tmp_path / "arch")])
    assert ok.exit_code == 0, ok.output
    assert "1 manifest(s), 1 bag(s), 9 object(s) listed, 9 re-read" in ok.output
    path = archive.root / objs[1].key
    data = bytearray(path.read_bytes())
    data[100] ^= 0x80
    path.write_bytes(bytes(data))
    bad = runner.invoke(archive_app, ["fixity", "--archive", str(tmp_path / "arch")])
    assert bad.exit_code == 1
    assert f"changed {objs[1].key}" in bad.output and "0 missing, 1 changed" in bad.output
    sampled = runner.invoke(archive_app, ["fixity", "--archive", str(tmp_path / "arch"),
                                          "--sample", "2", "--seed", "3"])
    assert "2 re-read" in sampled.output


@pytest.mark.s3
def test_fixity_on_s3_from_the_environment(s3_server, monkeypatch):
    spec = f"s3://{S3_TEST_BUCKET}/cli-fixity-{time.monotonic_ns()}"
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SOHOA_ARCHIVE", spec)
    monkeypatch.setenv("SOHOA_S3_RETENTION_DAYS", "1")
    archive = open_archive(spec)
    objs = _archive_with_a_batch(archive)
    ok = runner.invoke(archive_app, ["fixity"])
    assert ok.exit_code == 0, ok.output
    archive.client.remove_object(S3_TEST_BUCKET, archive._name(objs[2].key))
    bad = runner.invoke(archive_app, ["fixity"])
    assert bad.exit_code == 1 and f"missing {objs[2].key}" in bad.output
    assert s3_server.secret_key not in ok.output + bad.output


def test_fixity_says_what_to_do_when_the_server_is_down(monkeypatch):
    port = next(p for p in range(46000, 47000) if port_is_free(p))
    monkeypatch.setenv("SOHOA_S3_ENDPOINT", f"127.0.0.1:{port}")
    monkeypatch.setenv("SOHOA_S3_SECURE", "false")
    monkeypatch.setenv("SOHOA_S3_RETRIES", "2")
    monkeypatch.setenv("SOHOA_S3_RETRY_BASE_S", "0.05")
    down = runner.invoke(archive_app, ["fixity", "--archive", "s3://nowhere/x"])
    assert down.exit_code == 7
    assert f"127.0.0.1:{port} did not answer" in down.output and "what to do" in down.output


@pytest.mark.s3
def test_s3_dev_starts_a_server_sohoa_can_use_and_stops_on_ctrl_c_or_kill(tmp_path):
    port = next(p for p in range(45000, 46000) if port_is_free(p))
    proc = subprocess.Popen([sys.executable, "-m", "sohoa.archive_commands", "s3-dev",
                             "--dir", str(tmp_path / "s3"), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("Ctrl-C" in line for line in lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}" in output, output
        env_file = tmp_path / "s3" / "s3.env"
        assert oct(env_file.stat().st_mode & 0o777) == "0o600"
        env = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1)
                   for line in env_file.read_text().splitlines())
        assert env["SOHOA_S3_SECRET_KEY"] not in output  # the key stays in the file
        archive = open_archive(env["SOHOA_ARCHIVE"], _Env(env))
        assert archive.put_bytes("originals/aa/x.png", b"x", immutable=True).written
    finally:
        proc.send_signal(signal.SIGTERM)  # as `kill` does; Ctrl-C (SIGINT) takes the same path
        proc.wait(30)
    assert port_is_free(port)  # the weed server went down with it


class _Env:
    def __init__(self, env):
        self.env = env

    def __getattr__(self, name):
        return self.env.get(f"SOHOA_{name.upper()}")
