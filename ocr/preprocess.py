"""OpenCV preprocessing: red ink removal, orientation, deskew, rescale, binarize, rule erasure.

Each step is a pure function on a numpy array so it can be measured on its own; the
:func:`preprocess_file` entry point reads a page PNG and writes the cleaned PNG beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ocr.layout import Table, erase_rules, find_rules, find_tables, table_from_dict, table_to_dict
from ocr.orient import apply_rotation, is_upside_down, quarter_turn

MAX_SKEW_DEG = 15.0
MIN_ROTATION_DEG = 0.25
"""Smaller estimated skews are left alone: resampling costs more sharpness than they do."""
TARGET_DPI = 300
"""Pages scanned below this are upscaled to it: Tesseract reads 10-12 pt print best at 300 dpi."""


@dataclass(frozen=True)
class PreprocessResult:
    path: Path
    skew_deg: float
    width: int
    height: int
    dpi: int | None  # after rescaling
    rotation: int = 0  # degrees turned clockwise to make the page upright
    tables: tuple[Table, ...] = ()  # ruled tables found (rules erased from the image)


def to_gray(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


def _profile_score(mask: np.ndarray, angle: float) -> float:
    h, w = mask.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = rotated.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def estimate_skew(gray: np.ndarray, max_deg: float = MAX_SKEW_DEG) -> float:
    """The angle (degrees, counter-clockwise positive) that makes text lines horizontal.

    Projection-profile search: text lines give the sharpest row profile when level. Coarse
    search on a downscaled ink mask, then a fine search around the best angle.
    """
    scale = 1000.0 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR) if scale < 1 else gray
    mask = _ink_mask(small)
    if cv2.countNonZero(mask) < 50:
        return 0.0
    tiny = cv2.resize(mask, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    coarse = np.arange(-max_deg, max_deg + 1e-9, 1.0)
    best = max(coarse, key=lambda a: _profile_score(tiny, a))
    fine = np.arange(best - 0.8, best + 0.8 + 1e-9, 0.1)
    best = max(fine, key=lambda a: _profile_score(mask, a))
    return round(float(best), 2)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < MIN_ROTATION_DEG:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Otsu after a light blur; robust on the clean-to-typical scans of this version."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, out = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out


def rescale(gray: np.ndarray, dpi: int | None) -> tuple[np.ndarray, int | None]:
    """Upscale low-resolution scans to TARGET_DPI; leave the others as they are."""
    if dpi is None or dpi >= TARGET_DPI - 20:
        return gray, dpi
    factor = TARGET_DPI / dpi
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC), TARGET_DPI


@dataclass(frozen=True)
class PreprocessConfig:
    """Which steps run. All on by default; the ablation benchmark turns them off one by one."""

    remove_red: bool = True
    flatten: bool = True
    orientation: bool = True
    deskew: bool = True
    rescale: bool = True
    binarize: bool = True
    erase_rules: bool = True


def flatten_background(gray: np.ndarray) -> np.ndarray:
    """Divide out uneven light and paper tint: the background, estimated by a large median on a
    small copy, becomes white; ink keeps its contrast."""
    h, w = gray.shape
    scale = 400.0 / max(h, w)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    background = cv2.medianBlur(cv2.dilate(small, np.ones((5, 5), np.uint8)), 21)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(gray, np.maximum(background, 1), scale=255)
    return flat


def red_ink_mask(img: np.ndarray) -> np.ndarray | None:
    """255 where the ink is red or pink (seals, stamps), else 0; None for grey images."""
    if img.ndim == 2:
        return None
    # red minus the mean of green and blue, in one saturating pass (blue ink and black text
    # come out at 0, tinted paper low, seal red and pink high)
    redness = cv2.transform(img[..., :3], np.array([[-0.5, -0.5, 1.0]], np.float32))
    _, mask = cv2.threshold(redness, 45, 255, cv2.THRESH_BINARY)
    return mask


def remove_red_ink(img: np.ndarray) -> np.ndarray:
    """The page in grey with red and pink ink (seals, stamps) turned to paper white.

    Black text under a seal stays: it is dark in every channel, not red.
    """
    gray = to_gray(img)
    mask = red_ink_mask(img)
    return gray if mask is None else cv2.max(gray, mask)


def preprocess_array(img: np.ndarray, dpi: int | None = None,
                     config: PreprocessConfig = PreprocessConfig()) -> tuple[np.ndarray, dict]:
    """The cleaned page for OCR, and what was found on the way (angles, tables)."""
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    gray = remove_red_ink(img) if config.remove_red else to_gray(img)
    if config.flatten:
        gray = flatten_background(gray)
    turned = quarter_turn(gray) if config.orientation else 0
    gray = apply_rotation(gray, turned)
    angle = estimate_skew(gray) if config.deskew else 0.0
    if abs(angle) < MIN_ROTATION_DEG:
        angle = 0.0
    gray = rotate(gray, angle)
    if config.orientation and is_upside_down(gray):
        gray = apply_rotation(gray, 180)
        turned = (turned + 180) % 360
    if config.rescale:
        gray, dpi = rescale(gray, dpi)
    page = binarize(gray) if config.binarize else gray
    tables: list[Table] = []
    if config.binarize and config.erase_rules:
        rules = find_rules(page)
        tables = find_tables(rules)
        page = erase_rules(page, rules)
    info = {"rotation": turned, "skew_deg": angle, "dpi": dpi,
            "tables": [table_to_dict(t) for t in tables]}
    return page, info


def preprocess_file(src: Path, dest: Path, dpi: int | None = None,
                    config: PreprocessConfig = PreprocessConfig()) -> PreprocessResult:
    img = cv2.imread(str(src), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError(f"cannot read page image {src}")
    out, info = preprocess_array(img, dpi, config)
    dest.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(dest), out, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    return PreprocessResult(dest, info["skew_deg"], out.shape[1], out.shape[0], info["dpi"],
                            info["rotation"], tuple(table_from_dict(t) for t in info["tables"]))
