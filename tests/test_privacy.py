"""Privacy: a full batch (registry import, OCR, matching, archiving, the bag) on sample_scans
with every logger captured at INFO: no ID number, name (as printed, in title case, without
diacritics) or date of birth of anyone in sample_scans/expected.jsonl appears in any log line.
(The CLI's own output with -v is checked the same way in tests/test_flow.py.)"""

import json
import logging

import pytest

from conftest import SAMPLE
from kernel.vntext import strip_diacritics
from test_hostile import LogCapture

pytestmark = [pytest.mark.flow, pytest.mark.tesseract]
NAME_FIELDS = ("full_name", "father_name", "mother_name")


def secrets_of_the_sample() -> set[str]:
    found: set[str] = set()
    for line in (SAMPLE / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        fields = record["fields"]
        for value in (fields.get("id_number"), record.get("registry_id")):
            if value:
                found.add(value)
        for name in NAME_FIELDS:
            if fields.get(name):
                for form in (fields[name], fields[name].title()):
                    found |= {form, strip_diacritics(form)}
        dob = fields.get("date_of_birth")
        if dob:
            y, m, d = dob.split("-")
            found |= {dob, f"{d}/{m}/{y}", f"{int(d)}/{int(m)}/{y}"}
    return found


def test_secrets_list_is_not_empty():
    secrets = secrets_of_the_sample()
    assert any(s.isdigit() and len(s) == 12 for s in secrets)
    assert any(s.isupper() for s in secrets) and any(s.istitle() for s in secrets)


def test_a_full_batch_logs_no_id_name_or_birth_date_at_info(prefect_harness, tmp_path):
    from flows.batch import run_batch
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    overrides = {"data_dir": str(tmp_path / "data"), "ocr_workers": 2}
    with LogCapture(logging.INFO) as logs:
        with RegistryStore(Settings(**overrides).registry_url) as store:
            assert not store.import_csv(SAMPLE / "registry.csv").errors
        report = run_batch(SAMPLE / "batch", export=tmp_path / "out.jsonl", overrides=overrides)
    assert report.ok and report.records > 0
    messages = logs.messages()
    assert any("record(s)" in m for m in messages), "the pipeline's INFO lines were not captured"
    assert logs.records and all(r.levelno >= logging.INFO for r in logs.records)
    leaks = sorted({s for s in secrets_of_the_sample() for m in messages if s in m})
    assert leaks == [], f"personal data in the log: {leaks}"
    # the export does hold them (the test is not vacuous)
    exported = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert sum(s in exported for s in secrets_of_the_sample()) >= 3
