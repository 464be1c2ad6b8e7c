"""Vietnamese number words and dates in words, as written on civil-status papers.

"Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy" (24/08/2017).

Rules followed:
- after "mươi": 1 -> "mốt", 5 -> "lăm", 4 -> "bốn" (or "tư", a choice); after "mười": 5 ->
  "lăm" (mười một, mười bốn, mười lăm); "mười" alone for 10;
- a zero tens digit inside a number is "linh" (or "lẻ", southern usage): 105 -> "một trăm linh
  năm";
- a zero hundreds digit after thousands is "không trăm": 2017 -> "hai nghìn không trăm mười bảy";
- months are "tháng một" ... "tháng mười hai" (not "tháng giêng"/"tháng chạp"); April is
  "tháng tư", its calendar name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class WordStyle:
    """The free choices of spelling numbers in words."""

    zero_tens: str = "linh"  # or "lẻ"
    four: str = "bốn"  # after "mươi": "bốn" or "tư"

    def __post_init__(self) -> None:
        if self.zero_tens not in ("linh", "lẻ"):
            raise ValueError("zero_tens must be 'linh' or 'lẻ'")
        if self.four not in ("bốn", "tư"):
            raise ValueError("four must be 'bốn' or 'tư'")


DEFAULT_STYLE = WordStyle()


def _below_hundred(n: int, style: WordStyle) -> str:
    """1..99 (a zero tens digit after hundreds is handled by the caller)."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    if tens == 1:
        if units == 0:
            return "mười"
        return f"mười {'lăm' if units == 5 else _DIGITS[units]}"
    head = f"{_DIGITS[tens]} mươi"
    if units == 0:
        return head
    unit_word = {1: "mốt", 4: style.four, 5: "lăm"}.get(units, _DIGITS[units])
    return f"{head} {unit_word}"


def _below_thousand(n: int, *, full: bool, style: WordStyle) -> str:
    """0..999. ``full``: the group follows a higher group, so a zero hundreds digit is spoken."""
    hundreds, rest = divmod(n, 100)
    parts: list[str] = []
    if hundreds or full:
        parts.append(f"{_DIGITS[hundreds]} trăm")
    if rest:
        if rest < 10 and parts:
            parts.append(f"{style.zero_tens} {_DIGITS[rest]}")
        else:
            parts.append(_below_hundred(rest, style))
    return " ".join(parts)


def number_in_words(n: int, style: WordStyle = DEFAULT_STYLE) -> str:
    """0..999_999 in Vietnamese words: 2017 -> 'hai nghìn không trăm mười bảy'."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"number out of range: {n}")
    if n == 0:
        return "không"
    thousands, rest = divmod(n, 1000)
    parts: list[str] = []
    if thousands:
        parts.append(f"{_below_thousand(thousands, full=False, style=style)} nghìn")
    if rest:
        parts.append(_below_thousand(rest, full=bool(thousands), style=style))
    return " ".join(parts)


def month_in_words(month: int, style: WordStyle = DEFAULT_STYLE) -> str:
    """1 -> 'một', 4 -> 'tư' ... 12 -> 'mười hai'."""
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    return "tư" if month == 4 else _below_hundred(month, style)


def date_in_words(day: date, style: WordStyle = DEFAULT_STYLE) -> str:
    """'Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy' for 2017-08-24."""
    return (f"Ngày {_below_hundred(day.day, style)} tháng {month_in_words(day.month, style)} "
            f"năm {number_in_words(day.year, style)}")
