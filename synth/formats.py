"""Write page images as the files scanners produce: PNG, JPEG, multi-page TIFF and PDF.

Deterministic bytes: no timestamps, no software tags that change between versions of this
package, PDF metadata fixed. File names are written in NFC.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from kernel.vntext import nfc

PDF_QUALITY = 80  # greyscale pages inside a PDF are JPEG (DCT) streams


def _target(path: Path | str) -> Path:
    target = Path(nfc(str(path)))
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _one(image: Image.Image) -> Image.Image:
    return image if image.mode in ("1", "L", "P", "RGB") else image.convert("RGB")


def save_png(image: Image.Image, path: Path | str, dpi: int) -> Path:
    """PNG; a palette of at most 16 colours is written with 4 bits per pixel."""
    target = _target(path)
    img = _one(image)
    options: dict[str, object] = {}
    if img.mode == "P":
        colours = len(img.getpalette() or []) // 3
        options["bits"] = 4 if colours <= 16 else 8
    img.save(target, "PNG", dpi=(dpi, dpi), optimize=True, **options)
    return target


def save_jpeg(image: Image.Image, path: Path | str, dpi: int, quality: int = 85) -> Path:
    target = _target(path)
    img = _one(image)
    img = img.convert("L") if img.mode in ("1", "P") else img
    img.save(target, "JPEG", dpi=(dpi, dpi), quality=quality, optimize=True,
             progressive=False, subsampling="4:2:0")
    return target


def save_tiff(pages: Sequence[Image.Image], path: Path | str, dpi: int,
              compression: str | None = None) -> Path:
    """A multi-page TIFF: CCITT group 4 for bilevel pages, deflate otherwise."""
    if not pages:
        raise ValueError("a TIFF needs at least one page")
    target = _target(path)
    images = [_one(p) for p in pages]
    if compression is None:
        compression = "group4" if all(p.mode == "1" for p in images) else "tiff_deflate"
    images[0].save(target, "TIFF", save_all=True, append_images=images[1:],
                   compression=compression, dpi=(dpi, dpi))
    return target


def save_pdf(pages: Sequence[Image.Image], path: Path | str, dpi: int,
             quality: int = PDF_QUALITY, title: str = "") -> Path:
    """A multi-page PDF, one image per page at ``dpi`` (so the page is A4 in a viewer)."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    target = _target(path)
    images = [_one(p) for p in pages]
    images = [p.convert("L") if p.mode == "P" else p for p in images]
    images[0].save(target, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi),
                   quality=quality, title=title or None, author=None, creator=None,
                   producer=None, creationDate=None, modDate=None)
    return target


def save_pages(pages: Sequence[Image.Image], path: Path | str, dpi: int, **options: object) -> Path:
    """Choose the writer by the file suffix (.png, .jpg/.jpeg, .tif/.tiff, .pdf)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".tif", ".tiff"):
        return save_tiff(pages, path, dpi, **options)  # type: ignore[arg-type]
    if suffix == ".pdf":
        return save_pdf(pages, path, dpi, **options)  # type: ignore[arg-type]
    if len(pages) != 1:
        raise ValueError(f"{suffix} holds one page, got {len(pages)}")
    if suffix == ".png":
        return save_png(pages[0], path, dpi)
    if suffix in (".jpg", ".jpeg"):
        return save_jpeg(pages[0], path, dpi, **options)  # type: ignore[arg-type]
    raise ValueError(f"unsupported page file type {suffix!r}")
