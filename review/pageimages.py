"""Page images for the desk: the crop around a field, and the whole page with the field
boxed, both made from the archived cleaned page (or, for a page that failed before it was
cleaned, from the archived original when it is an image file)."""

from __future__ import annotations

import io
from collections import OrderedDict
from threading import Lock

from PIL import Image, ImageDraw, ImageOps

from storage import Archive, MissingObjectError

Image.MAX_IMAGE_PIXELS = 150_000_000  # the pipeline refuses larger pages before they get here
_cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_cache_lock = Lock()
CACHE_PAGES = 8


def page_bytes(archive: Archive, key: str) -> bytes:
    """The stored bytes of a page image, a few kept in memory (a supervisor stays on a page)."""
    ident = (archive.location, key)
    with _cache_lock:
        if ident in _cache:
            _cache.move_to_end(ident)
            return _cache[ident]
    data = archive.get_bytes(key)
    with _cache_lock:
        _cache[ident] = data
        while len(_cache) > CACHE_PAGES:
            _cache.popitem(last=False)
    return data


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, compress_level=3)
    return out.getvalue()


def _open(data: bytes, frame: int = 0) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    if frame:
        image.seek(frame)
    image = ImageOps.exif_transpose(image)
    return image.convert("L") if image.mode not in ("L", "RGB") else image


def crop(data: bytes, bbox: tuple[int, int, int, int], *, max_width: int = 1100) -> bytes:
    """The field with a margin around it: half its height above and below, and a bit of the
    line's label to the left (what a person needs to judge the reading)."""
    image = _open(data)
    left, top, right, bottom = bbox
    h = max(bottom - top, 20)
    box = (max(0, left - 3 * h), max(0, top - h), min(image.width, right + 2 * h),
           min(image.height, bottom + h))
    part = image.crop(box)
    if part.width > max_width:
        part = part.resize((max_width, round(part.height * max_width / part.width)),
                           Image.Resampling.LANCZOS)
    return _png(part)


def context(data: bytes, bbox: tuple[int, int, int, int], *, lines: int = 4,
            max_width: int = 1000) -> bytes:
    """The page's full width a few lines above and below the field, the field boxed."""
    image = _open(data).convert("RGB")
    left, top, right, bottom = bbox
    h = max(bottom - top, 20)
    band = image.crop((0, max(0, top - lines * h), image.width, min(image.height, bottom + lines * h)))
    draw = ImageDraw.Draw(band)
    y0 = top - max(0, top - lines * h)
    draw.rectangle((left - 6, y0 - 6, right + 6, y0 + (bottom - top) + 6), outline=(200, 30, 30),
                   width=4)
    if band.width > max_width:
        band = band.resize((max_width, round(band.height * max_width / band.width)),
                           Image.Resampling.LANCZOS)
    return _png(band)


def page_view(data: bytes, bbox: tuple[int, int, int, int] | None = None, *, frame: int = 0,
              max_width: int = 900) -> bytes:
    """The whole page, scaled down, with the field's box drawn on it."""
    image = _open(data, frame).convert("RGB")
    scale = min(1.0, max_width / image.width)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)),
                             Image.Resampling.LANCZOS)
    if bbox:
        draw = ImageDraw.Draw(image)
        l, t, r, b = (round(v * scale) for v in bbox)
        draw.rectangle((l - 4, t - 4, r + 4, b + 4), outline=(200, 30, 30), width=3)
    return _png(image)


def original_page(archive: Archive, key: str, page: int) -> bytes | None:
    """A page of an archived original image file (PNG, JPEG, TIFF); None for a PDF."""
    if key.lower().endswith(".pdf"):
        return None
    try:
        return page_view(archive.get_bytes(key), frame=page - 1)
    except (MissingObjectError, OSError, EOFError):
        return None
