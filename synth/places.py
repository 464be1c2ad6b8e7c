"""A small built-in table of real communes, districts and provinces (pre-2025 units).

Names are spelled as in the GSO list of 2025-01, tone placement included ("Thanh Hóa" but
"Hoà Bình", "Hòa Tiến").
Each province carries the ethnic groups of its births, weighted, so that a Thái name is
registered in Sơn La and a Khmer one in Sóc Trăng.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from kernel.civil_id import PROVINCE_CODES


class PlaceStyle(str, Enum):
    FULL = "full"  # "xã Hải Minh, huyện Hải Hậu, tỉnh Nam Định"
    REGISTRY = "registry"  # "Xã Hải Minh, Huyện Hải Hậu, Tỉnh Nam Định"
    ABBREVIATED = "abbreviated"  # "X. Hải Minh, H. Hải Hậu, T. Nam Định"
    BARE = "bare"  # "Hải Minh, Hải Hậu, Nam Định"


@dataclass(frozen=True)
class Province:
    code: str  # 3-digit code of kernel.civil_id (birth registration province)
    kind: str  # "tỉnh" or "thành phố"
    name: str
    districts: tuple[tuple[str, tuple[str, ...]], ...]  # (district, communes)
    ethnicities: tuple[tuple[str, float], ...] = (("Kinh", 1.0),)
    south: bool = False  # hamlets are "ấp" in the south, "thôn"/"xóm" in the north


# abbreviations of unit words, as officers and software shorten them
UNIT_ABBREVIATIONS = {"xã": "X.", "phường": "P.", "thị trấn": "TT.", "huyện": "H.",
                      "quận": "Q.", "thị xã": "TX.", "thành phố": "TP.", "tỉnh": "T."}


@dataclass(frozen=True)
class Commune:
    """A commune (xã, or phường / thị trấn) with its district (huyện, or quận / thị xã /
    thành phố) and province."""

    name: str
    district: str
    province: Province
    kind: str = "xã"
    district_kind: str = "huyện"

    @property
    def province_code(self) -> str:
        return self.province.code

    def format(self, style: PlaceStyle = PlaceStyle.FULL) -> str:
        p = self.province
        if style is PlaceStyle.FULL:
            return (f"{self.kind} {self.name}, {self.district_kind} {self.district}, "
                    f"{p.kind} {p.name}")
        if style is PlaceStyle.REGISTRY:
            return (f"{self.kind.capitalize()} {self.name}, "
                    f"{self.district_kind.capitalize()} {self.district}, "
                    f"{p.kind.capitalize()} {p.name}")
        if style is PlaceStyle.ABBREVIATED:
            kind = "T." if p.kind == "tỉnh" else "TP."
            return (f"{UNIT_ABBREVIATIONS[self.kind]} {self.name}, "
                    f"{UNIT_ABBREVIATIONS[self.district_kind]} {self.district}, {kind} {p.name}")
        return f"{self.name}, {self.district}, {p.name}"

    def __str__(self) -> str:
        return self.format()


# the GSO list spells this one differently from the kernel table ("Thanh Hoá")
_GSO_SPELLING = {"038": "Thanh Hóa"}


def _p(code: str, kind: str, districts: dict[str, tuple[str, ...]],
       ethnicities: tuple[tuple[str, float], ...] = (("Kinh", 1.0),),
       south: bool = False) -> Province:
    assert code in PROVINCE_CODES, code
    return Province(code, kind, _GSO_SPELLING.get(code, PROVINCE_CODES[code]),
                    tuple(districts.items()), ethnicities, south)



PROVINCES: tuple[Province, ...] = (
    _p("001", "thành phố", {
        "Đông Anh": ("Uy Nỗ", "Kim Nỗ", "Vân Hà", "Xuân Nộn", "Nguyên Khê"),
        "Phúc Thọ": ("Vân Phúc", "Sen Phương", "Võng Xuyên", "Hát Môn")}),
    _p("036", "tỉnh", {
        "Hải Hậu": ("Hải Minh", "Hải Anh", "Hải Trung", "Hải Long"),
        "Trực Ninh": ("Trực Chính", "Trực Tuấn", "Trực Đạo", "Việt Hùng")}),
    _p("034", "tỉnh", {
        "Hưng Hà": ("Tân Lễ", "Canh Tân", "Hòa Tiến", "Đoan Hùng"),
        "Quỳnh Phụ": ("An Khê", "Quỳnh Hoa", "Quỳnh Lâm", "Quỳnh Giao")}),
    _p("040", "tỉnh", {
        "Quỳnh Lưu": ("Quỳnh Thắng", "Quỳnh Văn", "Ngọc Sơn", "Quỳnh Tam"),
        "Hưng Nguyên": ("Hưng Trung", "Hưng Tây", "Hưng Đạo", "Thịnh Mỹ")}),
    _p("038", "tỉnh", {
        "Nga Sơn": ("Nga Vịnh", "Nga Văn", "Nga Thiện", "Nga Hiệp"),
        "Quảng Xương": ("Quảng Trạch", "Quảng Đức", "Quảng Định", "Quảng Nhân")},
       (("Kinh", 0.9), ("Mường", 0.06), ("Thái", 0.04))),
    _p("042", "tỉnh", {
        "Can Lộc": ("Thiên Lộc", "Vượng Lộc", "Thanh Lộc", "Tùng Lộc"),
        "Đức Thọ": ("Quang Vĩnh", "Tùng Châu", "Trường Sơn", "Yên Hồ")}),
    _p("049", "tỉnh", {
        "Duy Xuyên": ("Duy Phú", "Duy Tân", "Duy Châu", "Duy Trinh"),
        "Thăng Bình": ("Bình Dương", "Bình Giang", "Bình Nguyên", "Bình Minh")}),
    _p("004", "tỉnh", {
        "Trùng Khánh": ("Quang Hán", "Xuân Nội", "Cao Chương", "Ngọc Côn"),
        "Hà Quảng": ("Cần Yên", "Lương Thông", "Yên Sơn", "Thanh Long")},
       (("Tày", 0.45), ("Nùng", 0.35), ("Kinh", 0.2))),
    _p("014", "tỉnh", {
        "Mai Sơn": ("Chiềng Sung", "Mường Bằng", "Chiềng Ban", "Chiềng Mung"),
        "Mường La": ("Chiềng Lao", "Hua Trai", "Ngọc Chiến", "Mường Trai")},
       (("Thái", 0.6), ("Kinh", 0.3), ("Mường", 0.1))),
    _p("017", "tỉnh", {
        "Tân Lạc": ("Suối Hoa", "Phú Vinh", "Phú Cường", "Tử Nê"),
        "Lạc Sơn": ("Quý Hòa", "Miền Đồi", "Tuân Đạo", "Văn Sơn")},
       (("Mường", 0.65), ("Kinh", 0.3), ("Thái", 0.05))),
    _p("094", "tỉnh", {
        "Trần Đề": ("Liêu Tú", "Trung Bình", "Tài Văn", "Viên An"),
        "Long Phú": ("Song Phụng", "Hậu Thạnh", "Long Đức", "Trường Khánh")},
       (("Kinh", 0.6), ("Khmer", 0.32), ("Hoa", 0.08)), south=True),
    _p("087", "tỉnh", {
        "Cao Lãnh": ("Gáo Giồng", "Ba Sao", "Phong Mỹ", "Mỹ Thọ"),
        "Lấp Vò": ("Tân Mỹ", "Long Hưng A", "Vĩnh Thạnh", "Bình Thành")}, south=True),
    _p("027", "tỉnh", {
        "Yên Phong": ("Dũng Liệt", "Tam Đa", "Yên Trung", "Đông Tiến"),
        "Lương Tài": ("An Thịnh", "Trung Kênh", "Phú Hòa", "Quang Minh")}),
    _p("091", "tỉnh", {
        "Gò Quao": ("Định Hòa", "Thới Quản", "Định An", "Thủy Liễu"),
        "Tân Hiệp": ("Tân Hội", "Tân Thành", "Thạnh Đông", "Tân An")},
       (("Kinh", 0.8), ("Khmer", 0.13), ("Hoa", 0.07)), south=True),
    _p("079", "thành phố", {
        "Củ Chi": ("An Phú", "Nhuận Đức", "Trung Lập Hạ", "Phú Hòa Đông"),
        "Bình Chánh": ("Vĩnh Lộc A", "Bình Lợi", "Lê Minh Xuân", "Tân Nhựt")},
       (("Kinh", 0.9), ("Hoa", 0.1)), south=True),
)

# how likely a birth is registered in each province (rough population shares)
_PROVINCE_WEIGHTS = {"001": 8, "079": 9, "040": 3.3, "038": 3.6, "036": 1.8, "034": 1.9,
                     "042": 1.3, "049": 1.5, "004": 0.5, "014": 1.3, "017": 0.9, "094": 1.2,
                     "087": 1.6, "027": 1.4, "091": 1.7}


def province(code: str) -> Province:
    for p in PROVINCES:
        if p.code == code:
            return p
    raise KeyError(f"no built-in province with code {code}")


def all_communes(prov: Province | None = None) -> list[Commune]:
    provinces = PROVINCES if prov is None else (prov,)
    return [Commune(c, d, p) for p in provinces for d, cs in p.districts for c in cs]


def random_province(rng: random.Random) -> Province:
    return rng.choices(PROVINCES, weights=[_PROVINCE_WEIGHTS[p.code] for p in PROVINCES])[0]


def random_commune(rng: random.Random, prov: Province | None = None) -> Commune:
    """A commune of ``prov`` (or of a province drawn by population)."""
    prov = prov or random_province(rng)
    district, communes = rng.choice(prov.districts)
    return Commune(rng.choice(communes), district, prov)


def nearby_commune(rng: random.Random, near: Commune, *, same_district: float = 0.6) -> Commune:
    """Another commune, usually in the same district, else in the same province."""
    if rng.random() < same_district:
        communes = dict(near.province.districts)[near.district]
        return Commune(rng.choice(communes), near.district, near.province)
    return random_commune(rng, near.province)


def random_hamlet(rng: random.Random, commune: Commune) -> str:
    """'Thôn 3', 'Xóm 5' in the north, 'Ấp Tân Phú', 'Ấp 2' in the south."""
    if commune.province.south:
        if rng.random() < 0.5:
            return f"Ấp {rng.randint(1, 9)}"
        return "Ấp " + rng.choice(("Tân Phú", "Phú Lợi", "Bình Thạnh", "Long Hòa", "Mỹ Lộc",
                                    "Tân Hòa", "An Bình", "Phước Thới"))
    return f"{rng.choice(('Thôn', 'Xóm'))} {rng.randint(1, 12)}"
