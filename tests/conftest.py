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
