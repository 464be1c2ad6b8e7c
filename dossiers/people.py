"""The people of a dossier: who, across its documents, is the same person.

Every record names one person (its holder: the card holder, the declaration's requester or
subject, the certificate's child, a spouse, the deceased); a birth certificate or a
declaration's subject also names the parents (name and birth year). Each such naming is a
*mention*. Mentions are joined into people:

- the same valid 12-digit ID number: the same person;
- near-equal names (one or two letters apart, tones ignored) with no contradicting birth
  year (more than two years apart means another person: a mother is not her daughter);
- a declaration's subject and the child of the dossier's birth certificate or extract are
  the same person by what the dossier is (a birth registration), with a looser name bound.

Two mentions of one record, or two roles of one declaration (but the requester, who may be
the father or the mother named on it), are never the same person.
Joining is deliberately generous: a wrong join turns into a disagreement that a person
looks at, a missed join into a silent gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kernel.civil_id import decode
from kernel.records import DocType, ExtractedRecord, FieldValue
from kernel.vntext import ascii_key, canonical_text

NAME_JOIN = 88.0  # rapidfuzz ratio of the names without tones
SUBJECT_JOIN = 75.0  # declaration subject vs the certificate's child
YEARS_APART = 2


@dataclass(frozen=True)
class Document:
    """One page's record, as the dossier sees it."""

    index: int  # position in the dossier's record list
    source: str
    page: int
    doc_type: DocType
    role: str | None
    row: int | None
    fields: dict[str, FieldValue]

    def label(self) -> str:
        who = f" ({self.role})" if self.role else ""
        return f"{self.source} p.{self.page}{who}"

    @classmethod
    def of(cls, index: int, source: str, page: int, record: ExtractedRecord) -> "Document":
        return cls(index, source, page, record.doc_type, record.role, record.row,
                   dict(record.fields))


@dataclass(frozen=True)
class Mention:
    doc: Document
    prefix: str  # "" for the record's holder, "father_" / "mother_" for a parent named on it

    @property
    def holder(self) -> bool:
        return self.prefix == ""

    def value(self, name: str) -> str | None:
        """``full_name``, ``date_of_birth``, ``birth_year``, ``sex``, ``id_number``."""
        if self.prefix:
            key = {"full_name": f"{self.prefix}name",
                   "birth_year": f"{self.prefix}birth_year"}.get(name)
        elif name == "birth_year":
            dob = self.value("date_of_birth")
            return dob[:4] if dob else None
        else:
            key = name
        fv = self.doc.fields.get(key) if key else None
        return fv.value if fv is not None and fv.value else None

    def field(self, name: str) -> FieldValue | None:
        key = {"full_name": f"{self.prefix}name", "birth_year": f"{self.prefix}birth_year"}.get(
            name) if self.prefix else name
        return self.doc.fields.get(key) if key else None

    def birth_year(self) -> int | None:
        text = self.value("birth_year")
        return int(text) if text and text.isdigit() else None

    def valid_id(self) -> str | None:
        number = self.value("id_number")
        return number if number and len(number) == 12 and decode(number) else None


@dataclass
class Person:
    key: str  # P1, P2 ... in order of first mention
    mentions: list[Mention] = field(default_factory=list)

    def documents(self) -> list[Document]:
        seen: dict[int, Document] = {}
        for m in self.mentions:
            seen.setdefault(m.doc.index, m.doc)
        return list(seen.values())


def mentions_of(doc: Document) -> list[Mention]:
    found = [Mention(doc, "")] if doc.fields.get("full_name") and doc.fields[
        "full_name"].value else []
    if doc.doc_type in (DocType.BIRTH_CERTIFICATE, DocType.BIRTH_REGISTER) or (
            doc.doc_type is DocType.DECLARATION_FORM and doc.role == "subject"):
        for prefix in ("father_", "mother_"):
            fv = doc.fields.get(f"{prefix}name")
            if fv is not None and fv.value:
                found.append(Mention(doc, prefix))
    return found


def name_key(text: str | None) -> str:
    return ascii_key(canonical_text(text)) if text else ""


def _is_child_of_birth_doc(m: Mention) -> bool:
    return m.holder and m.doc.doc_type in (DocType.BIRTH_CERTIFICATE, DocType.BIRTH_REGISTER)


def _is_subject(m: Mention) -> bool:
    return m.holder and m.doc.doc_type is DocType.DECLARATION_FORM and m.doc.role == "subject"


def _never_same(a: Mention, b: Mention) -> bool:
    if a.doc.index == b.doc.index:
        return True  # two people of one record
    same_page = (a.doc.source, a.doc.page, a.doc.doc_type) == (b.doc.source, b.doc.page,
                                                                 b.doc.doc_type)
    if not (same_page and a.doc.doc_type is DocType.DECLARATION_FORM and a.doc.role != b.doc.role):
        return False
    # the requester is often the father or the mother named on the same form
    return {a.doc.role, b.doc.role} not in ({"requester", "father"}, {"requester", "mother"})


def _years_agree(a: Mention, b: Mention) -> bool:
    ya, yb = a.birth_year(), b.birth_year()
    return ya is None or yb is None or abs(ya - yb) <= YEARS_APART


def same_person(a: Mention, b: Mention) -> bool:
    if _never_same(a, b):
        return False
    ida, idb = a.valid_id(), b.valid_id()
    if ida and idb:
        if ida == idb:
            return True
    na, nb = name_key(a.value("full_name")), name_key(b.value("full_name"))
    if not na or not nb:
        return False
    score = fuzz.ratio(na, nb)
    if (_is_subject(a) and _is_child_of_birth_doc(b)) or (_is_subject(b) and
                                                          _is_child_of_birth_doc(a)):
        return score >= SUBJECT_JOIN
    return score >= NAME_JOIN and _years_agree(a, b) and not (ida and idb and ida != idb
                                                              and score < 100)


def group_people(docs: list[Document]) -> list[Person]:
    """Union of mentions that are the same person (see the module's rules)."""
    mentions = [m for d in docs for m in mentions_of(d)]
    parent = list(range(len(mentions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(mentions):
        for j in range(i + 1, len(mentions)):
            if find(i) != find(j) and same_person(a, mentions[j]) and not _splits_a_record(
                    find(i), find(j), mentions, find):
                parent[find(j)] = find(i)
    people: dict[int, Person] = {}
    for i, m in enumerate(mentions):
        root = find(i)
        if root not in people:
            people[root] = Person(f"P{len(people) + 1}")
        people[root].mentions.append(m)
    return list(people.values())


def _splits_a_record(ra: int, rb: int, mentions: list[Mention], find) -> bool:
    """Joining two groups must not put two people of one record into one person."""
    docs_a = {m.doc.index for i, m in enumerate(mentions) if find(i) == ra}
    docs_b = {m.doc.index for i, m in enumerate(mentions) if find(i) == rb}
    return bool(docs_a & docs_b)
