"""The 12-digit personal ID number (số định danh cá nhân) and the 9-digit CMND.

Positions 1-3: province code where the birth was registered ("0" + the GSO code);
position 4: century and sex (0 male 1900s, 1 female 1900s, 2 male 2000s, 3 female 2000s ...);
positions 5-6: last two digits of the birth year; 7-12: random. No check digit.
IDs are strings: a leading zero is never lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Phụ lục 1, Thông tư 07/2016/TT-BCA: 3-digit code -> province name (as of 2025-01).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hoà Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh",
    "030": "Hải Dương", "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình",
    "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình", "038": "Thanh Hoá", "040": "Nghệ An",
    "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hoà", "058": "Ninh Thuận", "060": "Bình Thuận",
    "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

# letter/digit confusions of OCR, repaired only where the result is a valid number
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1",
                             "|": "1", "i": "1", "Z": "2", "S": "5", "s": "5", "B": "8",
                             "G": "6", "b": "6", "T": "7", "g": "9"})


@dataclass(frozen=True)
class IdInfo:
    number: str
    province_code: str
    sex: str  # "M" or "F"
    birth_year: int  # from the century digit and the two year digits


def decode(number: str) -> IdInfo | None:
    """Decode a 12-digit ID; None when it is not structurally valid."""
    if not re.fullmatch(r"[0-9]{12}", number or ""):  # ASCII digits only (\\d takes '٣', '３')
        return None
    province = number[:3]
    if province not in PROVINCE_CODES:
        return None
    century_sex = int(number[3])
    century = 1900 + 100 * (century_sex // 2)
    sex = "M" if century_sex % 2 == 0 else "F"
    return IdInfo(number, province, sex, century + int(number[4:6]))


def repair(text: str) -> str | None:
    """Digits of an ID number read by OCR, or None.

    Spaces and dots inside the number are dropped; letters that OCR confuses with digits are
    replaced, but only if the result is a valid 12-digit ID (or 9 digits, an old CMND).
    """
    compact = _ascii_digits(re.sub(r"[\s.\-]", "", text or ""))
    if re.fullmatch(r"[0-9]{12}", compact):
        return compact
    if re.fullmatch(r"[0-9]{9}", compact):
        return compact
    fixed = compact.translate(_OCR_DIGITS)
    if re.fullmatch(r"[0-9]{12}", fixed) and decode(fixed) is not None:
        return fixed
    if re.fullmatch(r"[0-9]{9}", fixed):
        return fixed
    return None


def _ascii_digits(text: str) -> str:
    """Full-width or other-script decimal digits ('３', '٣') as ASCII; the ID is ASCII digits."""
    return "".join(str(unicodedata.decimal(c)) if not c.isascii() and
                   unicodedata.decimal(c, None) is not None else c for c in text)


def inconsistencies(number: str, *, sex: str | None, birth_year: int | None,
                    province_code: str | None = None) -> list[str]:
    """What on the same page disagrees with the ID's structure (empty when all agree).

    ``province_code`` is the 2-digit GSO code of the province where the birth was registered.
    """
    if len(number) == 9:
        return []
    info = decode(number)
    if info is None:
        return ["id_invalid_structure"]
    problems = []
    if sex in ("M", "F") and info.sex != sex:
        problems.append("id_sex_mismatch")
    if birth_year is not None and info.birth_year != birth_year:
        problems.append("id_birth_year_mismatch")
    if province_code is not None and info.province_code != "0" + province_code:
        problems.append("id_province_mismatch")
    return problems


def mask(number: str | None) -> str:
    """'091234567812' -> '0912******12' for logs."""
    if not number:
        return "-"
    if len(number) <= 6:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]
