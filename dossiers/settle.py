"""A dossier's records settled together: its people, the cross-document checks, the fields
those checks changed, and one body of evidence per person for matching to the registry.

Matching a person once with everything the dossier says of them is stronger than matching
each page alone: the ID number from the card copy, the parents' names from the declaration,
the place of birth from the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kernel.records import FieldStatus, FieldValue
from dossiers.checks import Check, check_person
from dossiers.people import Document, Mention, Person, group_people

MATCH_FIELDS = ("full_name", "date_of_birth", "sex", "id_number", "father_name", "mother_name",
                "place_of_birth", "hometown", "ethnicity", "father_birth_year",
                "mother_birth_year")


@dataclass
class Settled:
    people: list[Person]
    checks: list[Check]
    fields: dict[int, dict[str, FieldValue]]  # document index -> fields after the checks
    holder: dict[int, str] = field(default_factory=dict)  # document index -> person key
    evidence: dict[str, dict[str, str | None]] = field(default_factory=dict)  # person -> fields

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def _rank(fv: FieldValue) -> tuple[int, float]:
    return (fv.status is FieldStatus.AUTO, fv.confidence)


def evidence(person: Person, fields: dict[int, dict[str, FieldValue]]) -> dict[str, str | None]:
    """Each matching field from the document that read it best (auto first, then confidence),
    among the documents where this person is the holder."""
    best: dict[str, FieldValue] = {}
    for m in person.mentions:
        if not m.holder:
            continue
        for name in MATCH_FIELDS:
            fv = fields[m.doc.index].get(name)
            if fv is not None and fv.value and (name not in best or _rank(fv) > _rank(best[name])):
                best[name] = fv
    return {name: fv.value for name, fv in best.items()}


def settle(docs: list[Document]) -> Settled:
    people = group_people(docs)
    fields = {d.index: dict(d.fields) for d in docs}
    checks: list[Check] = []
    for person in people:
        found, changed = check_person(person)
        checks.extend(found)
        for (index, name), fv in changed.items():
            fields[index][name] = fv
    settled = Settled(people, checks, fields)
    for person in people:
        holders: list[Mention] = [m for m in person.mentions if m.holder]
        for m in holders:
            settled.holder[m.doc.index] = person.key
        if holders:
            settled.evidence[person.key] = evidence(person, fields)
    return settled
