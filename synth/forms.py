"""Ruled forms: rows of boxed cells, each holding a printed label and its value.

Two label placements, as on real forms: ``inline`` ("Dân tộc: Kinh" on one line, a long
value continuing under the label) and ``stacked`` (a small label at the top of the cell, the
value below it). Long values wrap inside their cell; a value that must stay on one line (a
name, an ID number) is set smaller until it fits. :func:`draw_rows` returns each field's
value exactly as printed: wrapped lines joined by single spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel.vntext import nfc

from synth.layout import Font, fitting_font, hline, put, vline, wrap
from synth.typeset import Page


@dataclass(frozen=True)
class Cell:
    width: float  # share of the row's width
    label: str | None  # without the colon
    value: str = ""
    field: str | None = None  # the truth field this value is
    style: str = "regular"  # the value's face
    one_line: bool = False  # shrink rather than wrap


def wrap_after(text: str, font: Font, first: float, rest: float) -> list[str]:
    """Word wrap where the first line is ``first`` wide and the others ``rest``."""
    words = nfc(text).split()
    lines: list[str] = []
    current = ""
    for word in words:
        width = first if not lines else rest
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        elif not current and not lines and font.getlength(word) > first:
            lines.append("")  # not even one word fits after the label: start below it
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class _Set:
    """A cell's text, set: label font and value lines with their font."""

    label_font: Font
    value_font: Font
    lines: list[str]
    lines_count: int


def _set_cell(page: Page, cell: Cell, inner: float, points: float, stacked: bool) -> _Set:
    label_font = page.font("italic" if stacked else "regular", points - (1.5 if stacked else 0))
    label = f"{cell.label}:" if cell.label else ""
    label_w = label_font.getlength(label + " ") if label and not stacked else 0.0
    font = page.font(cell.style, points)
    if cell.one_line and cell.value:
        font = fitting_font(page, cell.value, cell.style, points, inner - label_w, points - 4)
        lines = [nfc(cell.value)]
    elif cell.value:
        lines = (wrap(cell.value, font, inner) if stacked
                 else wrap_after(cell.value, font, inner - label_w, inner))
    else:
        lines = []
    count = max(1, len(lines)) + (1 if stacked and label else 0)
    return _Set(label_font, font, lines, count)


def draw_rows(page: Page, rows: list[list[Cell]], x0: float, x1: float, points: float, *,
              stacked: bool = False, line_spacing: float = 1.5) -> dict[str, str]:
    """Draw ``rows`` of cells from the cursor down between ``x0`` and ``x1``; the cursor
    ends below the last rule. Returns {field: printed value}."""
    pad = page.mm(1.6)
    step = round(page.pt(points) * line_spacing)
    out: dict[str, str] = {}
    top = page.y
    hline(page, x0, x1, top)
    for row in rows:
        total = sum(c.width for c in row)
        edges = [x0]
        for c in row:
            edges.append(edges[-1] + (x1 - x0) * c.width / total)
        sets = [_set_cell(page, c, edges[i + 1] - edges[i] - 2 * pad, points, stacked)
                for i, c in enumerate(row)]
        height = max(s.lines_count for s in sets) * step + 2 * pad
        for i, (cell, s) in enumerate(zip(row, sets)):
            left = edges[i] + pad
            baseline = top + pad + round(step * 0.78)
            label = f"{cell.label}:" if cell.label else ""
            value_x = left
            if label:
                put(page, left, label, s.label_font, y=baseline)
                if stacked:
                    baseline += step
                else:
                    value_x = left + s.label_font.getlength(label + " ")
            for j, line in enumerate(s.lines):
                if line:
                    put(page, value_x if j == 0 else left, line, s.value_font, y=baseline)
                baseline += step
            if cell.field:
                out[cell.field] = " ".join(line for line in s.lines if line)
        for x in edges:
            vline(page, x, top, top + height)
        top += height
        hline(page, x0, x1, top)
    page.y = top
    return out


def draw_band(page: Page, x0: float, x1: float, text: str, points: float) -> None:
    """A section heading in a shaded band the width of the form ("THÔNG TIN NGƯỜI MẸ")."""
    height = round(page.pt(points) * 1.7)
    page.draw.rectangle([round(x0), page.y, round(x1), page.y + height], fill=(222, 222, 222),
                        outline=(16, 16, 16), width=max(1, page.dpi // 120))
    put(page, x0 + page.mm(2), text, page.font("bold", points),
        y=page.y + round(height * 0.72))
    page.y += height
