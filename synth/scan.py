"""Mild scan degradations: skew, paper tint, blur, sensor noise, JPEG artefacts, colour mode.

Seeded (numpy ``default_rng(seed)``), so the same page and parameters give the same pixels.
These are the moderate defects of an office flatbed or a careful phone photo; harsher ones
(warping, shadows, bleed-through, stains) belong to a later difficulty level.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

WHITE = (255, 255, 255)


@dataclass(frozen=True)
class ScanParams:
    rotation_deg: float = 0.0  # counter-clockwise, as Pillow's rotate
    paper_tint: tuple[int, int, int] = WHITE  # multiplied onto the page
    blur_radius: float = 0.0  # gaussian, pixels
    noise_sigma: float = 0.0  # gaussian, grey levels
    shading: float = 0.0  # uneven light: up to this fraction darker at the far corner
    jpeg_quality: int | None = None  # a JPEG round trip when set
    mode: str = "RGB"  # "RGB", "L" (grey), "P" (a palette of grey_levels greys), "1" (bilevel)
    grey_levels: int = 16  # for mode "P"
    threshold: int = 160  # for mode "1"

    def __post_init__(self) -> None:
        if self.mode not in ("RGB", "L", "P", "1"):
            raise ValueError(f"unknown colour mode {self.mode!r}")
        if not -45 <= self.rotation_deg <= 45:
            raise ValueError("rotation beyond 45 degrees is not a skew")


CLEAN = ScanParams()


def mild_params(rng: random.Random, *, mode: str = "L",
                rotation_deg: float | None = None) -> ScanParams:
    """Defects of an ordinary office scan, drawn from ``rng``."""
    warm = rng.randint(0, 14)
    return ScanParams(
        rotation_deg=rng.uniform(-0.8, 0.8) if rotation_deg is None else rotation_deg,
        paper_tint=(255 - warm // 3, 253 - warm // 2, 250 - warm),
        blur_radius=rng.uniform(0.3, 0.8),
        noise_sigma=rng.uniform(1.0, 3.0),
        mode=mode,
    )


def tint(image: Image.Image, color: tuple[int, int, int]) -> Image.Image:
    """Paper colour: white becomes ``color``, ink stays dark."""
    if color == WHITE:
        return image
    arr = np.asarray(image.convert("RGB"), dtype=np.float32)
    arr *= np.asarray(color, dtype=np.float32) / 255.0
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")


def rotate(image: Image.Image, angle_deg: float,
           fill: tuple[int, int, int] = WHITE) -> Image.Image:
    """Skew the page by ``angle_deg`` about its centre; the size stays, corners get ``fill``."""
    if not angle_deg:
        return image
    fillcolor: int | tuple[int, int, int] = fill if image.mode == "RGB" else round(
        0.299 * fill[0] + 0.587 * fill[1] + 0.114 * fill[2])
    return image.rotate(angle_deg, resample=Image.Resampling.BICUBIC, expand=False,
                        fillcolor=fillcolor)


def blur(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius)) if radius > 0 else image


def add_noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    """Gaussian sensor noise, the same on all channels of a pixel."""
    if sigma <= 0:
        return image
    arr = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0.0, sigma, size=arr.shape[:2]).astype(np.float32)
    if arr.ndim == 3:
        noise = noise[..., None]
    return Image.fromarray(np.clip(arr + noise + 0.5, 0, 255).astype(np.uint8), image.mode)


def jpeg_roundtrip(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=False, progressive=False)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.copy()


def shade(image: Image.Image, amount: float, seed: int) -> Image.Image:
    """Uneven lighting: brightness falls off linearly towards a corner drawn from ``seed``."""
    if amount <= 0:
        return image
    rng = np.random.default_rng(seed)
    h, w = image.height, image.width
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    if rng.random() < 0.5:
        xs = 1.0 - xs
    if rng.random() < 0.5:
        ys = 1.0 - ys
    gain = 1.0 - amount * (0.5 * xs + 0.5 * ys)
    arr = np.asarray(image, dtype=np.float32)
    arr = arr * (gain[..., None] if arr.ndim == 3 else gain)
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), image.mode)


def grey_palette(image: Image.Image, levels: int = 16) -> Image.Image:
    """A palette image of ``levels`` evenly spaced greys (a scanner's "16 greys" mode)."""
    if not 2 <= levels <= 256:
        raise ValueError("levels must be 2..256")
    step = 255.0 / (levels - 1)
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    index = np.round(grey / step).astype(np.uint8)
    out = Image.frombytes("P", image.size, index.tobytes())
    out.putpalette([round(i * step) for i in range(levels) for _ in range(3)])
    return out


def to_mode(image: Image.Image, mode: str, *, threshold: int = 160,
            grey_levels: int = 16) -> Image.Image:
    if mode == "1":
        grey = np.asarray(image.convert("L"))
        return Image.fromarray(grey >= threshold)  # bool -> mode "1", True is white
    if mode == "P":
        return grey_palette(image, grey_levels)
    return image.convert(mode) if image.mode != mode else image


def degrade(image: Image.Image, params: ScanParams, seed: int = 0) -> Image.Image:
    """Apply ``params`` to a clean page: tint, skew, light, blur, noise, JPEG, colour mode."""
    out = tint(image.convert("RGB"), params.paper_tint)
    out = rotate(out, params.rotation_deg)  # the uncovered corners are the white scanner lid
    if params.mode != "RGB":  # a grey page from here on: grey noise, smaller files
        out = out.convert("L")
    out = shade(out, params.shading, seed + 1)
    out = blur(out, params.blur_radius)
    out = add_noise(out, params.noise_sigma, seed)
    if params.jpeg_quality is not None:
        out = jpeg_roundtrip(out, params.jpeg_quality)
    return to_mode(out, params.mode, threshold=params.threshold, grey_levels=params.grey_levels)

