"""Identity papers printed on marriage and death records: the 12-digit citizen ID (CCCD,
"Căn cước công dân" / "Căn cước" since 2024) or the older 9-digit identity card (CMND,
"Chứng minh nhân dân"), or none.

CMND numbers start with a 2-digit code of the issuing province (Hà Nội 01, Hồ Chí Minh 02
...). The table below is the commonly quoted one, approximate for some provinces; the other
7 digits are random. Nothing checks a CMND, so a plausible prefix is all it needs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

# current province code -> first two digits of a CMND issued there
CMND_PREFIX: dict[str, str] = {
    "001": "01", "079": "02", "031": "03", "011": "04", "012": "04", "014": "05",
    "010": "06", "015": "06", "002": "07", "008": "07", "020": "08", "004": "08",
    "019": "09", "006": "09", "022": "10", "017": "11", "024": "12", "027": "12",
    "025": "13", "026": "13", "030": "14", "033": "14", "034": "15", "035": "16",
    "036": "16", "037": "16", "038": "17", "040": "18", "042": "18", "044": "19",
    "045": "19", "046": "19", "048": "20", "049": "20", "051": "21", "052": "21",
    "054": "22", "056": "22", "062": "23", "064": "23", "066": "24", "067": "24",
    "068": "25", "058": "26", "060": "26", "075": "27", "077": "27", "070": "28",
    "074": "28", "072": "29", "080": "30", "082": "31", "083": "32", "084": "33",
    "086": "33", "087": "34", "089": "35", "092": "36", "093": "36", "094": "36",
    "091": "37", "095": "38", "096": "38",
}


@dataclass(frozen=True)
class IdPaper:
    kind: str  # "CCCD", "CC", "CMND" or "" (none printed)
    number: str | None  # digits
    issued: date | None = None

    @property
    def printed(self) -> str:
        """'Căn cước công dân số 036185001234, cấp ngày 12/05/2021' or ''."""
        if not self.number:
            return ""
        word = {"CCCD": "Căn cước công dân", "CC": "Căn cước",
                "CMND": "Chứng minh nhân dân"}[self.kind]
        when = f", cấp ngày {self.issued:%d/%m/%Y}" if self.issued else ""
        return f"{word} số {self.number}{when}"

    @property
    def short(self) -> str:
        """'CCCD số 036185001234' (for narrow table cells) or ''."""
        return f"{self.kind} số {self.number}" if self.number else ""


def make_cmnd(rng: random.Random, province_code: str) -> str:
    prefix = CMND_PREFIX.get(province_code, "01")
    return f"{prefix}{rng.randrange(10**7):07d}"


def id_paper_at(rng: random.Random, when: date, id_number: str, province_code: str,
                birth: date) -> IdPaper:
    """The paper a person of ``birth`` would show on ``when``: a CMND before 2016, a CCCD
    more and more often after (most people by 2021), a Căn cước card from July 2024; none
    for a minor or, now and then, on old records."""
    if (when - birth).days < 14 * 365:
        return IdPaper("", None)
    year = when.year
    p_cccd = 0.0 if year < 2016 else 0.2 if year < 2019 else 0.55 if year < 2021 else 0.95
    if year < 1992 and rng.random() < 0.3:  # old books often left it blank
        return IdPaper("", None)
    issued = when.replace(day=1) if when.day > 28 else when
    back = rng.randint(60, 8 * 365 if year < 2021 else 3 * 365)
    issued = date.fromordinal(max(birth.toordinal() + 14 * 365, issued.toordinal() - back))
    if rng.random() < p_cccd:
        kind = "CC" if when >= date(2024, 7, 1) and rng.random() < 0.5 else "CCCD"
        first = date(2024, 7, 1) if kind == "CC" else date(2016, 1, 1)
        return IdPaper(kind, id_number, min(when, max(issued, first)))
    return IdPaper("CMND", make_cmnd(rng, province_code), issued)
