"""Legacy Vietnamese encodings of old registry exports: TCVN3 (ABC) and VNI.

Before Unicode, Vietnamese text was typed in 8-bit *font encodings*: the bytes are what a
Western code page would show as nonsense ("Nguy\u00d4n", "Nguyeãn") and a special font draws
as Vietnamese. Old civil-status databases still export such files. :func:`decode_legacy`
turns their bytes into NFC Unicode text.

- **TCVN3** (TCVN 5712:1993 VN3, the ".Vn" fonts of ABC): one byte per letter. The 7 marked
  capitals Ă Â Ê Ô Ơ Ư Đ have codes of their own; every other capital with a tone was drawn
  by a capitals font from the *lower-case* code, so the bytes carry no case: a word whose
  unmarked letters are all capitals is made upper case after decoding ("NGUYễN" -> "NGUYỄN").
- **VNI** (VNI-Windows fonts): a base letter followed by one byte for its marks ("Vie" +
  "ät" = "Việt"); đ, ơ, ư and some marked i/y have single bytes. Bytes are read as cp1252.

The tables are written from the published code charts; both are tested letter by letter
(every Vietnamese letter encoded and decoded back).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Encoding = Literal["utf-8", "tcvn3", "vni"]
ENCODINGS: tuple[str, ...] = ("utf-8", "tcvn3", "vni")

# TCVN3 (VN3) code chart, bytes 0xA1..0xFE; "-" marks a byte VN3 does not use.
_TCVN3_HIGH = (
    "ĂÂÊÔƠƯĐăâêôơưđ-"                     # A1..AF (AF unused)
    "-----àảãáạ-ằẳẵắ-"                    # B0..BF (B0..B4: VN1 combining marks; unused)
    "------ặầẩẫấậè-ẻẽ"                    # C0..CF
    "éẹềểễếệìỉ---ĩíịò"                    # D0..DF
    "-ỏõóọồổỗốộờởỡớợù"                    # E0..EF
    "-ủũúụừửữứựỳỷỹýỵ"                     # F0..FE
)

# VNI: (base letter, mark byte as cp1252 char) -> letter. Lower-case mark bytes follow
# lower-case bases, upper-case ones upper-case bases.
_TONES_VNI = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_CIRC_VNI = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE_VNI = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_SINGLE_VNI = {"ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
               "í": "í", "Í": "Í", "ì": "ì", "Ì": "Ì", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ",
               "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ"}


@lru_cache(maxsize=1)
def _tcvn3_table() -> dict[int, str]:
    table = {}
    for offset, ch in enumerate(_TCVN3_HIGH):
        if ch != "-":
            table[0xA1 + offset] = ch
    return table


@lru_cache(maxsize=1)
def _vni_pairs() -> dict[str, str]:
    """Two-character VNI sequences (as cp1252 text) -> the Unicode letter."""
    pairs: dict[str, str] = {}

    def add(base: str, mark: str, marks: str) -> None:
        pairs[base + mark] = unicodedata.normalize("NFC", base + marks)

    for lower in (True, False):
        case = (lambda s: s) if lower else str.upper
        for base in "aeiouy":
            for mark, tone in _TONES_VNI.items():
                add(case(base), case(mark), tone)
        for base in "aeo":
            for mark, tone in _CIRC_VNI.items():
                add(case(base), case(mark), "\u0302" + tone)
        for mark, tone in _BREVE_VNI.items():
            add(case("a"), case(mark), "\u0306" + tone)
        # ơ and ư are single bytes (ô, ö) followed by a tone byte
        for horn, letter in (("ô", "ơ"), ("ö", "ư")):
            for mark, tone in _TONES_VNI.items():
                pairs[case(horn) + case(mark)] = unicodedata.normalize(
                    "NFC", case(letter) + tone)
    return pairs


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _restore_capitals(text: str) -> str:
    """TCVN3 has no codes for most marked capitals: the capitals fonts drew them from the
    lower-case codes. A word is made upper case when its ASCII letters are all capitals and
    either there are two or more of them ("NGUYễN") or a neighbouring word is in capitals
    ("Hồ" in "Hồ VĂN AN"); "Lê" alone stays as it is."""
    words = list(_WORD.finditer(text))

    def ascii_caps(word: str) -> list[str]:
        letters = [c for c in word if c.isascii() and c.isalpha()]
        return letters if letters and all(c.isupper() for c in letters) else []

    caps = [len(ascii_caps(m.group(0))) >= 2 or (m.group(0).isupper() and len(m.group(0)) > 1)
            for m in words]
    out, last = [], 0
    for i, m in enumerate(words):
        word = m.group(0)
        fix = bool(ascii_caps(word)) and not word.isupper() and (
            caps[i] or (i > 0 and caps[i - 1]) or (i + 1 < len(words) and caps[i + 1]))
        out.append(text[last:m.start()])
        out.append(word.upper() if fix else word)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def decode_tcvn3(data: bytes) -> str:
    table = _tcvn3_table()
    out = []
    for b in data:
        if b < 0x80:
            out.append(chr(b))
        else:
            out.append(table.get(b) or bytes([b]).decode("cp1252", errors="replace"))
    return unicodedata.normalize("NFC", _restore_capitals("".join(out)))


def decode_vni(data: bytes) -> str:
    text = data.decode("cp1252", errors="replace")
    pairs = _vni_pairs()
    out = []
    i = 0
    while i < len(text):
        two = text[i:i + 2]
        if len(two) == 2 and two in pairs:
            out.append(pairs[two])
            i += 2
            continue
        ch = text[i]
        out.append(_SINGLE_VNI.get(ch, ch))
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def decode_legacy(data: bytes, encoding: str) -> str:
    """Bytes of an export in ``encoding`` ("utf-8", "tcvn3" or "vni") as NFC text."""
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-8", "utf8"):
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    if enc in ("tcvn3", "tcvn", "abc"):
        return decode_tcvn3(data)
    if enc in ("vni", "vni-windows"):
        return decode_vni(data)
    raise ValueError(f"unknown encoding {encoding!r}; known: {', '.join(ENCODINGS)}")


def encode_tcvn3(text: str) -> bytes:
    """Unicode -> TCVN3 bytes (for tests and fixtures). Marked capitals without a code of
    their own are written with the lower-case code, as the capitals fonts did."""
    reverse = {ch: b for b, ch in _tcvn3_table().items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 0x80:
            out.append(ord(ch))
        elif ch in reverse:
            out.append(reverse[ch])
        elif ch.lower() in reverse:
            out.append(reverse[ch.lower()])
        else:
            out += ch.encode("cp1252", errors="replace")
    return bytes(out)


def encode_vni(text: str) -> bytes:
    """Unicode -> VNI bytes (for tests and fixtures)."""
    reverse = {v: k for k, v in _vni_pairs().items()}
    single = {v: k for k, v in _SINGLE_VNI.items() if k != v}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        out.append(reverse.get(ch) or single.get(ch) or ch)
    return "".join(out).encode("cp1252")
