"""Bounded fuzzing (hypothesis) of every parser of outside input: dates in digits and in words,
the ID number repair and decoding, the registry CSV import, and page loading. Each must never
raise an unexpected exception: only a clean ``None`` / a rejected row / ``InputFileError``.

Runs are derandomized (the same examples on every run, so CI is stable) and bounded by
``max_examples``; ``SOHOA_FUZZ_SCALE=10`` (or more) multiplies the budget and draws fresh
examples for a longer local campaign. Crashes found are pinned in ``REGRESSIONS`` below."""

import csv
import datetime as dt
import io
import os
import random

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from kernel import civil_id  # noqa: E402
from kernel.errors import InputFileError, RegistryError  # noqa: E402
from kernel.vndate import parse_date, parse_date_words  # noqa: E402

SCALE = max(1, int(os.environ.get("SOHOA_FUZZ_SCALE", "1")))


def bounded(examples: int):
    return settings(max_examples=examples * SCALE, deadline=None, derandomize=SCALE == 1,
                    database=None, suppress_health_check=list(HealthCheck))


# text the way OCR and registry exports produce it: Vietnamese letters, digits, punctuation,
# and the odd control, combining or exotic character
VN = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
ocr_text = st.text(alphabet=st.sampled_from(list(VN + VN.upper() + "0123456789 ./-,:;()'\"\n\t"
                                                 "OoIlSZBgq|\u0300\u0301\u0303\u0309\u0323\x00"
                                                 "\ufeff\u200b٣")), max_size=60) | st.text(max_size=40)
DATE_WORDS = ("ngày tháng năm một hai ba bốn năm sáu bảy tám chín mười mươi mốt lăm tư "
              "trăm nghìn ngàn linh lẻ không hai mươi chín").split()
date_words = st.lists(st.sampled_from(DATE_WORDS) | st.text(max_size=6), max_size=20).map(" ".join)


@bounded(400)
@given(ocr_text)
def test_parse_date_never_raises(text):
    value = parse_date(text)
    assert value is None or isinstance(value, dt.date)


@bounded(300)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(["{d:02d}/{m:02d}/{y}", "{d}/{m}/{y}", "{d:02d}-{m:02d}-{y}",
                        "{d:02d}.{m:02d}.{y}"]))
def test_parse_date_reads_back_every_printed_date(date, pattern):
    assert parse_date(pattern.format(d=date.day, m=date.month, y=date.year)) == date


@bounded(400)
@given(date_words | ocr_text)
def test_parse_date_words_never_raises(text):
    value = parse_date_words(text)
    assert value is None or isinstance(value, dt.date)


@bounded(500)
@given(ocr_text | st.from_regex(r"[0-9OoIlSB .\-]{9,16}", fullmatch=True))
def test_civil_id_repair_and_decode_never_raise(text):
    fixed = civil_id.repair(text)
    assert fixed is None or (fixed.isascii() and fixed.isdigit() and len(fixed) in (9, 12))
    info = civil_id.decode(text)
    assert info is None or info.number == text
    if fixed and len(fixed) == 12:
        assert civil_id.decode(fixed) is not None or fixed == "".join(
            c for c in text if c not in " .-\t\n\r\x0b\x0c")
    masked = civil_id.mask(text)
    assert not text or len(text) <= 6 or text not in masked


# --- the registry CSV import ---------------------------------------------------------------
COLUMNS = ["id_number", "full_name", "date_of_birth", "sex", "place_of_birth", "hometown",
           "ethnicity", "father_name", "mother_name", "permanent_address"]
cell = (st.from_regex(r"0[0-9]{11}", fullmatch=True) | st.from_regex(r"\d{4}-\d\d-\d\d",
                                                                      fullmatch=True)
        | st.sampled_from(["M", "F", "", "Kinh", "NGUYỄN VĂN AN", "Hà Nội", "1990-02-30"])
        | ocr_text)
row = st.lists(cell, min_size=0, max_size=12)
header = st.sampled_from([COLUMNS, list(reversed(COLUMNS)), COLUMNS[:5], COLUMNS + ["extra"],
                          ["\ufeffid_number"] + COLUMNS[1:]]) | st.lists(st.text(max_size=8),
                                                                         max_size=11)


