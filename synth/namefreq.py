"""Name frequencies from ``../shared/data/names`` when present (read in place, never copied).

- family names: ``toanluu_vietname/last_names.tsv`` (counts over ~115,000 names, written
  without diacritics) spread over the accented family names sharing those letters, in
  proportion to how often each accented form starts a name of ``duyet``'s ``uit_member.json``
  ("vu" -> Vũ, "la" -> Lã or La);
- given names: the (middle, given) pairs of ``duyet_vietnamese-namedb/boy.txt`` and
  ``girl.txt``, weighted by the count of the given name in ``toanluu_vietname/first_names.tsv``.
Without the shared folder, :func:`load_name_book` is the built-in ``NameBook``.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from kernel.vnnames import FAMILY_NAMES as KNOWN_FAMILY_NAMES
from kernel.vntext import nfc, strip_diacritics

from synth.names import ETHNIC_FAMILY_NAMES, FAMILY_NAMES, NameBook, shared_data_dir

_FLOOR = 0.5  # weight of a given name missing from the frequency table


def _ascii(word: str) -> str:
    return strip_diacritics(word).lower()


def _read_tsv(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1].strip().isdigit():
            counts[parts[0].strip().lower()] = int(parts[1])
    return counts


def _first_words(path: Path) -> Counter[str]:
    """How often each word starts a full name of uit_member.json."""
    if not path.is_file():
        return Counter()
    members = json.loads(path.read_text(encoding="utf-8"))
    words = (nfc((m.get("full_name") or "").replace("Ð", "Đ")).split()[:1] for m in members)
    return Counter(w[0] for w in words if w and w[0].isalpha() and w[0][0].isupper())


def family_table(last_names: dict[str, int], first_words: Counter[str],
                 ) -> tuple[tuple[str, float], ...]:
    """Accented family names with weights (percent of names)."""
    lexicon = set(KNOWN_FAMILY_NAMES) | {n for n, _ in FAMILY_NAMES}
    lexicon |= set(itertools.chain.from_iterable(ETHNIC_FAMILY_NAMES.values()))
    lexicon |= {w for w, n in first_words.items() if n >= 3}
    by_ascii: dict[str, list[str]] = {}
    for name in sorted(lexicon):
        by_ascii.setdefault(_ascii(name), []).append(name)
    total = sum(last_names.values()) or 1
    table: dict[str, float] = {}
    for key, count in last_names.items():
        forms = by_ascii.get(key)
        if not forms:
            continue
        shares = [first_words.get(f, 0) + (1 if f in KNOWN_FAMILY_NAMES else 0) for f in forms]
        if not sum(shares):
            shares = [1] * len(forms)
        for form, share in zip(forms, shares):
            table[form] = table.get(form, 0.0) + 100.0 * count / total * share / sum(shares)
    return tuple(sorted(((n, round(w, 4)) for n, w in table.items() if w > 0),
                        key=lambda item: (-item[1], item[0])))


def pair_cum_weights(pairs: tuple[tuple[str, str], ...], first_names: dict[str, int],
                     ) -> tuple[float, ...]:
    """Cumulative weights of (middle, given) pairs: each given name gets its table count,
    shared among the pairs that end with it."""
    per_given = Counter(_ascii(g) for _, g in pairs)
    weights = [max(first_names.get(_ascii(g), 0), _FLOOR) / per_given[_ascii(g)]
               for _, g in pairs]
    return tuple(itertools.accumulate(weights))


@lru_cache(maxsize=4)
def _load(folder: Path) -> NameBook:
    book = NameBook.load(folder.parent)
    toan = folder / "toanluu_vietname"
    if not (toan / "last_names.tsv").is_file() or not (toan / "first_names.tsv").is_file():
        return book
    first_words = _first_words(folder / "duyet_vietnamese-namedb" / "uit_member.json")
    families = family_table(_read_tsv(toan / "last_names.tsv"), first_words) or None
    cum = None
    if book.shared is not None:
        first_names = _read_tsv(toan / "first_names.tsv")
        cum = {sex: pair_cum_weights(pairs, first_names) for sex, pairs in book.shared.items()}
    return replace(book, families=families, pair_cum_weights=cum)


def load_name_book(data_dir: Path | None = None, *, shared: bool = True) -> NameBook:
    """Names with the shared frequency tables when present (and ``shared``), else built-in."""
    if not shared:
        return NameBook.builtin()
    return _load((data_dir or shared_data_dir()) / "names")


def describe(book: NameBook) -> str:
    """Where the names came from, for corpus.json."""
    parts = [book.source]
    if book.families is not None:
        parts.append("toanluu_vietname")
    return "+".join(parts)
