"""Open a source file of any supported kind and write its pages where the OCR stage reads them.

The file's kind is decided by its bytes, not its extension. Every failure to take a file in
is an :class:`InputFileError` with a reason and a hint; the caller quarantines the file and
goes on with the batch. Pages are written one at a time so memory stays flat however long the
file is.

A page is handed on in the cheapest form that keeps its pixels (benchmarks/throughput.py: a
300-dpi colour page took 0.37 s to write as PNG and 0.17 s to read back, more than all the
rest of preprocessing):

* a single-page PNG, JPEG or TIFF is copied as it is, once Pillow has decoded it whole (a
  truncated file is caught here);
* a PDF page that is one 8-bit grey or colour image covering the page (what scanners write)
  gives that image as it is stored (``pdfimages``: the JPEG itself, or raw PNM), at the
  scan's own dpi;
* any other PDF page is rendered by ``pdftoppm`` at ``pdf_dpi`` to a raw PPM (26 MB for a
  300-dpi A4 page, removed when its file is done);
* a frame of a multi-page TIFF is written raw (PGM/PPM), or as a 1-bit PNG when bilevel;
* anything else (16-bit, CMYK, palettes with transparency) is converted by Pillow and
  written as PNG.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
    """Write every page of ``source`` as ``out_dir/page-NNNN.<ext>`` (see the module's doc
    for the form each kind of page takes)."""
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
                single = getattr(img, "n_frames", 1) == 1
                stem = out_dir / f"page-{index:04d}"
                path = (_copied(source, frame, stem) if single else None) or _written(frame, stem)
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


_AS_IS = {"PNG": ".png", "JPEG": ".jpg", "TIFF": ".tif"}


def _copied(source: Path, frame: Image.Image, stem: Path) -> Path | None:
    """The source file itself as the page (``stem`` + its format's suffix), for a kind
    OpenCV reads as Pillow does (8-bit grey, colour, bilevel or an opaque palette, in PNG,
    JPEG or TIFF: tests/test_pages.py holds it to that); None when the page must be written
    out instead. Pillow has decoded it whole already: a damaged file does not get here. What
    OpenCV still cannot read, ocr.imaging.read_image reads with Pillow."""
    suffix = _AS_IS.get(frame.format or "")
    if suffix is None or frame.mode not in ("1", "L", "RGB", "P") \
            or "transparency" in frame.info:
        return None
    path = stem.with_suffix(suffix)
    shutil.copyfile(source, path)
    return path


def _bgr_to_rgb(image: np.ndarray) -> np.ndarray:
    return image[:, :, ::-1] if image.ndim == 3 and image.shape[2] == 3 else image


def _written(frame: Image.Image, stem: Path) -> Path:
    """A frame that cannot be taken as it is (one of several in a TIFF, an odd mode): a
    bilevel frame as a 1-bit PNG (tiny, 10 ms), a grey or colour one as raw PGM/PPM (8.7 or
    26 MB for a 300-dpi A4 page until its file is done; a PNG took 0.2-0.4 s to write and
    0.1 s to read), anything else converted by Pillow to an 8-bit PNG."""
    import cv2

    if frame.mode == "1":
        path = stem.with_suffix(".png")
        cv2.imwrite(str(path), np.asarray(frame).astype(np.uint8) * 255,
                    [cv2.IMWRITE_PNG_BILEVEL, 1, cv2.IMWRITE_PNG_COMPRESSION, 1])
    elif frame.mode in ("L", "RGB"):
        path = stem.with_suffix(".pgm" if frame.mode == "L" else ".ppm")
        cv2.imwrite(str(path), _bgr_to_rgb(np.asarray(frame)))
    else:
        path = stem.with_suffix(".png")
        dpi = _dpi(frame.info.get("dpi")) or 300
        _to_supported_mode(frame).save(path, format="PNG", dpi=(dpi, dpi),
                                       compress_level=PAGE_PNG_LEVEL)
    return path


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
    from pdf2image import pdfinfo_from_path
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
    scans = _scanned_pages(source, count)
    pages = []
    for number in range(1, count + 1):
        scan = scans.get(number)
        if scan is not None:
            _check_pixels(name, (scan.width, scan.height), max_pixels)
            path = _extract(source, number, scan, out_dir / f"page-{number:04d}")
            if path is not None:
                pages.append(PageImage(number, path, scan.dpi))
                continue
        pages.append(PageImage(number, _render(source, name, number, dpi, out_dir), dpi))
    return pages


@dataclass(frozen=True)
class _Scan:
    """The one image a PDF page consists of (a row of ``pdfimages -list``)."""

    width: int
    height: int
    dpi: int


def _poppler(args: list[str]) -> str | None:
    """A poppler tool's output; None when it fails (the caller falls back to rendering)."""
    try:
        done = subprocess.run(args, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


_IMAGE_ROW = re.compile(r"^\s*(\d+)\s+\d+\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)"
                        r"\s+\S+\s+\d+\s+\d+\s+(\d+)\s+(\d+)")
_PAGE_SIZE = re.compile(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", re.M)
_PAGE_ROT = re.compile(r"^Page\s+(\d+) rot:\s+(\d+)", re.M)


def _scanned_pages(source: Path, count: int) -> dict[int, _Scan]:
    """Pages that are exactly one upright grey or colour image covering the page at one
    resolution both ways (a scanner's PDF): their image can be taken as it is stored."""
    listing = _poppler(["pdfimages", "-list", str(source)])
    geometry = _poppler(["pdfinfo", "-f", "1", "-l", str(count), str(source)])
    if listing is None or geometry is None:
        return {}
    sizes = {int(m[1]): (float(m[2]), float(m[3])) for m in _PAGE_SIZE.finditer(geometry)}
    turns = {int(m[1]): int(m[2]) for m in _PAGE_ROT.finditer(geometry)}
    rows: dict[int, list[re.Match]] = {}
    for line in listing.splitlines()[2:]:
        m = _IMAGE_ROW.match(line)
        if m is None:
            return {}  # a listing this code does not understand: render every page
        rows.setdefault(int(m[1]), []).append(m)
    found = {}
    for page, (row, *more) in rows.items():
        kind, width, height, colour, comps, bpc, enc = row[2], int(row[3]), int(row[4]), \
            row[5], int(row[6]), int(row[7]), row[8]
        xppi, yppi = int(row[9]), int(row[10])
        if more or kind != "image" or turns.get(page, 0) != 0 or page not in sizes:
            continue
        if colour not in ("gray", "rgb", "icc") or comps not in (1, 3) \
                or enc not in ("jpeg", "image") or bpc != 8:
            continue  # bilevel images may be stored inverted (a /Decode pdfimages ignores)
        w_pt, h_pt = sizes[page]
        if not (50 <= xppi <= 2400 and abs(xppi - yppi) <= 1
                and abs(width * 72 / xppi - w_pt) <= 0.015 * w_pt
                and abs(height * 72 / yppi - h_pt) <= 0.015 * h_pt):
            continue  # not one image covering the page: a composed or vector page
        found[page] = _Scan(width, height, xppi)
    return found


def _extract(source: Path, number: int, scan: _Scan, stem: Path) -> Path | None:
    """The page's image as stored (JPEG as it is, others as raw PNM), checked to decode at
    its listed size; None when it does not (the page is rendered instead)."""
    import cv2

    prefix = stem.with_name(stem.name + ".img")
    if _poppler(["pdfimages", "-j", "-f", str(number), "-l", str(number), str(source),
                 str(prefix)]) is None:
        return None
    written = sorted(prefix.parent.glob(prefix.name + "-*"))
    if len(written) != 1:
        for f in written:
            f.unlink(missing_ok=True)
        return None
    path = stem.with_suffix(written[0].suffix)
    written[0].rename(path)
    if path.suffix == ".jpg":  # decoded at an eighth of its size: enough to check it is whole
        image = cv2.imread(str(path), cv2.IMREAD_REDUCED_GRAYSCALE_8)
        size = (-(-scan.height // 8), -(-scan.width // 8))
    else:
        image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        size = (scan.height, scan.width)
    if image is None or image.shape[:2] != size or image.dtype != np.uint8:
        path.unlink(missing_ok=True)
        return None
    return path


def _render(source: Path, name: str, number: int, dpi: int, out_dir: Path) -> Path:
    """The page rendered by pdftoppm at ``dpi``, in colour (red seals are removed by colour),
    as a raw PPM: written and read back in a few milliseconds, unlike a PNG."""
    stem = out_dir / f"page-{number:04d}"
    hint = "export the PDF again from the scanner software"
    try:
        done = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number),
                               "-singlefile", str(source), str(stem)],
                              capture_output=True, timeout=120, check=False)
    except FileNotFoundError as exc:
        from kernel.errors import MissingDependencyError
        raise MissingDependencyError("poppler's pdftoppm is not installed",
                                     hint="apt-get install poppler-utils") from exc
    except subprocess.TimeoutExpired as exc:
        raise InputFileError(f"{name}: page {number} cannot be rendered (timed out)",
                             reason="corrupt", hint=hint) from exc
    path = stem.with_suffix(".ppm")
    if done.returncode != 0 or not path.exists() or path.stat().st_size == 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        path.unlink(missing_ok=True)
        raise InputFileError(f"{name}: page {number} cannot be rendered"
                             + (f" ({detail[-1][:200]})" if detail else ""),
                             reason="corrupt", hint=hint)
    return path


def _looks_like_scan(path: Path) -> bool:
    """Whether a regular file (links are not followed) starts like a scan."""
    try:
        if path.is_symlink() or not path.is_file():
            return False
        with open(path, "rb") as f:
            return sniff(f.read(16)) is not None
    except OSError:
        return False


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

    Dossier manifests (``dossier.json``, read by the dossier stage) are not scans. Hidden
    files and folders (names starting with '.') are not taken in: a hidden file whose first
    bytes are those of a scan (a PNG, JPEG, TIFF or PDF) is reported, so that no scan leaves
    the receipt without a word (``.DS_Store``, editor swap files and the ``._`` files macOS
    leaves are passed over silently). Links that lead outside the batch are reported and not
    followed.
    """
    import os
    import unicodedata

    root = batch_dir.resolve()
    files: list[SourceFile] = []
    skipped: list[SkippedEntry] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name == DOSSIER_MANIFEST:
                continue
            path = Path(dirpath) / name
            rel = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
            if name.startswith("."):
                if _looks_like_scan(path):
                    skipped.append(SkippedEntry(
                        rel, "hidden_file", f"{rel}: a hidden file (its name starts with '.'): "
                        "not taken in", "if it is a scan, rename it without the leading dot "
                        "and drop it again"))
                continue
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
