import cv2
import numpy as np
import pytest

from ocr.preprocess import binarize, estimate_skew, preprocess_file, rotate, to_gray


def text_like_page(seed=0):
    """Rows of word-like blobs on paper, like a printed form at low resolution."""
    rng = np.random.default_rng(seed)
    img = np.full((1400, 1000), 235, np.uint8)
    for y in range(120, 1300, 48):
        x = 80
        while x < 900:
            w = int(rng.integers(30, 110))
            img[y:y + 18, x:x + w] = 30
            x += w + int(rng.integers(12, 30))
    return img


@pytest.mark.parametrize("angle", [-14.0, -4.0, -1.5, 0.0, 0.7, 3.0, 12.0])
def test_skew_up_to_15_degrees_is_found_within_a_fifth_of_a_degree(angle):
    skewed = rotate(text_like_page(), angle)
    found = estimate_skew(skewed)
    assert abs(found + angle) <= 0.2, (angle, found)


def test_blank_page_has_no_skew():
    assert estimate_skew(np.full((800, 600), 240, np.uint8)) == 0.0


def test_binarize_gives_two_levels_and_keeps_text_dark():
    page = text_like_page()
    noisy = np.clip(page.astype(int) + np.random.default_rng(1).normal(0, 12, page.shape), 0, 255)
    out = binarize(noisy.astype(np.uint8))
    assert set(np.unique(out)) <= {0, 255}
    assert out[125, 100] == 0 and out[60, 60] == 255


def test_preprocess_file_writes_a_straight_binary_page(tmp_path):
    src, dest = tmp_path / "in.png", tmp_path / "out.png"
    color = cv2.cvtColor(rotate(text_like_page(), 2.0), cv2.COLOR_GRAY2BGR)
    cv2.imwrite(str(src), color)
    result = preprocess_file(src, dest)
    assert abs(result.skew_deg + 2.0) <= 0.25
    out = cv2.imread(str(dest), cv2.IMREAD_UNCHANGED)
    assert out.ndim == 2 and out.shape == (1400, 1000)
    assert to_gray(color).shape == out.shape


def test_low_resolution_scans_are_brought_to_300_dpi():
    from ocr.preprocess import rescale
    page = text_like_page()
    up, dpi = rescale(page, 200)
    assert dpi == 300 and up.shape == (2100, 1500)
    same, dpi = rescale(page, 300)
    assert same is page and dpi == 300
    assert rescale(page, None)[1] is None


@pytest.fixture(scope="module")
def certificate_page():
    """A clean rendered birth certificate (grey), from the synthetic generator."""
    import random

    from synth.certificate import DocumentKind, render_certificate
    from synth.fonts import fonts_available
    from synth.people import make_registration

    if not fonts_available():
        pytest.skip("no Vietnamese-capable fonts installed (make setup installs them)")
    reg = make_registration(random.Random(5))
    rendered = render_certificate(reg, DocumentKind.BIRTH_CERTIFICATE, dpi=150, seal=True)
    return cv2.cvtColor(np.array(rendered.image.convert("RGB")), cv2.COLOR_RGB2BGR)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_turned_page_is_turned_back(certificate_page, turn):
    from ocr.orient import apply_rotation
    from ocr.preprocess import PreprocessConfig, preprocess_array

    _, info = preprocess_array(apply_rotation(certificate_page, turn), 150,
                               PreprocessConfig(erase_rules=False))
    assert (turn + info["rotation"]) % 360 == 0


def test_a_red_circle_is_removed_and_black_text_stays():
    from ocr.preprocess import remove_red_ink

    page = np.full((300, 300, 3), 245, np.uint8)
    page[140:160, 40:260] = (20, 20, 20)  # a black text bar (BGR)
    seal = np.full_like(page, 255)
    cv2.circle(seal, (150, 150), 80, (40, 40, 210), 6)  # a red seal ring, inked over the text
    gray = remove_red_ink(np.minimum(page, seal))
    assert gray[150, 72] < 60  # black where the text bar crosses the ring
    assert gray[70, 150] > 200  # top of the ring: gone
    assert gray[150, 100] < 60 and gray[30, 30] > 200


def test_a_table_grid_gives_its_rows_and_cells():
    from ocr.layout import erase_rules, find_rules, find_tables

    page = np.full((1200, 1600), 255, np.uint8)
    ys, xs = [200, 300, 450, 600, 750], [100, 400, 800, 1100, 1500]
    for y in ys:
        page[y:y + 3, xs[0]:xs[-1] + 3] = 0
    for x in xs:
        page[ys[0]:ys[-1] + 3, x:x + 3] = 0
    for x in range(150, 350, 25):
        page[350:370, x:x + 15] = 0  # "text" inside cell (1, 0)
    rules = find_rules(page)
    tables = find_tables(rules)
    assert len(tables) == 1
    table = tables[0]
    assert (table.n_rows, table.n_cols) == (4, 4) and len(table.cells()) == 16
    assert table.locate((150, 350, 350, 370)) == (1, 0)
    erased = erase_rules(page, rules)
    assert erased[ys[2] + 1, 600] == 255 and erased[360, 255] == 0  # rule gone, text kept
