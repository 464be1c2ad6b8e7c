"""Citizen ID cards as a dossier holds them: the front and back of a CCCD (2021 chip card,
"CĂN CƯỚC CÔNG DÂN") or a Căn cước card (July 2024, "CĂN CƯỚC"), drawn card-sized.

Labels are bilingual as printed ("Họ và tên / Full name:"). The back carries the machine
readable zone (ICAO 9303 TD1, three lines of 30): ``IDVNM`` + the last 9 digits of the ID +
check digit + the 12-digit ID; the birth date, sex and expiry with their check digits; the
name without diacritics. Places on cards are written without unit words most of the time
("Hải Minh, Hải Hậu, Nam Định"), as the card printer does. :mod:`synth.copypage` puts cards
on a photocopied A4 page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

from kernel.vntext import nfc, strip_diacritics

from synth.fonts import FontSet
from synth.layout import check_glyphs
from synth.stamps import draw_signature

CARD_MM = (85.6, 53.98)
EDITIONS = ("cccd2021", "cc2024")
FEATURES = ("Nốt ruồi C:1cm trên sau đuôi mắt phải", "Sẹo chấm C:2cm dưới trước cằm",
            "Nốt ruồi C:1,5cm dưới trước mép trái", "Sẹo chấm C:3cm trên trước đầu mày trái",
            "Nốt ruồi C:2cm trên sau cánh mũi phải")
SEX_WORDS = {"M": "Nam", "F": "Nữ"}
_WEIGHTS = (7, 3, 1)


@dataclass(frozen=True)
class CardHolder:
    """What one card says (values exactly as printed; dates as dates)."""

    id_number: str
    name: str  # upper case with diacritics
    date_of_birth: date
    sex: str  # M / F
    nationality: str
    hometown: str  # quê quán (2021 front)
    residence: str  # nơi thường trú (2021 front) / nơi cư trú (2024 back)
    registration_place: str  # nơi đăng ký khai sinh (2024 back)
    issued: date
    expiry: date | None  # None: "Không thời hạn"
    edition: str  # cccd2021 / cc2024
    feature: str = FEATURES[0]


def _birthday(dob: date, age: int) -> date:
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:  # 29 February
        return date(dob.year + age, 2, 28)


def expiry_for(dob: date, issued: date) -> date | None:
    """Valid to the 25th, 40th or 60th birthday; a card issued within two years before one
    of them runs to the next; none from 58 on."""
    for age in (25, 40, 60):
        end = _birthday(dob, age)
        if end > issued + timedelta(days=730):
            return end
    return None


def issue_date(rng: random.Random, dob: date, when: date) -> tuple[date, str]:
    """When the card shown on ``when`` was issued, and its edition."""
    first = max(date(2021, 1, 1), _birthday(dob, 14))
    if when >= date(2024, 7, 1) and rng.random() < 0.5:
        first = max(first, date(2024, 7, 1))
        edition = "cc2024"
    else:
        edition = "cccd2021"
        when = min(when, date(2024, 6, 30))
    if first > when:
        first = when - timedelta(days=30)
    return first + timedelta(days=rng.randrange(max(1, (when - first).days))), edition


def _check_digit(text: str) -> str:
    values = [int(c) if c.isdigit() else 0 if c == "<" else ord(c) - 55 for c in text]
    return str(sum(v * _WEIGHTS[i % 3] for i, v in enumerate(values)) % 10)


def mrz_name(name: str) -> str:
    parts = strip_diacritics(nfc(name)).upper().replace("Đ", "D").split()
    return (parts[0] + "<<" + "<".join(parts[1:]))[:30].ljust(30, "<")


def mrz_lines(holder: CardHolder) -> tuple[str, str, str]:
    """The three TD1 lines (ICAO 9303 check digits, weights 7-3-1)."""
    doc = holder.id_number[3:]
    line1 = f"IDVNM{doc}{_check_digit(doc)}{holder.id_number}<<<"
    born = holder.date_of_birth.strftime("%y%m%d")
    expires = holder.expiry.strftime("%y%m%d") if holder.expiry else "<<<<<<"
    expires_check = _check_digit(expires) if holder.expiry else "<"
    head = f"{born}{_check_digit(born)}{holder.sex}{expires}{expires_check}VNM"
    head += "<" * (29 - len(head))
    composite = line1[5:30] + head[0:7] + head[8:15] + head[18:29]
    return line1, head + _check_digit(composite), mrz_name(holder.name)


class _Card:
    """A card-sized grey canvas with millimetre and point units."""

    def __init__(self, dpi: int, fonts: FontSet, mono: FontSet, ink: int):
        self.dpi, self.fonts, self.mono, self.ink = dpi, fonts, mono, ink
        self.image = Image.new("L", (self.mm(CARD_MM[0]), self.mm(CARD_MM[1])), 255)
        self.draw = ImageDraw.Draw(self.image)

    def mm(self, v: float) -> int:
        return round(v / 25.4 * self.dpi)

    def font(self, style: str, points: float) -> ImageFont.FreeTypeFont:
        return self.fonts.font(style, round(points / 72 * self.dpi))

    def text(self, x_mm: float, y_mm: float, text: str, style: str, points: float, *,
             center: bool = False, mono: bool = False, max_mm: float | None = None) -> float:
        """Draw on baseline ``y_mm``; returns the x (mm) where the text ends."""
        text = nfc(text)
        font = (self.mono if mono else self.fonts).font(style, round(points / 72 * self.dpi))
        while max_mm and font.getlength(text) > self.mm(max_mm) and points > 4:
            points -= 0.25
            font = (self.mono if mono else self.fonts).font(style, round(points / 72 * self.dpi))
        check_glyphs(font, text)
        x = self.mm(x_mm) - (font.getlength(text) / 2 if center else 0)
        self.draw.text((x, self.mm(y_mm)), text, font=font, fill=self.ink, anchor="ls")
        return (x + font.getlength(text)) / self.dpi * 25.4

    def labelled(self, x: float, y: float, vi: str, en: str, value: str = "", *,
                 points: float = 7.5, label_points: float = 5.8, max_mm: float | None = None,
                 ) -> float:
        end = self.text(x, y, f"{vi} / ", "regular", label_points)
        end = self.text(end, y, f"{en}:", "italic", label_points)
        if value:
            end = self.text(end + 1.2, y, value, "bold", points,
                            max_mm=None if max_mm is None else max_mm - (end + 1.2 - x))
        return end

    def box(self, x0: float, y0: float, x1: float, y1: float, width: int = 2) -> None:
        self.draw.rectangle([self.mm(x0), self.mm(y0), self.mm(x1), self.mm(y1)],
                            outline=self.ink, width=width)

    def emblem(self, cx: float, cy: float, r: float) -> None:
        c, rr = (self.mm(cx), self.mm(cy)), self.mm(r)
        self.draw.ellipse([c[0] - rr, c[1] - rr, c[0] + rr, c[1] + rr], outline=self.ink, width=3)
        self.draw.ellipse([c[0] - rr * 0.55, c[1] - rr * 0.55, c[0] + rr * 0.55, c[1] + rr * 0.55],
                          fill=min(255, self.ink + 90))

    def portrait(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.draw.rectangle([self.mm(x0), self.mm(y0), self.mm(x1), self.mm(y1)],
                            fill=min(255, self.ink + 120), outline=self.ink, width=2)
        cx, w = self.mm((x0 + x1) / 2), self.mm(x1 - x0)
        head = (cx - w * 0.22, self.mm(y0) + w * 0.18, cx + w * 0.22, self.mm(y0) + w * 0.78)
        self.draw.ellipse(head, fill=min(255, self.ink + 40))
        self.draw.pieslice([cx - w * 0.45, self.mm(y1) - w * 0.5, cx + w * 0.45,
                            self.mm(y1) + w * 0.5], 180, 360, fill=min(255, self.ink + 40))


def _header(card: _Card, title: str, subtitle: str) -> None:
    card.emblem(9.0, 9.5, 6.0)
    card.text(50, 4.8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", 5.6, center=True)
    card.text(50, 7.4, "Độc lập - Tự do - Hạnh phúc", "bold", 5.6, center=True)
    card.text(50, 9.8, "SOCIALIST REPUBLIC OF VIET NAM", "regular", 4.6, center=True)
    card.text(50, 12.0, "Independence - Freedom - Happiness", "regular", 4.6, center=True)
    card.text(50, 16.6, title, "bold", 10.0, center=True)
    card.text(50, 19.4, subtitle, "italic", 5.6, center=True)


def draw_front(holder: CardHolder, dpi: int, fonts: FontSet, mono: FontSet, rng: random.Random,
               ink: int = 40) -> tuple[Image.Image, dict[str, str]]:
    """The front; also returns the printed texts of wrapped values (residence)."""
    card = _Card(dpi, fonts, mono, ink)
    printed: dict[str, str] = {}
    expiry = f"{holder.expiry:%d/%m/%Y}" if holder.expiry else "Không thời hạn"
    dob = f"{holder.date_of_birth:%d/%m/%Y}"
    x, right = 27.0, 84.0
    if holder.edition == "cccd2021":
        _header(card, "CĂN CƯỚC CÔNG DÂN", "Citizen Identity Card")
        card.portrait(3.0, 21.0, 23.5, 45.0)
        card.text(2.5, 48.0, "Có giá trị đến:", "regular", 5.4)
        card.text(2.5, 51.4, expiry, "bold", 6.8)
        card.labelled(x, 24.0, "Số", "No.", holder.id_number, points=13.0, label_points=6.2)
        card.labelled(x, 27.4, "Họ và tên", "Full name")
        card.text(x, 31.0, holder.name, "bold", 8.6, max_mm=right - x)
        card.labelled(x, 34.6, "Ngày sinh", "Date of birth", dob)
        end = card.labelled(x, 38.0, "Giới tính", "Sex", SEX_WORDS[holder.sex])
        card.labelled(max(end + 3.0, 50.0), 38.0, "Quốc tịch", "Nationality",
                      holder.nationality, max_mm=right - max(end + 3.0, 50.0))
        card.labelled(x, 41.4, "Quê quán", "Place of origin")
        card.text(x, 44.6, holder.hometown, "bold", 7.5, max_mm=right - x)
        printed["residence"] = _wrapped(card, x, 48.0, "Nơi thường trú", "Place of residence",
                                        holder.residence, right, lines=(48.0, 51.4))
    else:
        _header(card, "CĂN CƯỚC", "IDENTITY CARD")
        card.portrait(3.0, 21.0, 23.5, 45.0)
        _qr(card, rng, 70.0, 3.0, 14.0)
        card.labelled(x, 24.0, "Số định danh cá nhân", "Personal identification number")
        card.text(x + 4, 29.0, holder.id_number, "bold", 13.0)
        card.labelled(x, 33.0, "Họ, chữ đệm và tên khai sinh", "Full name")
        card.text(x, 37.0, holder.name, "bold", 8.6, max_mm=right - x)
        card.labelled(x, 41.2, "Ngày, tháng, năm sinh", "Date of birth", dob)
        end = card.labelled(x, 45.2, "Giới tính", "Sex", SEX_WORDS[holder.sex])
        card.labelled(max(end + 3.0, 50.0), 45.2, "Quốc tịch", "Nationality",
                      holder.nationality, max_mm=right - max(end + 3.0, 50.0))
    return card.image, printed


def _wrapped(card: _Card, x: float, y: float, vi: str, en: str, value: str, right: float,
             lines: tuple[float, ...]) -> str:
    """A label with its value after it, wrapping on the following baselines, set smaller
    until it fits (a card prints the whole address); the printed text (lines joined)."""
    end = card.labelled(x, y, vi, en)
    words = nfc(value).split()
    for points in (7.5, 7.0, 6.5, 6.0, 5.5):
        font = card.font("bold", points)
        out, current, start = [], "", end + 1.2
        for word in words:
            trial = f"{current} {word}".strip()
            if current and font.getlength(trial) > card.mm(right - start):
                out.append((start, current))
                start, current = x, word
            else:
                current = trial
        if current:
            out.append((start, current))
        if len(out) <= len(lines):
            break
    out = out[:len(lines)]
    for (sx, text), baseline in zip(out, (y, *lines[1:])):
        card.text(sx, baseline, text, "bold", points, max_mm=right - sx)
    return " ".join(t for _, t in out)


def _qr(card: _Card, rng: random.Random, x: float, y: float, size: float) -> None:
    n = 21
    step = card.mm(size) / n
    x0, y0 = card.mm(x), card.mm(y)
    for i in range(n):
        for j in range(n):
            finder = (i < 7 and j < 7) or (i < 7 and j >= n - 7) or (i >= n - 7 and j < 7)
            on = (finder and (i % 6 == 0 or j % 6 == 0 or (2 <= i % 14 <= 4 and 2 <= j % 14 <= 4))
                  ) if finder else rng.random() < 0.5
            if on:
                card.draw.rectangle([x0 + j * step, y0 + i * step, x0 + (j + 1) * step - 1,
                                     y0 + (i + 1) * step - 1], fill=card.ink)


def _fingerprint(card: _Card, x0: float, y0: float, x1: float, y1: float, rng: random.Random) -> None:
    card.box(x0, y0, x1, y1)
    cx, cy = card.mm((x0 + x1) / 2), card.mm((y0 + y1) / 2 + rng.uniform(-1, 1))
    for k in range(2, 16):
        rx, ry = k * card.mm(0.45), k * card.mm(0.62)
        card.draw.arc([cx - rx, cy - ry, cx + rx, cy + ry], rng.randint(0, 60),
                      rng.randint(250, 350), fill=card.ink + 50, width=2)


def draw_back(holder: CardHolder, dpi: int, fonts: FontSet, mono: FontSet, rng: random.Random,
              ink: int = 40) -> tuple[Image.Image, dict[str, str]]:
    """The back; also returns the printed texts of wrapped values (residence, place)."""
    card = _Card(dpi, fonts, mono, ink)
    printed: dict[str, str] = {}
    issued = f"{holder.issued:%d/%m/%Y}"
    if holder.edition == "cccd2021":
        card.labelled(2.5, 5.0, "Đặc điểm nhân dạng", "Personal identification")
        card.text(2.5, 8.6, holder.feature, "regular", 6.4, max_mm=48)
        card.labelled(2.5, 13.0, "Ngày, tháng, năm", "Date, month, year", issued,
                      points=7.2, label_points=5.2)
        card.text(26, 16.8, "CỤC TRƯỞNG CỤC CẢNH SÁT", "bold", 5.4, center=True)
        card.text(26, 19.2, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", "bold", 5.4, center=True)
        sig = Image.new("RGB", (card.mm(22), card.mm(7)), "white")
        draw_signature(sig, (card.mm(2), card.mm(1.5), sig.width - card.mm(2),
                             sig.height - card.mm(1.5)), rng)
        grey = sig.convert("L")
        card.image.paste(grey, (card.mm(15), card.mm(20)), grey.point(lambda v: 255 if v < 200 else 0))
        card.text(26, 30.0, rng.choice(("Tô Văn Huệ", "Nguyễn Duy Ngọc", "Tô Văn Huệ")),
                  "bold", 5.8, center=True)
        for x0, label in ((59.5, "Ngón trỏ trái"), (72.0, "Ngón trỏ phải")):
            _fingerprint(card, x0, 3.0, x0 + 11.5, 21.0, rng)
            card.text(x0 + 5.75, 24.0, label, "regular", 4.6, center=True)
        card.box(40.0, 22.0, 50.0, 30.0)
    else:
        printed["residence"] = _wrapped(card, 2.5, 5.0, "Nơi cư trú", "Place of residence",
                                        holder.residence, 83.0, lines=(5.0, 8.4))
        printed["registration_place"] = _wrapped(
            card, 2.5, 12.4, "Nơi đăng ký khai sinh", "Place of birth",
            holder.registration_place, 83.0, lines=(12.4, 15.8))
        card.labelled(2.5, 20.0, "Ngày, tháng, năm cấp", "Date of issue", issued,
                      points=7.0, label_points=5.6)
        expiry = f"{holder.expiry:%d/%m/%Y}" if holder.expiry else "Không thời hạn"
        card.labelled(2.5, 24.0, "Ngày, tháng, năm hết hạn", "Date of expiry", expiry,
                      points=7.0, label_points=5.6)
        card.text(66, 28.0, "BỘ CÔNG AN", "bold", 6.0, center=True)
        card.text(66, 30.4, "MINISTRY OF PUBLIC SECURITY", "regular", 4.6, center=True)
        card.box(4.0, 26.5, 14.0, 34.0)
    for i, line in enumerate(mrz_lines(holder)):  # OCR-B size: 30 characters over 76 mm
        card.text(4.5, 40.0 + 5.3 * i, line, "regular", 12.0, mono=True, max_mm=77.0)
    return card.image, printed


def front_fields(holder: CardHolder, printed: dict[str, str]) -> dict[str, str | None]:
    """Truth of a front (export form; what the back adds is merged by the caller)."""
    out: dict[str, str | None] = {
        "id_number": holder.id_number, "full_name": nfc(holder.name),
        "date_of_birth": holder.date_of_birth.isoformat(), "sex": holder.sex,
        "nationality": holder.nationality, "hometown": None, "residence": None,
        "registration_place": None, "issue_date": None, "expiry_date": None}
    if holder.edition == "cccd2021":
        out["hometown"] = nfc(holder.hometown)
        out["residence"] = nfc(printed["residence"]) or None
        out["expiry_date"] = holder.expiry.isoformat() if holder.expiry else None
    return out


def back_fields(holder: CardHolder, printed: dict[str, str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {"issue_date": holder.issued.isoformat()}
    if holder.edition == "cc2024":
        out["residence"] = nfc(printed["residence"]) or None
        out["registration_place"] = nfc(printed["registration_place"]) or None
        out["expiry_date"] = holder.expiry.isoformat() if holder.expiry else None
    return out
