"""A cache of pages already read, so a re-run (after a crash, or of the same scans) skips
preprocessing and tesseract for every page it has OCRed before.

* Key: SHA-256 of the page image's bytes and its page number, the OCR options (dpi, language,
  anything else that reaches preprocessing or tesseract), the engine (tesseract version and
  language), the pipeline version, a hash of the ``ocr`` package's code, and the fields of
  :class:`PageOutput`. Extraction settings are *not* in the key: on a hit the records are
  extracted again from the cached words, tables and cues (:func:`ocr.page.reextract`,
  milliseconds), so a changed threshold or word list takes effect without invalidating
  anything.
* Entry: ``<root>/<key[:2]>/<key>/`` holding one file per path field of the PageOutput (the
  cleaned image, the hOCR, the words...) and ``entry.json`` (the other fields, serialized
  generically through pydantic, and each file's SHA-256). It is written into a temporary folder
  and renamed into place, so a killed run never leaves a half entry under its key; an entry
  that fails its check when read is removed and counts as a miss.
* A hit touches ``entry.json``: ``sohoa cache prune --older-than DAYS`` removes entries not
  used for that long; ``sohoa cache clear`` removes all. Entries hold OCR text (personal data):
  the cache lives in the data folder, next to the registry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from kernel import PIPELINE_VERSION
from ocr.page import PageOutput, process_page, reextract
from ocr.tesseract import probe

log = logging.getLogger(__name__)

FORMAT = 1
ENTRY = "entry.json"
EXTRACTION_ARGS = frozenset({"auto_min", "structured_auto_min", "gazetteer", "lexicon"})
"""process_page's keyword arguments that only reach extraction (re-run on a hit: not keyed)."""
NOT_KEYED = frozenset({"timeout_s"})
"""...and those that do not change what is read."""
STALE_TMP_S = 3600.0


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the ``ocr`` package's source: changed preprocessing or OCR code never reuses
    pages read by the old code (extraction modules are included too: simpler, and safe)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter:
    return TypeAdapter(PageOutput)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class CacheStats:
    entries: int
    bytes: int


class PageCache:
    """Entries under ``root``; safe for several processes at once (rename is atomic)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str, dest: Path) -> PageOutput | None:
        """The cached page with its files copied into ``dest``; None on a miss. A damaged
        entry (cut short, edited, unreadable) is removed and is a miss."""
        entry = self._dir(key)
        if not entry.is_dir():
            return None
        try:
            out = self._restore(entry, dest)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("OCR cache: damaged entry %s removed (%s)", key[:12], type(exc).__name__)
            shutil.rmtree(entry, ignore_errors=True)
            return None
        try:
            os.utime(entry / ENTRY)  # last use, for prune
        except OSError:
            pass
        return out

    def _restore(self, entry: Path, dest: Path) -> PageOutput:
        body = json.loads((entry / ENTRY).read_text(encoding="utf-8"))
        if body.get("format") != FORMAT:
            raise ValueError("format")
        for name, meta in body["files"].items():
            if _sha256(entry / name) != meta["sha256"]:
                raise ValueError(f"{name} does not match its checksum")
        data = dict(body["output"])
        dest.mkdir(parents=True, exist_ok=True)
        for name, meta in body["files"].items():
            target = dest / Path(meta["name"]).name
            part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
            shutil.copyfile(entry / name, part)
            os.replace(part, target)
            data[name] = str(target)
        return _adapter().validate_python(data)

    def put(self, key: str, out: PageOutput, about: dict[str, Any] | None = None) -> bool:
        """Store ``out`` (its files are copied); False when another run stored it first.
        ``about``: what the key was made of, kept in the entry to explain misses."""
        entry = self._dir(key)
        tmp = entry.parent / f".tmp-{key[:16]}-{uuid.uuid4().hex[:8]}"
        try:
            tmp.mkdir(parents=True)
            files: dict[str, dict[str, str]] = {}
            output = _adapter().dump_python(out, mode="json")
            for f in fields(out):
                value = getattr(out, f.name)
                if isinstance(value, Path):
                    shutil.copyfile(value, tmp / f.name)
                    files[f.name] = {"name": value.name, "sha256": _sha256(tmp / f.name)}
                    del output[f.name]
            body = {"format": FORMAT, "created": time.time(), "key": about, "output": output,
                    "files": files}
            (tmp / ENTRY).write_text(json.dumps(body, ensure_ascii=False, default=repr),
                                     encoding="utf-8")
            try:
                os.rename(tmp, entry)
            except OSError:
                if entry.exists():  # another run stored it meanwhile: keep the first
                    return False
                raise
            return True
        except OSError as exc:  # a full disk must not fail the page: the cache is optional
            log.warning("OCR cache: page not stored (%s)", exc.strerror or type(exc).__name__)
            return False
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _entries(self) -> list[Path]:
        return [p for p in self.root.glob("??/*") if p.is_dir() and not p.name.startswith(".")]

    def stats(self) -> CacheStats:
        entries = self._entries()
        size = sum(f.stat().st_size for e in entries for f in e.iterdir() if f.is_file())
        return CacheStats(len(entries), size)

    def prune(self, older_than_s: float) -> int:
        """Remove entries not used for ``older_than_s`` seconds, and temporary folders left by
        killed runs; the number of entries removed."""
        now = time.time()
        removed = 0
        for entry in self._entries():
            try:
                unused = now - (entry / ENTRY).stat().st_mtime
            except OSError:
                unused = float("inf")  # no entry.json: not an entry any run would read
            if unused > older_than_s:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        for tmp in self.root.glob("??/.tmp-*"):
            if now - tmp.stat().st_mtime > STALE_TMP_S:  # not a write in progress
                shutil.rmtree(tmp, ignore_errors=True)
        return removed

    def clear(self) -> int:
        count = len(self._entries())
        shutil.rmtree(self.root, ignore_errors=True)
        return count


def key_parts(image: Path, page: int, options: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "image": _sha256(image), "page": page, "options": options,
            "pipeline": PIPELINE_VERSION, "code": code_fingerprint(),
            "output": [f.name for f in fields(PageOutput)]}


def key_of(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=repr).encode()).hexdigest()


def cache_root(data_dir: Path) -> Path:
    return Path(data_dir) / "cache" / "ocr"


def read_page(cache: PageCache | None, image: Path, page: int, **options: Any) -> PageOutput:
    """:func:`ocr.page.process_page`, through the cache when there is one. The options are
    process_page's keyword arguments; the extraction ones are re-applied on a hit."""
    if cache is None:
        return process_page(image, page, **options)
    extraction = {k: v for k, v in options.items() if k in EXTRACTION_ARGS}
    keyed = {k: v for k, v in options.items() if k not in EXTRACTION_ARGS | NOT_KEYED}
    keyed["engine"] = probe(options["lang"]).engine_id(options["lang"])
    parts = key_parts(image, page, keyed)
    key = key_of(parts)
    hit = cache.get(key, image.parent)
    if hit is not None:
        log.debug("OCR cache hit: page %d", page)
        return reextract(hit, **extraction)
    out = process_page(image, page, **options)
    cache.put(key, out, about=parts)
    return out
