"""A linked registry entry as a second reading of the names on the page.

OCR's worst slips on names are tone and vowel marks (HIẾU read as HIỂU) that leave a real
syllable, with a high confidence: no lexicon can catch them. Once a record is linked to a
registry entry by its other fields, the registry's spelling of the same names is independent
evidence: the same letters and marks confirm the reading (auto); the same letters with other
marks send it to review, saying so; anything else is left as it was.
"""

from __future__ import annotations

from kernel.records import FieldStatus, FieldValue
from kernel.vntext import ascii_key, canonical_text
from matching.person import RegistryPerson

CONFIRMED_CONFIDENCE = 0.97
NAME_SOURCES = {"full_name": "full_name", "father_name": "father_name",
                "mother_name": "mother_name"}


def confirm_names(fields: dict[str, FieldValue], person: RegistryPerson) -> dict[str, FieldValue]:
    out = dict(fields)
    for field, attribute in NAME_SOURCES.items():
        read, registered = fields.get(field), getattr(person, attribute, None)
        if read is None or not read.value or not registered:
            continue
        if canonical_text(read.value) == canonical_text(registered):
            out[field] = read.model_copy(update={
                "status": FieldStatus.AUTO, "reasons": (),
                "confidence": max(read.confidence, CONFIRMED_CONFIDENCE)})
        elif ascii_key(read.value) == ascii_key(registered):
            out[field] = read.model_copy(update={
                "status": FieldStatus.REVIEW, "confidence": min(read.confidence, 0.5),
                "reasons": tuple(dict.fromkeys((*read.reasons, "registry_marks_differ")))})
    return out
