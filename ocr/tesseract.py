"""A thin wrapper around the tesseract program (OCRmyPDF style).

* :func:`probe` checks the version and the language data once and says how to install them;
* :func:`recognize` runs one single-threaded tesseract on one page with a timeout, producing
  hOCR (archived), TSV (parsed into :class:`kernel.records.OcrPage`) and, when asked, the
  page as a searchable PDF (the image with an invisible text layer) in a single call.
An empty page is an empty result, not an error.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kernel.errors import EngineError, MissingDependencyError
from kernel.records import OcrPage, OcrWord
from ocr.searchable import reproducible

log = logging.getLogger(__name__)

MIN_VERSION = (4, 1)
APT_HINT = "apt-get install -y tesseract-ocr tesseract-ocr-vie  (or run `make setup` as root)"


@dataclass(frozen=True)
class TesseractInfo:
    version: str
    languages: frozenset[str]

    def engine_id(self, lang: str) -> str:
        return f"tesseract {self.version} {lang}"


@lru_cache(maxsize=1)
def _probe_cached(cmd: str) -> TesseractInfo:
    try:
        out = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=30)
        langs = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise MissingDependencyError("tesseract is not installed", hint=APT_HINT) from None
    first = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else ""
    version = first.split()[-1].lstrip("v") if first else "unknown"
    languages = frozenset(line.strip() for line in langs.stdout.splitlines()[1:] if line.strip())
    return TesseractInfo(version, languages)


def probe(lang: str = "vie", cmd: str = "tesseract") -> TesseractInfo:
    info = _probe_cached(cmd)
    try:
        numbers = tuple(int(p) for p in info.version.split(".")[:2])
    except ValueError:
        numbers = MIN_VERSION
    if numbers < MIN_VERSION:
        raise MissingDependencyError(
            f"tesseract {info.version} is too old (need {'.'.join(map(str, MIN_VERSION))}+)",
            hint=APT_HINT)
    missing = [code for code in lang.split("+") if code not in info.languages]
    if missing:
        raise MissingDependencyError(
            f"tesseract has no language data for {', '.join(missing)}",
            hint=f"apt-get install -y {' '.join('tesseract-ocr-' + m for m in missing)}")
    return info


def available(lang: str = "vie") -> bool:
    try:
        probe(lang)
        return True
    except MissingDependencyError:
        return False


@dataclass(frozen=True)
class Recognition:
    page: OcrPage
    hocr: bytes
    pdf: bytes | None = None  # the searchable PDF page, when asked for


def recognize(image: Path, *, lang: str = "vie", psm: int = 4, dpi: int | None = None,
              timeout_s: float = 180.0, cmd: str = "tesseract", pdf: bool = False) -> Recognition:
    """OCR one page image. One thread (OMP_THREAD_LIMIT=1): parallelism is one process per core."""
    info = probe(lang, cmd)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="sohoa-tess-") as tmp:
        base = Path(tmp) / "out"
        args = [cmd, str(image), str(base), "-l", lang, "--psm", str(psm)]
        if dpi:
            args += ["--dpi", str(dpi)]
        args += ["hocr", "tsv"] + (["pdf"] if pdf else [])
        try:
            proc = subprocess.run(args, capture_output=True, env=env, timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"tesseract timed out after {timeout_s:.0f} s on {image.name}",
                              hint="raise SOHOA_OCR_TIMEOUT_S or check the page image") from exc
        _log_stderr(proc.stderr.decode("utf-8", "replace"))
        if proc.returncode != 0:
            raise EngineError(f"tesseract failed on {image.name} (exit {proc.returncode})",
                              hint="see the log for tesseract's message")
        tsv = (base.with_suffix(".tsv")).read_text(encoding="utf-8")
        hocr = (base.with_suffix(".hocr")).read_bytes()
        pdf_bytes = reproducible(base.with_suffix(".pdf").read_bytes()) if pdf else None
    width, height = _image_size(image)
    words = parse_tsv(tsv)
    return Recognition(OcrPage(words=words, width=width, height=height,
                               engine=info.engine_id(lang)), hocr, pdf_bytes)


def _log_stderr(text: str) -> None:
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("Estimating resolution", "Detected")):
            continue
        if "error" in line.lower():
            log.warning("tesseract: %s", line)
        else:
            log.debug("tesseract: %s", line)


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as img:
        return img.size


def parse_tsv(tsv: str) -> tuple[OcrWord, ...]:
    """Tesseract TSV -> words in reading order, with a running line index."""
    words: list[OcrWord] = []
    line_ids: dict[tuple[int, int, int, int], int] = {}
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        if not text:
            continue
        key = (int(row["page_num"]), int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        line = line_ids.setdefault(key, len(line_ids))
        left, top = int(row["left"]), int(row["top"])
        conf = max(0.0, min(100.0, float(row["conf"]))) / 100.0
        words.append(OcrWord(text=text, bbox=(left, top, left + int(row["width"]),
                                              top + int(row["height"])),
                             confidence=conf, line=line))
    return tuple(words)
