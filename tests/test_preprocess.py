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


def photographed(page, corners, size=(1300, 1700), desk=90):
    """``page`` (grey) as a phone photo: warped so its corners land on ``corners`` (TL, TR, BR,
    BL) of a darker, slightly uneven desk of ``size`` (width, height)."""
    h, w = page.shape
    rng = np.random.default_rng(3)
    field = cv2.resize(rng.uniform(0.85, 1.15, (6, 8)).astype(np.float32), size,
                       interpolation=cv2.INTER_CUBIC)
    canvas = np.clip(desk * field + rng.normal(0, 4, field.shape), 0, 255).astype(np.uint8)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    matrix = cv2.getPerspectiveTransform(src, np.float32(corners))
    return cv2.warpPerspective(page, matrix, size, dst=canvas, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_TRANSPARENT)


KEYSTONE = [[190, 130], [1090, 160], [1170, 1560], [110, 1540]]  # far edge narrower, turned


def test_a_phone_photo_is_found_and_rectified():
    from ocr.perspective import find_page, rectify

    page = text_like_page()
    photo = photographed(page, KEYSTONE)
    # before: the lines converge, so they are not level anywhere on the photo
    outline = find_page(photo)
    assert outline is not None
    assert np.abs(outline.corners - np.float32(KEYSTONE)).max() <= 3.0, outline.corners
    flat = rectify(photo, outline)
    # the rectified page: text rows level (to half a degree), paper to the edges, no desk
    assert abs(estimate_skew(flat)) <= 0.5
    top, bottom = flat[:, :60].mean(), flat[:, -60:].mean()
    assert min(top, bottom, flat[:40].mean(), flat[-40:].mean()) > 200
    # rows of print stay rows: the horizontal profile of the page and of the rectified photo
    # agree once both are brought to the same height
    rows = lambda img: (cv2.resize(img, (200, 700), interpolation=cv2.INTER_AREA) < 150).mean(axis=1)
    assert np.corrcoef(rows(page), rows(flat))[0, 1] > 0.9


def test_scans_are_not_warped():
    from ocr.perspective import find_page

    page = text_like_page()
    assert find_page(page) is None  # the paper is the whole image
    lid = np.full((1600, 1200), 250, np.uint8)  # a flatbed with its white lid around the sheet
    lid[100:1500, 100:1100] = page
    assert find_page(rotate(lid, 3.0)) is None
    assert find_page(np.full((800, 600), 240, np.uint8)) is None


def test_preprocessing_rectifies_a_photo_and_guesses_its_resolution():
    from ocr.preprocess import PreprocessConfig, preprocess_array

    a4 = cv2.resize(text_like_page(), (1000, 1414))  # A4 proportions
    corners = [[160, 120], [1150, 135], [1180, 1545], [120, 1530]]  # near edge 7% wider
    out, info = preprocess_array(photographed(a4, corners, size=(1300, 1700)), None)
    assert info["rectified"] and abs(info["skew_deg"]) < 0.5
    # 1414 px over 297 mm: about 121 dpi, so the page is brought to 300 dpi
    assert info["dpi"] == 300 and out.shape[0] > 3000
    _, plain = preprocess_array(photographed(a4, corners, size=(1300, 1700)), None,
                                PreprocessConfig(perspective=False))
    assert not plain["rectified"] and plain["dpi"] is None


def test_the_transform_maps_the_page_image_onto_the_cleaned_page():
    """PreprocessResult.transform takes a point of the photo to the same point of the cleaned
    page (perspective, deskew and rescale together): the photo's page corners land on the
    cleaned page's corners."""
    from ocr.preprocess import preprocess_array

    a4 = cv2.resize(text_like_page(), (1000, 1414))
    corners = [[160, 120], [1150, 135], [1180, 1545], [120, 1530]]
    out, info = preprocess_array(photographed(a4, corners, size=(1300, 1700)), None)
    h = np.array(info["transform"]).reshape(3, 3)
    mapped = cv2.perspectiveTransform(np.float32([corners]), h)[0]
    expected = np.float32([[0, 0], [out.shape[1] - 1, 0], [out.shape[1] - 1, out.shape[0] - 1],
                           [0, out.shape[0] - 1]])
    assert np.abs(mapped - expected).max() <= 0.01 * out.shape[0], mapped
    # a skewed, low-resolution scan: the centre stays the centre, the scale is 300/150
    page = rotate(text_like_page(), 3.0)
    out, info = preprocess_array(page, 150)
    h = np.array(info["transform"]).reshape(3, 3)
    centre = cv2.perspectiveTransform(np.float32([[[500, 700]]]), h)[0, 0]
    assert np.abs(centre - [out.shape[1] / 2, out.shape[0] / 2]).max() <= 3
    assert abs(h[0, 0] ** 2 + h[0, 1] ** 2 - 4.0) < 0.01


@pytest.mark.parametrize("turn,angle,upside_down", [(0, 2.5, False), (90, -1.2, False),
                                                      (90, 0.8, True), (0, -3.0, True)])
def test_one_warp_does_what_the_turns_and_the_deskew_did_one_after_the_other(turn, angle,
                                                                           upside_down):
    from ocr.orient import apply_rotation
    from ocr.preprocess import upright_transform

    page = text_like_page()
    step_by_step = rotate(apply_rotation(page, turn), angle)
    step_by_step = apply_rotation(step_by_step, 180) if upside_down else step_by_step
    matrix, size = upright_transform(page.shape, turn, angle, upside_down)
    at_once = cv2.warpAffine(page, matrix, size, flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
    assert at_once.shape == step_by_step.shape
    inner = (slice(40, -40), slice(40, -40))  # the corners differ in how they are filled
    diff = np.abs(at_once[inner].astype(int) - step_by_step[inner].astype(int))
    assert np.percentile(diff, 99) <= 2, np.percentile(diff, 99)


def test_flattening_keeps_print_and_paper_apart_under_a_deep_shadow():
    """A page whose light falls to 40% over its right side (a book's gutter): with the paper's
    light divided out, the print in the shadow binarizes as on the lit part; one global
    threshold without it turns part of the shadowed paper to ink."""
    from ocr.preprocess import PreprocessConfig, preprocess_array

    page = text_like_page()
    x = np.arange(page.shape[1], dtype=np.float32)
    gain = 1.0 - 0.6 * np.clip((x - 600) / 400, 0, 1)
    shaded = (page * gain[None, :]).astype(np.uint8)
    shadow = (slice(100, 1300), slice(850, 1000))
    truth = page[shadow] < 128

    def agreement(flatten):
        # perspective off: find_page would take so deep a shadow for the sheet's edge
        out, _ = preprocess_array(shaded, 300, PreprocessConfig(perspective=False,
                                                                flatten=flatten))
        assert out.shape == page.shape
        return float(((out[shadow] == 0) == truth).mean())

    assert agreement(True) >= 0.99
    assert agreement(False) < 0.95
