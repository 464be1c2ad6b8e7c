"""TrueType fonts that cover Vietnamese, found on the system.

Certificates are typeset in a Times-like serif; Liberation Serif (metric-compatible with Times
New Roman) is preferred, then DejaVu Serif and FreeSerif, then their sans-serif siblings.
The corpus generator also uses typewriter-like monospaced families (:data:`MONO_FAMILIES`),
and only the families whose every face has a real glyph for every Vietnamese letter
(:func:`vietnamese_families`: DejaVu Sans Mono, for one, lacks the hook-above letters).
Text is laid out with Pillow's BASIC engine (precomposed NFC glyphs, no shaping library), so
the same font file gives the same pixels everywhere.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from kernel.errors import MissingDependencyError

FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/freefont",
    "/usr/share/fonts/TTF", "/usr/share/fonts/liberation", "/usr/share/fonts/dejavu",
)

# family -> (regular, bold, italic) file names
FAMILIES: dict[str, tuple[str, str, str]] = {
    "Liberation Serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf",
                         "LiberationSerif-Italic.ttf"),
    "DejaVu Serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"),
    "FreeSerif": ("FreeSerif.ttf", "FreeSerifBold.ttf", "FreeSerifItalic.ttf"),
    "Liberation Sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
                        "LiberationSans-Italic.ttf"),
    "DejaVu Sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
    "FreeSans": ("FreeSans.ttf", "FreeSansBold.ttf", "FreeSansOblique.ttf"),
    # typewriter-like; last, so that find_fonts() without a family never picks them
    "Liberation Mono": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf",
                        "LiberationMono-Italic.ttf"),
    "FreeMono": ("FreeMono.ttf", "FreeMonoBold.ttf", "FreeMonoOblique.ttf"),
    "DejaVu Sans Mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf",
                         "DejaVuSansMono-Oblique.ttf"),
}

MONO_FAMILIES = ("Liberation Mono", "FreeMono", "DejaVu Sans Mono")

INSTALL_HINT = ("install a font that covers Vietnamese: "
                "apt-get install fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf")

_PROBE = "ẠẶẾỆỞỰỹđĐ"


@dataclass(frozen=True)
class FontSet:
    family: str
    regular: Path
    bold: Path
    italic: Path

    def font(self, style: str, size_px: int) -> ImageFont.FreeTypeFont:
        """``style`` is "regular", "bold" or "italic"; size in pixels."""
        return _load(getattr(self, style), size_px)


@lru_cache(maxsize=64)
def _load(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px, layout_engine=ImageFont.Layout.BASIC)


def _covers_vietnamese(path: Path) -> bool:
    """True when the font has real glyphs (not the .notdef box) for Vietnamese letters."""
    font = _load(path, 32)
    missing = bytes(font.getmask("\uffff"))
    return all(bytes(font.getmask(ch)) != missing for ch in _PROBE)


def _vietnamese_letters() -> str:
    """Every letter of the Vietnamese alphabet, lower and upper case, with every tone (NFC)."""
    base = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    letters = set(base + base.upper())
    for vowel in "aăâeêioôơuưy":
        for tone in "\u0300\u0301\u0303\u0309\u0323":
            letters.add(unicodedata.normalize("NFC", vowel + tone))
    letters |= {ch.upper() for ch in letters}
    return "".join(sorted(letters))


VIETNAMESE_LETTERS = _vietnamese_letters()
PUNCTUATION = "0123456789 .,:;/()-*\"'…"


@lru_cache(maxsize=16384)
def _has_glyph(path: Path, ch: str) -> bool:
    font = _load(path, 32)
    return ch.isspace() or bytes(font.getmask(ch)) != bytes(font.getmask("\uffff"))


def missing_glyphs(path: Path, text: str) -> str:
    """The characters of ``text`` that the font at ``path`` would draw as the .notdef box."""
    return "".join(sorted({ch for ch in text if not _has_glyph(path, ch)}))


def covers(fonts: FontSet, text: str) -> bool:
    """True when all three faces of ``fonts`` have a glyph for every character of ``text``."""
    return not any(missing_glyphs(p, text) for p in (fonts.regular, fonts.bold, fonts.italic))


@lru_cache(maxsize=1)
def vietnamese_families() -> tuple[str, ...]:
    """The installed families whose faces cover every Vietnamese letter (and digits, marks)."""
    found = []
    for name, files in FAMILIES.items():
        paths = [_find_file(f) for f in files]
        if all(paths) and covers(FontSet(name, *paths),  # type: ignore[arg-type]
                                 VIETNAMESE_LETTERS + PUNCTUATION):
            found.append(name)
    return tuple(found)


def _search_dirs() -> list[Path]:
    extra = os.environ.get("SOHOA_FONT_DIR")
    return [Path(d) for d in ((extra,) if extra else ()) + FONT_DIRS]


def _find_file(name: str) -> Path | None:
    for folder in _search_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=8)
def find_fonts(family: str | None = None) -> FontSet:
    """The first installed family (or ``family``) with regular, bold and italic faces.

    Raises MissingDependencyError naming the apt packages when none is found.
    """
    names = [family] if family else list(FAMILIES)
    for name in names:
        if name not in FAMILIES:
            raise ValueError(f"unknown font family {name!r}; known: {', '.join(FAMILIES)}")
        paths = [_find_file(f) for f in FAMILIES[name]]
        if all(paths) and _covers_vietnamese(paths[0]):  # type: ignore[arg-type]
            return FontSet(name, *paths)  # type: ignore[arg-type]
    wanted = family or " / ".join(FAMILIES)
    raise MissingDependencyError(f"no TrueType font covering Vietnamese found ({wanted})",
                                 hint=INSTALL_HINT)


def fonts_available() -> bool:
    """For test skips."""
    try:
        find_fonts()
    except MissingDependencyError:
        return False
    return True
