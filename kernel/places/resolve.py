"""Resolving a printed place against the index, and repairing a name OCR misread.

:class:`_Resolver` holds the resolving methods of :class:`~kernel.places.Gazetteer`, which
inherits them; they read the tables a Gazetteer builds (``_units``, ``_scopes``, ``_nation``,
``_children``) and never change them.
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from kernel.places.index import FORMER_SUCCESSORS, _Entry, _Found
from kernel.places.keys import _ocr_plausible, _shape_key, letters_key
from kernel.places.model import _C, _D, _P, LEVELS, PartNote, PlaceMatch
from kernel.places.parse import _Cand, _fold, _keywords, _name_span, _segments
from kernel.vntext import nfc, strip_diacritics

# confidence of one printed level, by how it was resolved
_METHOD_SCORE = {"exact": 1.0, "alias": 1.0, "ascii": 0.95, "former": 0.5, "ambiguous": 0.3,
                 "unknown": 0.0}
_FORMER_EXTENT: dict[str, tuple[str, ...]] = {
    "93": ("92", "94"),  # Hậu Giang of 1976-1991: now Cần Thơ and Sóc Trăng too
    "92": ("93",),  # Cần Thơ before 2004: now Hậu Giang too
    "12": ("11",),  # Lai Châu before 2004: now Điện Biên too
    "66": ("67",),  # Đắk Lắk before 2004: now Đắk Nông too
}
"""Provinces whose name lives on after a split: a district printed under the name as it was
then is looked for in the provinces the land went to, when the current one has no such district."""
_SUCCESSORS = {letters_key(name): codes for name, codes in FORMER_SUCCESSORS.items()}
# a misread letter (Levenshtein distance of the diacritics-free keys): one edit, two from this
# many letters on; no other unit within FUZZY_MARGIN more; names shorter than the minimum: none
FUZZY_TWO_EDITS_LENGTH = 12
FUZZY_MARGIN = 1  # another unit this many edits further (as OCR misreads) makes it ambiguous
FUZZY_MIN_LENGTH = 5


def _rewrite(printed: str, official: str) -> str:
    """The official spelling, keeping each printed word that is already right (tone placement)
    and the printed case style (all upper stays upper)."""
    p_words, o_words = printed.split(), official.split()
    if len(p_words) != len(o_words):
        if printed.isupper():
            return official.upper()
        return official.lower() if printed.islower() else official
    out = []
    for p, o in zip(p_words, o_words):
        if letters_key(p) == letters_key(o):
            out.append(p)
        elif p.isupper() and (len(p) > 1 or printed.isupper()):
            out.append(o.upper())
        elif p.islower():
            out.append(o.lower())
        else:
            out.append(o)
    return " ".join(out)


class _Resolver:
    """The resolving half of :class:`~kernel.places.Gazetteer` (a mixin: no state of its own)."""

    __slots__ = ()

    def correct(self, text: str) -> str:
        """``resolve(text).corrected``."""
        return self.resolve(text).corrected

    def resolve(self, text: str) -> PlaceMatch:
        """Resolve a place as printed on a certificate.

        The text is cut at commas (and where a comma was lost between two units: "xã A huyện
        B"); each part is optional free text ("Trạm y tế", "UBND") + a unit word ("xã",
        "huyện", "thành phố", "TP.", "TX", "H.", also without diacritics) + a name. Parts
        without a unit word are read by position ("Hải Minh, Hải Hậu, Nam Định"). Parts are
        resolved from the right: the province among all, a district within its province, a
        commune within its district (or within the province when no district was printed).

        A name matches (1) as printed, any tone placement, spacing and punctuation: kept as
        printed; (2) by its diacritics-free key (đ is d): rewritten to the list's spelling when
        every unit of that key has the same spelling; (3) within a parent unit, one or two
        letters misread the way OCR misreads them (c/e, n/u, rn/m, ...) when no other unit is
        as near or one edit further and the printed name is no real name elsewhere. Several
        units of one name (with the printed unit word not telling them apart) leave the code
        unresolved and the text as printed. A rewrite keeps each printed word that is right
        and the printed case (all upper stays upper). Free text, unit words, commas and
        everything left of the commune are never changed, and no level is added to the text.
        Codes of levels that were not printed are filled from a resolved lower unit and named
        in ``inferred``.
        """
        src = nfc(text or "")
        folded = _fold(src)
        segs = _segments(src, folded)
        notes: list[PartNote | None] = [None] * len(segs)
        edits: list[tuple[int, int, str]] = []
        codes: list[str | None] = [None, None, None]
        scopes: list[tuple[str, ...] | None] = [None, None, None]  # candidates of a level
        note_of: dict[int, int] = {}  # level -> index of its note
        scores: list[float] = []
        former_scope: dict[int, tuple[str, ...]] = {}  # a former province printed: successors
        deepest = -1
        for i in range(len(segs) - 1, -1, -1):
            s, e = segs[i]
            part = src[s:e].strip()
            if deepest == _C:
                notes[i] = PartNote(part, None, None, None, None, None, "free_text", 0.0,
                                    detail="below the commune level")
                continue
            cands = _keywords(src, folded, s, e)
            cands.sort(key=lambda c: (not c.strong, c.kw_start))
            ns, ne = _name_span(src, s, e)
            cands.append(_Cand(ns, ns, None, (_P, _D, _C), False, ns, ne))
            chosen: tuple[_Cand, int, _Found] | None = None
            fallback: tuple[_Cand, int, _Found] | None = None
            for cand in cands:
                for level in cand.levels:
                    if level <= deepest:
                        continue
                    scope = self._scope(level, codes, scopes)
                    fuzzy = cand.has_keyword and (scope is not None or level == _P)
                    found = self._match(src[cand.name_start:cand.name_end], level, scope,
                                        cand.type, fuzzy=fuzzy)
                    wider = _FORMER_EXTENT.get(codes[_P] or "") if level == _D else None
                    if not found.recognised and wider and scope == (codes[_P],):
                        # "huyện Tuần Giáo, tỉnh Lai Châu" of 1995: Lai Châu before its split
                        found = self._match(src[cand.name_start:cand.name_end], level,
                                            (codes[_P], *wider), cand.type, fuzzy=fuzzy)
                        if found.recognised:
                            scopes[_P] = (codes[_P], *wider)
                    if found.recognised:
                        chosen = (cand, level, found)
                        break
                    if fallback is None and cand.has_keyword:
                        fallback = (cand, level, found)
                if chosen:
                    break
            if chosen is None and fallback is None:
                notes[i] = PartNote(part, None, None, None, None, None, "free_text", 0.0)
                continue
            cand, level, found = chosen or fallback
            printed_name = src[cand.name_start:cand.name_end]
            keyword = src[cand.kw_start:cand.kw_end] if cand.has_keyword else None
            deepest = level
            score = found.score
            scores.append(score)
            code = found.codes[0] if found.method not in ("ambiguous", "unknown", "former") \
                and len(found.codes) == 1 else None
            if code:
                codes[level] = code
                scopes[level] = (code, *found.older)
                self._follow_parent(level, code, codes, scopes, notes, note_of)
            elif found.method == "ambiguous":
                scopes[level] = tuple(found.codes)
            elif found.method == "former" and found.entries:
                successors = _SUCCESSORS.get(found.entries[0].letters, ())
                scopes[level] = tuple(c for c in successors if c in self._units[level]) or None
                if scopes[level]:
                    former_scope[level] = scopes[level]
            note_of[level] = i
            corrected = None
            if found.spelling and letters_key(found.spelling) != letters_key(printed_name):
                corrected = _rewrite(printed_name, found.spelling)
                edits.append((cand.name_start, cand.name_end, corrected))
            entry = min(found.entries, key=lambda x: (not x.official, not x.current),
                        default=None)
            historical = bool(found.entries) and not any(x.current for x in found.entries)
            notes[i] = PartNote(
                part, LEVELS[level], keyword, printed_name,
                found.spelling or (entry.name if entry and code else None), code, found.method,
                round(score, 4), corrected,
                tuple(found.codes) if found.method == "ambiguous" else found.older, historical,
                "the current unit of this name; older units of the same name were merged"
                if found.older else "")
        # codes of levels above a resolved unit that were not resolved from the text
        inferred = []
        for level in (_C, _D):
            code = codes[level]
            if code is None:
                continue
            unit = self._units[level].get(code)
            parent = unit.parent_code if unit else None
            if parent and codes[level - 1] is None:
                codes[level - 1] = parent
                if parent not in former_scope.get(level - 1, ()):  # printed under its old name
                    inferred.append(LEVELS[level - 1])
        corrected_text = src
        for s, e, new in sorted(edits, reverse=True):
            corrected_text = corrected_text[:s] + new + corrected_text[e:]
        confidence = sum(scores) / len(scores) if scores else 0.0
        return PlaceMatch(src, corrected_text, codes[_P], codes[_D], codes[_C],
                          round(confidence, 4), tuple(n for n in notes if n is not None),
                          tuple(inferred))

    @staticmethod
    def _scope(level: int, codes: list[str | None],
               scopes: list[tuple[str, ...] | None]) -> tuple[str, ...] | None:
        """Codes of the nearest resolved (or ambiguously resolved) level above ``level``; a
        unit found under a name that older, merged units had too brings their codes along."""
        for upper in range(level - 1, -1, -1):
            if scopes[upper]:
                return scopes[upper]
            if codes[upper]:
                return (codes[upper],)
        return None

    def _follow_parent(self, level: int, code: str, codes: list[str | None],
                       scopes: list[tuple[str, ...] | None], notes: list[PartNote | None],
                       note_of: dict[int, int]) -> None:
        """A unit found under one of the older codes of its parent's name ("Xã Đạ Tồn, Huyện
        Đạ Huoai" of 2017: Đạ Huoai was 681, the current Đạ Huoai is 682) takes that parent."""
        upper = level - 1
        parent = codes[upper] if upper >= 0 else None
        if parent is None or code in self._children.get(parent, ()):
            return
        for other in scopes[upper] or ():
            if other != parent and code in self._children.get(other, ()):
                codes[upper] = other
                scopes[upper] = (other,)
                idx = note_of.get(upper)
                if idx is not None and notes[idx] is not None:
                    old = notes[idx]
                    unit = self._units[upper].get(other)
                    notes[idx] = replace(
                        old, code=other, candidates=tuple(c for c in (parent, *old.candidates)
                                                          if c != other),
                        historical=unit is not None and not unit.current,
                        detail=f"the older unit of this name, parent of the {LEVELS[level]}")
                self._follow_parent(upper, other, codes, scopes, notes, note_of)
                return

    def _entries(self, level: int, scope: tuple[str, ...] | None) -> tuple[_Entry, ...]:
        if scope is None:
            return self._scopes.get((level, None), ())
        if len(scope) == 1:
            return self._scopes.get((level, scope[0]), ())
        out: dict[_Entry, None] = {}
        for code in scope:
            out.update(dict.fromkeys(self._scopes.get((level, code), ())))
        return tuple(out)

    def _match(self, printed: str, level: int, scope: tuple[str, ...] | None,
               type_: str | None, *, fuzzy: bool) -> _Found:
        letters = letters_key(printed)
        if not letters:
            return _Found("unknown")
        akey = strip_diacritics(letters)
        if scope is None:
            pool = self._nation.get((level, akey), ())
        else:
            pool = tuple(e for e in self._entries(level, scope) if e.akey == akey)
        # 1. as printed (any tone placement, punctuation and spacing)
        exact = [e for e in pool if e.letters == letters]
        if exact:
            return self._decide(exact, type_, "exact", keep_printed=True)
        # 2. the same letters without diacritics
        if pool:
            return self._decide(list(pool), type_, "ascii", keep_printed=False)
        # 3. a letter or two misread, within a parent unit (or among the provinces)
        if not fuzzy or len(akey) < FUZZY_MIN_LENGTH or any(ch.isdigit() for ch in akey):
            return _Found("unknown")
        if any(e.letters == letters for e in self._nation.get((level, akey), ())):
            # the printed name is a real name elsewhere (another district, another era): a
            # misread letter is not the likely story, a name our lists lack under it is
            return _Found("unknown")
        entries = self._entries(level, scope)
        if not entries:
            return _Found("unknown")
        max_edits = 1 if len(akey) < FUZZY_TWO_EDITS_LENGTH else 2
        shape = _shape_key(printed)
        hits = process.extract(shape, [e.shape for e in entries], scorer=Levenshtein.distance,
                               limit=None, score_cutoff=max_edits + 1)
        with_marks = letters != akey  # printed with diacritics: they must agree as well
        by_unit: dict[str, int] = {}
        kept: list[tuple[int, _Entry]] = []
        for _, dist, idx in hits:
            e = entries[idx]
            if not _ocr_plausible(shape, e.shape):
                continue  # near, but not as OCR misreads
            if with_marks and Levenshtein.distance(letters, e.letters) > dist + 1:
                continue  # the letters fit, the diacritics do not
            unit = e.code or "former:" + e.letters
            by_unit[unit] = min(by_unit.get(unit, 99), dist)
            kept.append((dist, e))
        if not by_unit:
            return _Found("unknown")
        ranked = sorted(by_unit.items(), key=lambda kv: kv[1])
        best_unit, best = ranked[0]
        if best > max_edits:
            return _Found("unknown")
        if len(ranked) > 1 and ranked[1][1] <= best + FUZZY_MARGIN:
            near = [e for d, e in kept if d <= best + FUZZY_MARGIN]
            return _Found("ambiguous", near, _METHOD_SCORE["ambiguous"])
        top = [e for d, e in kept if d == best and (e.code or "former:" + e.letters) == best_unit]
        found = self._decide(top, type_, "fuzzy", keep_printed=False)
        if found.method == "fuzzy":
            found.score = 0.9 - 0.1 * best
        return found

    @staticmethod
    def _decide(entries: list[_Entry], type_: str | None, method: str, *,
                keep_printed: bool) -> _Found:
        """One unit among ``entries`` (the printed type word breaks ties), and its spelling."""
        units = {e.code for e in entries}
        if len(units) > 1 and type_:
            typed = [e for e in entries if e.type == type_]
            if typed and len({e.code for e in typed}) < len(units):
                entries = typed
                units = {e.code for e in entries}
        older: list[str] = []
        if len(units) > 1:
            # Mergers since 2017 gave a merged unit the name of one unit and the code of
            # another ("Phường Thịnh Quang" was 00223, is 00235): one unit of the current
            # list under this name is the successor of the older ones.
            now = {e.code for e in entries if e.current and e.code}
            if len(now) == 1:
                older = sorted(units - now - {None})
                entries = [e for e in entries if e.code in now]
                units = now
        spellings = {e.name for e in entries if e.official}
        spelling = None
        if not keep_printed and len({letters_key(s) for s in spellings}) == 1:
            spelling = min(spellings)
        if len(units) > 1:
            return _Found("ambiguous", entries, _METHOD_SCORE["ambiguous"], spelling)
        if None in units:
            return _Found("former", entries, _METHOD_SCORE["former"])
        if method == "exact" and not any(e.official for e in entries):
            method = "alias"
        score = _METHOD_SCORE.get(method, 0.0) - (0.05 if older else 0.0)
        return _Found(method, entries, score, spelling, tuple(older))
