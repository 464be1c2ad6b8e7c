"""Place names as they were at a given time (Thông tư 04/2020 Điều 30: papers keep the names
of the time of registration).

Two kinds of change are modelled:
- provinces merged between 1976 and the late 1990s and split again ("tỉnh Hà Nam Ninh" in
  1985 for what is now Nam Định, Hà Nam and Ninh Bình; "tỉnh Hà Tây" for Phúc Thọ before
  2008). The 3-digit code of the personal ID stays the one of today's province: the code list
  of Thông tư 07/2016 has no entries for the old provinces;
- communes merged away in 2019-2020 (:data:`OLD_COMMUNES`, taken from the 2017 GSO list for
  the districts of :mod:`synth.places`): they appear on papers registered before 2020 only.

Years are approximate to the year (a split in October 1991 counts from 1992).
"""

from __future__ import annotations

from dataclasses import replace

from synth.places import Commune, Province

MERGED_AWAY_FROM = 2020  # communes of OLD_COMMUNES no longer exist from this year

# current province code -> (first year, last year, kind, name) of the province it belonged to
HISTORIC_PROVINCES: dict[str, tuple[tuple[int, int, str, str], ...]] = {
    "002": ((1976, 1991, "tỉnh", "Hà Tuyên"),), "008": ((1976, 1991, "tỉnh", "Hà Tuyên"),),
    "004": ((1976, 1978, "tỉnh", "Cao Lạng"),), "020": ((1976, 1978, "tỉnh", "Cao Lạng"),),
    "006": ((1965, 1996, "tỉnh", "Bắc Thái"),), "019": ((1965, 1996, "tỉnh", "Bắc Thái"),),
    "010": ((1976, 1991, "tỉnh", "Hoàng Liên Sơn"),),
    "015": ((1976, 1991, "tỉnh", "Hoàng Liên Sơn"),),
    "011": ((1955, 2003, "tỉnh", "Lai Châu"),),
    "017": ((1976, 1991, "tỉnh", "Hà Sơn Bình"),),
    "024": ((1963, 1996, "tỉnh", "Hà Bắc"),), "027": ((1963, 1996, "tỉnh", "Hà Bắc"),),
    "025": ((1968, 1996, "tỉnh", "Vĩnh Phú"),), "026": ((1968, 1996, "tỉnh", "Vĩnh Phú"),),
    "030": ((1968, 1996, "tỉnh", "Hải Hưng"),), "033": ((1968, 1996, "tỉnh", "Hải Hưng"),),
    "035": ((1965, 1975, "tỉnh", "Nam Hà"), (1976, 1991, "tỉnh", "Hà Nam Ninh"),
            (1992, 1996, "tỉnh", "Nam Hà")),
    "036": ((1965, 1975, "tỉnh", "Nam Hà"), (1976, 1991, "tỉnh", "Hà Nam Ninh"),
            (1992, 1996, "tỉnh", "Nam Hà")),
    "037": ((1976, 1991, "tỉnh", "Hà Nam Ninh"),),
    "040": ((1976, 1991, "tỉnh", "Nghệ Tĩnh"),), "042": ((1976, 1991, "tỉnh", "Nghệ Tĩnh"),),
    "044": ((1976, 1989, "tỉnh", "Bình Trị Thiên"),),
    "045": ((1976, 1989, "tỉnh", "Bình Trị Thiên"),),
    "046": ((1976, 1989, "tỉnh", "Bình Trị Thiên"),),
    "048": ((1976, 1996, "tỉnh", "Quảng Nam - Đà Nẵng"),),
    "049": ((1976, 1996, "tỉnh", "Quảng Nam - Đà Nẵng"),),
    "051": ((1976, 1989, "tỉnh", "Nghĩa Bình"),), "052": ((1976, 1989, "tỉnh", "Nghĩa Bình"),),
    "054": ((1976, 1989, "tỉnh", "Phú Khánh"),), "056": ((1976, 1989, "tỉnh", "Phú Khánh"),),
    "058": ((1976, 1991, "tỉnh", "Thuận Hải"),), "060": ((1976, 1991, "tỉnh", "Thuận Hải"),),
    "062": ((1976, 1991, "tỉnh", "Gia Lai - Kon Tum"),),
    "064": ((1976, 1991, "tỉnh", "Gia Lai - Kon Tum"),),
    "067": ((1976, 2003, "tỉnh", "Đắk Lắk"),),
    "070": ((1976, 1996, "tỉnh", "Sông Bé"),), "074": ((1976, 1996, "tỉnh", "Sông Bé"),),
    "077": ((1976, 1991, "tỉnh", "Đồng Nai"),),
    "084": ((1976, 1991, "tỉnh", "Cửu Long"),), "086": ((1976, 1991, "tỉnh", "Cửu Long"),),
    "092": ((1976, 1991, "tỉnh", "Hậu Giang"), (1992, 2003, "tỉnh", "Cần Thơ")),
    "093": ((1976, 1991, "tỉnh", "Hậu Giang"), (1992, 2003, "tỉnh", "Cần Thơ")),
    "094": ((1976, 1991, "tỉnh", "Hậu Giang"),),
    "095": ((1976, 1996, "tỉnh", "Minh Hải"),), "096": ((1976, 1996, "tỉnh", "Minh Hải"),),
}

