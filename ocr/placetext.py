"""Place fields (Nơi sinh, Quê quán, Nơi đăng ký, Nơi cư trú...): the printed text back from
what OCR did to its spacing and punctuation, the free text before the units checked against
the words addresses use, and the units against the administrative-unit list.

A place is ``auto`` only when every printed unit resolves to one unit of the list, the province
is printed (TT 04/2020 prints places down to the province), a unit name OCR misread is
repaired to one spelling, and the free text is made of the words addresses are made of.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from kernel.places import FORMER_PROVINCES, Gazetteer, letters_key
from kernel.syllables import SyllableLexicon
from kernel.vntext import canonical_text, strip_diacritics

_UNIT_STOP = re.compile(r"\s*[.;]\s*(?=(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh)\b)",
                        re.IGNORECASE)
_ABBREVIATION = re.compile(r"\b(X|H|T|P|Q|TP|Tp|TX|TT)\.\s*(?=[^\W_])")
_ABBREVIATION_COMMA = re.compile(r"(?:(?<=^)|(?<=[\s,]))(TP|TX|TT|X|H|T|P|Q),\s*(?=[^\W\d_])")
_JOINED_UNIT = re.compile(r"\b(thị|thành)(xã|trấn|phố)\b", re.IGNORECASE)
_STRAY = re.compile(r"[^\w\s,.\-'/()]|_|(?<=[^\W\d_])/(?=[^\W\d_])|'(?![^\W\d_])")
_NUMBERED = re.compile(r"(?<![^\W_])(phường|quận|P\.|Q\.)\s*([0-9IlO|]{1,2}(?: [0-9Il|])?)(?=\s*(?:,|$))",
                       re.IGNORECASE)
_AS_DIGITS = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0"})
_MIXED_DIGITS = re.compile(r"(?<![^\W_])(?=[IlO|]*\d)(?=\d*[IlO|])[0-9IlO|]{2,3}(?![^\W_])")

FREE_TEXT_PHRASES: tuple[str, ...] = (
    "Ủy ban nhân dân", "UBND", "Trạm y tế", "Trung tâm y tế", "Bệnh viện Đa khoa", "Bệnh viện",
    "Nhà hộ sinh", "Phòng khám", "Tại nhà", "Tổ dân phố", "Khu phố", "Tiểu khu", "Thôn", "Xóm",
    "Ấp", "Bản", "Buôn", "Làng", "Sóc", "Khóm", "Khối", "Tổ", "Khu", "Đội", "Cụm", "Số nhà",
    "Số", "Đường", "Ngõ", "Ngách", "Hẻm", "Kiệt", "Phố")
"""How the free text of a Vietnamese address begins (the body, the facility, the hamlet)."""
_PHRASES = sorted(((strip_diacritics(p).lower().split(), p) for p in FREE_TEXT_PHRASES),
                  key=lambda x: -len(x[0]))


def _split_camel(text: str) -> str:
    """'CaoSơn' -> 'Cao Sơn': a capital right after a small letter starts a new word."""
    out = []
    for i, ch in enumerate(text):
        if i and ch.isupper() and text[i - 1].islower():
            out.append(" ")
        out.append(ch)
    return "".join(out)


def _numbered(m: re.Match) -> str:
    """'phường I1', 'phường l 1', 'quận II' -> 'phường 11': wards and districts named by a
    number (in cities) have digits only, which OCR reads as I, l, | or O."""
    digits = m.group(2).replace(" ", "").translate(_AS_DIGITS)
    if not digits.isdigit() or len(digits) > 2:
        return m.group(0)
    return f"{m.group(1)} {digits}"


_UNIT_START = re.compile(r"(?<![^\W_])(?:thị trấn|thị xã|thành phố|xã|phường|huyện|quận|tỉnh|"
                         r"TP\.|TX\.|TT\.|[XPHQT]\.)")


def _comma_before_units(text: str) -> str:
    """'xã Lộc Tấn huyện Lộc Ninh' -> 'xã Lộc Tấn, huyện Lộc Ninh': a unit word after the first
    follows a comma (OCR lost it). Free text before the first unit keeps no comma."""
    out, last = [], 0
    for k, m in enumerate(_UNIT_START.finditer(text)):
        before = text[last:m.start()]
        if k and before.strip() and not text[:m.start()].rstrip().endswith(","):
            before = before.rstrip()
            if before.endswith(".") and not _UNIT_START.fullmatch(before.split()[-1]):
                before = before[:-1].rstrip()  # "H. Đông Anh.TP. Hà Nội": a comma read as a dot
            before += " " if before.endswith(",") else ", "
        out.append(before)
        last = m.start()
    out.append(text[last:])
    return "".join(out)


def tidy_place(text: str, lexicon: SyllableLexicon | None = None) -> str:
    """Spacing and punctuation as printed: OCR drops the space after a comma or an
    abbreviation ("Xuân Đám,huyện", "P.Ngọc Hiệp", "P.15"), between two words ("CaoSơn",
    "ytế", "quận3"), reads a comma as a dot or a dot as a comma ("TP, Yên Bái"), digits of a
    numbered ward as letters ("phường I1"), and adds stray marks."""
    text = _STRAY.sub(" ", text)
    text = _split_camel(text)
    text = _UNIT_STOP.sub(", ", text)  # "xã Hồng Hạ. huyện A Lưới"
    text = re.sub(r"\s*,[\s,.]*", ", ", text)  # "Tân Hưng,.H." has one comma
    text = _ABBREVIATION.sub(lambda m: m.group(1) + ". ", text)
    text = _ABBREVIATION_COMMA.sub(lambda m: m.group(1) + ". ", text)
    text = _JOINED_UNIT.sub(lambda m: m.group(1) + " " + m.group(2), text)
    text = re.sub(r"(?<![^\W_])(phường|quận)(?=\d)", r"\1 ", text, flags=re.IGNORECASE)
    text = _NUMBERED.sub(_numbered, text)
    text = _comma_before_units(text)
    text = re.sub(rf"(?<![^\W_])({_UNIT_ALT}|TP\.|T\.|H\.|Q\.)\s+[-–—]\s+", r"\1 ", text,
                  flags=re.IGNORECASE)  # "tỉnh - Đắk Lắk": a speck read as a dash
    text = _MIXED_DIGITS.sub(lambda m: m.group(0).translate(_AS_DIGITS), text)  # "Xóm I2"
    text = re.sub(r"(?<![\d/])\b(\d) (\d)\b(?![\d/])", r"\1\2", text)  # "Thôn 1 1"
    if lexicon is not None:
        words = []
        for w in text.split():
            core = w.rstrip(",.")
            parts = lexicon.split_joined(core) if core.isalpha() and core.islower() else [core]
            words.append(" ".join(parts) + w[len(core):])
        text = " ".join(words)
    return " ".join(text.split()).strip(" ,")


def _opening(words: list[str]) -> tuple[int, str | None, bool]:
    """How many words open the free text as a known phrase (letters compared without
    diacritics or spaces: "Trạm ytế" is "Trạm y tế"), that phrase, and whether a longer
    phrase is one letter off the same words ("Khu phế" beside "Khu phố": garbled)."""
    letters = [strip_diacritics(w).lower() for w in words]
    best: tuple[int, str | None] = (0, None)
    near = 0
    for key, phrase in _PHRASES:
        target = "".join(key)
        for n in range(1, len(words) + 1):
            got = "".join(letters[:n])
            if got == target and len(target) > len("".join(_fold(best[1]))):
                best = (n, phrase)
            elif (len(target) >= 5 and len(got) >= len(target) - 1
                  and Levenshtein.distance(got, target) == 1):
                near = max(near, len(target))
            if len(got) >= len(target) + 1:
                break
    found = len("".join(_fold(best[1])))
    return best[0], best[1], near > found


def _fold(phrase: str | None) -> list[str]:
    return strip_diacritics(phrase).lower().split() if phrase else []


def check_free_text(part: str, lexicon: SyllableLexicon | None) -> tuple[str, list[str], bool]:
    """The free text before the units ("Tổ dân phố 4", "Trạm y tế", "Ấp Mỹ Lộc"): a known
    opening respelled ("Tố dân phố" -> "Tổ dân phố", "Trạm ytế" -> "Trạm y tế"); an opening one
    letter off a known one ("Khu phế"), or a word that is no Vietnamese syllable, is garbled.
    Also says whether the text is a known phrase and nothing else (fully verified)."""
    words = part.split()
    n, phrase, garbled = _opening(words)
    if phrase is not None and canonical_text(" ".join(words[:n])) != canonical_text(phrase):
        words[:n] = phrase.split()
        n = len(phrase.split())
    garbled = garbled or any(re.fullmatch(r"[^\W\d_]+\d+", w.strip(".,")) for w in words)  # "i11"
    reasons = ["place_garbled"] if garbled else []
    if lexicon is not None and not reasons:
        names = [w.strip(".,") for w in words[n:] if not any(c.isdigit() for c in w)]
        if lexicon.unknown(" ".join(w for w in names if w)):
            reasons.append("place_garbled")
    return " ".join(words), reasons, phrase is not None and n == len(words)


_TRUNCATED = re.compile(r"(?:^|[\s,])(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|"
                        r"tp|tt|x|h|t|p|q)\.?\s*$", re.IGNORECASE)


def _free_texts(notes) -> list[str]:
    """The free text that opens a place: parts of their own ("Tại nhà", "Xóm 3"), and the words
    before the unit word of the first unit's part ("Trạm y tế" of "Trạm y tế X. Sĩ Bình")."""
    out = []
    for note in notes:  # notes are in printed order
        if note.level is None:
            out.append(note.text)
            continue
        if note.keyword and note.printed_name:
            at = note.text.rfind(note.keyword, 0, note.text.rfind(note.printed_name))
            if at > 0:
                out.append(note.text[:at].strip())
        break
    return out


