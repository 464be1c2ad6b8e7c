"""Find printed labels in lines of words and collect the value that belongs to each.

Position-aware: a value is the words after its label on the same line, or, when the label
stands alone, the words below it on the next line (boxed forms, parents side by side); a
value that wraps continues on the next line under its own start. Whose field a label is
(child, mother, father) follows the nearest person label to its left or above.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ocr.labels import Label, LabelSet
from ocr.lines import Line, Token

WRAPPING = {"place_of_birth", "hometown", "registration_place", "dob_words", "residence",
            "place_of_death", "date_of_death"}


@dataclass
class RawField:
    tokens: list[Token] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(t.text for t in self.tokens).split()).strip(
            " \t:;,.-_|'\"“”‘’")

    @property
    def confidence(self) -> float:
        confs = [t.confidence for t in self.tokens]
        if not confs:
            return 0.0
        return 0.6 * (sum(confs) / len(confs)) + 0.4 * min(confs)

    @property
    def bbox(self) -> tuple[int, int, int, int] | None:
        if not self.tokens:
            return None
        boxes = [t.bbox for t in self.tokens]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


def label_at(tokens: list[Token], i: int, labels: tuple[Label, ...]) -> Label | None:
    best: tuple[float, int, Label] | None = None
    for label in labels:
        k = label.size
        if i + k > len(tokens):
            continue
        candidate = " ".join(t.norm for t in tokens[i:i + k])
        score = fuzz.ratio(candidate, label.text)
        colon = tokens[i + k - 1].has_colon or (i + k < len(tokens) and tokens[i + k].text == ":")
        needed = 100.0 if k == 1 else 86.0 if k <= 3 else 80.0
        if score < needed or not (colon or (k >= 3 and score == 100.0)):
            continue
        if best is None or (score, k) > (best[0], best[1]):
            best = (score, k, label)
    return best[2] if best else None


@dataclass(frozen=True)
class Hit:
    label: Label
    start: int
    end: int


def hits_in(tokens: list[Token], labels: tuple[Label, ...]) -> list[Hit]:
    hits, i = [], 0
    while i < len(tokens):
        label = label_at(tokens, i, labels)
        if label is None:
            i += 1
            continue
        hits.append(Hit(label, i, i + label.size))
        i += label.size
    return hits


@dataclass
class _Open:
    """A field that may still receive words from the next line."""

    name: str
    x0: float
    x1: float
    cell: object
    bottom: int
    empty: bool
    label_x: float = 0.0  # where the label's line starts (a wrapped line starts there too)
    end_x: float = 0.0  # right edge of the value's last word so far


def _wrapped(o: _Open, line: Line, first: Token, margin: float, height: int) -> bool:
    """The line continues the value at its right: a value that ran to the right margin went on
    at the start of the next line ("... tỉnh Tiền" / "Giang"), under its label, because the
    next word would not fit (typesetting's own rule)."""
    return (o.name in WRAPPING and not o.empty and o.cell is None and line.cell is None
            and o.x1 == float("inf") and line.tokens[0] is first
            and abs(first.bbox[0] - o.label_x) <= 2 * height
            and line.top - o.bottom <= 1.8 * height
            and o.end_x + 0.3 * height + (first.bbox[2] - first.bbox[0]) > margin)


def scan(lines: list[Line], labels: LabelSet, page_width: int | None = None) -> dict[str, RawField]:
    """The raw value of every label found. ``page_width`` places the right margin (as wide as
    the left one) for values that wrap to the next line's start."""
    found: dict[str, RawField] = {}
    regions: list[tuple[float, str]] = [(-1.0, labels.first_scope)]
    open_fields: list[_Open] = []
    free = [t for ln in lines if ln.cell is None for t in ln.tokens]
    rightmost = max((t.bbox[2] for t in free), default=0)
    for line in lines:
        tokens = line.tokens
        hits = hits_in(tokens, labels.labels)
        first = hits[0].start if hits else len(tokens)
        orphans = [t for t in tokens[:first] if t.text != ":"]
        height = max(t.height for t in tokens)
        wrap = next((o for o in open_fields if orphans and _wrapped(
            o, line, orphans[0], min(rightmost, page_width - o.label_x) if page_width else rightmost,
            height)), None)
        if wrap is not None:
            found[wrap.name].tokens.extend(orphans)
            wrap.bottom, wrap.end_x = max(t.bbox[3] for t in orphans), orphans[-1].bbox[2]
            orphans = []
        for tok in orphans:  # words under a lone label, or a wrapped value
            for o in open_fields:
                near = line.top - o.bottom <= 1.8 * height
                if (o.cell == line.cell and near and o.x0 - 2 * height <= tok.cx < o.x1
                        and (o.empty or o.name in WRAPPING)):
                    found[o.name].tokens.append(tok)
                    break
        if hits:
            open_fields = []
        elif orphans:
            for o in open_fields:
                o.empty, o.bottom = False, max(t.bbox[3] for t in tokens)
        for k, hit in enumerate(hits):
            x = tokens[hit.start].bbox[0]
            if hit.label.starts_scope:
                regions = [(rx, s) for rx, s in regions if rx < x - 2 * height]
                regions.append((x, hit.label.starts_scope))
            scope = max((r for r in regions if r[0] <= x + 2 * height), key=lambda r: r[0])[1]
            name = labels.field(hit.label.key, scope)
            end = hits[k + 1].start if k + 1 < len(hits) else len(tokens)
            values = [t for t in tokens[hit.end:end] if t.text != ":"]
            if not name or name in found:
                continue
            found[name] = RawField(values)
            x1 = tokens[hits[k + 1].start].bbox[0] if k + 1 < len(hits) else float("inf")
            start = values[0].bbox[0] if values else x
            open_fields.append(_Open(name, start, x1, line.cell, max(t.bbox[3] for t in tokens),
                                     not values, tokens[0].bbox[0],
                                     values[-1].bbox[2] if values else x))
    return found


def find_title(lines: list[Line], titles: dict[str, str]) -> str | None:
    """The kind of document its title says, from the best-matching title in the top lines."""
    best: tuple[float, str] | None = None
    for line in lines[:15]:
        words = [t.norm for t in line.tokens if t.norm]
        for text, kind in titles.items():
            n = len(text.split())
            for i in range(max(1, len(words) - n + 1)):  # the title may share its line
                score = fuzz.ratio(text, " ".join(words[i:i + n]))
                if score >= 85 and (best is None or score > best[0]):
                    best = (score, kind)
    return best[1] if best else None
