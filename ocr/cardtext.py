"""The text of one ID card: its lines, its bilingual labels and the values after them.

Labels ("Họ và tên / Full name:") are found by fuzzy alignment on the line (the Vietnamese
half alone too, when OCR garbled the English); a value follows its label on the line or, for
a label alone, sits on the next line in the label's column; residence and place of birth
may wrap once. Dates whose slashes OCR read as 'I', '1' or '0' are repaired; the ID number
is the 12-digit run that kernel.civil_id accepts. Used by :mod:`ocr.idcard`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from kernel import civil_id
from kernel.vndate import parse_date
from kernel.vntext import strip_diacritics
from ocr.cardfind import CardScan
from ocr.lines import Line, Token, group_lines, page_tokens
from ocr.mrz import looks_like_mrz

LABELS: dict[str, tuple[str, ...]] = {  # bilingual first; the Vietnamese half alone too
    "id_number": ("so dinh danh ca nhan personal identification number", "so dinh danh ca nhan"),
    "full_name": ("ho va ten full name", "ho chu dem va ten khai sinh full name", "ho va ten",
                  "ho chu dem va ten khai sinh"),
    "date_of_birth": ("ngay sinh date of birth", "ngay thang nam sinh date of birth",
                      "ngay thang nam sinh"),
    "sex": ("gioi tinh sex", "gioi tinh"),
    "nationality": ("quoc tich nationality", "quoc tich"),
    "hometown": ("que quan place of origin", "que quan"),
    "residence": ("noi thuong tru place of residence", "noi cu tru place of residence",
                  "noi thuong tru"),
    "registration_place": ("noi dang ky khai sinh place of birth", "noi dang ky khai sinh"),
    "issue_date": ("ngay thang nam cap date of issue", "ngay thang nam date month year",
                   "ngay thang nam cap"),
    "expiry_date": ("ngay thang nam het han date of expiry", "co gia tri den",
                    "ngay thang nam het han"),
}
ONE_WORD = ("sex",)
ENGLISH = {"personal", "identification", "number", "full", "name", "date", "of", "birth", "sex",
           "nationality", "place", "origin", "residence", "issue", "month", "year", "expiry"}  # "Nam" / "Nữ": the next label may follow on the line unrecognized
WRAPPING = ("residence", "registration_place")
BELOW = ("full_name", "hometown", "expiry_date", "id_number")  # values printed under the label
FRONT_WORDS = ("ho va ten", "full name", "date of birth", "place of origin", "can cuoc",
               "identity card", "gioi tinh", "quoc tich")
BACK_WORDS = ("dac diem nhan dang", "ngon tro", "date of issue", "cuc truong", "bo cong an",
              "personal identification", "date of expiry")


@dataclass
class CardText:
    """A card's words as lines with their normalized text and token offsets."""

    lines: list[Line]
    texts: list[str]
    starts: list[list[int]]  # char offset of each token in its line text

    @classmethod
    def of(cls, card: CardScan) -> "CardText":
        tokens = page_tokens(card.words) if card.words else []
        lines = _same_rows(group_lines([t for t in tokens if t.norm]))
        texts, starts = [], []
        for line in lines:
            offsets, text = [], ""
            for t in line.tokens:
                offsets.append(len(text) + (1 if text else 0))
                text = f"{text} {t.norm}" if text else t.norm
            texts.append(text)
            starts.append(offsets)
        return cls(lines, texts, starts)

    def raw_lines(self) -> list[str]:
        return [" ".join(t.text for t in ln.tokens) for ln in self.lines]


def side_of(text: CardText) -> str:
    plain = " ".join(text.texts)
    front = sum(w in plain for w in FRONT_WORDS)
    back = sum(w in plain for w in BACK_WORDS) + 3 * any(looks_like_mrz(t) for t in text.raw_lines())
    return "back" if back > front else "front"


@dataclass(frozen=True)
class Hit:
    line: int
    first: int  # token index of the label's first word
    end: int  # token index after the label
    score: float