class PlaceCheck(NamedTuple):
    text: str  # as printed, with repairs
    reasons: list[str]  # why it goes to review; [] when nothing is wrong
    province: str | None  # the province code it resolved to
    verified: bool  # every word is confirmed by a closed list: see :func:`check_place`


def _one_spelling(gazetteer: Gazetteer, note) -> bool:
    """The unit has a single spelling of its name in the lists (Dliê Yang of 2025 was Dlê
    Yang in 2017: a reading of either cannot confirm which was printed)."""
    unit = gazetteer.unit(note.code) if note.code else None
    if unit is None:
        return note.method == "former"
    return all(letters_key(name) == letters_key(unit.name) for _, name in unit.former)


def _restore_dash(text: str, note) -> str:
    """'Bà Rịa Vũng Tàu' -> 'Bà Rịa - Vũng Tàu': the dash of a unit's name OCR lost."""
    name, printed = note.name or "", note.printed_name or ""
    if note.method == "former":  # "Quảng Nam - Đà Nẵng" (1976-1996)
        name = next((n for n in FORMER_PROVINCES if letters_key(n) == letters_key(printed)), "")
    if " - " not in name or "-" in printed or not printed or printed not in text:
        return text
    left, right = name.split(" - ", 1)
    words = printed.split()
    k = len(left.split())
    if canonical_text(" ".join(words[:k])) != canonical_text(left) or \
            canonical_text(" ".join(words[k:])) != canonical_text(right):
        return text
    return text.replace(printed, " ".join(words[:k]) + " - " + " ".join(words[k:]), 1)


