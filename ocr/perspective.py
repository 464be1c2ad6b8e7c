"""Perspective correction of phone photos: find the sheet of paper, warp it to a rectangle.

A page photographed on a desk is a bright quadrilateral on a darker background, its far edge
narrower (keystone). Text lines then converge, and table rules are slanted lines that neither
deskewing nor rule detection can straighten. This module finds the sheet's outline on a
small copy (Otsu split of paper and desk, the largest bright region, its four corners refined
by fitting a line to each side) and warps the page to the rectangle those corners span.

It acts only on a confident outline: four corners, a region that fills its quadrilateral,
paper clearly brighter than what surrounds it, and an outline that is not the image frame
(a flatbed scan, where the paper is the whole image, is left alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.imaging import shrink

WORK_SIZE = 1200  # longer side (about) of the copy the outline is searched on
MIN_AREA = 0.35  # the sheet covers at least this share of the photo
MIN_FILL = 0.96  # the bright region fills its quadrilateral (it is one sheet, not a blob)
MIN_CONTRAST = 40.0  # paper minus desk, grey levels
FRAME_MARGIN = 0.015  # corners closer than this (share of the side) to the frame: no desk
A4_RATIO = 297 / 210


@dataclass(frozen=True)
class PageOutline:
    corners: np.ndarray  # 4x2 float32, full-image pixels: top-left, top-right, bottom-right, bottom-left
    size: tuple[int, int]  # (width, height) of the rectified page

    def a4_dpi(self) -> int | None:
        """The resolution the rectified page has if it is an A4 sheet (either way round),
        judged on the mean of opposite sides (the far side looks shorter, the near longer)."""
        c = self.corners.astype(np.float64)
        w = (np.hypot(*(c[1] - c[0])) + np.hypot(*(c[2] - c[3]))) / 2
        h = (np.hypot(*(c[3] - c[0])) + np.hypot(*(c[2] - c[1]))) / 2
        long_side, short_side = max(w, h), min(w, h)
        if abs(long_side / short_side - A4_RATIO) > 0.06 * A4_RATIO:
            return None
        return int(round(long_side / (297 / 25.4)))

    def homography(self) -> np.ndarray:
        """The 3x3 map from photo pixels to rectified-page pixels."""
        w, h = self.size
        target = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
        return cv2.getPerspectiveTransform(self.corners, target)


def _order(corners: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    s = corners.sum(axis=1)
    d = np.diff(corners, axis=1).ravel()
    return np.float32([corners[np.argmin(s)], corners[np.argmin(d)], corners[np.argmax(s)],
                       corners[np.argmax(d)]])


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """Intersection of two lines given as (vx, vy, x0, y0)."""
    m = np.array([[a[0], -b[0]], [a[1], -b[1]]], np.float64)
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    t = np.linalg.solve(m, np.array([b[2] - a[2], b[3] - a[3]], np.float64))
    return np.array([a[2] + t[0] * a[0], a[3] + t[0] * a[1]], np.float64)


def _refine(contour: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Corners from lines fitted to each side's contour points (the middle 80% of each side,
    away from rounded or dog-eared corners); the rough corners where a fit fails."""
    pts = contour.reshape(-1, 2).astype(np.float32)
    lines = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        side = q - p
        length = float(np.hypot(*side))
        t = ((pts - p) @ side) / (length ** 2)
        dist = np.abs((pts - p) @ np.array([-side[1], side[0]]) / length)
        near = pts[(t > 0.1) & (t < 0.9) & (dist < max(3.0, 0.02 * length))]
        if len(near) < 10:
            return quad
        lines.append(cv2.fitLine(near, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel())
    out = []
    for i in range(4):
        corner = _intersect(lines[i - 1], lines[i])
        if corner is None or np.hypot(*(corner - quad[i])) > 10:
            return quad
        out.append(corner)
    return np.float32(out)


def _dark_edge(small: np.ndarray) -> bool:
    """Whether some edge of the image is darker than the paper (a desk can show there): a
    scan, light to all four edges, is passed over without looking for an outline."""
    paper = float(np.percentile(small[::4, ::4], 90))
    band = max(2, int(0.02 * min(small.shape)))
    edges = (small[:band], small[-band:], small[:, :band], small[:, -band:])
    return any(float(np.median(e[::2, ::2])) < paper - MIN_CONTRAST for e in edges)


def find_page(gray: np.ndarray, scale: float = 1.0) -> PageOutline | None:
    """The outline of a sheet of paper lying on a darker background, or None. ``gray`` may be
    a reduced copy of the photo, ``scale`` times its size: corners are in the photo's pixels."""
    small, reduced = shrink(gray, WORK_SIZE)
    scale *= reduced
    if not _dark_edge(small):
        return None
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    level, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # print on the paper is dark too: close it into the sheet
    k = max(5, int(0.02 * max(small.shape)) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    sh, sw = small.shape
    if area < MIN_AREA * sh * sw:
        return None
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float32)
            break
    if quad is None or not cv2.isContourConvex(quad.reshape(-1, 1, 2)):
        return None
    quad = _order(quad)
    if area < MIN_FILL * cv2.contourArea(quad):
        return None
    margin = np.float32([FRAME_MARGIN * sw, FRAME_MARGIN * sh])
    frame = np.float32([[0, 0], [sw - 1, 0], [sw - 1, sh - 1], [0, sh - 1]])
    if np.all(np.abs(quad - frame) <= margin):
        return None  # the paper is the whole image: a scan, nothing to correct
    inside = np.zeros_like(small)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 1)
    paper = float(np.median(small[inside > 0]))
    outside = small[inside == 0]
    if outside.size < 0.02 * small.size or paper - float(np.median(outside)) < MIN_CONTRAST:
        return None
    corners = _refine(contour, quad) / scale
    top = np.hypot(*(corners[1] - corners[0]))
    bottom = np.hypot(*(corners[2] - corners[3]))
    left = np.hypot(*(corners[3] - corners[0]))
    right = np.hypot(*(corners[2] - corners[1]))
    return PageOutline(np.float32(corners), (int(round(max(top, bottom))), int(round(max(left, right)))))


def rectify(img: np.ndarray, outline: PageOutline) -> np.ndarray:
    """The page inside ``outline``, warped to its rectangle."""
    return cv2.warpPerspective(img, outline.homography(), outline.size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
