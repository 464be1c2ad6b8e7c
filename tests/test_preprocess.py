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


@pytest.mark.parametrize("angle", [-4.0, -1.5, 0.0, 0.7, 3.0])
def test_skew_is_found_within_a_quarter_degree(angle):
    skewed = rotate(text_like_page(), angle)
    found = estimate_skew(skewed)
    assert abs(found + angle) <= 0.25, (angle, found)


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
