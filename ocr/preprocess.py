"""OpenCV preprocessing: red ink removal, perspective, orientation, deskew, rescale, binarize,
rule erasure, and the measures behind the page quality flags (:mod:`ocr.quality`).

Each step is a pure function on a numpy array so it can be measured on its own; the
:func:`preprocess_file` entry point reads a page PNG and writes the cleaned PNG beside it.
For speed (it runs beside a Tesseract that takes about a second a page), everything that is
only *judged* (the paper's outline, light, orientation, skew, the quality measures) is judged
on one reduced copy of the page; the full-size page is resampled once for the turns and the
deskew together, and written as a 1-bit PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ocr.imaging import read_image, shrink
from ocr.layout import Table, erase_rules, find_rules, find_tables, table_from_dict, table_to_dict
from ocr.orient import apply_rotation, is_upside_down, quarter_turn
from ocr.perspective import find_page, rectify
from ocr.quality import PageMeasures, measure

MAX_SKEW_DEG = 15.0
MIN_ROTATION_DEG = 0.25
"""Smaller estimated skews are left alone: resampling costs more sharpness than they do."""
SMALL_SIZE = 1200
"""Longer side (about) of the copy orientation and skew are judged on."""
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
    measures: PageMeasures | None = None  # for the quality flags (ocr/quality.py)
    transform: tuple[float, ...] = (1, 0, 0, 0, 1, 0, 0, 0, 1)
    """3x3 homography (row-major) from the page image's pixels to the cleaned page's: the
    perspective correction of a photo, the turns, the deskew and the rescale together."""


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
    rows = cv2.reduce(rotated, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel().astype(np.float64)
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
    best = float(max(coarse, key=lambda a: _profile_score(tiny, a)))
    # fine search in two rounds (9 profiles instead of 17): 0.4 degree steps over +-0.8, then
    # 0.1 steps over +-0.2 around the best of those
    scores: dict[float, float] = {}
    for step in (0.4, 0.1):
        for a in (round(best + k * step, 2) for k in (-2, -1, 0, 1, 2)):
            if a not in scores:
                scores[a] = _profile_score(mask, a)
        best = max(scores, key=scores.__getitem__)
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
    perspective: bool = True
    flatten: bool = True
    orientation: bool = True
    deskew: bool = True
    rescale: bool = True
    binarize: bool = True
    erase_rules: bool = True
    turn_over: bool = False
    """Turn the page over from what the orientation vote says: the second reading of a page
    whose first one came out as no print at all (ocr.page.process_page)."""


def background(gray: np.ndarray) -> np.ndarray:
    """The paper's light without the ink, at most 400 pixels long: a large median on a small
    copy after a dilation (ink is darker than paper)."""
    scale = 400.0 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR) \
        if scale < 1 else gray
    return np.maximum(cv2.medianBlur(cv2.dilate(small, np.ones((5, 5), np.uint8)), 21), 1)


def divide_background(gray: np.ndarray, back: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    return cv2.divide(gray, cv2.resize(back, (w, h), interpolation=cv2.INTER_LINEAR), scale=255)


def flatten_background(gray: np.ndarray, small: np.ndarray | None = None) -> np.ndarray:
    """Divide out uneven light and paper tint: the background (:func:`background`, estimated
    on ``small``, a reduced copy of ``gray``, when given) becomes white; ink keeps its
    contrast."""
    return divide_background(gray, background(gray if small is None else small))


def red_ink_mask(img: np.ndarray) -> np.ndarray | None:
    """255 where the ink is red or pink (seals, stamps), else 0; None for grey images."""
    if img.ndim == 2:
        return None
    # red minus the mean of green and blue, in one saturating pass (blue ink and black text
    # come out at 0, tinted paper low, seal red and pink high)
    redness = cv2.transform(img[..., :3], np.array([[-0.5, -0.5, 1.0]], np.float32))
    _, mask = cv2.threshold(redness, 45, 255, cv2.THRESH_BINARY)
    return mask


def has_red_ink(img: np.ndarray) -> bool:
    """Whether a colour page holds any red or pink ink, judged on a sample of its pixels
    (under a millisecond): pages without a seal skip the full-size pass."""
    if img.ndim == 2:
        return False
    step = max(1, max(img.shape[:2]) // 800)  # every step-th pixel: seals are wider than that
    mask = red_ink_mask(np.ascontiguousarray(img[::step, ::step]))
    return mask is not None and cv2.countNonZero(mask) > 0


def remove_red_ink(img: np.ndarray) -> np.ndarray:
    """The page in grey with red and pink ink (seals, stamps) turned to paper white.

    Black text under a seal stays: it is dark in every channel, not red.
    """
    gray = to_gray(img)
    if not has_red_ink(img):
        return gray
    mask = red_ink_mask(img)
    return gray if mask is None else cv2.max(gray, mask)


def upright_transform(shape: tuple[int, int], turn: int, angle: float,
                      upside_down: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """One affine map (2x3) doing, in order, a quarter turn clockwise (``turn`` 0 or 90), the
    deskew rotation by ``angle`` about the centre and a half turn; and the output size
    (width, height). One resampling instead of up to three."""
    h, w = shape
    m = np.eye(3)
    if turn == 90:  # (x, y) -> (h - 1 - y, x), as cv2.ROTATE_90_CLOCKWISE
        m = np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]) @ m
        w, h = h, w
    if angle:
        m = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), [0, 0, 1]]) @ m
    if upside_down:
        m = np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]]) @ m
    return m[:2], (w, h)


def preprocess_array(img: np.ndarray, dpi: int | None = None,
                     config: PreprocessConfig = PreprocessConfig()) -> tuple[np.ndarray, dict]:
    """The cleaned page for OCR, and what was found on the way (angles, tables)."""
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    gray = remove_red_ink(img) if config.remove_red else to_gray(img)
    # everything but the final resampling is judged on one small copy (about 1200 pixels)
    small, scale = shrink(gray, SMALL_SIZE)
    outline = find_page(small, scale) if config.perspective else None
    transform = np.eye(3)  # page image pixels -> cleaned page pixels, step by step
    if outline is not None:  # a phone photo: the sheet, without the desk, as a rectangle
        gray = rectify(gray, outline)
        transform = outline.homography() @ transform
        small, scale = shrink(gray, SMALL_SIZE)
        dpi = dpi or outline.a4_dpi()
    raw_small = small
    if config.flatten:
        back = background(small)
        gray, small = divide_background(gray, back), divide_background(small, back)
    measures = measure(raw_small, small, scale)
    turned = quarter_turn(small) if config.orientation else 0
    small = apply_rotation(small, turned)
    angle = estimate_skew(small) if config.deskew else 0.0
    if abs(angle) < MIN_ROTATION_DEG:
        angle = 0.0
    upside_down = config.orientation and is_upside_down(rotate(small, angle))
    upside_down = upside_down != config.turn_over
    matrix, size = upright_transform(gray.shape, turned, angle, upside_down)
    transform = np.vstack([matrix, [0, 0, 1]]) @ transform
    if angle:  # turns and deskew in one resampling
        gray = cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
    else:  # quarter and half turns only: exact, no resampling
        gray = apply_rotation(gray, (turned + 180 * upside_down) % 360)
    turned = (turned + 180 * upside_down) % 360
    if config.rescale:  # a separate cubic resize: 10x cheaper than a cubic warp
        before = gray.shape[1]
        gray, dpi = rescale(gray, dpi)
        f = gray.shape[1] / before  # pixel centres stay centres, as cv2.resize
        transform = np.array([[f, 0, (f - 1) / 2], [0, f, (f - 1) / 2], [0, 0, 1]]) @ transform
    page = binarize(gray) if config.binarize else gray
    tables: list[Table] = []
    text = None  # the ink left once rules are erased, at half size (for the quality check)
    if config.binarize and config.erase_rules:
        rules = find_rules(page)
        tables = find_tables(rules)
        page = erase_rules(page, rules)
        text = rules.text_ink()
    info = {"rotation": turned, "skew_deg": angle, "dpi": dpi, "rectified": outline is not None,
            "transform": tuple(float(v) for v in (transform / transform[2, 2]).ravel()),
            "tables": [table_to_dict(t) for t in tables],
            "measures": measures.with_ocr_mask(page if text is None else text,
                                               ink_value=text is not None)}
    return page, info


def preprocess_file(src: Path, dest: Path, dpi: int | None = None,
                    config: PreprocessConfig = PreprocessConfig()) -> PreprocessResult:
    # pages run in parallel, one per core next to one tesseract each: OpenCV's own thread
    # pool would only make them fight for the same cores
    cv2.setNumThreads(1)
    img = read_image(src)
    if img is None:
        raise ValueError(f"cannot read page image {src}")
    out, info = preprocess_array(img, dpi, config)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # a binarized page is written as a 1-bit PNG with fast compression: 12 ms instead of 80 ms
    # for an 8-bit one, and smaller (about 70 KB); tesseract reads it as it is
    fast = [cv2.IMWRITE_PNG_BILEVEL, 1, cv2.IMWRITE_PNG_COMPRESSION, 1] if config.binarize \
        else [cv2.IMWRITE_PNG_COMPRESSION, 6]
    cv2.imwrite(str(dest), out, fast)
    return PreprocessResult(dest, info["skew_deg"], out.shape[1], out.shape[0], info["dpi"],
                            info["rotation"], tuple(table_from_dict(t) for t in info["tables"]),
                            info["measures"], info["transform"])
