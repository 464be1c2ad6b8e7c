"""Vietnamese personal names: family name, middle name(s), given name.

Family names follow the national frequencies (Nguyễn ~38%); ethnic minorities draw from their
own family names. Given names come from a built-in list of about sixty per sex, or, when the
shared data folder holds ``names/duyet_vietnamese-namedb/boy.txt`` and ``girl.txt``, from those
lists (lines like "An Khang" = middle + given). The shared files are read in place, never copied.
"""

from __future__ import annotations

from kernel.shared import shared_data_dir  # noqa: F401  (re-exported)

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kernel.vntext import collapse_spaces, nfc

FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0), ("Trần", 12.0), ("Lê", 9.5), ("Phạm", 7.0), ("Phan", 4.5),
    ("Hoàng", 3.0), ("Huỳnh", 2.0), ("Vũ", 2.0), ("Võ", 2.0), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8),
    ("Trương", 0.9), ("Đào", 0.6), ("Đoàn", 0.5), ("Lâm", 0.4), ("Mai", 0.4), ("Trịnh", 0.4),
    ("Cao", 0.3), ("Lương", 0.3), ("Hà", 0.5), ("Tạ", 0.2), ("Vương", 0.2), ("Quách", 0.2),
    ("Chu", 0.2), ("Tô", 0.2), ("Triệu", 0.2), ("Châu", 0.2), ("Kiều", 0.1), ("La", 0.1),
)

# family names of the ethnic groups in synth.places (equal weights)
ETHNIC_FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "Tày": ("Nông", "Hoàng", "Bế", "Lục", "Ma", "Hà", "Lương"),
    "Nùng": ("Nông", "Hoàng", "Lục", "Lăng", "Vi", "Mông"),
    "Thái": ("Lò", "Cầm", "Quàng", "Lường", "Vi", "Hà"),
    "Mường": ("Bùi", "Đinh", "Quách", "Hà", "Xa"),
    "Khmer": ("Thạch", "Sơn", "Danh", "Kim", "Lâm", "Lý"),
    "Hoa": ("Lý", "Trương", "Lâm", "Quách", "Diệp", "Tăng", "Hứa"),
    "Mông": ("Giàng", "Vàng", "Thào", "Sùng", "Hầu", "Mùa", "Vừ", "Lầu", "Lý"),
    "Dao": ("Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo"),
}

TRADITIONAL_MIDDLE = {"M": "Văn", "F": "Thị"}

MIDDLE_NAMES: dict[str, tuple[str, ...]] = {
    "M": ("Đức", "Minh", "Hữu", "Quang", "Thanh", "Công", "Xuân", "Ngọc", "Duy", "Tuấn", "Gia",
          "Hoàng", "Quốc", "Anh", "Trọng", "Thành", "Đình", "Bảo"),
    "F": ("Ngọc", "Thu", "Thanh", "Minh", "Thùy", "Kim", "Mỹ", "Phương", "Hồng", "Bảo",
          "Khánh", "Hoài", "Diệu", "Thảo", "Bích", "Như"),
}

GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "M": ("An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương", "Đạt",
          "Đông", "Đức", "Giang", "Hải", "Hào", "Hiếu", "Hiển", "Hòa", "Hoàng", "Hùng", "Huy",
          "Hưng", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Lộc", "Long", "Luân", "Mạnh", "Minh",
          "Nam", "Nghĩa", "Nhân", "Phát", "Phong", "Phúc", "Quân", "Quang", "Quốc", "Sơn", "Tài",
          "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Trí", "Tuấn", "Tùng", "Vinh",
          "Việt", "Vũ", "Khải", "Thuận", "Lực", "Thái"),
    "F": ("An", "Anh", "Bích", "Chi", "Diệp", "Dung", "Duyên", "Đào", "Giang", "Hà", "Hạnh",
          "Hằng", "Hiền", "Hoa", "Hòa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh",
          "Loan", "Ly", "Mai", "My", "Ngân", "Nga", "Ngọc", "Nhi", "Nhung", "Oanh", "Phượng",
          "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thu", "Thúy", "Thủy", "Trang",
          "Trâm", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Khuê", "Lệ", "Mỹ", "Nhàn", "Sen",
          "Thoa", "Thơ", "Tuyền", "Hậu", "Quế"),
}


