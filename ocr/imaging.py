"""Small image helpers shared by the preprocessing steps."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np


def read_image(path: str | Path, *, grey: bool = False) -> np.ndarray | None:
    """A page image as preprocessing works on it: 8-bit grey, BGR or BGRA (``grey``: grey),
    as stored (no turn by an EXIF tag). OpenCV reads it; what OpenCV cannot read or reads
    in another form (a page handed on as the scanner wrote it, ocr/pages.py) is decoded by
    Pillow instead. None when neither can."""
    flags = cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION if grey else cv2.IMREAD_UNCHANGED
    img = cv2.imread(str(path), flags)
    if img is not None and img.dtype == np.uint8 and (img.ndim == 2 or img.shape[2] in (3, 4)):
        return img
    try:
        from PIL import Image

        with Image.open(path) as frame:
            frame.load()
            if grey:
                return np.asarray(frame.convert("L"))
            if frame.mode in ("1", "L", "I;16", "I", "F"):
                return np.asarray(frame.convert("L"))
            return cv2.cvtColor(np.asarray(frame.convert("RGB")), cv2.COLOR_RGB2BGR)
    except Exception:  # noqa: BLE001 - a damaged page: the caller reports it
        return None


def shrink(img: np.ndarray, longest: int) -> tuple[np.ndarray, float]:
    """``img`` averaged down by a whole factor so its longer side is at most about ``longest``
    (at least ``longest / 2``), and the scale applied. Whole factors take OpenCV's fast
    area-averaging path: about 1 ms on a 300-dpi page where a fractional INTER_AREA takes 40."""
    h, w = img.shape[:2]
    k = math.ceil(max(h, w) / longest)
    if k <= 1:
        return img, 1.0
    cropped = img[: h - h % k, : w - w % k]
    return cv2.resize(cropped, (w // k, h // k), interpolation=cv2.INTER_AREA), 1.0 / k
