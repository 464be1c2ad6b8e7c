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
