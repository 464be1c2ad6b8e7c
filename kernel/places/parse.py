"""Splitting a printed place into parts and finding the unit words ("xã", "huyện", "TP.", "H.")
and the names that follow them. Positions index the printed text, so that a correction can be
written back into it in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel.places.model import _C, _D, _P
from kernel.vntext import canonical_text, collapse_spaces, strip_diacritics

# unit words on an ascii-folded, lower-case copy of the text (same length as the original)
_FULL_WORDS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    # (folded pattern, type, levels in the order they are tried)
    ("thanh pho", "thành phố", (_P, _D)),
    ("thi tran", "thị trấn", (_C,)),
    ("thi xa", "thị xã", (_D,)),
    ("tinh", "tỉnh", (_P,)),
    ("huyen", "huyện", (_D,)),
    ("quan", "quận", (_D,)),
    ("phuong", "phường", (_C,)),
    ("xa", "xã", (_C,)),
)
_ABBREVIATIONS: dict[str, tuple[str, tuple[int, ...]]] = {
    "tp": ("thành phố", (_P, _D)), "t.p": ("thành phố", (_P, _D)),
    "tx": ("thị xã", (_D,)), "t.x": ("thị xã", (_D,)),
    "tt": ("thị trấn", (_C,)), "t.t": ("thị trấn", (_C,)),
}
_INITIALS: dict[str, tuple[str, tuple[int, ...]]] = {
    "t": ("tỉnh", (_P,)), "h": ("huyện", (_D,)), "q": ("quận", (_D,)), "x": ("xã", (_C,)),
    "p": ("phường", (_C,)),
}
_B = r"(?<![^\W_])"  # no letter or digit before
_E = r"(?![^\W_])"  # no letter or digit after
_FULL_RE = re.compile(
    "|".join(f"{_B}(?P<w{i}>{w.replace(' ', r'[ ]+')}){_E}" for i, (w, _, _) in
             enumerate(_FULL_WORDS)))
_ABBR_RE = re.compile(_B + r"(?P<a>t\.?p|t\.?x|t\.?t)(?:\.|" + _E + ")")
_INITIAL_RE = re.compile(r"^\s*(?P<i>[thqxp])\.")
_INNER_INITIAL_RE = re.compile(r"(?<=\S\s)(?P<i>[thqxp])\.(?=\s*[^\W\d_])")
_TRIM = " \t\r\n.:;-–—()"


def _fold(text: str) -> str:
    """Ascii-folded lower-case copy of ``text``, one character per character."""
    out = []
    for ch in text:
        f = strip_diacritics(ch).lower()
        out.append(f if len(f) == 1 else " ")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Cand:
    """One reading of a part: unit word at [kw_start, kw_end), name at [name_start, name_end)."""

    kw_start: int
    kw_end: int
    type: str | None
    levels: tuple[int, ...]
    strong: bool  # the unit word is printed with its diacritics (or is an abbreviation)
    name_start: int
    name_end: int
    full: bool = True  # a full unit word, not an abbreviation ("TP.", "H.")

    @property
    def has_keyword(self) -> bool:
        return self.type is not None


def _name_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _keywords(text: str, folded: str, start: int, end: int) -> list[_Cand]:
    """All unit words in text[start:end], in order, with the name that would follow each."""
    found: list[_Cand] = []
    seg = folded[start:end]
    for m in _FULL_RE.finditer(seg):
        i = int(m.lastgroup[1:])
        word, type_, levels = _FULL_WORDS[i]
        ks, ke = start + m.start(), start + m.end()
        printed = canonical_text(collapse_spaces(text[ks:ke])).lower()
        strong = printed == canonical_text(type_).lower()
        ns, ne = _name_span(text, ke, end)
        found.append(_Cand(ks, ke, type_, levels, strong, ns, ne))
    for m in _ABBR_RE.finditer(seg):
        type_, levels = _ABBREVIATIONS[m.group("a")]
        ks, ke = start + m.start(), start + m.end()
        if any(c.kw_start <= ks < c.kw_end for c in found):
            continue
        ns, ne = _name_span(text, ke, end)
        found.append(_Cand(ks, ke, type_, levels, True, ns, ne, False))
    m = _INITIAL_RE.match(seg)
    # an initial opens the part, or follows its free text as a capital ("UBND X. Tuy Lộc")
    initials = ([m] if m else []) + [x for x in _INNER_INITIAL_RE.finditer(seg)
                                      if text[start + x.start("i")].isupper()]
    for m in initials:
        type_, levels = _INITIALS[m.group("i")]
        ks, ke = start + m.start("i"), start + m.end()
        if not any(c.kw_start <= ks < c.kw_end for c in found):
            ns, ne = _name_span(text, ke, end)
            found.append(_Cand(ks, ke, type_, levels, True, ns, ne, False))
    return sorted((c for c in found if c.name_end > c.name_start), key=lambda c: c.kw_start)


def _segments(text: str, folded: str) -> list[tuple[int, int]]:
    """Comma-separated parts; a part holding two levels without a comma between them ("xã A
    huyện B", OCR lost the comma) is split before the second full unit word."""
    spans = []
    pos = 0
    for m in re.finditer(r"[,;\n]", text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        kws = [c for c in _keywords(text, folded, s, e) if c.strong and c.full]
        cuts = []
        if len(kws) > 1:
            current = kws[0]
            for k, c in enumerate(kws[1:], start=1):
                if c.kw_start < current.kw_end or min(c.levels) >= min(current.levels):
                    continue
                # the unit before must have a name, and so must this one: the next unit word
                # may not follow at once ("xã Phước Tỉnh huyện Long Điền" is not cut at "Tỉnh")
                if not text[current.kw_end:c.kw_start].strip(_TRIM):
                    continue
                nxt = kws[k + 1].kw_start if k + 1 < len(kws) else e
                if not text[c.kw_end:nxt].strip(_TRIM):
                    continue
                cuts.append(c.kw_start)
                current = c
        bounds = [s, *cuts, e]
        out.extend((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))
    return [(s, e) for s, e in out if text[s:e].strip()]
