"""The archive's key layout, the same in every backend (README: 'The archive').

originals/<sha[:2]>/<sha><ext>                   the source file's bytes, never overwritten
quarantine/<sha[:2]>/<sha><ext>                  a source file that could not be taken in
quarantine/<sha[:2]>/<sha>.error.json            why, and what to do
derived/<pipeline>/<sha[:2]>/<sha>/page-0001.png     preprocessed page image
derived/<pipeline>/<sha[:2]>/<sha>/page-0001.hocr    OCR words with boxes and confidences
derived/<pipeline>/<sha[:2]>/<sha>/records/<record_id>.json   record with provenance
derived/<pipeline>/<sha[:2]>/<sha>/searchable.pdf    the file's pages with a text layer
derived/<pipeline>/<sha[:2]>/<sha>/manifest.json     SHA-256 and size of every object above
reports/<batch>/batch-report.html                the batch's HTML report (latest run; earlier
                                                 runs kept as versions)
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

from storage.bag import batch_slug


def _ext(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if suffix.isascii() and 1 < len(suffix) <= 6 and suffix[1:].isalnum() else ""


def original_key(sha: str, name: str) -> str:
    return f"originals/{sha[:2]}/{sha}{_ext(name)}"


def quarantine_key(sha: str, name: str) -> str:
    return f"quarantine/{sha[:2]}/{sha}{_ext(name)}"


def quarantine_note_key(sha: str) -> str:
    return f"quarantine/{sha[:2]}/{sha}.error.json"


def derived_prefix(pipeline: str, sha: str) -> str:
    return f"derived/{pipeline}/{sha[:2]}/{sha}"


def page_image_key(pipeline: str, sha: str, page: int) -> str:
    return f"{derived_prefix(pipeline, sha)}/page-{page:04d}.png"


def page_ocr_key(pipeline: str, sha: str, page: int) -> str:
    return f"{derived_prefix(pipeline, sha)}/page-{page:04d}.hocr"


def record_key(pipeline: str, sha: str, record_id: str) -> str:
    return f"{derived_prefix(pipeline, sha)}/records/{record_id}.json"


def searchable_pdf_key(pipeline: str, sha: str) -> str:
    return f"{derived_prefix(pipeline, sha)}/searchable.pdf"


def manifest_key(pipeline: str, sha: str) -> str:
    return f"{derived_prefix(pipeline, sha)}/manifest.json"


def batch_report_key(batch: str) -> str:
    """The batch's HTML report, under the same batch segment as its bags (``bags/<batch>/``)
    but outside ``bags/``: a bag is content-addressed and every folder under ``bags/`` is read
    as a bag, while the report changes on every run (its timings). One key per batch, so a
    re-run replaces it and the archive keeps the previous run's report as a version."""
    return f"reports/{batch_slug(batch)}/batch-report.html"


def dossier_summary_key(pipeline: str, source_shas: list[str]) -> str:
    """A dossier's summary, addressed by the content of its files (the same packet re-run
    lands on the same key; a packet with a page added is another dossier)."""
    digest = hashlib.sha256("\n".join(sorted(source_shas)).encode()).hexdigest()
    return f"dossiers/{pipeline}/{digest[:2]}/{digest}/summary.json"
