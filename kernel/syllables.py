"""Real Vietnamese syllables, to tell a name OCR garbled from one that was printed.

Sources, read in place and never copied: Tesseract's ``vie.wordlist`` and the given-name
lists of ``../shared/data/names`` (see shared/data/SOURCES.md). Without them the lexicon is
empty and :meth:`SyllableLexicon.unknown` reports nothing: the check is skipped, not failed.
The names of ``duyet_vietnamese-namedb`` also give how often each syllable is a given or middle
name, so that a real syllable with marks no name has (QUẦN beside QUÂN) is doubted.
"""

from __future__ import annotations

from kernel.shared import shared_data_dir  # noqa: F401  (re-exported)

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from kernel.vntext import canonical_tones, nfc, strip_diacritics

_LETTERS = re.compile(r"^[a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]+$")






_V = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_SYLLABLE = re.compile(f"^[^{_V}]*[{_V}]+[^{_V}]*$")
"""One vowel group: a syllable ('nghiêng', 'quyển'), not two run together ('thịthông')."""


def _key(word: str) -> str:
    return canonical_tones(nfc(word)).lower()


RARE_MARKS_RATIO = 20
"""A given- or middle-name syllable is doubtful when another syllable of the same letters
(other tone or vowel marks) is this many times more common in names..."""
RARE_MARKS_MIN = 5
"""...and that other syllable was seen at least this often (else both are just rare)."""


def _letters(word: str) -> str:
    return strip_diacritics(word).lower().replace("đ", "d")


class SyllableLexicon:
    def __init__(self, syllables: frozenset[str], source: str,
                 name_counts: dict[str, int] | None = None) -> None:
        self.syllables = syllables
        self.source = source
        self.name_counts = name_counts or {}
        variants: dict[str, list[tuple[int, str]]] = {}
        for word, n in self.name_counts.items():
            variants.setdefault(_letters(word), []).append((n, word))
        self._variants = variants

    def __len__(self) -> int:
        return len(self.syllables)

    def known(self, word: str) -> bool:
        return _key(word) in self.syllables

    def unknown(self, text: str) -> list[str]:
        """The words of ``text`` that are not Vietnamese syllables ([] when the lexicon is empty)."""
        if not self.syllables:
            return []
        return [w for w in text.split() if not self.known(w)]

    def unknown_in_name(self, name: str) -> list[str]:
        """:meth:`unknown`, and one-letter words no name is made of ('LI Ế U' is LIỄU torn
        apart; 'Y' is a name)."""
        out = self.unknown(name)
        if self.name_counts:
            out += [w for w in name.split() if len(w) == 1 and _key(w) not in self.name_counts
                    and w not in out]
        return out

    def rare_marks(self, name: str) -> list[str]:
        """The given and middle names of ``name`` whose marks are likely an OCR slip: real
        syllables, but a sibling with other marks is far more common in names (QUẦN where
        QUÂN is usual, THẲNG for THẮNG). The family name (first word) is not judged here."""
        out = []
        for word in name.split()[1:]:
            key = _key(word)
            seen = self.name_counts.get(key, 0)
            best = max((n for n, w in self._variants.get(_letters(key), ()) if w != key),
                       default=0)
            if best >= RARE_MARKS_MIN and seen * RARE_MARKS_RATIO < best:
                out.append(word)
        return out

    def split_joined(self, word: str) -> list[str]:
        """A word that is syllables OCR ran together ('NAMLỘC', 'MAITHANHTRÚC'), split; else
        [word]. Split only when exactly one way into the fewest known syllables (of two
        letters or more, ``ytế`` aside: one-letter syllables are tried last) exists, or one
        of them made of syllables seen in names."""
        if not self.syllables or self.known(word) or len(word) < 3:
            return [word]
        for shortest in (2, 1):
            ways = self._segmentations(word, shortest)
            if ways:
                fewest = min(len(w) for w in ways)
                best = [w for w in ways if len(w) == fewest]
                if len(best) > 1:  # 'MAI THANH' over 'MAIT HANH': syllables names are made of
                    best = [w for w in best if all(_key(p) in self.name_counts for p in w)]
                return list(best[0]) if len(best) == 1 else [word]
        return [word]

    def _segmentations(self, word: str, shortest: int, limit: int = 8) -> list[tuple[str, ...]]:
        """Ways to cut ``word`` into known syllables of ``shortest`` letters or more."""
        ways: dict[int, list[tuple[str, ...]]] = {0: [()]}
        for end in range(1, len(word) + 1):
            found = []
            for start in range(max(0, end - 8), end - shortest + 1):
                if start in ways and self.known(word[start:end]):
                    found += [w + (word[start:end],) for w in ways[start]]
            if found:
                ways[end] = found[:limit]
        return [w for w in ways.get(len(word), []) if len(w) > 1]

    @staticmethod
    @lru_cache(maxsize=4)
    def load(data_dir: str | None = None) -> "SyllableLexicon":
        root = Path(data_dir) if data_dir else shared_data_dir()
        files = [root / "tesseract_langdata_vie" / "vie.wordlist",
                 root / "names" / "duyet_vietnamese-namedb" / "boy.txt",
                 root / "names" / "duyet_vietnamese-namedb" / "girl.txt"]
        words: set[str] = set()
        used = []
        for path in files:
            if not path.is_file():
                continue
            used.append(path.name)
            for token in re.split(r"[\s\-]+", path.read_text(encoding="utf-8")):
                key = _key(token)
                if _LETTERS.match(key) and _SYLLABLE.match(key):  # one syllable, not two run together
                    words.add(key)
        return SyllableLexicon(frozenset(words), ", ".join(used) or "none",
                               _name_counts(root / "names" / "duyet_vietnamese-namedb"))


def _name_counts(folder: Path) -> dict[str, int]:
    """How often each syllable is a given or middle name: the full names of
    ``uit_member.json`` (family name left out) and the given names of ``boy.txt``/``girl.txt``."""
    counts: Counter[str] = Counter()
    members = folder / "uit_member.json"
    if members.is_file():
        for person in json.loads(members.read_text(encoding="utf-8")):
            counts.update(_key(w) for w in str(person.get("full_name", "")).split()[1:])
    for name in ("boy.txt", "girl.txt"):
        path = folder / name
        if path.is_file():
            counts.update(_key(w) for w in path.read_text(encoding="utf-8").split())
    return {w: n for w, n in counts.items() if _LETTERS.match(w) and _SYLLABLE.match(w)}