def _same_rows(lines: list[Line]) -> list[Line]:
    """Lines that share a row: a bold value set larger than its label sits on the label's
    baseline, but its middle is higher, so grouping by middles splits them (the value
    first). Consecutive lines whose heights overlap by half and whose words do not overlap
    side by side are one line."""
    out: list[Line] = []
    for line in lines:
        if out:
            last = out[-1]
            top = max(min(t.bbox[1] for t in last.tokens), min(t.bbox[1] for t in line.tokens))
            bottom = min(max(t.bbox[3] for t in last.tokens), max(t.bbox[3] for t in line.tokens))
            height = min(max(t.height for t in last.tokens), max(t.height for t in line.tokens))
            spans = [(t.bbox[0], t.bbox[2]) for t in last.tokens]
            apart = all(t.bbox[2] <= a or t.bbox[0] >= b for t in line.tokens for a, b in spans)
            if bottom - top >= 0.5 * height and apart:
                out[-1] = Line(last.tokens + line.tokens, last.cell)
                continue
        out.append(line)
    return out


def _label_word(text: str) -> bool:
    """Part of a label's English half, or too short to be a value ("/", "Dafe", "birth")."""
    if any(c.isdigit() for c in text):
        return False  # dates and numbers are values
    norm = re.sub(r"[^a-z]", "", strip_diacritics(text).lower())
    return len(norm) <= 2 or any(fuzz.ratio(norm, w) >= 50 for w in ENGLISH)


def _label_rest(value: list[Token]) -> bool:
    """Words that are what OCR made of a label's English half ("Fuff na me:"): label-like
    and not in capitals (the values below such labels, names and places, are)."""
    return bool(value) and all(_label_word(t.text) for t in value) and not all(
        t.text.isupper() for t in value if t.norm)


def label_hits(text: CardText) -> dict[str, Hit]:
    found: list[tuple[float, str, Hit]] = []
    for i, line_text in enumerate(text.texts):
        for name, labels in LABELS.items():
            for label in labels:
                a = fuzz.partial_ratio_alignment(label, line_text)
                if a is None or a.score < (82 if len(label) >= 14 else 86 if len(label) >= 8
                                           else 92):
                    continue
                if a.dest_end - a.dest_start < 0.8 * len(label):
                    continue  # a short line inside the label ("quan" in "que quan") is not it
                offsets = text.starts[i]
                norms = [t.norm for t in text.lines[i].tokens]
                first = next((k for k, o in enumerate(offsets) if o + len(norms[k]) > a.dest_start),
                             0)
                end = next((k for k, o in enumerate(offsets) if o >= a.dest_end), len(offsets))
                found.append((a.score + len(label) / 100, name, Hit(i, first, end, a.score)))
    best: dict[str, Hit] = {}
    taken: list[tuple[int, int, int]] = []
    for _, name, hit in sorted(found, key=lambda f: -f[0]):
        if name in best or any(ln == hit.line and hit.first < e and s < hit.end
                               for ln, s, e in taken):
            continue
        best[name] = hit
        taken.append((hit.line, hit.first, hit.end))
    return best


def label_values(text: CardText, hits: dict[str, Hit]) -> dict[str, list[Token]]:
    out: dict[str, list[Token]] = {}
    width = max((t.bbox[2] for ln in text.lines for t in ln.tokens), default=1)
    labelled = {h.line for h in hits.values()}
    for name, hit in hits.items():
        tokens = text.lines[hit.line].tokens
        later = [h.first for h in hits.values() if h.line == hit.line and h.first > hit.first]
        stop = min(later, default=len(tokens))
        value = strip_label_rest([t for t in tokens[hit.end:stop] if t.norm])
        if name in ONE_WORD:
            value = value[:1]
        if name in BELOW and (sum(len(t.norm) for t in value) <= 2 or _label_rest(value)):
            value = []  # a speck, or the rest of the label: the value is on the next line
        x0 = tokens[hit.first].bbox[0] - 0.03 * width
        x1 = tokens[stop].bbox[0] if stop < len(tokens) else width + 1
        nxt = hit.line + 1
        if nxt < len(text.lines) and ((not value and name in BELOW) or name in WRAPPING):
            below = [t for t in text.lines[nxt].tokens if x0 <= t.cx < x1 and t.norm]
            if name in WRAPPING and nxt in labelled:
                below = []
            value += below
        if value:
            out[name] = value
    return out


def strip_label_rest(value: list[Token]) -> list[Token]:
    """Drop what is left of a bilingual label when only its Vietnamese half was matched:
    words up to a colon among the first four, then English label words."""
    colon = next((i for i, t in enumerate(value[:4]) if ":" in t.text), None)
    if colon is not None and all(_label_word(t.text.split(":")[0]) for t in value[:colon + 1]):
        value = value[colon + 1:]
    while value and any(value[0].norm == w or (len(w) >= 5 and fuzz.ratio(value[0].norm, w) >= 85)
                        for w in ENGLISH):
        value = value[1:]
    return value