def _csv_text(head, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(rows)
    return out.getvalue()


@bounded(25)
@given(head=header, rows=st.lists(row, max_size=8), raw_tail=st.binary(max_size=40),
       mangle=st.booleans())
def test_registry_import_rejects_bad_rows_without_crashing(tmp_path_factory, head, rows, raw_tail,
                                                          mangle):
    from matching.registry import RegistryStore

    folder = tmp_path_factory.mktemp("fuzzreg")
    data = _csv_text(head, rows).encode("utf-8", "surrogatepass")
    if mangle:
        data += raw_tail  # invalid UTF-8, NULs, a half row at the end
    path = folder / "registry.csv"
    path.write_bytes(data)
    with RegistryStore(f"sqlite:///{folder / 'r.sqlite'}") as store:
        try:
            report = store.import_csv(path)
        except RegistryError as exc:  # an unreadable file: a clear message, nothing stored
            assert exc.message
            assert store.count() == 0
            return
        assert store.count() == report.inserted
        assert all(line >= 1 and reason for line, reason in report.errors)


# --- page loading ------------------------------------------------------------------------
def _seeds() -> dict[str, bytes]:
    from PIL import Image

    img = Image.new("L", (64, 90), 255)
    img.paste(0, (8, 20, 56, 26))
    out = {}
    for fmt, kw in (("PNG", {}), ("JPEG", {"quality": 80}), ("TIFF", {}),
                    ("TIFF", {"compression": "tiff_lzw"}), ("PDF", {"resolution": 72})):
        buf = io.BytesIO()
        (img.convert("RGB") if fmt == "PDF" else img).save(buf, format=fmt, **kw)
        out[f"{fmt}-{len(out)}"] = buf.getvalue()
    return out


SEEDS = _seeds()


def _mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    b = bytearray(data)
    for kind, pos, value in ops:
        if not b:
            break
        pos %= len(b)
        if kind == 0:
            b[pos] = value
        elif kind == 1:
            del b[pos:pos + 1 + value % 64]
        elif kind == 2:
            b[pos:pos] = bytes([value]) * (1 + value % 16)
        else:
            b = b[:pos]  # truncate
    return bytes(b)


mutation = st.tuples(st.integers(0, 3), st.integers(0, 2**31), st.integers(0, 255))


def _load(tmp, data: bytes, suffix: str):
    from ocr.pages import split_pages

    src = tmp / f"fuzz{suffix}"
    src.write_bytes(data)
    try:
        pages = split_pages(src, tmp / "out", max_pixels=4_000_000, max_pages=5, pdf_dpi=72)
    except InputFileError as exc:
        assert exc.reason and exc.message.startswith(src.name) and exc.hint
        return None
    assert 1 <= len(pages) <= 5 and all(p.path.exists() for p in pages)
    return pages


@bounded(120)
@given(seed=st.sampled_from([k for k in SEEDS if not k.startswith("PDF")]),
       ops=st.lists(mutation, min_size=1, max_size=6))
def test_mutated_images_load_or_fail_cleanly(tmp_path_factory, seed, ops):
    _load(tmp_path_factory.mktemp("fuzzimg"), _mutate(SEEDS[seed], ops), ".png")


@bounded(25)
@given(ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_pdfs_load_or_fail_cleanly(tmp_path_factory, ops):
    pdf = next(v for k, v in SEEDS.items() if k.startswith("PDF"))
    _load(tmp_path_factory.mktemp("fuzzpdf"), _mutate(pdf, ops), ".pdf")


@bounded(60)
@given(st.binary(max_size=300), st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff",
                                                 b"II*\x00", b"MM\x00*", b"%PDF-1.4\n"]))
def test_random_bytes_behind_a_magic_number_fail_cleanly(tmp_path_factory, tail, magic):
    _load(tmp_path_factory.mktemp("fuzzraw"), magic + tail, ".bin")


def test_random_mutations_beyond_hypothesis_are_bounded_too(tmp_path):
    """A plain seeded loop (no shrinking): 60 more mutants of every image seed."""
    rng = random.Random(20261121)
    for name, data in SEEDS.items():
        if name.startswith("PDF"):
            continue
        for i in range(60):
            ops = [(rng.randrange(4), rng.randrange(2**31), rng.randrange(256))
                   for _ in range(rng.randrange(1, 5))]
            folder = tmp_path / f"{name}-{i}"
            folder.mkdir()
            _load(folder, _mutate(data, ops), ".img")


# --- crashes the fuzzing found, pinned ---------------------------------------------------
def test_regression_tiff_directory_without_a_width_is_corrupt_not_a_crash(tmp_path):
    """Found by test_mutated_images_load_or_fail_cleanly (seed TIFF, ops=[(2, 82, 3)]): Pillow
    raised TypeError('Missing dimensions'), which escaped split_pages and would have failed
    the ingest task instead of quarantining the file."""
    from ocr.pages import split_pages

    src = tmp_path / "mutant.tif"
    src.write_bytes(_mutate(SEEDS["TIFF-2"], [(2, 82, 3)]))
    with pytest.raises(InputFileError) as info:
        split_pages(src, tmp_path / "out", max_pixels=4_000_000, max_pages=5, pdf_dpi=72)
    assert info.value.reason == "corrupt" and "mutant.tif" in info.value.message


@pytest.mark.parametrize("text,want", [("٣٣٣٣٣٣٣٣٣", "333333333"),
                                       ("001３17595701", "001317595701"),
                                       ("²²²²²²²²²", None)])
def test_regression_id_numbers_are_ascii_digits(text, want):
    """Found by test_civil_id_repair_and_decode_never_raise: repair() returned other-script
    digits ('٣٣٣٣٣٣٣٣٣') as an ID number and decode() accepted '001３17595701'."""
    assert civil_id.repair(text) == want
    assert civil_id.decode("001３17595701") is None
