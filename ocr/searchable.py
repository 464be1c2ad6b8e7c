"""The searchable PDF of a source file: its pages as tesseract rendered them, joined.

Each page's PDF (the cleaned page image under an invisible text layer) comes out of the same
tesseract call that reads the page (:func:`ocr.tesseract.recognize` with ``pdf=True``): no
second OCR run. The pages of a file are joined in order with ``pdfunite`` (poppler-utils,
already needed to read PDF scans). The PDF is an access copy for the archive: the original
file is archived unchanged beside it.

The archive is content-addressed and a re-run must store nothing new, so the PDFs are made
reproducible: tesseract's creation date and pdfunite's random document ID are taken out, in
ways that keep every byte offset in the file valid.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)


_DATES = re.compile(rb"/(?:CreationDate|ModDate)\s*\((?:\\.|[^\\)])*\)")
_ID = re.compile(rb"/ID\s*\[\s*(?:(?:\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)\s*){2}\]", re.DOTALL)


def reproducible(data: bytes) -> bytes:
    """The PDF without its dates and its trailer's document ID: the same pages give the same
    bytes. Both are optional in an unencrypted PDF. Dates are overwritten with spaces (the
    objects keep their byte offsets); the ID, whose length varies, is cut from the final
    trailer, which comes after every offset the file refers to."""
    data = _DATES.sub(lambda m: b" " * len(m.group(0)), data)
    trailer = data.rfind(b"trailer")
    if trailer < 0:
        return data
    return data[:trailer] + _ID.sub(b"", data[trailer:])


def join_pages(pages: list[Path], dest: Path, timeout_s: float = 120.0) -> Path | None:
    """``pages`` (one PDF each, in page order) as one PDF at ``dest``; None when it cannot be
    made (no pages, or pdfunite missing or failing: logged, the file's other results stand)."""
    if not pages:
        return None
    dest.parent.mkdir(parents=True, exist_ok=True)
    if len(pages) == 1:
        dest.write_bytes(reproducible(pages[0].read_bytes()))
        return dest
    tool = shutil.which("pdfunite")
    if tool is None:
        log.warning("searchable PDF not made: pdfunite is not installed "
                    "(apt-get install -y poppler-utils)")
        return None
    try:
        proc = subprocess.run([tool, *map(str, pages), str(dest)], capture_output=True,
                              timeout=timeout_s)
    except subprocess.TimeoutExpired:
        log.warning("searchable PDF not made: pdfunite timed out after %.0f s", timeout_s)
        return None
    if proc.returncode != 0 or not dest.is_file():
        log.warning("searchable PDF not made: pdfunite exit %d: %s", proc.returncode,
                    proc.stderr.decode("utf-8", "replace").strip()[:200])
        return None
    dest.write_bytes(reproducible(dest.read_bytes()))
    return dest
