"""Open a source file of any supported kind and write its pages as PNG files.

The file's kind is decided by its bytes, not its extension. Every failure to take a file in
is an :class:`InputFileError` with a reason and a hint; the caller quarantines the file and
goes on with the batch. Pages are written one at a time so memory stays flat however long the
file is.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from kernel.errors import InputFileError
from kernel.records import DOSSIER_MANIFEST

log = logging.getLogger(__name__)

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf"}
PAGE_PNG_LEVEL = 1
"""zlib level of the page images: they are scratch (the cleaned page is what is archived), and
level 6 (Pillow's default) took 4-12x longer on noisy greyscale scans for 15-25 % smaller files
(benchmarks/throughput.py). The pixels are the same at any level."""


@dataclass(frozen=True)
class PageImage:
    page: int  # 1-based
    path: Path
    dpi: int | None


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    return None


def _display_name(source: Path) -> str:
    """The file name as messages show it: NFC, like the receipt's ``source`` (a name stored in
    NFD on disk would otherwise not be found in its own message)."""
    return unicodedata.normalize("NFC", source.name)


def split_pages(source: Path, out_dir: Path, *, max_pixels: int, max_pages: int,
                pdf_dpi: int) -> list[PageImage]:
    """Write every page of ``source`` as ``out_dir/page-NNNN.png``."""
    name = _display_name(source)
    try:
        with open(source, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise InputFileError(f"{name}: cannot be read ({exc.strerror})", reason="unreadable",
                             hint="check the file's permissions and copy it again") from exc
    if not head:
        raise InputFileError(f"{name}: the file is empty (0 bytes)", reason="empty",
                             hint="scan the page again or copy the file again from the scanner")
    kind = sniff(head)
    if kind is None:
        raise InputFileError(f"{name}: not a PNG, JPEG, TIFF or PDF file", reason="not_a_scan",
                             hint="export the scan as PDF, TIFF, PNG or JPEG")
    out_dir.mkdir(parents=True, exist_ok=True)
    if kind == "pdf":
        return _split_pdf(source, out_dir, max_pages=max_pages, dpi=pdf_dpi, max_pixels=max_pixels)
    return _split_image(source, out_dir, max_pixels=max_pixels, max_pages=max_pages)


def _check_pixels(name: str, size: tuple[int, int], max_pixels: int) -> None:
    w, h = size
    if w * h > max_pixels:
        raise InputFileError(
            f"{name}: image of {w}x{h} pixels is larger than the limit of {max_pixels:,} pixels",
            reason="too_large",
            hint="rescan at 300 dpi, or raise SOHOA_MAX_IMAGE_PIXELS if the page is genuine")


def _split_image(source: Path, out_dir: Path, *, max_pixels: int, max_pages: int) -> list[PageImage]:
    name = _display_name(source)
    Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves before decoding
    pages: list[PageImage] = []
    try:
        with Image.open(source) as img:
            for index, frame in enumerate(ImageSequence.Iterator(img), start=1):
                if index > max_pages:
                    raise InputFileError(f"{name}: more than {max_pages} pages", reason="too_many_pages",
                                         hint="split the file or raise SOHOA_MAX_PAGES_PER_FILE")
                _check_pixels(name, frame.size, max_pixels)
                frame.load()
                dpi = _dpi(frame.info.get("dpi"))
                page = _to_supported_mode(frame)
                path = out_dir / f"page-{index:04d}.png"
                page.save(path, format="PNG", dpi=(dpi or 300, dpi or 300),
                          compress_level=PAGE_PNG_LEVEL)
                pages.append(PageImage(index, path, dpi))
    except InputFileError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputFileError(f"{name}: the image is damaged or truncated ({exc})", reason="corrupt",
                             hint="copy the file again from the scanner or rescan the page") from exc
    except Exception as exc:  # Pillow's decoders raise more on damaged files (a TIFF directory
        # without a width: TypeError "Missing dimensions"); the batch must go on all the same
        raise InputFileError(f"{name}: the image is damaged or truncated ({exc})", reason="corrupt",
                             hint="copy the file again from the scanner or rescan the page") from exc
    if not pages:
        raise InputFileError(f"{name}: no pages found", reason="corrupt", hint="rescan the document")
    return pages


def _to_supported_mode(frame: Image.Image) -> Image.Image:
    if frame.mode in ("L", "RGB"):
        return frame
    if frame.mode in ("1", "I;16", "I", "F"):
        return frame.convert("L")
    return frame.convert("RGB")


def _dpi(value) -> int | None:
    try:
        dpi = int(round(float(value[0])))
    except (TypeError, ValueError, IndexError):
        return None
    return dpi if 50 <= dpi <= 2400 else None


def _split_pdf(source: Path, out_dir: Path, *, max_pages: int, dpi: int,
               max_pixels: int) -> list[PageImage]:
    from pdf2image import convert_from_path, pdfinfo_from_path
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    name = _display_name(source)
    try:
        info = pdfinfo_from_path(str(source))
    except PDFInfoNotInstalledError as exc:
        from kernel.errors import MissingDependencyError
        raise MissingDependencyError("poppler's pdfinfo is not installed",
                                     hint="apt-get install poppler-utils") from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        text = str(exc)
        if "Incorrect password" in text or "encrypted" in text.lower():
            raise InputFileError(f"{name}: the PDF is password-protected", reason="encrypted",
                                 hint="remove the password (qpdf --decrypt --password=... in.pdf "
                                      "out.pdf) and drop the decrypted copy") from exc
        raise InputFileError(f"{name}: the PDF is damaged ({text.strip()[:200]})", reason="corrupt",
                             hint="export the PDF again from the scanner software") from exc
    if str(info.get("Encrypted", "no")).startswith("yes"):
        raise InputFileError(f"{name}: the PDF is password-protected", reason="encrypted",
                             hint="remove the password (qpdf --decrypt in.pdf out.pdf) and drop the "
                                  "decrypted copy")
    count = int(info.get("Pages", 0))
    if count < 1:
        raise InputFileError(f"{name}: the PDF has no pages", reason="corrupt",
                             hint="export the PDF again from the scanner software")
    if count > max_pages:
        raise InputFileError(f"{name}: {count} pages, more than the limit of {max_pages}",
                             reason="too_many_pages",
                             hint="split the file or raise SOHOA_MAX_PAGES_PER_FILE")
    size = re.match(r"\s*([\d.]+) x ([\d.]+)", str(info.get("Page size", "")))
    if size:  # refuse giant pages before rendering them
        w_pt, h_pt = float(size.group(1)), float(size.group(2))
        _check_pixels(name, (int(w_pt * dpi / 72), int(h_pt * dpi / 72)), max_pixels)
    pages = []
    for number in range(1, count + 1):
        try:
            images = convert_from_path(str(source), dpi=dpi, first_page=number, last_page=number,
                                       grayscale=False, timeout=120)
        except Exception as exc:  # pdftoppm failure: a damaged page
            raise InputFileError(f"{name}: page {number} cannot be rendered ({exc})", reason="corrupt",
                                 hint="export the PDF again from the scanner software") from exc
        if not images:
            raise InputFileError(f"{name}: page {number} cannot be rendered", reason="corrupt",
                                 hint="export the PDF again from the scanner software")
        img = images[0]
        _check_pixels(name, img.size, max_pixels)
        path = out_dir / f"page-{number:04d}.png"
        _to_supported_mode(img).save(path, format="PNG", dpi=(dpi, dpi),
                                     compress_level=PAGE_PNG_LEVEL)
        img.close()
        pages.append(PageImage(number, path, dpi))
    return pages


@dataclass(frozen=True)
class SourceFile:
    path: Path
    relative: str  # NFC, '/'-separated, relative to the batch folder


@dataclass(frozen=True)
class SkippedEntry:
    relative: str
    reason: str
    message: str
    hint: str


def discover(batch_dir: Path) -> tuple[list[SourceFile], list[SkippedEntry]]:
    """Every regular file under ``batch_dir`` (nested folders too), sorted by relative path.

    Hidden files (names starting with '.') and dossier manifests (``dossier.json``, read by
    the dossier stage) are skipped silently; links that lead outside
    the batch are reported and not followed.
    """
    import os
    import unicodedata

    root = batch_dir.resolve()
    files: list[SourceFile] = []
    skipped: list[SkippedEntry] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name == DOSSIER_MANIFEST:
                continue
            path = Path(dirpath) / name
            rel = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root) or not target.is_file():
                    skipped.append(SkippedEntry(rel, "outside_batch", f"{rel}: a link to a file "
                                                "outside the batch folder", "copy the file itself "
                                                "into the batch folder"))
                    continue
            if path.is_file():
                files.append(SourceFile(path, rel))
    files.sort(key=lambda f: f.relative)
    return files, skipped
