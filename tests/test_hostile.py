"""Hostile input through the real batch flow: every bad file gets a clear error naming it, its
original is quarantined with a note, the batch goes on (the good page is exported), nothing is
written outside the data folder, nothing outside the batch is read, and memory stays bounded.

The loader itself (``split_pages``) is also run on every hostile file in a child process with
an address-space limit, so a decoder that tried to allocate a bomb would die there."""

import io
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, SAMPLE
from kernel.errors import InputFileError
from ocr.pages import split_pages
from storage import LocalArchive, sha256_file
from storage.layout import quarantine_key, quarantine_note_key

MiB = 1024 * 1024


def _page_bytes(fmt: str, size=(800, 1100), **save) -> bytes:
    img = Image.new("L", size, 255)
    for y in range(60, size[1] - 60, 40):
        img.paste(0, (40, y, size[0] - 40, y + 12))
    buf = io.BytesIO()
    img.save(buf, format=fmt, **save)
    return buf.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    from test_pages import _png_header_only as make
    return make(width, height)


def _tiff_header_only(width: int, height: int) -> bytes:
    """A little-endian TIFF whose one IFD claims width x height, 8-bit gray, one strip of 64
    bytes: a bomb if decoded."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1),
               (262, 3, 1, 1), (273, 4, 1, 8 + 2 + 12 * 8 + 4), (277, 3, 1, 1),
               (279, 4, 1, 64)]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<HI", value, 0)[:4] if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00" * 64


def _tiff_bad_directory() -> bytes:
    """A TIFF header whose first directory claims 65,535 entries in a 30-byte file."""
    return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0xFFFF) + b"\x00" * 30


def _tiff_ifd_past_end() -> bytes:
    return b"II*\x00" + struct.pack("<I", 10_000_000) + b"\x00" * 30


def _pdf_bytes(pages: int = 1) -> bytes:
    first = Image.new("RGB", (200, 280), "white")
    rest = [Image.new("RGB", (200, 280), "white") for _ in range(pages - 1)]
    buf = io.BytesIO()
    first.save(buf, format="PDF", save_all=True, append_images=rest, resolution=72)
    return buf.getvalue()


BROKEN_XREF_TAIL = (b"xref\n0 9\nzzzzzzzzzz 65535 f \ntrailer\n<< /Size 9 /Root 99 0 R >>\n"
                    b"startxref\n999999\n%%EOF\n")


def _pdf_broken_xref(objects_intact: bool) -> bytes:
    data = _pdf_bytes()
    body = data[: data.rfind(b"xref")] if objects_intact else data[:40] + b"garbage " * 20
    return body + BROKEN_XREF_TAIL


def _encrypted_pdf(tmp: Path) -> bytes:
    pypdf = pytest.importorskip("pypdf")
    plain = tmp / "plain_for_encryption.pdf"
    plain.write_bytes(_pdf_bytes())
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    plain.unlink()
    return out.getvalue()


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
NFC = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731

# name on disk -> (bytes maker, expected reason); names are relative to the batch folder
HOSTILE: dict[str, tuple] = {
    "cut.jpg": (lambda t: _half(_page_bytes("JPEG")), "corrupt"),
    "cut.png": (lambda t: _half(_page_bytes("PNG")), "corrupt"),
    "cut.tif": (lambda t: _half(_page_bytes("TIFF")), "corrupt"),
    "zero.png": (lambda t: b"", "empty"),
    "zero.pdf": (lambda t: b"", "empty"),
    "archive.tif": (lambda t: b"PK\x03\x04" + os.urandom(200), "not_a_scan"),  # a ZIP
    "page.pdf": (lambda t: b"<html><body>not a pdf</body></html>", "not_a_scan"),
    "script.jpg": (lambda t: b"#!/bin/sh\nrm -rf /\n", "not_a_scan"),
    "xref_gone.pdf": (lambda t: _pdf_broken_xref(objects_intact=False), "corrupt"),
    "locked.pdf": (_encrypted_pdf, "encrypted"),
    "bomb.png": (lambda t: _png_header_only(60_000, 60_000), "too_large"),
    "bomb.tif": (lambda t: _tiff_header_only(60_000, 60_000), "too_large"),
    "long.pdf": (lambda t: _pdf_bytes(300), "too_many_pages"),
    "bad_directory.tif": (lambda t: _tiff_bad_directory(), "corrupt"),
    "directory_past_end.tif": (lambda t: _tiff_ifd_past_end(), "corrupt"),
    "x..\\..\\..\\etc\\passwd.png": (lambda t: _half(_page_bytes("PNG")), "corrupt"),
    "so ../x..%2f..%2fetc%2fshadow.png": (lambda t: b"\x89PNG\r\n\x1a\n", "corrupt"),
    "…/x.png": (lambda t: b"", "empty"),  # a folder named with an ellipsis
    NFD("giấy khai sinh hỏng.jpg"): (lambda t: _half(_page_bytes("JPEG")), "corrupt"),
    "tên có\nxuống dòng.png": (lambda t: _half(_page_bytes("PNG")), "corrupt"),
    # distinct bytes: identical files share one content-addressed quarantine note
    " leading and trailing spaces .tif": (lambda t: _tiff_bad_directory() + b" ", "corrupt"),
}
# names starting with '.' are hidden files: never read past their first bytes, archived or
# exported; one that starts like a scan is named in the receipt (reason in HIDDEN), the rest
# (and anything in a hidden folder) is passed over without a word
HIDDEN = {"..\\..\\..\\etc\\passwd.png": (_half(_page_bytes("PNG")) + b"hidden 1", "hidden_file"),
          "..png": (b"\x89PNG\r\n\x1a\nhidden 2", "hidden_file"),
          ".../....png": (b"\x89PNG\r\n\x1a\nhidden 3", None),
          ".DS_Store": (b"\x00\x00\x00\x01Bud1hidden 4", None)}
MAX_PAGES = 100  # the long PDF has 300 pages; the limit is a setting


def _make_batch(tmp: Path) -> tuple[Path, dict[str, str], Path]:
    batch = tmp / "batch"
    batch.mkdir()
    expected: dict[str, str] = {}
    for name, (make, reason) in HOSTILE.items():
        path = batch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make(tmp))
        expected[NFC(name)] = reason
    for name, (data, reason) in HIDDEN.items():
        (batch / name).parent.mkdir(parents=True, exist_ok=True)
        (batch / name).write_bytes(data)
        if reason:
            expected[NFC(name)] = reason
    # the one good page, under an NFD Vietnamese name with spaces: it must still be exported
    good_name = NFD("Giấy khai sinh tốt (bản chụp).png")
    shutil.copy(SAMPLE / "batch" / "khai_sinh_nghieng.png", batch / good_name)
    # links that lead out of the batch: to a real scan, to a system file, dangling
    outside = tmp / "outside"
    outside.mkdir()
    shutil.copy(SAMPLE / "batch" / "khai_sinh_nghieng.png", outside / "secret_scan.png")
    (batch / "link_to_outside.png").symlink_to(outside / "secret_scan.png")
    (batch / "link_to_passwd.jpg").symlink_to("/etc/passwd")
    (batch / "dangling.png").symlink_to(tmp / "does-not-exist.png")
    (batch / "linked_dir").symlink_to(outside, target_is_directory=True)
    for link in ("link_to_outside.png", "link_to_passwd.jpg", "dangling.png"):
        expected[link] = "outside_batch"
    return batch, expected, outside


class LogCapture:
    """Every log record at ``level`` and above, from the root logger and from the project's
    loggers directly (Prefect's logging config stops some of them propagating to the root)."""

    NAMES = ("", "sohoa", "sohoa.flows", "ocr", "matching", "storage", "flows", "review",
             "prefect", "prefect.flow_runs", "prefect.task_runs")

    def __init__(self, level):
        import logging

        self.level = level
        self.records: list = []
        self.handler = logging.Handler(level)
        self.handler.emit = self.records.append
        self.saved = []

    def __enter__(self):
        import logging

        for name in self.NAMES:
            logger = logging.getLogger(name)
            self.saved.append((logger, logger.level))
            logger.addHandler(self.handler)
            if logger.level == logging.NOTSET or logger.level > self.level:
                logger.setLevel(self.level)
        return self

    def __exit__(self, *exc):
        for logger, level in self.saved:
            logger.removeHandler(self.handler)
            logger.setLevel(level)

    def messages(self) -> list[str]:
        seen, out = set(), []
        for record in self.records:
            if id(record) not in seen:
                seen.add(id(record))
                out.append(record.getMessage())
        return out


def _snapshot(root: Path, skip: Path) -> dict[str, tuple]:
    found = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        if Path(dirpath) == skip or Path(dirpath).is_relative_to(skip):
            dirnames[:] = []
            continue
        for name in filenames + dirnames:
            p = Path(dirpath) / name
            if p == skip:
                continue
            st = p.lstat()
            found[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return found


@pytest.mark.flow
@pytest.mark.tesseract
def test_hostile_batch_every_file_reported_quarantined_and_the_good_page_exported(
        prefect_harness, tmp_path):
    import logging
    from flows.batch import run_batch

    batch, expected, outside = _make_batch(tmp_path)
    data = tmp_path / "data"
    overrides = {"data_dir": str(data), "ocr_workers": 2, "max_pages_per_file": MAX_PAGES,
                 "pdf_dpi": 150}
    from kernel.settings import Settings
    from matching.registry import RegistryStore
    with RegistryStore(Settings(**overrides).registry_url) as store:
        assert not store.import_csv(SAMPLE / "registry.csv").errors
    outside_before = {p: p.read_bytes() for p in outside.iterdir()}
    before = _snapshot(tmp_path.parent, skip=data)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with LogCapture(logging.INFO) as logs:
        report = run_batch(batch, export=data / "out.jsonl", overrides=overrides)
    rss_growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024

    # a clear per-file error naming the file, for every hostile entry, and nothing else failed
    got = {f.source: f.reason for f in report.failures}
    assert got == expected
    for failure in report.failures:
        assert failure.source in failure.message and failure.hint, failure
    assert not report.page_failures
    # the batch went on: the good page is in the export, under its NFC name, matched
    records = [json.loads(line) for line in (data / "out.jsonl").read_text().splitlines()]
    assert [r["source"] for r in records] == [NFC("Giấy khai sinh tốt (bản chụp).png")]
    assert records[0]["match"]["decision"] == "matched"
    # every file that was read is quarantined with a note; links were never followed
    archive = LocalArchive(data / "archive")
    keys = set(archive.list())
    for failure in report.failures:
        if failure.reason in ("outside_batch", "hidden_file"):
            assert failure.quarantine_key is None
            continue
        path = batch / failure.source
        if not path.exists():  # the source is NFC; the file on disk may be NFD
            path = next(p for p in batch.rglob("*") if NFC(p.relative_to(batch).as_posix())
                        == failure.source)
        sha = sha256_file(path)
        assert failure.quarantine_key == quarantine_key(sha, path.name)
        assert archive.get_bytes(failure.quarantine_key) == path.read_bytes()
        note = json.loads(archive.get_bytes(quarantine_note_key(sha)))
        # identical bytes share one content-addressed note, naming one of their sources
        same = {f.source for f in report.failures
                if f.quarantine_key and f.quarantine_key.split("/")[-1].split(".")[0] == sha}
        assert note["source"] in same and note["reason"] == failure.reason
    outside_sha = sha256_file(outside / "secret_scan.png")
    # the outside scan has the same bytes as the good page: it is archived once, from inside
    assert sum(outside_sha in k and k.startswith("originals/") for k in keys) == 1
    passwd_sha = sha256_file("/etc/passwd")
    assert not any(passwd_sha in k for k in keys)
    assert all(".." not in k.split("/") and "\n" not in k for k in keys)
    for name in HIDDEN:
        assert not any(sha256_file(batch / name) in k for k in keys), name
    # a newline in a file name cannot forge a log line: it is logged escaped
    assert any("tên có\\nxuống dòng.png" in m for m in logs.messages())
    assert not any("\n" in r.getMessage() for r in logs.records
                   if r.name.startswith(("sohoa", "ocr", "storage", "matching")))
    # nothing written outside the data folder; the batch and the outside folder are untouched
    assert _snapshot(tmp_path.parent, skip=data) == before
    assert {p: p.read_bytes() for p in outside.iterdir()} == outside_before
    assert not (data / "work" / "pages").exists() or not any((data / "work" / "pages").iterdir())
    # memory bounded: the bombs were refused before decoding
    assert rss_growth_mib < 1024, f"peak RSS grew by {rss_growth_mib:.0f} MiB"


LOADER_CHILD = r"""
import json, resource, sys
from pathlib import Path
limit = int(sys.argv[3]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from kernel.errors import InputFileError
from ocr.pages import split_pages
out = {}
for path in sorted(Path(sys.argv[1]).rglob("*")):
    if path.is_symlink() or not path.is_file():
        continue
    try:
        pages = split_pages(path, Path(sys.argv[2]) / str(len(out)), max_pixels=150_000_000,
                            max_pages=100, pdf_dpi=150)
        out[path.name] = "ok:%d" % len(pages)
    except InputFileError as exc:
        out[path.name] = exc.reason
print(json.dumps(out))
print("peak_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_loader_refuses_every_hostile_file_under_an_address_space_limit(tmp_path):
    """split_pages on every hostile file in a child limited to 1.5 GiB of address space: a
    decoder that allocated a 60,000 x 60,000 image (3.6 GB) would raise MemoryError there."""
    batch, expected, _ = _make_batch(tmp_path)
    child = subprocess.run([sys.executable, "-c", LOADER_CHILD, str(batch), str(tmp_path / "w"),
                            "1536"], capture_output=True, text=True, timeout=300, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"})
    assert child.returncode == 0, child.stderr[-3000:]
    lines = child.stdout.strip().splitlines()
    got = json.loads(lines[0])
    want = {Path(name).name: reason for name, reason in expected.items()
            if reason not in ("outside_batch", "hidden_file")}
    assert {NFC(k): v for k, v in got.items() if not k.startswith(("Gi", "."))} == \
        {NFC(k): v for k, v in want.items()}
    assert int(lines[1].split()[1]) < 1024 * 1024  # KiB: under 1 GiB resident at peak


def test_a_pdf_whose_cross_reference_table_is_broken_but_objects_intact_is_repaired(tmp_path):
    """poppler rebuilds a broken xref from the objects: the page renders (nothing is lost)."""
    src = tmp_path / "xref_broken.pdf"
    src.write_bytes(_pdf_broken_xref(objects_intact=True))
    pages = split_pages(src, tmp_path / "out", max_pixels=50_000_000, max_pages=10, pdf_dpi=72)
    assert len(pages) == 1 and pages[0].path.exists()


@pytest.mark.parametrize("limit,count,ok", [(5, 5, True), (5, 6, False)])
def test_the_page_limit_is_exact_for_pdf_and_tiff(tmp_path, limit, count, ok):
    for suffix, data in ((".pdf", _pdf_bytes(count)), (".tif", None)):
        src = tmp_path / f"n{count}{suffix}"
        if data is None:
            frames = [Image.new("L", (100, 140), 255) for _ in range(count)]
            frames[0].save(src, save_all=True, append_images=frames[1:])
        else:
            src.write_bytes(data)
        out = tmp_path / f"out{suffix}"
        if ok:
            assert len(split_pages(src, out, max_pixels=10**8, max_pages=limit, pdf_dpi=72)) == count
        else:
            with pytest.raises(InputFileError) as info:
                split_pages(src, out, max_pixels=10**8, max_pages=limit, pdf_dpi=72)
            assert info.value.reason == "too_many_pages" and src.name in info.value.message


def test_a_fifo_in_the_batch_does_not_hang_discovery(tmp_path):
    from ocr.pages import discover

    batch = tmp_path / "batch"
    batch.mkdir()
    os.mkfifo(batch / "pipe.png")
    (batch / "a.png").write_bytes(b"x")
    files, skipped = discover(batch)
    assert [f.relative for f in files] == ["a.png"] and skipped == []