_UNIT_WORDS = {"tinh": "tỉnh", "huyen": "huyện", "quan": "quận", "phuong": "phường", "xa": "xã",
               "thi tran": "thị trấn", "thi xa": "thị xã", "thanh pho": "thành phố"}
_UNIT_ALT = "xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh"
_EMPTY_UNIT = re.compile(rf"(?<![^\W_])(?:{_UNIT_ALT})\s*,?\s+(?:{_UNIT_ALT})(?![^\W_])",
                         re.IGNORECASE)


def _respell(text: str, note) -> str:
    """The unit word and name of a resolved part as the list writes them, where OCR changed
    only marks of the unit word ('tính', 'xà' for 'tỉnh', 'xã') or the spacing of the name
    ('Ho À Bình')."""
    if note.keyword and note.printed_name:
        folded = " ".join(strip_diacritics(note.keyword).lower().split())
        word = _UNIT_WORDS.get(folded)
        if word and canonical_text(note.keyword) != canonical_text(word):
            word = word.capitalize() if note.keyword[:1].isupper() else word
            at = text.find(note.keyword + " " + (note.corrected or note.printed_name))
            if at >= 0:
                text = text[:at] + word + text[at + len(note.keyword):]
    name, printed = note.name or "", note.printed_name or ""
    if note.method == "former":
        name = next((n for n in FORMER_PROVINCES if letters_key(n) == letters_key(printed)), "")
    if (name and printed and " - " not in name and len(name.split()) != len(printed.split())
            and letters_key(name) == letters_key(printed) and printed in text):
        text = text.replace(printed, name, 1)
    return text


