import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "ocr,matching,storage,sohoa")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_scans"


def pytest_collection_modifyitems(config, items):
    if shutil.which("tesseract") is None:
        skip = pytest.mark.skip(reason="tesseract is not installed (make setup installs it)")
        for item in items:
            if "tesseract" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


# --- the S3 archive: one real S3 server (SeaweedFS `weed mini`) for the whole session ---------
S3_TEST_BUCKET = "sohoa-test"
# storage logs retries outside flow runs too (plain tests, `sohoa fixity`): no API warning then
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


def pytest_configure(config):
    config.addinivalue_line("markers", "s3: runs against a real S3 server (SeaweedFS weed mini)")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """SeaweedFS on 127.0.0.1, every port it opens picked free, one identity (so wrong keys are
    refused). Tests that stop it must start it again (``s3_server.start()``)."""
    from storage.devserver import DevS3Server

    server = DevS3Server(tmp_path_factory.mktemp("s3server"))
    server.start(timeout_s=60)
    yield server
    server.stop()


@pytest.fixture
def s3_archive_factory(s3_server):
    """Make S3 archives on the session server, each under its own fresh prefix; short
    retention (1 day, GOVERNANCE), 5 MiB parts and quick retries."""
    import uuid

    from storage.retry import RetryPolicy
    from storage.s3 import MiB, S3Archive, S3Config

    made = []

    def make(**changes):
        fields = dict(endpoint=s3_server.endpoint, bucket=S3_TEST_BUCKET,
                      prefix=f"t-{uuid.uuid4().hex[:12]}", access_key=s3_server.access_key,
                      secret_key=s3_server.secret_key, secure=False, retention_days=1,
                      part_size=5 * MiB, retries=RetryPolicy(attempts=3, base_s=0.05, max_s=0.2))
        fields.update(changes)
        archive = S3Archive(S3Config(**fields))
        made.append(archive)
        return archive

    yield make
    for archive in made:
        archive.close()


# --- the review desk: real batch outputs with review situations -------------------------------
REVIEW_OVERRIDES = {"ocr_workers": 2,
                    # every field read below 0.99 goes to review; links to review come from a
                    # registry holding one person twice (registry_with_a_duplicate)
                    "field_auto_min_confidence": 0.99, "field_auto_min_structured": 0.99}


def registry_with_a_duplicate(folder):
    """The sample registry plus a second registration of the person whose page prints no ID
    (same name, birth, parents, places; another ID number), as registries do hold: no matcher
    can tell the two apart, so that record's link goes to review whatever the thresholds."""
    import csv
    import json

    truth = [json.loads(line) for line in (SAMPLE / "expected.jsonl").read_text().splitlines()]
    target = next(t["registry_id"] for t in truth if not t["fields"]["id_number"])
    with open(SAMPLE / "registry.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    twin = dict(next(r for r in rows if r["id_number"] == target))
    twin["id_number"] = target[:-2] + f"{(int(target[-2:]) + 37) % 100:02d}"
    path = folder / "registry_with_duplicate.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + [twin])
    return path


@pytest.fixture(scope="session")
def review_batches(prefect_harness, tmp_path_factory):
    """The sample batch through the real flow with review thresholds, plus a one-page batch
    whose OCR times out (a failed page). Tests copy it (``review_data``) before changing it."""
    from flows.batch import run_batch
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    data = tmp_path_factory.mktemp("review") / "data"
    overrides = {**REVIEW_OVERRIDES, "data_dir": str(data)}
    with RegistryStore(Settings(**overrides).registry_url) as store:
        assert not store.import_csv(registry_with_a_duplicate(data.parent)).errors
    failing = data.parent / "so_loi"
    failing.mkdir()
    shutil.copy(SAMPLE / "batch" / "khai_sinh_nghieng.png", failing / "trang_mo.png")
    run_batch(SAMPLE / "batch", export=None, overrides=overrides)
    # the page was read by the run above: with the OCR cache its timeout would never be reached
    report = run_batch(failing, export=None,
                       overrides={**overrides, "ocr_timeout_s": 0.01, "ocr_cache": False})
    assert report.page_failures, "the one-page batch was meant to fail its OCR"
    return data


@pytest.fixture
def review_data(review_batches, tmp_path):
    """A private copy of the review batches' data folder (exports, archive, registry); the
    receipts are pointed at the copy's archive."""
    import json

    data = tmp_path / "data"
    shutil.copytree(review_batches, data)
    for receipt in (data / "exports").glob("*.report.json"):
        body = json.loads(receipt.read_text(encoding="utf-8"))
        body["archive"] = str(data / "archive")
        receipt.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    return data


@pytest.fixture
def review_settings(review_data):
    from kernel.settings import Settings

    return Settings(**{**REVIEW_OVERRIDES, "data_dir": str(review_data)})


# --- the registry on PostgreSQL: one real server (Debian's postgresql) for the whole session ---
def _postgres_bindir():
    import glob

    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


class _PostgresServer:
    """initdb into a fresh folder and pg_ctl start on 127.0.0.1 (a free port), as the
    ``postgres`` OS user when the tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self, bindir: str) -> None:
        import pwd
        import socket
        import tempfile

        self.bindir = bindir
        self.base = tempfile.mkdtemp(prefix="sohoa-pg-")  # under /tmp: reachable by postgres
        self.data = os.path.join(self.base, "data")
        self.log = os.path.join(self.base, "server.log")
        self.run_as = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.base, account.pw_uid, account.pw_gid)
            self.run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.admin = f"postgresql+psycopg://sohoa@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float) -> None:
        import subprocess

        subprocess.run([os.path.join(self.bindir, args[0]), *args[1:]], check=True,
                       timeout=timeout, capture_output=True, cwd=self.base,
                       env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"}, **self.run_as)

    def start(self, timeout_s: float = 60) -> None:
        self._run("initdb", "-D", self.data, "-U", "sohoa", "--auth=trust", "-E", "UTF8",
                  "--no-sync", timeout=timeout_s)
        self.resume(timeout_s)

    def pause(self) -> None:
        """Stop the server, keeping its data: the registry becomes unreachable."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", timeout=30)

    def resume(self, timeout_s: float = 60) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -F "
                   f"-c shared_buffers=32MB -c max_connections=40")
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w",
                  "-t", str(int(timeout_s)), "start", timeout=timeout_s + 10)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", timeout=30)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def new_database(self) -> str:
        import uuid

        from sqlalchemy import create_engine, text

        name = f"t_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        engine.dispose()
        return f"postgresql+psycopg://sohoa@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres_server():
    """Debian's PostgreSQL on 127.0.0.1 for the session; skipped only when its binaries are
    absent (`make test` installs the `postgresql` package)."""
    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    server = _PostgresServer(bindir)
    try:
        server.start(timeout_s=60)
    except Exception:
        log = open(server.log, encoding="utf-8", errors="replace").read() \
            if os.path.exists(server.log) else ""
        shutil.rmtree(server.base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{log[-2000:]}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def registry_url(request, tmp_path):
    """A fresh, empty registry database: SQLite, then a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    return request.getfixturevalue("postgres_server").new_database()
