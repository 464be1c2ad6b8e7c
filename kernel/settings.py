"""One settings object for the CLI, the flows and the web app.

Precedence: command-line flags > environment ``SOHOA_*`` > defaults. Secrets come from the
environment only and are never logged (see :meth:`Settings.fingerprint`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", extra="ignore")

    data_dir: Path = Field(Path("sohoa-data"), description="Where embedded defaults live.")
    registry_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir.")
    archive: str | None = Field(None, description="Local folder or s3://bucket/prefix.")
    work_dir: Path | None = Field(None, description="Scratch space for page images and OCR.")

    # OCR
    ocr_lang: str = "vie"
    ocr_timeout_s: float = 180.0
    ocr_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    pdf_dpi: int = Field(300, ge=72, le=600)
    max_image_pixels: int = Field(150_000_000, description="Larger images are refused (bombs).")
    max_pages_per_file: int = 500
    dossiers: bool = Field(False, description="Every top-level folder and file of a batch is "
                           "one dossier (hồ sơ); folders holding a dossier.json are always.")
    ocr_cache: bool = Field(True, description="Keep every page's OCR in <data_dir>/cache/ocr "
                            "so a re-run (after a crash too) skips pages already read; "
                            "SOHOA_OCR_CACHE=false turns it off.")
    searchable_pdf: bool = Field(True, description="Archive each source file as a searchable "
                                 "PDF too (its cleaned pages under their OCR text), made by "
                                 "the same tesseract call that reads the page.")

    # where page tasks run (default: a thread pool of ocr_workers in this process)
    dask_address: str | None = Field(None, description="tcp://host:port of a Dask scheduler "
                                     "whose workers share this machine's data and work folders.")
    dask_local_workers: int | None = Field(None, ge=1, description="Start a local Dask cluster "
                                           "of this many worker processes, one thread each.")

    # extraction
    word_lists: Path | None = Field(
        None, description="Folder with tesseract_langdata_vie/vie.wordlist and names/ (real "
                          "Vietnamese syllables); default ../shared/data when present, else the "
                          "syllable check is skipped.")
    admin_units: Path | None = Field(
        None, description="Administrative-unit list (GSO CSV, or a folder holding it and the "
                          "2017 list); default: ../shared/data/admin_units when present, else "
                          "the built-in province table.")
    # calibrated (benchmarks/calibration.py; ocr.fields.AUTO_MIN, STRUCTURED_AUTO_MIN)
    field_auto_min_confidence: float = Field(0.70, ge=0.0, le=1.0)
    field_auto_min_structured: float = Field(
        0.50, ge=0.0, le=1.0, description="for fields that also pass a format or list check "
                                          "(dates, sex, ethnic group, numbers, years)")

    # matching
    match_upper: float = Field(0.99, ge=0.0, le=1.0)
    match_lower: float = Field(0.50, ge=0.0, le=1.0)
    match_margin: float = Field(0.08, ge=0.0, le=1.0)
    match_max_candidates: int = 5
    registry_attempts: int = Field(4, ge=1, description="tries of a registry read when the "
                                   "database is down, unreachable or locked, the first included")
    registry_retry_base_s: float = Field(1.0, ge=0.0, description="first pause between those "
                                         "tries; doubled each time, at most 30 s")

    # S3 (used when archive starts with s3://)
    s3_endpoint: str | None = None
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = True
    s3_region: str | None = None
    s3_lock_mode: str = Field("GOVERNANCE", description="GOVERNANCE, COMPLIANCE or off")
    s3_retention_days: int = Field(3650, ge=1)
    s3_sse: str | None = Field(None, description="S3 or KMS:<key id>")
    s3_part_size_mb: int = Field(16, ge=5)
    s3_verify: str = Field("etag", description="etag or read")
    s3_retries: int = Field(5, ge=1)
    s3_retry_base_s: float = Field(0.5, gt=0)
    operator: str | None = Field(None, description="Who drops batches (bag-info); default: OS user")

    # nightly operations: the inbox (sohoa inbox run), schedules (sohoa serve)
    inbox_dir: Path | None = Field(None, description="The inbox folder: incoming/, processing/, "
                                   "done/, failed/ inside; default <data_dir>/inbox")
    inbox_quiet_s: float = Field(600.0, ge=0, description="a batch folder without a READY file "
                                 "is taken once nothing in it has changed for this long")
    inbox_s3: str | None = Field(None, description="s3://bucket/prefix: also take batches "
                                 "uploaded under <prefix>/incoming/<batch>/ with a READY object")
    nightly_cron: str = Field("0 1 * * *", description="when the nightly intake runs")
    nightly_timezone: str = Field("Asia/Ho_Chi_Minh", description="time zone of both crons")
    fixity_cron: str = Field("0 3 * * *", description="when the nightly fixity check runs")
    fixity_sample: int | None = Field(None, ge=1, description="objects the nightly fixity "
                                      "check re-reads, chosen at random; default: all")

    # the review desk
    review_db_url: str | None = Field(None, description="default sqlite:///<data_dir>/review.sqlite")
    review_exports: list[Path] | None = Field(None, description="default <data_dir>/exports")
    review_secure_cookies: bool = Field(False, description="on behind HTTPS; off for http://127.0.0.1")
    review_session_minutes: int = 480
    review_login_attempts: int = 5
    review_login_window_s: int = 900
    review_double_keying: bool = False
    review_language: str = "vi"

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if self.registry_url is None:
            self.registry_url = f"sqlite:///{(self.data_dir / 'registry.sqlite').as_posix()}"
        if self.archive is None:
            self.archive = str(self.data_dir / "archive")
        if self.work_dir is None:
            self.work_dir = self.data_dir / "work"
        if self.inbox_dir is None:
            self.inbox_dir = self.data_dir / "inbox"
        return self

    def fingerprint(self) -> str:
        """A hash of the settings that change results (for provenance), without secrets."""
        relevant = {k: v for k, v in self.model_dump(mode="json").items()
                    if k.startswith(("ocr_lang", "pdf_dpi", "field_", "match_", "admin_units", "word_lists"))}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:12]