@dataclass(frozen=True)
class PersonName:
    family: str
    middle: str  # may hold two words ("Thị Ngọc") or be empty
    given: str

    @property
    def full(self) -> str:
        """Title case, as a registry writes it: 'Nguyễn Văn An'."""
        return collapse_spaces(f"{self.family} {self.middle} {self.given}")

    @property
    def upper(self) -> str:
        """As printed on a certificate: 'NGUYỄN VĂN AN'."""
        return self.full.upper()




@lru_cache(maxsize=8)
def _read_name_lines(path: Path) -> tuple[tuple[str, str], ...]:
    """(middle, given) pairs of a duyet namedb file; lines that are not 2-3 words are dropped."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = nfc(line.replace("Ð", "Đ").replace("ð", "đ")).split()  # Icelandic eth -> đ
        if 2 <= len(words) <= 3 and all(w.isalpha() for w in words):
            words = [w[0].upper() + w[1:].lower() for w in words]
            pairs.append((" ".join(words[:-1]), words[-1]))
    return tuple(pairs)


@dataclass(frozen=True)
class NameBook:
    """Where given names come from. ``shared`` holds (middle, given) pairs per sex, or None."""

    shared: dict[str, tuple[tuple[str, str], ...]] | None = None
    # optional frequency tables (synth.namefreq): family names with weights, and cumulative
    # weights of the shared (middle, given) pairs per sex
    families: tuple[tuple[str, float], ...] | None = None
    pair_cum_weights: dict[str, tuple[float, ...]] | None = None

    @classmethod
    def builtin(cls) -> NameBook:
        return cls(None)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> NameBook:
        """Use the shared name lists when present, the built-in lists otherwise."""
        folder = (data_dir or shared_data_dir()) / "names" / "duyet_vietnamese-namedb"
        files = {"M": folder / "boy.txt", "F": folder / "girl.txt"}
        if not all(f.is_file() for f in files.values()):
            return cls.builtin()
        shared = {sex: _read_name_lines(f) for sex, f in files.items()}
        return cls(shared) if all(shared.values()) else cls.builtin()

    @property
    def source(self) -> str:
        return "builtin" if self.shared is None else "duyet_vietnamese-namedb"

    def family_name(self, rng: random.Random, ethnicity: str = "Kinh") -> str:
        names = ETHNIC_FAMILY_NAMES.get(ethnicity)
        if names and rng.random() < 0.85:
            return rng.choice(names)
        table = self.families or FAMILY_NAMES
        return rng.choices([n for n, _ in table], weights=[w for _, w in table])[0]

    def middle_and_given(self, rng: random.Random, sex: str, birth_year: int) -> tuple[str, str]:
        """Văn/Thị is most common among the older generations, rarer among the young."""
        traditional = 0.75 if birth_year < 1980 else 0.5 if birth_year < 2000 else 0.25
        if self.shared is not None and self.pair_cum_weights is not None:
            middle, given = rng.choices(self.shared[sex],
                                        cum_weights=self.pair_cum_weights[sex])[0]
        elif self.shared is not None:
            middle, given = rng.choice(self.shared[sex])
        else:
            middle, given = rng.choice(MIDDLE_NAMES[sex]), rng.choice(GIVEN_NAMES[sex])
        if rng.random() < traditional:
            middle = TRADITIONAL_MIDDLE[sex]
        return middle, given

    def name(self, rng: random.Random, sex: str, birth_year: int, *,
             ethnicity: str = "Kinh", family: str | None = None) -> PersonName:
        family = family or self.family_name(rng, ethnicity)
        middle, given = self.middle_and_given(rng, sex, birth_year)
        return PersonName(family, middle, given)
