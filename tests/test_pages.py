"""Loading source files: every supported kind, and a clear error for every bad one."""

import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from kernel.errors import InputFileError
from ocr.pages import discover, sniff, split_pages


def page(text_shade=0, size=(400, 560)):
    img = Image.new("L", size, 255)
    for y in range(60, size[1] - 60, 40):
        img.paste(text_shade, (40, y, size[0] - 40, y + 12))
    return img


def split(path, tmp_path, **kw):
    opts = dict(max_pixels=50_000_000, max_pages=50, pdf_dpi=100) | kw
    return split_pages(path, tmp_path / "out", **opts)


def test_multipage_tiff_gives_every_page(tmp_path):
    src = tmp_path / "book.tif"
    page().save(src, save_all=True, append_images=[page(80), page(120)], dpi=(300, 300))
    pages = split(src, tmp_path)
    assert [p.page for p in pages] == [1, 2, 3]
    assert all(p.path.exists() and p.dpi == 300 for p in pages)


def test_multipage_pdf_gives_every_page(tmp_path):
    src = tmp_path / "scan.pdf"
    page().convert("RGB").save(src, save_all=True, append_images=[page().convert("RGB")],
                               resolution=100)
    pages = split(src, tmp_path)
    assert len(pages) == 2 and pages[1].path.name == "page-0002.png"
    with Image.open(pages[0].path) as img:
        assert img.size[0] > 300


def test_kind_is_read_from_the_bytes_not_the_name(tmp_path):
    src = tmp_path / "actually_png.jpg"
    page().save(src, format="PNG")
    assert sniff(src.read_bytes()[:16]) == "png"
    assert len(split(src, tmp_path)) == 1


def _expect(path, tmp_path, reason, **kw):
    with pytest.raises(InputFileError) as info:
        split(path, tmp_path, **kw)
    assert info.value.reason == reason
    assert path.name in info.value.message and info.value.hint
    return info.value


def test_zero_byte_file(tmp_path):
    src = tmp_path / "empty.png"
    src.write_bytes(b"")
    _expect(src, tmp_path, "empty")


def test_not_an_image(tmp_path):
    src = tmp_path / "notes.pdf"
    src.write_text("this is a text file")
    _expect(src, tmp_path, "not_a_scan")


@pytest.mark.parametrize("fmt,suffix", [("JPEG", ".jpg"), ("PNG", ".png"), ("TIFF", ".tif")])
def test_truncated_images(tmp_path, fmt, suffix):
    buf = BytesIO()
    page(size=(800, 1100)).save(buf, format=fmt)
    data = buf.getvalue()
    src = tmp_path / f"cut{suffix}"
    src.write_bytes(data[: len(data) // 2])
    _expect(src, tmp_path, "corrupt")


def test_damaged_pdf(tmp_path):
    src = tmp_path / "broken.pdf"
    src.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    _expect(src, tmp_path, "corrupt")


def test_password_protected_pdf(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    plain = tmp_path / "plain.pdf"
    page().convert("RGB").save(plain, resolution=100)
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="secret", owner_password="owner")
    src = tmp_path / "locked.pdf"
    with open(src, "wb") as f:
        writer.write(f)
    err = _expect(src, tmp_path, "encrypted")
    assert "qpdf --decrypt" in err.hint


def _png_header_only(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    src = tmp_path / "bomb.png"
    src.write_bytes(_png_header_only(60_000, 60_000))
    err = _expect(src, tmp_path, "too_large")
    assert "60000x60000" in err.message


def test_too_many_pages(tmp_path):
    src = tmp_path / "long.tif"
    page().save(src, save_all=True, append_images=[page()] * 3)
    _expect(src, tmp_path, "too_many_pages", max_pages=2)


def test_discover_walks_nested_folders_in_nfc_and_skips_outside_links(tmp_path):
    import unicodedata
    batch = tmp_path / "batch"
    (batch / "sub").mkdir(parents=True)
    nfd_name = unicodedata.normalize("NFD", "khai_sinh_chụp.jpg")
    (batch / "sub" / nfd_name).write_bytes(b"x")
    (batch / "a.png").write_bytes(b"x")
    (batch / ".DS_Store").write_bytes(b"x")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    (batch / "link.png").symlink_to(outside)
    files, skipped = discover(batch)
    assert [f.relative for f in files] == ["a.png", "sub/khai_sinh_chụp.jpg"]
    assert files[1].relative == unicodedata.normalize("NFC", files[1].relative)
    assert [(s.relative, s.reason) for s in skipped] == [("link.png", "outside_batch")]