_DATE_SEP = re.compile(r"(?<=\d)\s*[^\d\s]\s*(?=\d)")  # "05/04Í1975", "25]02", "26ƒ07"
def _date_splits(digits: str) -> set[str]:
    """dd/mm/yyyy readings of a run of 8 to 10 digits where either slash may have been read
    as a digit (or lost): every split that gives a real date of 1900-2099."""
    found = set()
    for first in (0, 1):
        for second in (0, 1):
            if 2 + first + 2 + second + 4 != len(digits):
                continue
            day, month = digits[:2], digits[2 + first:4 + first]
            year = digits[4 + first + second:]
            if year[:2] in ("19", "20") and parse_date(f"{day}/{month}/{year}"):
                found.add(f"{day}/{month}/{year}")
    return found


def date_text(tokens: list[Token]) -> str:
    """The date as dd/mm/yyyy where OCR took its slashes for 'I', '1', '0' or lost them (only
    when exactly one reading of the digits is a real date)."""
    text = _DATE_SEP.sub("/", " ".join(t.text for t in tokens))
    if parse_date(text):
        return text
    for run in re.findall(r"\d[\d/ ]{6,12}\d", text):
        splits = _date_splits(re.sub(r"\D", "", run))
        if len(splits) == 1:
            return splits.pop()
    return text


def id_candidates(text: CardText, hits: dict[str, Hit]) -> list[tuple[str, list[Token]]]:
    """12-digit numbers on the card (valid ones first, those near the number's label first)."""
    found: list[tuple[int, str, list[Token]]] = []
    near = {hits["id_number"].line, hits["id_number"].line + 1} if "id_number" in hits else set()
    for i, line in enumerate(text.lines):
        raw = " ".join(t.text for t in line.tokens)
        if looks_like_mrz(raw):
            continue
        toks = line.tokens
        for a in range(len(toks)):
            for b in range(a + 1, min(len(toks), a + 4) + 1):
                chunk = "".join(t.text for t in toks[a:b])
                chunk = re.sub(r"^[^0-9OoIlSB]*|[^0-9OoIlSB]*$", "", chunk.split(":")[-1])
                number = civil_id.repair(chunk) if len(chunk) >= 12 else None
                if number and len(number) == 12:
                    rank = (0 if civil_id.decode(number) else 2) + (0 if i in near else 1)
                    found.append((rank, number, toks[a:b]))
    found.sort(key=lambda f: f[0])
    return [(n, ts) for _, n, ts in found]


def digit_runs(text: CardText) -> list[str]:
    """Runs of 11 to 13 digits (letters OCR takes for digits mapped) off the MRZ: what a
    misread number may look like, for :func:`ocr.idnumber.repairs`."""
    runs = []
    for line in text.lines:
        raw = " ".join(t.text for t in line.tokens)
        if looks_like_mrz(raw):
            continue
        for chunk in re.findall(r"[0-9OoIlSB][0-9OoIlSB ]{9,16}[0-9OoIlSB]", raw):
            digits = re.sub(r"\s", "", chunk).translate(_LETTER_DIGITS)
            if 11 <= len(digits) <= 13 and digits.isdigit():
                runs.append(digits)
    return runs


_LETTER_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "S": "5", "B": "8"})


def fill_gaps(text: CardText, values: dict[str, list[Token]]) -> None:
    """Sex and nationality when their labels were garbled: "Nam"/"Nữ" standing alone (not
    the "Nam" of "Việt Nam"), and "Việt Nam" off the header lines."""
    for line in text.lines:
        toks = line.tokens
        norms = [t.norm for t in toks]
        if any(n in ("congh", "cong", "socialist", "republic", "chu", "nghia") for n in norms):
            continue
        for i, n in enumerate(norms):
            follows_viet = i > 0 and norms[i - 1] in ("viet", "vict", "vet")
            if "sex" not in values and n in ("nam", "nu") and not follows_viet \
                    and not (i + 1 < len(norms) and norms[i + 1] == "nam" and n == "viet"):
                values["sex"] = [toks[i]]
            if "nationality" not in values and n == "nam" and follows_viet:
                values["nationality"] = [toks[i - 1], toks[i]]


