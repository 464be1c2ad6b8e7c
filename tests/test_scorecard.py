"""The scorecard's arithmetic on hand-made cases."""

import json

import pytest

from evaluation.scorecard import score, score_files


def truth(source, page, fields, registry_id, row=None, doc_type="birth_certificate"):
    return {"source": source, "page": page, "row": row, "role": None, "doc_type": doc_type,
            "fields": fields, "registry_id": registry_id}


def record(source, page, fields, decision, registry_id=None, row=None):
    return {"source": source, "page": page, "row": row,
            "fields": {k: {"value": v, "confidence": 0.9, "status": s} for k, (v, s) in fields.items()},
            "match": {"decision": decision, "registry_id": registry_id, "score": 0.9, "candidates": []}}


TRUTH = [
    truth("a.pdf", 1, {"full_name": "NGUYỄN THỊ HOÀ", "sex": "F", "id_number": None}, "001"),
    truth("a.pdf", 2, {"full_name": "TRẦN VĂN AN", "sex": "M", "id_number": "0123"}, "002"),
    truth("b.png", 1, {"full_name": "LÊ VĂN BA", "sex": "M", "id_number": None}, None),
    truth("c.tif", 1, {"full_name": "PHẠM THỊ TƯ", "sex": "F", "id_number": None}, "004"),
]
RECORDS = [
    # tone placement and case differ: still right; all three fields right
    record("a.pdf", 1, {"full_name": ("Nguyễn Thị Hòa", "auto"), "sex": ("F", "auto"),
                        "id_number": (None, "auto")}, "matched", "001"),
    # name wrong (auto!), id wrong (review); wrong link
    record("a.pdf", 2, {"full_name": ("TRẦN VĂN AM", "auto"), "sex": ("M", "auto"),
                        "id_number": ("0128", "review")}, "matched", "009"),
    # person absent from registry, correctly no match; sex missing
    record("b.png", 1, {"full_name": ("LÊ VĂN BA", "review"), "id_number": (None, "auto")},
           "no_match"),
    # c.tif page 1 missed; an extra record instead
    record("c.tif", 2, {"full_name": ("X", "auto")}, "review"),
]


def test_field_accuracy_cer_and_auto_errors():
    card = score(TRUTH, RECORDS)
    assert card.truth_records == 4 and card.records == 4
    assert card.missed == 1 and card.extra == 1
    # 12 truth fields: right = 3 (a1) + 1 (a2 sex) + 2 (b1 name, id) + 1 (c1 id null) = 7
    assert card.overall.total == 12 and card.overall.right == 7
    assert card.overall.accuracy == pytest.approx(7 / 12)
    # auto fields: a1 x3, a2 name+sex, b1 id -> 6, of which 1 wrong (a2 name)
    assert card.overall.auto == 6 and card.overall.auto_wrong == 1
    assert card.per_field["full_name"].accuracy == pytest.approx(2 / 4)
    assert card.per_field["sex"].accuracy == pytest.approx(2 / 4)
    # CER of full_name: 0 + 1 ('AM' vs 'AN') + 0 + 11 (missed: whole name) over 14+11+9+11 chars
    fn = card.per_field["full_name"]
    assert fn.char_errors == 1 + len("PHẠM THỊ TƯ")
    assert fn.chars == len("NGUYỄN THỊ HOÀ") + len("TRẦN VĂN AN") + len("LÊ VĂN BA") + len("PHẠM THỊ TƯ")


def test_link_precision_recall_and_review():
    card = score(TRUTH, RECORDS)
    assert card.links_made == 2 and card.right_links == 1 and card.wrong_links == 1
    assert card.linkable == 3
    assert card.precision == pytest.approx(0.5) and card.recall == pytest.approx(1 / 3)
    assert card.no_match == 1 and card.match_review == 0
    d = card.as_dict()
    assert d["matching"]["precision"] == 0.5 and d["missed"] == 1


def test_perfect_run_scores_perfectly(tmp_path):
    perfect = [record(t["source"], t["page"], {k: (v, "auto") for k, v in t["fields"].items()},
                      "matched" if t["registry_id"] else "no_match", t["registry_id"]) for t in TRUTH]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(t) + "\n" for t in TRUTH))
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in perfect))
    card = score_files(tmp_path / "t.jsonl", tmp_path / "r.jsonl")
    assert card.overall.accuracy == 1.0 and card.overall.cer == 0.0
    assert card.precision == 1.0 and card.recall == 1.0 and card.overall.auto_error_rate == 0.0
    assert card.missed == card.extra == 0


def test_nfd_sources_pair_with_nfc():
    import unicodedata
    t = [truth("chụp.jpg", 1, {"sex": "F"}, None)]
    r = [record(unicodedata.normalize("NFD", "chụp.jpg"), 1, {"sex": ("F", "auto")}, "no_match")]
    assert score(t, r).missed == 0
