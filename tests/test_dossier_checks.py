"""Dossiers without OCR: which files make a dossier, who is the same person across its
documents, and the cross-document checks (hand-made records, each case built to fail one way)."""

import json

import pytest

from dossiers.checks import check_person
from dossiers.packets import find_dossiers
from dossiers.people import Document, group_people
from dossiers.settle import settle
from kernel.records import DocType, ExtractedRecord, FieldStatus, FieldValue

CHILD = {"full_name": "NGUYỄN THỊ HOÀ", "date_of_birth": "2025-03-14", "sex": "F",
         "father_name": "NGUYỄN VĂN AN", "father_birth_year": "1990",
         "mother_name": "TRẦN THỊ HOA", "mother_birth_year": "1993"}
MOTHER_ID = "001193012345"  # 001 Hà Nội, 1 = female born 1900s, 93


def fv(value, status=FieldStatus.AUTO, confidence=0.95, reasons=()):
    return FieldValue(value=value, confidence=confidence, status=status, reasons=reasons)


def doc(index, source, doc_type, role=None, page=1, **values):
    fields = {k: v if isinstance(v, FieldValue) else fv(v) for k, v in values.items()}
    return Document.of(index, source, page, ExtractedRecord(doc_type=doc_type, fields=fields,
                                                             role=role))


def birth_dossier(cert=None, subject=None, card=None, requester=None):
    """A birth-registration dossier: declaration (requester + subject), the mother's ID card,
    the birth certificate. Keyword dicts override one document's fields."""
    return [
        doc(0, "to_khai.png", DocType.DECLARATION_FORM, "requester",
            **{"full_name": "TRẦN THỊ HOA", "date_of_birth": "1993-05-02",
               "id_number": MOTHER_ID, "relationship": "mẹ", **(requester or {})}),
        doc(1, "to_khai.png", DocType.DECLARATION_FORM, "subject",
            **{**CHILD, **(subject or {})}),
        doc(2, "cccd.png", DocType.ID_CARD, "card",
            **{"full_name": "TRẦN THỊ HOA", "date_of_birth": "1993-05-02", "sex": "F",
               "id_number": MOTHER_ID, **(card or {})}),
        doc(3, "giay_khai_sinh.pdf", DocType.BIRTH_CERTIFICATE, None,
            **{**CHILD, **(cert or {})}),
    ]


def people_by_holder(docs):
    people = group_people(docs)
    return sorted(sorted((m.doc.index, m.prefix) for m in p.mentions) for p in people)


def test_a_consistent_dossier_has_two_people_and_every_check_passes():
    docs = birth_dossier()
    groups = people_by_holder(docs)
    # the mother: requester, card, the certificate's and the declaration's mother
    assert [(0, ""), (1, "mother_"), (2, ""), (3, "mother_")] in groups
    assert [(1, ""), (3, "")] in groups  # the child
    assert [(1, "father_"), (3, "father_")] in groups  # the father, named twice
    assert len(groups) == 3
    settled = settle(docs)
    assert settled.checks and all(c.passed for c in settled.checks)
    assert {c.attribute for c in settled.checks} == {"full_name", "date_of_birth", "sex",
                                                     "id_number"}
    assert settled.evidence[settled.holder[2]]["id_number"] == MOTHER_ID


@pytest.mark.parametrize("where, change, attribute, field", [
    ("cert", {"date_of_birth": "2025-03-19"}, "date_of_birth", "date_of_birth"),
    ("subject", {"full_name": "NGUYỄN THỊ HOÈ"}, "full_name", "full_name"),  # one letter
    ("card", {"date_of_birth": "1994-05-02"}, "date_of_birth", "date_of_birth"),
    ("cert", {"sex": "M"}, "sex", "sex"),
    ("requester", {"id_number": "001193012354"}, "id_number", "id_number"),
    ("requester", {"id_number": "001993012345"}, "id_number", "id_number"),  # not even valid
    ("cert", {"mother_birth_year": "1994"}, "date_of_birth", "mother_birth_year"),
])
def test_a_planted_disagreement_is_caught_and_names_both_documents(where, change, attribute,
                                                                  field):
    docs = birth_dossier(**{where: change})
    changed_doc = {"requester": 0, "subject": 1, "card": 2, "cert": 3}[where]
    settled = settle(docs)
    failed = settled.failed()
    assert [c.attribute for c in failed] == [attribute]
    touched = settled.fields[changed_doc][field]
    assert touched.status is FieldStatus.REVIEW
    reason = next(r for r in touched.reasons if r.startswith("dossier_disagrees"))
    assert reason.startswith(f"dossier_disagrees:{attribute}:")
    other_label = reason.split(":", 2)[2]
    assert other_label != docs[changed_doc].label()
    assert other_label in failed[0].documents and docs[changed_doc].label() in failed[0].documents


