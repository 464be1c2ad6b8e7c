"""The synthetic document generator (synth/) and the committed sample batch it made."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kernel import civil_id
from kernel.records import FIELD_NAMES
from synth.fonts import fonts_available
from synth.names import NameBook, PersonName
from synth.numwords import WordStyle, date_in_words, number_in_words
from synth.people import make_id_number, make_namesake, make_registration, make_sibling

SAMPLE = Path(__file__).resolve().parents[1] / "sample_scans"
needs_fonts = pytest.mark.skipif(not fonts_available(),
                                 reason="no Vietnamese TrueType font (apt-get install "
                                        "fonts-dejavu-core)")


# --- numbers and dates in words -------------------------------------------------------------

@pytest.mark.parametrize(("day", "words"), [
    (date(2017, 8, 24), "Ngày hai mươi bốn tháng tám năm hai nghìn không trăm mười bảy"),
    (date(1987, 1, 1), "Ngày một tháng một năm một nghìn chín trăm tám mươi bảy"),
    (date(2001, 11, 15), "Ngày mười lăm tháng mười một năm hai nghìn không trăm linh một"),
    (date(1950, 12, 31), "Ngày ba mươi mốt tháng mười hai năm một nghìn chín trăm năm mươi"),
    (date(2005, 10, 21), "Ngày hai mươi mốt tháng mười năm hai nghìn không trăm linh năm"),
    (date(2010, 4, 10), "Ngày mười tháng tư năm hai nghìn không trăm mười"),
    (date(2000, 2, 25), "Ngày hai mươi lăm tháng hai năm hai nghìn"),
    (date(1998, 3, 5), "Ngày năm tháng ba năm một nghìn chín trăm chín mươi tám"),
])
def test_date_in_words(day: date, words: str) -> None:
    assert date_in_words(day) == words


@pytest.mark.parametrize(("n", "style", "words"), [
    (105, WordStyle(), "một trăm linh năm"),
    (105, WordStyle(zero_tens="lẻ"), "một trăm lẻ năm"),
    (2024, WordStyle(four="tư"), "hai nghìn không trăm hai mươi tư"),
    (1015, WordStyle(), "một nghìn không trăm mười lăm"),
    (1100, WordStyle(), "một nghìn một trăm"),
    (0, WordStyle(), "không"),
])
def test_number_in_words(n: int, style: WordStyle, words: str) -> None:
    assert number_in_words(n, style) == words


# --- people and ID numbers ------------------------------------------------------------------

def test_ids_agree_with_kernel_decode() -> None:
    rng = random.Random(11)
    book = NameBook.builtin()
    for _ in range(300):
        reg = make_registration(rng, book)
        person = reg.person
        info = civil_id.decode(person.id_number)
        assert info is not None
        assert info.sex == person.sex
        assert info.birth_year == person.date_of_birth.year
        assert info.province_code == reg.registration_commune.province_code
        assert civil_id.inconsistencies(person.id_number, sex=person.sex,
                                        birth_year=person.date_of_birth.year) == []
    assert make_id_number(rng, "001", "F", 2003)[:6] == "001303"


def test_registrations_are_plausible_and_seeded() -> None:
    book = NameBook.builtin()
    a = make_registration(random.Random(5), book)
    assert a == make_registration(random.Random(5), book)
    rng = random.Random(6)
    for _ in range(200):
        reg = make_registration(rng, book)
        p = reg.person
        assert 1950 <= p.date_of_birth.year <= 2023
        assert 0 <= (reg.registration_date - p.date_of_birth).days <= 60
        assert reg.father is not None and reg.father.name.family == p.name.family
        for parent in (reg.father, reg.mother):
            assert 18 <= p.date_of_birth.year - parent.birth_year <= 40
        assert reg.book_number.endswith(f"/{reg.registration_date.year}")
        assert unicodedata.is_normalized("NFC", p.name.upper) and p.name.upper.isupper()


def test_sibling_and_namesake() -> None:
    rng = random.Random(8)
    book = NameBook.builtin()
    reg = make_registration(rng, book)
    sibling = make_sibling(rng, reg, book)
    assert (sibling.father, sibling.mother) == (reg.father, reg.mother)
    assert sibling.person.name.given != reg.person.name.given
    assert sibling.person.date_of_birth != reg.person.date_of_birth
    namesake = make_namesake(rng, reg, book)
    assert namesake.person.name == reg.person.name
    assert namesake.person.date_of_birth != reg.person.date_of_birth
    assert namesake.mother != reg.mother


def test_shared_name_lists_are_optional(tmp_path: Path) -> None:
    assert NameBook.load(tmp_path).source == "builtin"
    folder = tmp_path / "names" / "duyet_vietnamese-namedb"
    folder.mkdir(parents=True)
    (folder / "boy.txt").write_text("An Khang\nBảo Long\n", encoding="utf-8")
    (folder / "girl.txt").write_text("Ngọc Hân\n", encoding="utf-8")
    book = NameBook.load(tmp_path)
    assert book.source == "duyet_vietnamese-namedb"
    name = book.name(random.Random(1), "F", 2015)
    assert name.given == "Hân"


# --- rendering and files --------------------------------------------------------------------

def _render(seed: int, dpi: int = 100, **kw: object):
    from synth.certificate import render_certificate
    reg = make_registration(random.Random(seed), NameBook.builtin(), **kw)  # type: ignore[arg-type]
    return reg, render_certificate(reg, dpi=dpi, seed=seed)


@needs_fonts
def test_rendered_fields_are_what_a_certificate_says() -> None:
    reg, page = _render(3, year_from=2016)
    image, fields = page
    assert image.size == (827, 1169)  # A4 at 100 dpi
    assert tuple(fields) == FIELD_NAMES
    assert fields["full_name"] == reg.person.name.upper
    assert fields["date_of_birth"] == reg.person.date_of_birth.isoformat()
    assert fields["sex"] in ("M", "F") and fields["nationality"] == "Việt Nam"
    assert fields["id_number"] == reg.person.id_number
    assert fields["book_number"] == reg.book_number
    assert all(v is None or unicodedata.is_normalized("NFC", v) for v in fields.values())
    _, old = _render(3, id_printed=False)
    assert old.fields["id_number"] is None


@needs_fonts
def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    from synth.formats import save_jpeg, save_pdf, save_png, save_tiff
    from synth.scan import ScanParams, degrade

    def write(folder: Path) -> dict[str, str]:
        _, page = _render(4)
        grey = degrade(page.image, ScanParams(rotation_deg=1.5, noise_sigma=2, blur_radius=0.5,
                                              mode="L"), seed=9)
        files = [
            save_png(degrade(page.image, ScanParams(rotation_deg=3, mode="P"), seed=9),
                     folder / "a.png", 100),
            save_jpeg(degrade(page.image, ScanParams(shading=0.1, noise_sigma=2), seed=9),
                      folder / "ảnh.jpg", 100, quality=85),
            save_tiff([degrade(page.image, ScanParams(mode="1"), seed=9)] * 2,
                      folder / "b.tif", 100),
            save_pdf([grey, grey], folder / "c.pdf", 100),
        ]
        return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}

    first, second = write(tmp_path / "1"), write(tmp_path / "2")
    assert first == second
    pdf = (tmp_path / "1" / "c.pdf").read_bytes()
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 2
    assert unicodedata.normalize("NFC", "ảnh.jpg") in os.listdir(tmp_path / "1")


# --- the committed sample batch -------------------------------------------------------------

def _expected() -> list[dict]:
    path = SAMPLE / "expected.jsonl"
    if not path.is_file():
        pytest.skip("sample_scans/expected.jsonl not generated")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _registry() -> dict[str, dict[str, str]]:
    with (SAMPLE / "registry.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["id_number"] for r in rows}) == len(rows)
    return {r["id_number"]: r for r in rows}


def test_sample_expected_agrees_with_registry() -> None:
    expected = _expected()
    registry = _registry()
    assert len(expected) == 6
    assert [(e["source"], e["page"]) for e in expected] == sorted(
        (e["source"], e["page"]) for e in expected)
    for e in expected:
        assert (SAMPLE / "batch" / e["source"]).is_file()
        assert tuple(e["fields"]) == FIELD_NAMES
        row = registry[e["registry_id"]]
        assert row["date_of_birth"] == e["fields"]["date_of_birth"]
        assert row["sex"] == e["fields"]["sex"]
        assert e["fields"]["id_number"] in (None, e["registry_id"])
    assert sum(e["fields"]["id_number"] is None for e in expected) == 1
    names = [unicodedata.normalize("NFC", r["full_name"]) for r in registry.values()]
    assert any(not unicodedata.is_normalized("NFC", r["full_name"]) for r in registry.values())
    assert len(names) != len(set(names))  # the namesake


def test_sample_truth_is_what_the_generator_makes(tmp_path: Path) -> None:
    """The committed registry.csv and expected.jsonl are regenerated exactly (no images)."""
    _expected()
    if not fonts_available():
        pytest.skip("no fonts")
    from synth.fonts import find_fonts
    from synth.sample import PREFERRED_FONT, build_sample
    if find_fonts().family != PREFERRED_FONT:
        pytest.skip(f"the sample was typeset in {PREFERRED_FONT}")
    build_sample(tmp_path, images=False)
    for name in ("registry.csv", "expected.jsonl", "README.md"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


@pytest.mark.tesseract
@needs_fonts
def test_tesseract_reads_back_name_and_id(tmp_path: Path) -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")
    from synth.certificate import render_certificate
    reg = make_registration(random.Random(2), NameBook.builtin(), year_from=2016,
                            id_printed=True)
    # a name without NGUYỄN, which Tesseract's vie model often reads as NGUYÊN
    reg = replace(reg, person=replace(reg.person, name=PersonName("Trần", "Thanh", "Tuyền")))
    image, fields = render_certificate(reg, dpi=300, seed=2)
    png = tmp_path / "page.png"
    image.convert("L").save(png)
    out = subprocess.run(["tesseract", str(png), "-", "-l", "vie", "--psm", "4"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    if out.returncode != 0 and "vie" in out.stderr:
        pytest.skip("tesseract 'vie' language data is missing")
    text = unicodedata.normalize("NFC", out.stdout)
    assert fields["full_name"] == "TRẦN THANH TUYỀN"
    assert fields["full_name"] in text
    assert fields["id_number"] in text
