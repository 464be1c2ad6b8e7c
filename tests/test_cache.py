"""The OCR page cache (ocr/cache.py): a re-run reads no page again and exports the same bytes;
extraction settings apply to cached pages; OCR settings miss; damaged or half-written entries
are ignored and written again; tesseract crashes are retried once, timeouts are not; the
`sohoa cache` commands. Tesseract calls are counted by a spy around the real function."""

import json
import os
import subprocess
import time
from dataclasses import fields
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import SAMPLE

pytestmark = [pytest.mark.tesseract]


@pytest.fixture
def tesseract_calls(monkeypatch):
    """Counts tesseract runs; each call still runs the real tesseract."""
    import ocr.page

    calls = []
    real = ocr.page.recognize

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(ocr.page, "recognize", counting)
    return calls


@pytest.fixture
def small_page(tmp_path):
    """A small printed page (two lines of Vietnamese): tesseract reads it in a fraction of a
    second."""
    path = tmp_path / "work" / "page-src.png"
    path.parent.mkdir(parents=True)
    img = Image.new("L", (1100, 260), 255)
    draw = ImageDraw.Draw(img)
    font = _font(40)
    draw.text((40, 40), "GIẤY KHAI SINH", font=font, fill=0)
    draw.text((40, 140), "Họ, chữ đệm, tên: Nguyễn Văn An", font=font, fill=0)
    img.save(path, dpi=(300, 300))
    return path


def _font(size):
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                      "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"):
        if os.path.exists(candidate):
            return ImageFont.truetype(candidate, size)
    pytest.skip("no TrueType font with Vietnamese letters (fonts-dejavu-core)")


def _options(**changes):
    from kernel.places import Gazetteer

    options = dict(dpi=300, lang="vie", timeout_s=60.0, auto_min=0.8, structured_auto_min=0.6,
                   gazetteer=Gazetteer.load(None), lexicon=None)
    options.update(changes)
    return options


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("??/*") if p.is_dir() and not p.name.startswith("."))


