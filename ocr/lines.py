"""Words into lines, by geometry rather than by Tesseract's own grouping.

Tesseract may put a label and its value in different blocks (two-column forms) or run a line
across table columns. Here a *line* is the words whose boxes share a baseline band, and words
inside a ruled table's cell form lines of their own, tagged with the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from kernel.records import OcrPage, OcrWord
from kernel.vntext import nfc, strip_diacritics
from ocr.layout import Table

CellId = tuple[int, int, int]  # table index, row, column


def normalize_token(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_diacritics(nfc(text)).lower())


@dataclass(frozen=True)
class Token:
    text: str
    norm: str
    confidence: float
    bbox: tuple[int, int, int, int]

    @classmethod
    def of(cls, w: OcrWord) -> "Token":
        return cls(w.text, normalize_token(w.text), w.confidence, w.bbox)

    @property
    def has_colon(self) -> bool:
        return ":" in self.text

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    @property
    def height(self) -> int:
        return self.bbox[3] - self.bbox[1]


@dataclass
class Line:
    tokens: list[Token]
    cell: CellId | None = None
    top: int = field(init=False)

    def __post_init__(self) -> None:
        self.tokens.sort(key=lambda t: t.bbox[0])
        self.top = min(t.bbox[1] for t in self.tokens)

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


def group_lines(tokens: list[Token], cell: CellId | None = None) -> list[Line]:
    """Tokens whose vertical centres lie within half a text height form one line."""
    if not tokens:
        return []
    height = median(t.height for t in tokens) or 10
    lines: list[list[Token]] = []
    centre = None
    for t in sorted(tokens, key=lambda t: t.cy):
        if centre is not None and abs(t.cy - centre) <= 0.5 * height:
            lines[-1].append(t)
            centre = median(x.cy for x in lines[-1])
        else:
            lines.append([t])
            centre = t.cy
    return [Line(ts, cell) for ts in lines]


_DASHES = frozenset({"-", "–", "—"})


def page_tokens(page: OcrPage) -> list[Token]:
    """Word tokens, colons, and a dash standing between two words of one line ("Bà Rịa -
    Vũng Tàu", "Quảng Nam - Đà Nẵng": part of the name); other punctuation and noise go."""
    words = page.words
    tokens = []
    for i, w in enumerate(words):
        t = Token.of(w)
        if t.norm or t.text == ":":
            tokens.append(t)
        elif w.text in _DASHES and 0 < i < len(words) - 1 and all(
                n.line == w.line and normalize_token(n.text) for n in (words[i - 1], words[i + 1])):
            tokens.append(t)
    return tokens


def split_by_tables(tokens: list[Token], tables: tuple[Table, ...] | list[Table]
                    ) -> tuple[list[Token], dict[CellId, list[Token]]]:
    """Tokens outside every table, and tokens per table cell."""
    free: list[Token] = []
    cells: dict[CellId, list[Token]] = {}
    for t in tokens:
        for i, table in enumerate(tables):
            where = table.locate(t.bbox)
            if where is not None:
                cells.setdefault((i, *where), []).append(t)
                break
        else:
            free.append(t)
    return free, cells


def reading_lines(page: OcrPage, tables: tuple[Table, ...] | list[Table] = ()) -> list[Line]:
    """Every line of the page in reading order: free text and table cells (row by row)."""
    free, cells = split_by_tables(page_tokens(page), tables)
    lines = group_lines(free)
    for cell, tokens in cells.items():
        lines.extend(group_lines(tokens, cell))
    return sorted(lines, key=lambda ln: (ln.top if ln.cell is None else tables[ln.cell[0]].rows[ln.cell[1]],
                                         ln.cell[2] if ln.cell else -1, ln.top, ln.tokens[0].bbox[0]))
