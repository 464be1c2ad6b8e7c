"""Real Vietnamese syllables, to tell a name OCR garbled from one that was printed.

Sources, read in place and never copied: Tesseract's ``vie.wordlist`` and the given-name
lists of ``../shared/data/names`` (see shared/data/SOURCES.md). Without them the lexicon is
empty and :meth:`SyllableLexicon.unknown` reports nothing: the check is skipped, not failed.
"""

from __future__ import annotations

from kernel.shared import shared_data_dir  # noqa: F401  (re-exported)

import re
from functools import lru_cache
from pathlib import Path

from kernel.vntext import canonical_tones, nfc

_LETTERS = re.compile(r"^[a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]+$")


_VOWEL = re.compile(r"[aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ]")




def _key(word: str) -> str:
    return canonical_tones(nfc(word)).lower()


class SyllableLexicon:
    def __init__(self, syllables: frozenset[str], source: str) -> None:
        self.syllables = syllables
        self.source = source

    def __len__(self) -> int:
        return len(self.syllables)

    def known(self, word: str) -> bool:
        return _key(word) in self.syllables

    def unknown(self, text: str) -> list[str]:
        """The words of ``text`` that are not Vietnamese syllables ([] when the lexicon is empty)."""
        if not self.syllables:
            return []
        return [w for w in text.split() if not self.known(w)]

    def split_joined(self, word: str) -> list[str]:
        """A word that is two syllables OCR ran together ('NAMLỘC'), split; else [word].

        Split only when exactly one cut gives two known syllables.
        """
        if not self.syllables or self.known(word) or len(word) < 4:
            return [word]
        cuts = [i for i in range(2, len(word) - 1)
                if self.known(word[:i]) and self.known(word[i:])]
        return [word[:cuts[0]], word[cuts[0]:]] if len(cuts) == 1 else [word]

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
                if _LETTERS.match(key) and _VOWEL.search(key):  # not stray letters
                    words.add(key)
        return SyllableLexicon(frozenset(words), ", ".join(used) or "none")