# districts of today's Hà Nội that belonged to Hà Tây (or Vĩnh Phúc) before August 2008
_HA_TAY = ((1965, 1975, "tỉnh", "Hà Tây"), (1976, 1991, "tỉnh", "Hà Sơn Bình"),
           (1992, 2008, "tỉnh", "Hà Tây"))
HISTORIC_DISTRICTS: dict[tuple[str, str], tuple[tuple[int, int, str, str], ...]] = {
    ("001", d): _HA_TAY for d in (
        "Ba Vì", "Chương Mỹ", "Đan Phượng", "Hoài Đức", "Mỹ Đức", "Phú Xuyên", "Phúc Thọ",
        "Quốc Oai", "Thạch Thất", "Thanh Oai", "Thường Tín", "Ứng Hòa", "Hà Đông", "Sơn Tây")
} | {("001", "Mê Linh"): ((1968, 1996, "tỉnh", "Vĩnh Phú"), (1997, 2008, "tỉnh", "Vĩnh Phúc"))}

# (province code, district) -> communes of the 2017 list merged away in 2019-2020
OLD_COMMUNES: dict[tuple[str, str], tuple[str, ...]] = {
    ("001", "Phúc Thọ"): ("Vân Nam", "Xuân Phú", "Cẩm Đình", "Thượng Cốc"),
    ("001", "Đông Anh"): ("Tầm Xá",),
    ("036", "Hải Hậu"): ("Hải Vân", "Hải Phúc", "Hải Hà", "Hải Toàn"),
    ("036", "Trực Ninh"): ("Trực Phú",),
    ("034", "Hưng Hà"): ("Điệp Nông", "Dân Chủ"),
    ("034", "Quỳnh Phụ"): ("Quỳnh Xá", "Quỳnh Bảo", "Quỳnh Trang"),
    ("040", "Quỳnh Lưu"): ("Quỳnh Mỹ", "Quỳnh Hồng", "Quỳnh Diện"),
    ("040", "Hưng Nguyên"): ("Hưng Thông", "Hưng Tiến", "Hưng Xá", "Hưng Lam"),
    ("038", "Nga Sơn"): ("Nga Lĩnh", "Nga Trung", "Nga Bạch"),
    ("038", "Quảng Xương"): ("Quảng Tân", "Quảng Phong", "Quảng Vọng"),
    ("042", "Can Lộc"): ("Kim Lộc", "Song Lộc", "Trường Lộc"),
    ("042", "Đức Thọ"): ("Đức Quang", "Đức Vĩnh", "Bùi Xá", "Đức Thủy"),
    ("049", "Thăng Bình"): ("Bình Định Bắc", "Bình Chánh"),
    ("004", "Trùng Khánh"): ("Lăng Yên", "Thông Hoè", "Đoài Côn"),
    ("004", "Hà Quảng"): ("Vân An", "Hạ Thôn", "Sĩ Hai"),
    ("017", "Tân Lạc"): ("Ngòi Hoa", "Quy Mỹ", "Địch Giáo"),
    ("017", "Lạc Sơn"): ("Phú Lương", "Bình Cảng", "Vũ Lâm"),
    ("027", "Lương Tài"): ("Trừng Xá", "Lai Hạ"),
}


def historic_province(province: Province, district: str, year: int) -> Province:
    """``province`` under the name it had in ``year`` (the code is kept)."""
    periods = HISTORIC_DISTRICTS.get((province.code, district)) or HISTORIC_PROVINCES.get(
        province.code, ())
    for first, last, kind, name in periods:
        if first <= year <= last:
            return replace(province, kind=kind, name=name)
    return province


def as_of(commune: Commune, year: int) -> Commune:
    """``commune`` with the province name of ``year``."""
    province = historic_province(commune.province, commune.district, year)
    return commune if province is commune.province else replace(commune, province=province)


def old_communes(province_code: str, district: str, year: int) -> tuple[str, ...]:
    """Built-in communes of a district that existed in ``year`` but not in 2025."""
    return OLD_COMMUNES.get((province_code, district), ()) if year < MERGED_AWAY_FROM else ()