# --- the batch flow, run again --------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two synthetic documents (a boxed birth form, a marriage certificate): both pages hold
    ruled tables, so extraction from the cache needs the cached tables."""
    from synth.corpus import generate_corpus
    from synth.fonts import fonts_available

    if not fonts_available():
        pytest.skip("no TrueType font covering Vietnamese")
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, docs=2, registry=20, seed=1, difficulty="typical", workers=1)
    return out


def _run(corpus, data, export, **overrides):
    from flows.batch import run_batch
    from kernel.settings import Settings
    from matching.registry import RegistryStore

    settings = {"data_dir": str(data), "ocr_workers": 2, **overrides}
    if not (data / "registry.sqlite").exists():
        with RegistryStore(Settings(**settings).registry_url) as store:
            assert not store.import_csv(corpus / "registry.csv").errors
    report = run_batch(corpus / "batch", export=export, overrides=settings)
    assert report.ok, report
    return report


@pytest.mark.flow
def test_rerun_reads_no_page_again_and_exports_the_same_bytes(prefect_harness, corpus, tmp_path,
                                                               tesseract_calls):
    data = tmp_path / "data"
    first = _run(corpus, data, tmp_path / "first.jsonl")
    assert first.pages == 2 and first.records >= 2
    assert len(tesseract_calls) == first.pages
    assert len(_entries(data / "cache" / "ocr")) == first.pages

    tesseract_calls.clear()
    _run(corpus, data, tmp_path / "again.jsonl")
    assert tesseract_calls == []  # every page came from the cache
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "first.jsonl").read_bytes()

    # an extraction threshold is not in the key: cached pages are extracted again with it...
    strict = {"field_auto_min_confidence": 0.99, "field_auto_min_structured": 0.99}
    _run(corpus, data, tmp_path / "strict.jsonl", **strict)
    assert tesseract_calls == []
    strict_export = (tmp_path / "strict.jsonl").read_bytes()
    assert strict_export != (tmp_path / "first.jsonl").read_bytes()  # more fields to review
    # ...exactly as a run without the cache reads them
    _run(corpus, tmp_path / "fresh", tmp_path / "fresh.jsonl", ocr_cache=False, **strict)
    assert len(tesseract_calls) == 2
    assert not (tmp_path / "fresh" / "cache").exists()
    assert (tmp_path / "fresh.jsonl").read_bytes() == strict_export


# --- the cache itself, on one small page -----------------------------------------------------
def test_a_hit_returns_what_the_miss_returned(small_page, tmp_path, tesseract_calls):
    from ocr.cache import PageCache, read_page

    cache = PageCache(tmp_path / "cache")
    miss = read_page(cache, small_page, 1, **_options())
    hit = read_page(cache, small_page, 1, **_options())
    assert len(tesseract_calls) == 1
    assert hit == miss  # every field, paths in the work folder included
    assert hit.preprocessed.read_bytes() == miss.preprocessed.read_bytes()
    assert hit.words.is_file() and hit.hocr.is_file()
    # the work folder is emptied after each file (clean_work): the hit copies the files back
    for f in fields(miss):
        if isinstance(getattr(miss, f.name), Path):
            getattr(miss, f.name).unlink()
    again = read_page(cache, small_page, 1, **_options())
    assert len(tesseract_calls) == 1 and again == miss and again.hocr.is_file()


def test_ocr_settings_are_in_the_key(small_page, tmp_path, tesseract_calls):
    from ocr.cache import PageCache, read_page

    cache = PageCache(tmp_path / "cache")
    read_page(cache, small_page, 1, **_options())
    read_page(cache, small_page, 1, **_options(lang="vie+eng"))  # another language model
    read_page(cache, small_page, 1, **_options(dpi=200))  # rescaled otherwise
    read_page(cache, small_page, 2, **_options())  # another page's files
    assert len(tesseract_calls) == 4
    read_page(cache, small_page, 1, **_options(auto_min=0.95, timeout_s=5.0))  # not OCR
    assert len(tesseract_calls) == 4
    assert len(_entries(cache.root)) == 4


@pytest.mark.parametrize("damage", ["truncated file", "garbled entry", "no entry.json",
                                    "missing file"])
def test_a_damaged_entry_is_ignored_and_written_again(small_page, tmp_path, tesseract_calls,
                                                       damage):
    from ocr.cache import ENTRY, PageCache, read_page

    cache = PageCache(tmp_path / "cache")
    first = read_page(cache, small_page, 1, **_options())
    (entry,) = _entries(cache.root)
    if damage == "truncated file":  # what a write cut short would leave
        data = (entry / "preprocessed").read_bytes()
        (entry / "preprocessed").write_bytes(data[: len(data) // 2])
    elif damage == "garbled entry":
        (entry / ENTRY).write_text('{"format": 1, "outp', encoding="utf-8")
    elif damage == "no entry.json":
        (entry / ENTRY).unlink()
    else:
        (entry / "words").unlink()
    again = read_page(cache, small_page, 1, **_options())
    assert len(tesseract_calls) == 2  # read again, not taken from the damaged entry
    assert again == first
    (entry,) = _entries(cache.root)
    body = json.loads((entry / ENTRY).read_text(encoding="utf-8"))
    assert set(body["files"]) == {f.name for f in fields(first)
                                  if isinstance(getattr(first, f.name), Path)}
    assert {"preprocessed", "hocr", "words"} <= set(body["files"])
    read_page(cache, small_page, 1, **_options())
    assert len(tesseract_calls) == 2  # the entry written again is whole


def test_a_killed_write_leaves_no_entry_under_the_key(small_page, tmp_path, monkeypatch,
                                                      tesseract_calls):
    """The entry is written in a temporary folder renamed into place: killed before the
    rename, nothing is found under the key, and the next run writes it."""
    import ocr.cache
    from ocr.cache import PageCache, read_page

    cache = PageCache(tmp_path / "cache")

    def killed(src, dst):
        raise KeyboardInterrupt  # stands for SIGKILL: nothing after this point runs

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(ocr.cache.os, "rename", killed)
        read_page(cache, small_page, 1, **_options())
    assert _entries(cache.root) == []
    read_page(cache, small_page, 1, **_options())
    read_page(cache, small_page, 1, **_options())
    assert len(tesseract_calls) == 2 and len(_entries(cache.root)) == 1


def test_added_page_fields_and_files_are_kept(tmp_path):
    """Every field of PageOutput is kept, any path field's file too (a searchable PDF)."""
    from dataclasses import replace

    from ocr.cache import PageCache
    from ocr.page import PageOutput

    work = tmp_path / "work"
    work.mkdir()
    files = {name: work / f"page-0001.{name}" for name in ("pre.png", "hocr", "words.json", "pdf")}
    for name, path in files.items():
        path.write_bytes(name.encode() * 10)
    out = PageOutput(1, files["pre.png"], files["hocr"], files["words.json"], 1.5, 0, (),
                     quality=("blank",), pdf=files["pdf"])
    cache = PageCache(tmp_path / "cache")
    assert cache.put("ab" * 32, out)
    assert not cache.put("ab" * 32, replace(out, skew_deg=9.0))  # the first stays
    elsewhere = tmp_path / "elsewhere"
    got = cache.get("ab" * 32, elsewhere)
    assert got == replace(out, **{k: elsewhere / getattr(out, k).name
                                  for k in ("preprocessed", "hocr", "words", "pdf")})
    assert got.pdf.read_bytes() == files["pdf"].read_bytes()


