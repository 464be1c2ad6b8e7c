"""The batch receipt: what was taken in, what came out, what failed and why."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kernel.records import FileFailure, PageFailure


class BatchReport(BaseModel):
    batch: str
    sohoa_version: str
    files: int = 0
    files_failed: int = 0
    pages: int = 0
    pages_failed: int = 0
    records: int = 0
    records_all_auto: int = 0  # every field auto: nothing for a person to check
    fields_auto: int = 0
    fields_review: int = 0
    matched: int = 0
    match_review: int = 0
    no_match: int = 0
    archive_new_objects: int = 0
    archive_existing_objects: int = 0
    seconds: float = 0.0
    pages_per_second: float = 0.0
    export: str | None = None
    report: str | None = None
    archive: str | None = None
    dossiers: int = 0  # dossiers (hồ sơ) found in the batch
    dossier_checks_failed: int = 0  # cross-document disagreements, each a review item
    dossier_summaries: str | None = None  # <export>.dossiers.json
    failures: list[FileFailure] = Field(default_factory=list)
    page_failures: list[PageFailure] = Field(default_factory=list)
    page_notes: list[PageFailure] = Field(default_factory=list)
    """Pages read but flagged (blank, too dark, too small, handwriting: ocr/quality.py). Each
    goes to the review desk with its reason; unlike a failure it does not fail the batch (a
    blank separator sheet is normal in a dossier)."""

    @property
    def ok(self) -> bool:
        return self.files_failed == 0
