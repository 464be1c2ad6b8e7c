"""Vietnamese family names: a lexicon to repair what OCR does to them.

Tesseract's 'vie' model often reads "NGUYỄN" as "NGUYÊN" and "HUỲNH" as "HƯỲNH". A family
name is a small closed set, so when the first word of a name is not a family name but exactly
one family name has the same letters without diacritics, that is the word that was printed.
"""

from __future__ import annotations

from functools import lru_cache

from kernel.vntext import canonical_text, strip_diacritics

FAMILY_NAMES: frozenset[str] = frozenset("""
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Đào Đoàn
Lâm Mai Trịnh Cao Lương Hà Tạ Vương Quách Chu Tô Triệu Châu Kiều La Phùng Thái Tăng Lưu Lại
Từ Mạc Khúc Âu Tôn Giang Đàm Hầu Diệp Kim Tiêu Thạch Sơn Danh Lục Ninh Quan Lữ Lã Bế Nông
Lò Cầm Quàng Lường Vi Ma Xa Lăng Mông Hứa Thân Văn Khổng Doãn Đồng Đường Bạch Khương Tống
Ông Thiều Nghiêm Nhữ Mẫn Lạc Phương Viên Chử Hàn Hoa Lỗ Mạnh Cù Ứng Thạch Kha Yên Huỳnh
Tiết Tất Đậu Lộc Thang Bạc Trình Chế Đoàn Giáp Ninh Khuất Âu Mã Lư Lô Trang Tôn
Vàng Thào Mùa Sùng Giàng Lầu Hờ Chảo Phàn Tẩn Bàn Sằm Ly Cư Lìu Chang Mào Hạng Tráng Sầm
Dao Lò Hoàng Quách Cà Lục Đèo Khà Mè Hà Nông Ngân Kha Vy Lường Hoàng Y Sô Rơ Ksor Siu Rmah
Nay Hdok Niê Mlô Kpă Êban Hà Bùi Khổng Lã Mâu Quản Phó Phí Tiêu Tào Trà Văn Vòng Sìn Lồ
""".split())


@lru_cache(maxsize=1)
def _by_ascii() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for name in FAMILY_NAMES:
        grouped.setdefault(strip_diacritics(name).upper(), []).append(canonical_text(name))
    return {k: tuple(sorted(set(v))) for k, v in grouped.items()}


@lru_cache(maxsize=1)
def _canonical() -> frozenset[str]:
    return frozenset(canonical_text(n) for n in FAMILY_NAMES)


def is_family_name(word: str) -> bool:
    return canonical_text(word) in _canonical()


def repair_family_name(word: str) -> str | None:
    """The family name OCR most likely garbled into ``word`` (upper case), or None.

    None when ``word`` already is a family name, or when no single family name fits.
    """
    if is_family_name(word):
        return None
    fits = _by_ascii().get(strip_diacritics(word).upper(), ())
    return fits[0] if len(fits) == 1 else None


ETHNIC_GROUPS: tuple[str, ...] = tuple("""
Kinh|Tày|Thái|Mường|Khmer|Hoa|Nùng|Mông|Dao|Gia Rai|Ê Đê|Ba Na|Xơ Đăng|Sán Chay|Cơ Ho|Chăm|
Sán Dìu|Hrê|Ra Glai|Mnông|Xtiêng|Bru-Vân Kiều|Thổ|Khơ Mú|Cơ Tu|Giáy|Giẻ Triêng|Tà Ôi|Mạ|Co|
Chơ Ro|Xinh Mun|Hà Nhì|Chu Ru|Lào|Kháng|La Chí|Phù Lá|La Hủ|La Ha|Pà Thẻn|Chứt|Lự|Lô Lô|Mảng|
Cờ Lao|Bố Y|Cống|Ngái|Si La|Pu Péo|Rơ Măm|Brâu|Ơ Đu
""".replace("\n", "").split("|"))
"""The 54 ethnic groups of Viet Nam (field "Dân tộc")."""


def _ethnic_key(text: str) -> str:
    return "".join(ch for ch in strip_diacritics(text).upper() if ch.isalnum())


@lru_cache(maxsize=1)
def _ethnic_by_key() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for name in ETHNIC_GROUPS:
        grouped.setdefault(_ethnic_key(name), []).append(name)
    grouped.setdefault("HMONG", ["Mông"])
    return {k: tuple(v) for k, v in grouped.items()}


def ethnic_group(text: str) -> str | None:
    """The ethnic group ``text`` names, spelled as printed when it is one, repaired when OCR
    garbled its diacritics into no other group ('Kính' -> 'Kinh'); None when unknown."""
    if canonical_text(text) in {canonical_text(n) for n in ETHNIC_GROUPS}:
        return " ".join(text.split())
    fits = _ethnic_by_key().get(_ethnic_key(text), ())
    return fits[0] if len(fits) == 1 else None