def test_tone_placement_and_case_are_not_disagreements():
    docs = birth_dossier(cert={"full_name": "Nguyễn Thị Hòa"})  # hòa vs hoà
    assert all(c.passed for c in settle(docs).checks)


def test_a_mother_and_daughter_with_near_names_are_two_people():
    docs = [doc(0, "a.png", DocType.ID_CARD, "card", full_name="NGUYỄN THỊ HOA",
                date_of_birth="1968-01-01"),
            doc(1, "b.png", DocType.BIRTH_CERTIFICATE, full_name="NGUYỄN THỊ HOÀ",
                date_of_birth="1994-02-02")]
    assert len(group_people(docs)) == 2
    assert settle(docs).checks == []


def test_two_people_of_one_record_are_never_joined():
    same = doc(0, "a.png", DocType.BIRTH_CERTIFICATE, full_name="LÊ VĂN AN",
               father_name="LÊ VĂN AN", father_birth_year="2000", date_of_birth="2001-01-01")
    assert len(group_people([same])) == 2


def test_agreement_on_another_document_confirms_a_low_confidence_reading():
    weak = fv(MOTHER_ID, FieldStatus.REVIEW, 0.6, ("low_ocr_confidence",))
    docs = birth_dossier(card={"id_number": weak})
    settled = settle(docs)
    assert settled.fields[2]["id_number"].status is FieldStatus.AUTO
    # a reading held back for a failed check is not overruled by agreement
    flagged = fv(MOTHER_ID, FieldStatus.REVIEW, 0.9, ("id_contradicts_sex",))
    settled = settle(birth_dossier(card={"id_number": flagged}))
    assert settled.fields[2]["id_number"].status is FieldStatus.REVIEW


def test_checks_of_one_person_seen_once_are_none():
    docs = [doc(0, "a.png", DocType.ID_CARD, "card", full_name="PHẠM VĂN BÌNH",
                id_number="079090001234", date_of_birth="1990-01-01")]
    person = group_people(docs)[0]
    assert check_person(person) == ([], {})


def write(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_dossiers_are_folders_with_a_manifest_or_every_top_level_entry(tmp_path):
    batch = tmp_path / "batch"
    write(batch / "HS1" / "dossier.json", json.dumps(
        {"dossier_number": "HS-2026-7", "procedure": "Đăng ký khai sinh",
         "date": "02/11/2026"}).encode())
    for name in ("HS1/to_khai.png", "HS1/sub/cccd.png", "HS2/a.png", "loose.pdf"):
        write(batch / name)
    sources = ["HS1/sub/cccd.png", "HS1/to_khai.png", "HS2/a.png", "loose.pdf"]
    packets = find_dossiers(batch, sources, every_top_level=False)
    assert [(d.dossier_id, d.root, d.sources) for d in packets.dossiers] == [
        ("HS-2026-7", "HS1", ("HS1/sub/cccd.png", "HS1/to_khai.png"))]
    assert packets.dossiers[0].manifest.date == "2026-11-02"
    every = find_dossiers(batch, sources, every_top_level=True)
    assert [(d.dossier_id, d.sources) for d in every.dossiers] == [
        ("HS-2026-7", ("HS1/sub/cccd.png", "HS1/to_khai.png")), ("HS2", ("HS2/a.png",)),
        ("loose.pdf", ("loose.pdf",))]
    assert not every.problems


@pytest.mark.parametrize("content, why", [
    (b"{not json", "not valid JSON"), (b"\xff\xfe", "not UTF-8"), (b"[1, 2]", "not a JSON object"),
    (b'{"date": "yesterday"}', "is not a date"), (b'{"dossier_number": {"a": 1}}', "wrong kind"),
])
def test_a_bad_manifest_is_reported_and_the_dossier_still_taken(tmp_path, content, why):
    batch = tmp_path / "batch"
    write(batch / "HS9" / "dossier.json", content)
    write(batch / "HS9" / "p.png")
    packets = find_dossiers(batch, ["HS9/p.png"], every_top_level=False)
    assert [(d.dossier_id, d.manifest) for d in packets.dossiers] == [("HS9", None)]
    assert len(packets.problems) == 1 and why in packets.problems[0].message
    assert packets.problems[0].message.startswith("HS9/dossier.json:")


def test_the_requester_may_be_the_father_named_on_the_same_declaration():
    father = {"full_name": "HẦU VĂN ĐẠT", "date_of_birth": "1984-07-03",
              "id_number": "011084555812"}
    docs = [doc(0, "tk.tif", DocType.DECLARATION_FORM, "requester", **father),
            doc(1, "tk.tif", DocType.DECLARATION_FORM, "father", **father),
            doc(2, "tk.tif", DocType.DECLARATION_FORM, "subject", **CHILD)]
    groups = people_by_holder(docs)
    assert [(0, ""), (1, "")] in groups
    assert [(2, "")] in groups  # the subject never joins another role of its form
