"""Synthetic dossiers (synth.dossier*): same seed, same bytes; truth that holds together (page
classes, people consistent across documents, planted disagreements recorded, registry rows
for the dossiers' people); the ID card's machine readable zone."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from datetime import date
from pathlib import Path

import pytest

from kernel import civil_id
from kernel.records import DocType
from synth.fonts import fonts_available

needs_fonts = pytest.mark.skipif(not fonts_available(),
                                 reason="no Vietnamese TrueType font (apt-get install "
                                        "fonts-dejavu-core)")
CLASSES = {t.value for t in DocType} - {"unknown"}


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three dossiers, every birth dossier with a planted disagreement, no other documents."""
    from synth.corpus import generate_corpus
    out = tmp_path_factory.mktemp("dossiers")
    generate_corpus(out, docs=0, registry=10, seed=5, difficulty="typical", workers=1,
                    dossiers=3, disagree_rate=1.0)
    return out


@needs_fonts
def test_same_seed_same_bytes(corpus: Path, tmp_path: Path) -> None:
    from synth.corpus import generate_corpus
    again = tmp_path / "again"
    generate_corpus(again, docs=0, registry=10, seed=5, difficulty="typical", workers=2,
                    dossiers=3, disagree_rate=1.0)
    assert _hashes(again) == _hashes(corpus)


@needs_fonts
def test_every_page_has_a_class_and_its_file(corpus: Path) -> None:
    dossiers = _lines(corpus / "dossiers.jsonl")
    assert [d["dossier"] for d in dossiers] == ["D0001", "D0002", "D0003"]
    seen = set()
    for d in dossiers:
        assert d["folder"] == f"dossiers/{d['dossier']}"
        for page in d["pages"]:
            assert page["doc_class"] in CLASSES
            assert page["source"].startswith(d["folder"] + "/")
            assert (corpus / "batch" / page["source"]).is_file()
            seen.add(page["source"])
        if d["manifest"] is not None:
            manifest = json.loads((corpus / "batch" / d["folder"] / "dossier.json").read_text())
            assert manifest == d["manifest"]
            assert set(manifest) == {"dossier_number", "procedure", "office", "received"}
        classes = [p["doc_class"] for p in d["pages"]]
        assert "id_card" in classes  # every procedure copies the requester's card
    on_disk = {str(p.relative_to(corpus / "batch")) for p in (corpus / "batch").rglob("*")
               if p.is_file() and p.name != "dossier.json"}
    assert on_disk == seen


@needs_fonts
def test_truth_records_and_people_agree(corpus: Path) -> None:
    truth = _lines(corpus / "truth.jsonl")
    by_page = {}
    for t in truth:
        by_page.setdefault((t["source"], t["page"]), []).append(t)
    with (corpus / "registry.csv").open(encoding="utf-8", newline="") as fh:
        registry = {r["id_number"]: r for r in csv.DictReader(fh)}
    for d in _lines(corpus / "dossiers.jsonl"):
        people = d["people"]
        for role, person in people.items():
            info = civil_id.decode(person["person_id"])
            assert info is not None and info.sex == person["sex"]
            assert info.birth_year == int(person["date_of_birth"][:4])
            assert (person["registry_id"] in registry) == (person["registry_id"] is not None)
        for page in d["pages"]:
            records = by_page.get((page["source"], page["page"]), [])
            assert len(records) == len(page["records"])
            if page["doc_class"] == "id_card":
                assert [r["row"] for r in records] == list(range(1, len(records) + 1))
                ids = {p["person_id"] for p in people.values()}
                assert all(r["fields"]["id_number"] in ids for r in records)
            if page["doc_class"] in ("blank", "other"):
                assert records == []
        if d["procedure"] != "birth_registration":
            continue
        assert len(d["disagreements"]) == 1  # disagree_rate=1.0
        planted = d["disagreements"][0]
        declared = next(r for p in d["pages"] for r in by_page.get((p["source"], p["page"]), [])
                        if r["doc_type"] == "declaration_form" and r["role"] == "subject")
        certificate = next(r for p in d["pages"] for r in by_page.get((p["source"], p["page"]), [])
                           if r["doc_type"] == "birth_certificate")
        assert certificate["fields"]["full_name"] == people["subject"]["full_name"]
        assert declared["fields"]["full_name"] == people["subject"]["full_name"]
        if planted["kind"] == "subject_date_of_birth":
            assert declared["fields"]["date_of_birth"] == planted["values"]["declaration_form"]
            assert declared["fields"]["date_of_birth"] != certificate["fields"]["date_of_birth"]
        else:
            assert planted["person"] == d["requester"]
            requester = next(r for p in d["pages"] for r in by_page.get((p["source"], p["page"]), [])
                             if r["role"] == "requester")
            field = planted["field"]
            assert requester["fields"][field] == planted["values"]["declaration_form"]
            assert requester["fields"][field] != planted["values"]["id_card"]


@needs_fonts
def test_no_dossiers_leaves_a_corpus_as_it_was(tmp_path: Path) -> None:
    from synth.corpus import generate_corpus
    generate_corpus(tmp_path / "a", docs=4, registry=5, seed=9, difficulty="clean",
                    images=False, workers=1)
    meta = json.loads((tmp_path / "a" / "corpus.json").read_text())
    assert "dossiers" not in meta["parameters"] and "dossiers" not in meta["counts"]
    assert not (tmp_path / "a" / "dossiers.jsonl").exists()


def test_mrz_check_digits_and_reading() -> None:
    from ocr.mrz import check_digit, parse_mrz
    from synth.idcard import CardHolder, mrz_lines

    holder = CardHolder("036185001234", "NGUYỄN THỊ HỒNG NHUNG", date(1985, 3, 12), "F",
                        "Việt Nam", "", "", "", date(2021, 5, 12), date(2025, 3, 12), "cccd2021")
    lines = mrz_lines(holder)
    assert all(len(line) == 30 for line in lines)
    assert check_digit("L898902C3") == "6"  # the ICAO 9303 worked example
    read = parse_mrz([lines[0].replace("0", "O", 2), lines[1], lines[2]])
    assert read is not None and read.id_number == "036185001234"
    assert read.date_of_birth == date(1985, 3, 12) and read.sex == "F"
    assert read.expiry == date(2025, 3, 12) and read.name == "NGUYEN THI HONG NHUNG"
    def digit_changed(line: str, i: int) -> str:
        return line[:i] + ("1" if line[i] != "1" else "2") + line[i + 1:]

    # the last 9 digits are printed twice: one copy misread, the check digit picks the other
    assert parse_mrz([digit_changed(lines[0], 20), lines[1]]).id_number == "036185001234"
    both = digit_changed(digit_changed(lines[0], 20), 7)  # the same digit, both copies
    assert parse_mrz([both, lines[1]]).id_number is None  # fails its check digit


def test_planted_name_and_number_differences_are_one_character() -> None:
    from kernel.vntext import strip_diacritics
    from synth.dossier import digit_off, one_letter_off

    rng = random.Random(3)
    for name in ("NGUYỄN VĂN HÙNG", "TRẦN THỊ LAN", "LÊ MINH ANH"):
        wrong = one_letter_off(rng, name)
        assert wrong != name and len(wrong) == len(name)
        assert strip_diacritics(wrong) == strip_diacritics(name)
    number = "036185001234"
    wrong = digit_off(rng, number)
    assert sum(a != b for a, b in zip(wrong, number)) == 1 and wrong[:6] == number[:6]