# --- retries ---------------------------------------------------------------------------------
def _ref(image):
    from kernel.records import PageRef

    return PageRef(source="trang.png", source_sha256="0" * 64, page=1, image_path=str(image))


def test_a_tesseract_crash_is_tried_once_more_and_a_timeout_is_not(small_page, tmp_path,
                                                                   monkeypatch):
    import ocr.page
    from flows.tasks import ocr_page
    from kernel.errors import EngineError
    from kernel.records import PageFailure
    from kernel.settings import Settings

    real = ocr.page.recognize
    calls = []

    def crash_once(image, **kwargs):
        calls.append(image)
        if len(calls) == 1:
            raise EngineError(f"tesseract failed on {image.name} (exit -11)")
        return real(image, **kwargs)

    settings = Settings(data_dir=str(tmp_path / "data"))
    monkeypatch.setattr(ocr.page, "recognize", crash_once)
    out = ocr_page.fn(_ref(small_page), 300, settings)
    assert not isinstance(out, PageFailure) and len(calls) == 2

    def times_out(image, **kwargs):
        calls.append(image)
        try:
            raise subprocess.TimeoutExpired(["tesseract"], 0.01)
        except subprocess.TimeoutExpired as exc:
            raise EngineError("tesseract timed out after 0 s on page.png") from exc

    calls.clear()
    monkeypatch.setattr(ocr.page, "recognize", times_out)
    failed = ocr_page.fn(_ref(small_page), 300,
                         Settings(data_dir=str(tmp_path / "data2")))
    assert isinstance(failed, PageFailure) and failed.reason == "ocr_failed"
    assert len(calls) == 1


def test_the_cache_can_be_turned_off(small_page, tmp_path, monkeypatch, tesseract_calls):
    from flows.tasks import ocr_page
    from kernel.settings import Settings

    monkeypatch.setenv("SOHOA_OCR_CACHE", "false")
    settings = Settings(data_dir=str(tmp_path / "data"))
    assert settings.ocr_cache is False
    ocr_page.fn(_ref(small_page), 300, settings)
    ocr_page.fn(_ref(small_page), 300, settings)
    assert len(tesseract_calls) == 2
    assert not (tmp_path / "data" / "cache").exists()


# --- sohoa cache info|prune|clear ------------------------------------------------------------
def test_cache_commands(small_page, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ocr.cache import ENTRY, PageCache, cache_root, read_page
    from sohoa.cli import app

    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA_DIR", str(data))
    cache = PageCache(cache_root(data))
    for page in (1, 2, 3):
        read_page(cache, small_page, page, **_options())
    old, *recent = _entries(cache.root)
    month_ago = time.time() - 30 * 86400
    os.utime(old / ENTRY, (month_ago, month_ago))
    stale_tmp = old.parent / ".tmp-left-by-a-killed-run"
    stale_tmp.mkdir()
    os.utime(stale_tmp, (month_ago, month_ago))

    runner = CliRunner()
    result = runner.invoke(app, ["cache", "info"])
    assert result.exit_code == 0 and "3 page(s)" in result.output
    result = runner.invoke(app, ["cache", "prune", "--older-than", "7"])
    assert result.exit_code == 0 and "removed 1 page(s)" in result.output
    assert _entries(cache.root) == recent and not stale_tmp.exists()
    result = runner.invoke(app, ["cache", "clear"])
    assert result.exit_code == 0 and "removed 2 page(s)" in result.output
    assert _entries(cache.root) == []
