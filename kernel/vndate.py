"""Dates as Vietnamese documents write them.

"12/03/1987", "12-3-1987", "12.03.1987", "ngày 12 tháng 3 năm 1987", and in words:
"Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy".
"""

from __future__ import annotations

import datetime as dt
import re

from kernel.vntext import strip_diacritics

_DIGITS = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})(?!\d)")
_SPELLED = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})", re.IGNORECASE)

_MONTH_NAMES = {"gieng": "mot", "chap": "muoi hai"}  # tháng Giêng, tháng Chạp
_UNITS = {"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5,
          "lam": 5, "nham": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}


def _make(day: int, month: int, year: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_SLASHES = str.maketrans({"⁄": "/", "∕": "/", "／": "/", "\\": "/", "|": "/"})


def _plain(text: str) -> str:
    return strip_diacritics(text).translate(_SLASHES)


def parse_date(text: str | None) -> dt.date | None:
    """A date written in digits, with separators or with ngày/tháng/năm; None if none found.

    Separators as OCR reads them ('⁄', '|'), and a space OCR put inside a number ('05/1 1/1993')
    are accepted."""
    if not text:
        return None
    plain = _plain(text)
    m = _DIGITS.search(plain) or _SPELLED.search(plain)
    if not m:
        m = _DIGITS.search(re.sub(r"(?<=\d) (?=\d)", "", plain))
        if not m:
            return None
    return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))


_LOOKS_LIKE_ZERO = "689"  # digits Tesseract reads where a 0 was printed (a broken or bold 0)


def date_candidates(text: str | None, *, oldest: int = 1900,
                    today: dt.date | None = None) -> list[dt.date]:
    """Dates a digit date that is no date ('24/93/1994', '69/02/2021', '30/83/2066') may have
    been: one or two of its 6, 8 or 9 read back as 0, giving a real date from ``oldest`` to
    today. Empty when the text is a valid date or has no such digits."""
    today = today or dt.date.today()
    read = parse_date(text)
    if read is not None and oldest <= read.year and read <= today:
        return []
    m = _DIGITS.search(_plain(text or ""))
    if not m:
        return []
    digits = m.group(1).zfill(2) + m.group(2).zfill(2) + m.group(3)
    found: set[dt.date] = set()
    spots = [i for i, d in enumerate(digits) if d in _LOOKS_LIKE_ZERO]
    for k in range(1, 3):
        for chosen in _combinations(spots, k):
            fixed = "".join("0" if i in chosen else d for i, d in enumerate(digits))
            date = _make(int(fixed[:2]), int(fixed[2:4]), int(fixed[4:]))
            if date and oldest <= date.year and date <= today:
                found.add(date)
        if found:
            break
    return sorted(found)


def _combinations(items: list[int], k: int) -> list[tuple[int, ...]]:
    from itertools import combinations

    return list(combinations(items, k))


def parse_number_words(tokens: list[str]) -> int | None:
    """Vietnamese number words (diacritics already stripped, lower case) -> int."""
    if not tokens:
        return None
    total, group, last = 0, 0, 0
    seen = False
    for tok in tokens:
        if tok in _UNITS:
            last = _UNITS[tok]
            group += last
        elif tok == "muoi":  # 'mười' and 'mươi' are both 'muoi' without diacritics
            if 2 <= last <= 9:  # 'hai mươi' multiplies the digit before it
                group = group - last + last * 10
            else:
                group += 10
            last = 10
        elif tok == "tram":
            group = group - last + last * 100
            last = 0
        elif tok in ("nghin", "ngan"):
            total += (group or 1) * 1000
            group, last = 0, 0
        elif tok in ("linh", "le", "va"):
            last = 0
        else:
            return None
        seen = True
    return total + group if seen else None


def parse_date_words(text: str | None) -> dt.date | None:
    """'Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy' -> 2017-08-24."""
    if not text:
        return None
    tokens = [w for t in re.findall(r"[a-z]+", strip_diacritics(text).lower())
              if t not in ("mung", "mong")  # "ngày mồng năm": the day's "mồng" is no number
              for w in _MONTH_NAMES.get(t, t).split()]
    try:
        i_day = tokens.index("ngay")
        i_month = tokens.index("thang", i_day + 1)
    except ValueError:
        return None
    day = parse_number_words(tokens[i_day + 1:i_month])
    rest = tokens[i_month + 1:]
    for j, tok in enumerate(rest):
        if tok != "nam" or j == 0:
            continue
        month = parse_number_words(rest[:j])
        year = parse_number_words(rest[j + 1:])
        if day and month and year and 1 <= month <= 12:
            found = _make(day, month, year)
            if found:
                return found
    return None
