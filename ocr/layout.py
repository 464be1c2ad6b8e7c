"""Page layout from the image: ruled tables (line detection) and their cells.

Ruling lines are found by morphology on the binarized page (long thin horizontal and vertical
runs of ink), erased from the image that goes to OCR (Tesseract reads cells better without
them), and turned into tables of rows and cells. Words are later assigned to cells by their
boxes, so one OCR call per page serves every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    box: tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True)
class Table:
    box: tuple[int, int, int, int]
    rows: tuple[int, ...]  # y of each horizontal rule, top to bottom
    cols: tuple[int, ...]  # x of each vertical rule, left to right

    @property
    def n_rows(self) -> int:
        return len(self.rows) - 1

    @property
    def n_cols(self) -> int:
        return len(self.cols) - 1

    def cells(self) -> list[Cell]:
        return [Cell(r, c, (self.cols[c], self.rows[r], self.cols[c + 1], self.rows[r + 1]))
                for r in range(self.n_rows) for c in range(self.n_cols)]

    def locate(self, box: tuple[int, int, int, int]) -> tuple[int, int] | None:
        """(row, col) of the cell holding the centre of ``box``, or None outside the table."""
        x = (box[0] + box[2]) / 2
        y = (box[1] + box[3]) / 2
        r = int(np.searchsorted(self.rows, y)) - 1
        c = int(np.searchsorted(self.cols, x)) - 1
        if 0 <= r < self.n_rows and 0 <= c < self.n_cols:
            return r, c
        return None


@dataclass(frozen=True)
class Rules:
    horizontal: np.ndarray  # mask of horizontal rules, at half the page's size
    vertical: np.ndarray  # mask of vertical rules, at half the page's size
    size: tuple[int, int]  # the page's (width, height)
    ink: np.ndarray | None = None  # all ink (255), at half the page's size

    def text_ink(self) -> np.ndarray | None:
        """The ink that is not a rule (255), at half the page's size."""
        if self.ink is None:
            return None
        return cv2.subtract(self.ink, cv2.bitwise_or(self.horizontal, self.vertical))


def find_rules(binary: np.ndarray, min_frac: float = 0.12) -> Rules:
    """Masks of ruling lines on a binarized page (ink = 0, paper = 255).

    Found on a half-size copy (four times less work) and scaled back up.
    """
    full_h, full_w = binary.shape
    small = cv2.resize(binary, (full_w // 2, full_h // 2), interpolation=cv2.INTER_LINEAR)
    ink = (small < 160).astype(np.uint8) * 255
    h, w = ink.shape
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, int(w * min_frac)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, int(h * min_frac * 0.5))))
    grow = np.ones((3, 3), np.uint8)
    horizontal = cv2.dilate(cv2.morphologyEx(ink, cv2.MORPH_OPEN, hk), grow)
    vertical = cv2.dilate(cv2.morphologyEx(ink, cv2.MORPH_OPEN, vk), grow)
    return Rules(horizontal, vertical, (full_w, full_h), ink)


def erase_rules(binary: np.ndarray, rules: Rules) -> np.ndarray:
    both = cv2.resize(cv2.bitwise_or(rules.horizontal, rules.vertical), rules.size,
                      interpolation=cv2.INTER_NEAREST)
    return cv2.max(binary, both)


def _positions(profile: np.ndarray, min_len: int) -> list[int]:
    """Centres of runs in a 1-D profile that are at least ``min_len`` long."""
    on = profile >= min_len
    out, start = [], None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    if start is not None:
        out.append((start + len(on) - 1) // 2)
    return out


def find_tables(rules: Rules, min_cells: int = 2) -> list[Table]:
    """Tables: connected groups of horizontal and vertical rules forming a grid (page pixels)."""
    grid = cv2.bitwise_or(rules.horizontal, rules.vertical)
    # components' boxes from their outer contours: OpenCV's component statistics cost six
    # times the labelling itself (15 ms a page)
    _, labels = cv2.connectedComponents(grid, connectivity=8)
    contours, hierarchy = cv2.findContours(grid, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    tables = []
    h, w = grid.shape
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0] if hierarchy is not None else []):
        if parent != -1:  # a hole's boundary, not a component's
            continue
        x, y, bw, bh = cv2.boundingRect(contour)
        if bw < w * 0.25 or bh < h * 0.03:
            continue
        i = labels[contour[0, 0, 1], contour[0, 0, 0]]
        region = labels[y:y + bh, x:x + bw] == i
        hor = (rules.horizontal[y:y + bh, x:x + bw] > 0) & region
        ver = (rules.vertical[y:y + bh, x:x + bw] > 0) & region
        rows = [2 * (y + p) for p in _positions(hor.sum(axis=1), int(bw * 0.5))]
        cols = [2 * (x + p) for p in _positions(ver.sum(axis=0), int(bh * 0.5))]
        if len(rows) >= 2 and len(cols) >= 2 and (len(rows) - 1) * (len(cols) - 1) >= min_cells:
            box = (2 * int(x), 2 * int(y), 2 * int(x + bw), 2 * int(y + bh))
            tables.append(Table(box, tuple(int(r) for r in rows), tuple(int(c) for c in cols)))
    return sorted(tables, key=lambda t: (t.box[1], t.box[0]))


def table_to_dict(t: Table) -> dict:
    return {"box": [int(v) for v in t.box], "rows": [int(v) for v in t.rows],
            "cols": [int(v) for v in t.cols]}


def table_from_dict(d: dict) -> Table:
    return Table(tuple(d["box"]), tuple(d["rows"]), tuple(d["cols"]))
