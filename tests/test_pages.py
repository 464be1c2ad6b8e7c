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
    import cv2
    import numpy as np
    assert np.array_equal(cv2.imread(str(pages[1].path), cv2.IMREAD_UNCHANGED),
                          np.asarray(page(80)))  # the frame's own pixels, written raw


def test_a_bilevel_book_keeps_its_pixels(tmp_path):
    import cv2
    import numpy as np
    src = tmp_path / "book.tif"
    frames = [page(0).convert("1"), page(0, size=(300, 500)).convert("1")]
    frames[0].save(src, save_all=True, append_images=frames[1:], compression="group4")
    pages = split(src, tmp_path)
    assert [p.path.suffix for p in pages] == [".png", ".png"]
    read = cv2.imread(str(pages[1].path), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(read, np.asarray(frames[1]).astype(np.uint8) * 255)


def test_multipage_pdf_gives_every_page(tmp_path):
    """A scanner's PDF (one JPEG per page, covering it): each page is its JPEG as stored,
    at the scan's own resolution, not a rendering at pdf_dpi."""
    src = tmp_path / "scan.pdf"
    page().convert("RGB").save(src, save_all=True, append_images=[page(80).convert("RGB")],
                               resolution=100)
    pages = split(src, tmp_path, pdf_dpi=300)
    assert [(p.page, p.path.name, p.dpi) for p in pages] == [
        (1, "page-0001.jpg", 100), (2, "page-0002.jpg", 100)]
    with Image.open(pages[1].path) as img:
        assert img.size == (400, 560)
        assert abs(img.convert("L").getpixel((200, 66)) - 80) < 6  # the second page's shade


def _pdf(content: bytes, width_pt: int = 300, height_pt: int = 400, resources: bytes = b"",
         extra: list[bytes] = ()) -> bytes:
    """A one-page PDF drawing ``content`` (with a correct cross-reference table)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
               b"/Resources << %s >> >>" % (width_pt, height_pt, resources),
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content), *extra]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_page_drawn_not_scanned_is_rendered_in_colour(tmp_path):
    """No image on the page (a form printed to PDF, a red seal drawn as vectors): rendered at
    pdf_dpi, in colour, so the seal can still be told apart by its colour."""
    src = tmp_path / "drawn.pdf"
    src.write_bytes(_pdf(b"1 0 0 rg 50 50 100 100 re f 0 g 50 250 200 10 re f"))
    [got] = split(src, tmp_path, pdf_dpi=144)
    assert got.path.suffix == ".ppm" and got.dpi == 144
    import cv2
    img = cv2.imread(str(got.path), cv2.IMREAD_UNCHANGED)
    assert img.shape == (800, 600, 3)  # 300 x 400 pt at 144 dpi
    b, g, r = (int(v) for v in img[800 - 200, 200])  # inside the red square
    assert r > 200 and g < 60 and b < 60


def test_an_image_that_does_not_cover_its_page_is_rendered(tmp_path):
    """A photo pasted on a larger page is not the page: the page is rendered whole."""
    from io import BytesIO
    buf = BytesIO()
    page(size=(100, 100)).save(buf, format="JPEG")
    jpeg = buf.getvalue()
    image = (b"<< /Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % len(jpeg)
             + jpeg + b"\nendstream")
    src = tmp_path / "pasted.pdf"
    src.write_bytes(_pdf(b"q 72 0 0 72 20 20 cm /Im0 Do Q", resources=b"/XObject << /Im0 5 0 R >>",
                         extra=[image]))
    [got] = split(src, tmp_path, pdf_dpi=72)
    assert got.path.suffix == ".ppm" and got.dpi == 72
    with Image.open(got.path) as img:
        assert img.size == (300, 400)


@pytest.mark.parametrize("fmt,suffix,mode", [("JPEG", ".jpg", "L"), ("PNG", ".png", "RGB"),
                                             ("PNG", ".png", "P"), ("TIFF", ".tif", "1"),
                                             ("TIFF", ".tif", "L")])
def test_a_single_page_image_is_taken_as_it_is(tmp_path, fmt, suffix, mode):
    """No re-encoding: the page is the source's own bytes, and OpenCV (which preprocessing
    reads with) sees the pixels Pillow decoded."""
    import cv2
    import numpy as np
    src = tmp_path / f"scan{suffix}"
    img = page(80).convert(mode) if mode != "P" else page(80).convert("RGB").quantize(16)
    img.save(src, format=fmt, dpi=(200, 200))
    [got] = split(src, tmp_path)
    assert got.path.suffix == suffix and got.path.read_bytes() == src.read_bytes()
    assert got.dpi == 200
    read = cv2.imread(str(got.path), cv2.IMREAD_UNCHANGED)
    want = np.asarray(img.convert("L" if mode in ("1", "L") else "RGB"))
    read = read[:, :, ::-1] if read.ndim == 3 else read
    if fmt == "JPEG":
        assert np.abs(read.astype(int) - want).mean() < 1.0
    else:
        assert np.array_equal(read, want)


@pytest.mark.parametrize("mode", ["I;16", "LA", "CMYK"])
def test_an_image_opencv_would_read_differently_is_converted(tmp_path, mode):
    """16-bit, alpha, CMYK: written as an 8-bit PNG that reads the same everywhere."""
    src = tmp_path / "odd.tif"
    page(80).convert(mode if mode != "I;16" else "I").convert(mode).save(src, format="TIFF")
    [got] = split(src, tmp_path)
    assert got.path.suffix == ".png"
    with Image.open(got.path) as img:
        assert img.mode in ("L", "RGB")


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


def test_a_page_opencv_cannot_read_is_read_with_pillow(tmp_path):
    """ocr.imaging.read_image, which every stage reads pages with: OpenCV first, Pillow for
    what OpenCV does not decode (here a TGA), None for what neither can."""
    from ocr.imaging import read_image
    src = tmp_path / "page.tga"
    page(80).convert("RGB").save(src)
    import cv2
    assert cv2.imread(str(src), cv2.IMREAD_UNCHANGED) is None
    colour, grey = read_image(src), read_image(src, grey=True)
    assert colour.shape == (560, 400, 3) and grey.shape == (560, 400)
    assert int(grey[66, 200]) == 80 and tuple(colour[66, 200]) == (80, 80, 80)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot a page")
    assert read_image(tmp_path / "broken.png") is None
