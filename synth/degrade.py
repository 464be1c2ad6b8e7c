"""Scan and photo defects of the corpus, graded by difficulty (OpenCV and numpy, seeded).

- ``clean``: the page as rendered: straight, no noise, grey;
- ``typical``: an office scanner: skew up to ±2°, paper tint, mild blur and noise, uneven
  light, JPEG artefacts;
- ``hard``: skew up to ±5°, some pages turned 90° or 180°, stronger blur, noise and JPEG,
  fold lines, bleed-through of the back of the sheet, and phone photos: the page in mild
  perspective (keystone) on a darker background, with a light fall-off.
:func:`draw_plan` draws every parameter of one page from an rng (so the plan is fixed before
any pixel is made); :func:`scan_page` applies it. Same plan and seed, same pixels.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from PIL import Image

Difficulty = Literal["clean", "typical", "hard"]
DIFFICULTIES: tuple[str, ...] = ("clean", "typical", "hard")


@dataclass(frozen=True)
class ScanPlan:
    skew_deg: float = 0.0  # counter-clockwise
    turn: int = 0  # 0, 90, 180 or 270: the page fed or photographed turned
    tint: tuple[int, int, int] = (255, 255, 255)
    blur_sigma: float = 0.0  # pixels at 300 dpi
    noise_sigma: float = 0.0  # grey levels
    shading: float = 0.0  # up to this fraction darker
    jpeg_quality: int | None = None  # a JPEG round trip (artefacts) before the file is written
    folds: tuple[tuple[str, float], ...] = ()  # ("h" or "v", position 0..1)
    bleed: float = 0.0  # opacity of the mirrored back page
    photo: bool = False  # perspective warp onto a background
    color: bool = False  # keep RGB (else grey)

    def describe(self) -> str:
        parts = [f"skew {self.skew_deg:+.1f}°"] if self.skew_deg else []
        parts += [f"turned {self.turn}°"] if self.turn else []
        parts += ["phone photo"] if self.photo else []
        parts += ["folds"] if self.folds else []
        parts += ["bleed-through"] if self.bleed else []
        return ", ".join(parts) or "straight"


def draw_plan(rng: random.Random, difficulty: str, *, photo_ok: bool = True) -> ScanPlan:
    if difficulty == "clean":
        return ScanPlan()
    warm = rng.randint(0, 18)
    tint = (255 - warm // 3, 253 - warm // 2, 250 - warm)
    if difficulty == "typical":
        return ScanPlan(
            skew_deg=rng.uniform(-2.0, 2.0), tint=tint, blur_sigma=rng.uniform(0.3, 0.9),
            noise_sigma=rng.uniform(1.0, 4.0), shading=rng.uniform(0.0, 0.12),
            jpeg_quality=rng.choice((None, None, 70, 80, 88)), color=rng.random() < 0.1)
    if difficulty != "hard":
        raise ValueError(f"unknown difficulty {difficulty!r}; one of {DIFFICULTIES}")
    photo = photo_ok and rng.random() < 0.3
    turn = 0 if photo else rng.choices((0, 90, 180, 270), weights=(80, 8, 8, 4))[0]
    folds: tuple[tuple[str, float], ...] = ()
    if rng.random() < 0.35:
        folds = tuple((rng.choice("hv") if rng.random() < 0.3 else "h", p)
                      for p in rng.sample((0.33, 0.5, 0.67), rng.randint(1, 2)))
    return ScanPlan(
        skew_deg=rng.uniform(-5.0, 5.0) if not photo else rng.uniform(-3, 3), turn=turn,
        tint=tint, blur_sigma=rng.uniform(0.8, 1.8), noise_sigma=rng.uniform(3.0, 9.0),
        shading=rng.uniform(0.1, 0.35), jpeg_quality=rng.choice((35, 45, 55, 65)),
        folds=folds, bleed=rng.uniform(0.06, 0.15) if rng.random() < 0.35 else 0.0,
        photo=photo, color=photo or rng.random() < 0.15)


def _bleed(arr: np.ndarray, back: np.ndarray, opacity: float, scale: float) -> np.ndarray:
    """The back page, mirrored and blurred through the paper, darkens ``arr`` a little."""
    grey = back if back.ndim == 2 else cv2.cvtColor(back, cv2.COLOR_RGB2GRAY)
    grey = cv2.resize(np.ascontiguousarray(grey[:, ::-1]), (arr.shape[1], arr.shape[0]),
                      interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(grey, (0, 0), 2.5 * scale).astype(np.float32)
    gain = np.float32(1.0) - np.float32(opacity) * (np.float32(1.0) - grey / np.float32(255.0))
    arr *= gain[..., None] if arr.ndim == 3 else gain
    return arr


def _folds(arr: np.ndarray, folds: tuple[tuple[str, float], ...], rng: np.random.Generator,
           scale: float) -> np.ndarray:
    """A crease: a thin dark line with a soft shadow on one side."""
    for axis, pos in folds:
        n = arr.shape[0] if axis == "h" else arr.shape[1]
        t = np.arange(n, dtype=np.float32) - (pos + rng.uniform(-0.02, 0.02)) * n
        width = 2.0 * scale
        side = 1.0 if rng.random() < 0.5 else -1.0
        shadow = np.where(side * t > 0, np.exp(-np.abs(t) / (40.0 * scale)), 0.0)
        gain = 1.0 - 0.28 * np.exp(-(t / width) ** 2) - rng.uniform(0.04, 0.1) * shadow
        gain = gain.astype(np.float32)
        shape = (n, 1) if axis == "h" else (1, n)
        g = gain.reshape(shape)
        arr *= g[..., None] if arr.ndim == 3 else g
    return arr


def _shading(shape: tuple[int, int], amount: float, rng: np.random.Generator) -> np.ndarray:
    """A smooth light fall-off: a tilted plane plus a vignette, at most ``amount`` darker
    (computed on a coarse grid, then resized: it has no detail to lose)."""
    h, w = shape
    gh, gw = max(2, h // 16), max(2, w // 16)
    ys = np.linspace(-1.0, 1.0, gh, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, gw, dtype=np.float32)[None, :]
    a, b = (np.float32(v) for v in rng.uniform(-1, 1, size=2))
    field = np.float32(0.5) * (a * xs + b * ys) + np.float32(
        0.5 * rng.uniform(0.2, 1.0)) * (xs**2 + ys**2)
    field -= field.min()
    gain = (1.0 - amount * field / max(float(field.max()), 1e-6)).astype(np.float32)
    return cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)


def _photo(arr: np.ndarray, rng: np.random.Generator, angle: float) -> np.ndarray:
    """The page photographed from slightly off-axis and turned by ``angle`` degrees, lying
    on a darker desk."""
    h, w = arr.shape[:2]
    turn = abs(np.sin(np.radians(angle)))
    margin_x = int(w * rng.uniform(0.04, 0.09) + h * turn / 2)
    margin_y = int(h * rng.uniform(0.03, 0.07) + w * turn / 2)
    out_w, out_h = w + 2 * margin_x, h + 2 * margin_y
    base = np.array(rng.choice([(92, 80, 66), (70, 72, 76), (120, 104, 84), (48, 50, 54)]),
                    dtype=np.float32)
    small = rng.uniform(0.8, 1.15, size=(6, 8)).astype(np.float32)
    field = cv2.resize(small, (out_w, out_h), interpolation=cv2.INTER_CUBIC)
    background = np.ascontiguousarray(np.clip(field[..., None] * base, 0, 255),
                                      dtype=np.float32)
    squeeze = rng.uniform(0.02, 0.06) * w  # the far edge looks narrower
    jitter = lambda: rng.uniform(-0.012, 0.012) * w  # noqa: E731
    top_far = rng.random() < 0.7
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([
        [margin_x + (squeeze if top_far else 0) + jitter(), margin_y + jitter()],
        [margin_x + w - (squeeze if top_far else 0) + jitter(), margin_y + jitter()],
        [margin_x + w - (0 if top_far else squeeze) + jitter(), margin_y + h + jitter()],
        [margin_x + (0 if top_far else squeeze) + jitter(), margin_y + h + jitter()]])
    centre = np.float32([out_w / 2, out_h / 2])
    c, s_ = np.cos(np.radians(-angle)), np.sin(np.radians(-angle))
    dst = ((dst - centre) @ np.float32([[c, s_], [-s_, c]]) + centre).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    # the page is drawn over the desk; pixels outside the warped page keep the desk
    return cv2.warpPerspective(arr, matrix, (out_w, out_h), dst=background,
                               flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)


def _rotate_bound(arr: np.ndarray, angle: float, fill: float) -> np.ndarray:
    """Rotate by ``angle`` degrees on a canvas grown to keep the whole page (the scanner bed
    around a skewed sheet), filled with ``fill`` (the white lid)."""
    h, w = arr.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    out_w, out_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    matrix[0, 2] += out_w / 2 - w / 2
    matrix[1, 2] += out_h / 2 - h / 2
    border = (fill, fill, fill) if arr.ndim == 3 else fill
    return cv2.warpAffine(arr, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _jpeg(arr: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(arr).save(buffer, "JPEG", quality=quality, optimize=False)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.copy())


def scan_page(page: Image.Image, plan: ScanPlan, seed: int, *, dpi: int = 300,
              back: Image.Image | None = None) -> Image.Image:
    """Apply ``plan`` to a clean page (RGB); ``back`` is the page printed on the back of the
    sheet (for bleed-through). Returns an "L" image, or "RGB" when ``plan.color``."""
    rng = np.random.default_rng(seed)
    scale = dpi / 300.0
    arr = np.asarray(page.convert("RGB"))
    if not plan.color:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    work = arr.astype(np.float32)
    if plan.bleed and back is not None:
        work = _bleed(work, np.asarray(back), plan.bleed, scale)
    tint = np.asarray(plan.tint, np.float32) / 255.0
    work *= tint if work.ndim == 3 else np.float32(tint.mean())
    if plan.folds:
        work = _folds(work, plan.folds, rng, scale)
    if plan.skew_deg and not plan.photo:
        work = _rotate_bound(work, plan.skew_deg, 250.0)
    if plan.photo:
        if work.ndim == 2:
            work = cv2.cvtColor(work, cv2.COLOR_GRAY2RGB)
        work = _photo(work, rng, plan.skew_deg).astype(np.float32)
    if plan.shading:
        gain = _shading(work.shape[:2], plan.shading, rng)
        work *= gain[..., None] if work.ndim == 3 else gain
    if plan.blur_sigma:
        work = cv2.GaussianBlur(work, (0, 0), plan.blur_sigma * scale)
    if plan.noise_sigma:
        noise = rng.standard_normal(work.shape[:2], dtype=np.float32)
        noise *= np.float32(plan.noise_sigma)
        work += noise[..., None] if work.ndim == 3 else noise
    work += np.float32(0.5)
    np.clip(work, 0, 255, out=work)
    out = work.astype(np.uint8)
    if plan.jpeg_quality is not None:
        out = _jpeg(out, plan.jpeg_quality)
    if plan.turn:
        out = np.ascontiguousarray(np.rot90(out, k=plan.turn // 90))
    return Image.fromarray(out, "RGB" if out.ndim == 3 else "L")
