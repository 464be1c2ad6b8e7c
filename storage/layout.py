"""The archive's key layout, the same in every backend (README: 'The archive').

originals/<sha[:2]>/<sha><ext>                   the source file's bytes, never overwritten
quarantine/<sha[:2]>/<sha><ext>                  a source file that could not be taken in
quarantine/<sha[:2]>/<sha>.error.json            why, and what to do
derived/<pipeline>/<sha[:2]>/<sha>/page-0001.png     preprocessed page image
derived/<pipeline>/<sha[:2]>/<sha>/page-0001.hocr    OCR words with boxes and confidences
derived/<pipeline>/<sha[:2]>/<sha>/records/<record_id>.json   record with provenance
derived/<pipeline>/<sha[:2]>/<sha>/manifest.json     SHA-256 and size of every object above
"""

from __future__ import annotations

from pathlib import PurePosixPath


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


def manifest_key(pipeline: str, sha: str) -> str:
    return f"{derived_prefix(pipeline, sha)}/manifest.json"