def check_place(text: str, gazetteer: Gazetteer | None,
                lexicon: SyllableLexicon | None = None) -> PlaceCheck:
    """The place with unambiguous repairs of unit names (Củ Chỉ -> Củ Chi), and what is wrong.

    A printed unit the gazetteer does not know, or cannot tell from another, goes to review;
    that is only said when the gazetteer knows units at that level (the built-in table has
    provinces only). A unit found only as a misreading whose spelling cannot be told (two
    official spellings of one unit) keeps the misread text: review.

    *Verified*: nothing wrong, every unit found as printed (no repair) with a single spelling,
    each inside the one printed above it, no digits (phường 13 misread is phường 18 of the same
    district) and free text that is a known phrase and nothing else: OCR would have to turn a
    consistent hierarchy of real names into another one, which it does not do.
    """
    if not text:
        return PlaceCheck(text, ["empty"], None, False)
    text = tidy_place(text, lexicon)
    if gazetteer is None:
        return PlaceCheck(text, [], None, False)
    if _TRUNCATED.search(text):  # "..., huyện Nậm Nhùn, tỉnh": the name was lost
        return PlaceCheck(text, ["place_truncated"], None, False)
    match = gazetteer.resolve(text)
    has_level = {"province": True, "district": bool(gazetteer.districts),
                 "commune": bool(gazetteer.communes)}
    doubtful = [n for n in match.notes
                if n.level and has_level.get(n.level) and n.method in ("unknown", "ambiguous")]
    unsure = [n for n in match.notes if n.method == "fuzzy" and not n.corrected]
    seen_unit, stray = False, False
    corrected = match.corrected
    for n in match.notes:  # free text belongs before the first unit ("Trạm y tế", "Thôn 3")
        seen_unit = seen_unit or n.level is not None
        stray = stray or (seen_unit and n.level is None)
    reasons = []
    pos = 0
    known_phrases = True
    for k, free in enumerate(_free_texts(match.notes) if seen_unit else []):
        at = corrected.find(free, pos)
        if at < 0:
            known_phrases = False
            break
        fixed, problems, known = check_free_text(free, lexicon)
        if k and _opening(fixed.split())[1] is None:  # "UBND Hòa Trạch, Bế Trạch, Quảng Bình":
            problems = [*problems, "place_unresolved"]  # a unit's name the list does not know
        corrected = corrected[:at] + fixed + corrected[at + len(free):]
        pos = at + len(fixed)
        reasons += problems
        known_phrases = known_phrases and known
    if doubtful or match.province_code is None:
        reasons.append("place_unresolved")
    elif "province" in match.inferred:  # places are printed down to the province (TT 04/2020)
        reasons.append("place_incomplete")
    if unsure:
        reasons.append("place_spelling_uncertain")
    if stray:
        reasons.append("place_garbled")
    units = [n for n in match.notes if n.level is not None]
    respelled = False
    for n in units:
        corrected = _restore_dash(corrected, n)
        fixed = _respell(corrected, n)
        respelled = respelled or fixed != corrected
        corrected = fixed
    if _EMPTY_UNIT.search(corrected):  # "phường quận 3": the ward's number was lost
        reasons.append("place_garbled")
    if any(n.keyword for n in units) and not all(n.keyword for n in units):
        reasons.append("place_unit_word_lost")  # "Cao Sơn, H. Bạch Thông": its "X." is gone
    verified = (not reasons and known_phrases and not respelled and bool(units) and not match.inferred
                and not any(ch.isdigit() for ch in corrected)
                and all(n.method in ("exact", "alias", "former") and _one_spelling(gazetteer, n)
                        for n in units))
    return PlaceCheck(corrected, list(dict.fromkeys(reasons)), match.province_code, verified)
