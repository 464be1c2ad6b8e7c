"""The interface text: Vietnamese by default, English available (``SOHOA_REVIEW_LANGUAGE``,
and a switch on every screen). Keys missing from a language fall back to English, then to the
key itself; a test checks both catalogues have the same keys."""

from __future__ import annotations

from collections.abc import Callable

from matching import score as _score

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

FIELD_LABELS = {
    "vi": {"full_name": "Họ và tên", "date_of_birth": "Ngày sinh", "sex": "Giới tính",
           "place_of_birth": "Nơi sinh", "hometown": "Quê quán", "ethnicity": "Dân tộc",
           "nationality": "Quốc tịch", "id_number": "Số định danh", "father_name": "Họ tên cha",
           "father_birth_year": "Năm sinh của cha", "mother_name": "Họ tên mẹ",
           "mother_birth_year": "Năm sinh của mẹ", "registration_number": "Số đăng ký",
           "book_number": "Quyển số", "registration_date": "Ngày đăng ký",
           "registration_place": "Nơi đăng ký", "permanent_address": "Nơi thường trú",
           "given_name": "Tên", "family_name": "Họ"},
    "en": {"full_name": "Full name", "date_of_birth": "Date of birth", "sex": "Sex",
           "place_of_birth": "Place of birth", "hometown": "Home town", "ethnicity": "Ethnicity",
           "nationality": "Nationality", "id_number": "Personal ID", "father_name": "Father",
           "father_birth_year": "Father's birth year", "mother_name": "Mother",
           "mother_birth_year": "Mother's birth year", "registration_number": "Registration no.",
           "book_number": "Book no.", "registration_date": "Registration date",
           "registration_place": "Registered at", "permanent_address": "Permanent address",
           "given_name": "Given name", "family_name": "Family name"},
}

REASONS = {
    "vi": {"low_ocr_confidence": "OCR không chắc chắn", "unreadable": "không đọc được",
           "date_unreadable": "ngày không đọc được",
           "date_words_disagree": "ngày bằng số và bằng chữ không khớp",
           "id_unreadable": "số định danh không đọc được",
           "id_invalid_structure": "số định danh sai cấu trúc",
           "id_sex_mismatch": "số định danh không khớp giới tính",
           "id_birth_year_mismatch": "số định danh không khớp năm sinh",
           "id_province_mismatch": "mã tỉnh của số định danh khác nơi đăng ký",
           "year_unreadable": "năm không đọc được",
           "parent_age_implausible": "tuổi cha/mẹ không hợp lý",
           "registered_before_birth": "đăng ký trước ngày sinh",
           "name_unknown_syllable": "tên có âm tiết lạ", "name_malformed": "tên sai dạng",
           "place_unresolved": "không tìm thấy địa danh", "sex_unreadable": "giới tính không đọc được",
           "number_unreadable": "số không đọc được", "ocr_failed": "trang không nhận dạng được",
           "handwriting": "có thể là chữ viết tay",
           "page_blank": "trang trắng", "page_too_dark": "trang quá tối, khó đọc",
           "page_too_small": "ảnh hoặc chữ quá nhỏ, khó đọc",
           "page_handwriting": "có thể là chữ viết tay",
           "dossier_disagrees": "{field} khác với giấy tờ {other} trong cùng hồ sơ",
           "ambiguous": "ứng viên thứ hai quá sát", "between": "điểm nằm giữa hai ngưỡng",
           "below": "điểm dưới ngưỡng thấp", "thin": "ít bằng chứng",
           "no candidates": "không có ứng viên", "disagrees": "không khớp với ứng viên tốt nhất",
           "needs more information": "cần thêm thông tin"},
    "en": {"low_ocr_confidence": "low OCR confidence", "unreadable": "unreadable",
           "date_unreadable": "date unreadable",
           "date_words_disagree": "date in digits and in words disagree",
           "id_unreadable": "ID number unreadable", "id_invalid_structure": "ID number malformed",
           "id_sex_mismatch": "ID number disagrees with sex",
           "id_birth_year_mismatch": "ID number disagrees with birth year",
           "id_province_mismatch": "ID province differs from registration place",
           "year_unreadable": "year unreadable",
           "parent_age_implausible": "implausible parent's age",
           "registered_before_birth": "registered before birth",
           "name_unknown_syllable": "unknown syllable in name", "name_malformed": "malformed name",
           "place_unresolved": "place not found", "sex_unreadable": "sex unreadable",
           "number_unreadable": "number unreadable", "ocr_failed": "page could not be read",
           "handwriting": "likely handwriting",
           "page_blank": "blank page", "page_too_dark": "page too dark to read",
           "page_too_small": "image or print too small to read",
           "page_handwriting": "likely handwriting",
           "dossier_disagrees": "{field} differs from {other} in the same dossier",
           "ambiguous": "second candidate too close", "between": "score between thresholds",
           "below": "score below the lower threshold", "thin": "little evidence",
           "no candidates": "no candidates", "disagrees": "disagrees with the best candidate",
           "needs more information": "needs more information"},
}

MESSAGES = {
    "vi": {
        "app_title": "Bàn kiểm duyệt", "app_sub": "Số hóa hộ tịch",
        "nav_desk": "Kiểm duyệt", "nav_batches": "Lô hồ sơ", "nav_audit": "Nhật ký",
        "nav_users": "Tài khoản", "logout": "Đăng xuất", "language": "Ngôn ngữ",
        "role_archivist": "Lưu trữ viên", "role_supervisor": "Kiểm duyệt viên",
        "role_admin": "Quản trị viên",
        "login_title": "Đăng nhập", "username": "Tên đăng nhập", "password": "Mật khẩu",
        "login_button": "Đăng nhập", "login_wrong": "Sai tên đăng nhập hoặc mật khẩu.",
        "login_limited": "Quá nhiều lần đăng nhập sai. Thử lại sau {minutes} phút.",
        "login_hint": "Phiên làm việc hết hạn sau {hours} giờ. Dùng phím Tab và Enter.",
        "csrf_refused": "Biểu mẫu đã hết hạn hoặc không hợp lệ. Tải lại trang và thử lại.",
        "forbidden": "Vai trò của bạn không được phép thực hiện thao tác này.",
        "not_found": "Không tìm thấy.", "conflict": "Không lưu được: {detail}",
        "queue": "Hàng đợi", "queue_count": "{n} mục", "filter_batch": "Lô",
        "filter_doc_type": "Loại giấy tờ", "filter_category": "Lý do", "filter_state": "Trạng thái",
        "all": "Tất cả", "apply": "Lọc",
        "cat_field": "Trường độ tin cậy thấp", "cat_match": "Liên kết chưa chắc",
        "cat_page_failed": "Trang lỗi", "cat_handwriting": "Có thể viết tay",
        "cat_dossier": "Hồ sơ: giấy tờ không khớp",
        "state_active": "Đang chờ", "state_open": "Mở", "state_held": "Cần thêm thông tin",
        "state_keying": "Chờ nhập lần hai", "state_dispute": "Hai lần nhập khác nhau",
        "state_done": "Đã xử lý", "state_all": "Tất cả",
        "doc_birth_certificate": "Giấy khai sinh", "doc_birth_register": "Sổ đăng ký khai sinh",
        "doc_unknown": "Không rõ",
        "kind_field": "Trường", "kind_match": "Liên kết", "kind_page": "Trang",
        "empty_title": "Không còn mục nào chờ xử lý.",
        "empty_hint": "Nhấn R để tải lại hàng đợi từ các tệp xuất.",
        "source": "Tệp", "page": "Trang", "row": "Dòng", "batch": "Lô",
        "ocr_value": "Giá trị OCR đọc được", "ocr_words": "Các từ OCR (độ tin cậy)",
        "uncertain_legend": "Ký tự tô màu: OCR không chắc chắn.",
        "confidence": "Độ tin cậy", "checks_failed": "Lý do cần kiểm tra",
        "correct_value": "Giá trị đúng", "no_crop": "Không có vùng ảnh cho trường này.",
        "show_page": "Xem cả trang", "blind_note": "Nhập mù hai lần: giá trị OCR và lần nhập "
        "trước được ẩn. Hãy gõ theo ảnh.",
        "dispute_note": "Hai lần nhập khác nhau — bạn là người quyết định thứ ba.",
        "keyed_values": "Các lần nhập", "read_only": "Chỉ xem: vai trò của bạn không được quyết định.",
        "record": "Hồ sơ trên giấy", "candidate": "Ứng viên {n}", "score": "Điểm",
        "explanation": "Đóng góp vào điểm", "differs": "khác", "match_reasons": "Lý do cần kiểm tra",
        "choose_hint": "Chọn ứng viên đúng, hoặc không ai, hoặc cần thêm thông tin.",
        "note": "Ghi chú (không bắt buộc)", "no_candidates": "Không có ứng viên.",
        "registry_missing": "không có trong CSDL",
        "page_failed_title": "Trang cần nhập tay", "page_image_missing":
        "Không có ảnh trang trong kho lưu trữ; mở bản gốc: {key}",
        "key_fields": "Nhập các trường đọc được trên trang; để trống trường không có.",
        "doc_type": "Loại giấy tờ",
        "saved_field": "Đã lưu trường {field}.", "saved_match": "Đã lưu liên kết.",
        "saved_no_match": "Đã ghi: không ai trong danh sách.",
        "saved_held": "Đã chuyển sang “cần thêm thông tin”.",
        "saved_unreadable": "Đã ghi: trang không đọc được.",
        "saved_page": "Đã lưu hồ sơ nhập tay (liên kết: {decision}).",
        "keyed_first": "Đã ghi lần nhập thứ nhất; chờ kiểm duyệt viên thứ hai.",
        "keyed_disagree": "Hai lần nhập khác nhau; chuyển cho người thứ ba.",
        "bad_name": "Tên chỉ gồm chữ cái và dấu cách.",
        "bad_date": "Ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).",
        "bad_sex": "Giới tính: Nam/Nữ (M/F).", "bad_id": "Số định danh gồm 12 chữ số hợp lệ "
        "(hoặc CMND 9 số).", "bad_year": "Năm gồm 4 chữ số.",
        "bad_candidate": "Ứng viên không có trong danh sách.", "bad_action": "Thao tác không hợp lệ.",
        "no_source": "Không tìm thấy tệp gốc của trang trong kho lưu trữ.",
        "nothing_keyed": "Cần nhập ít nhất họ và tên.",
        "keys_title": "Phím tắt", "key_next": "Mục tiếp theo", "key_prev": "Mục trước",
        "key_save": "Lưu giá trị trong ô (giữ nguyên = xác nhận)", "key_edit": "Sửa giá trị",
        "key_leave": "Rời ô nhập", "key_empty": "Trường để trống (không có trên trang)",
        "key_page": "Xem cả trang", "key_choose": "Chọn ứng viên 1–5", "key_none": "Không ai",
        "key_more": "Cần thêm thông tin", "key_unreadable": "Trang không đọc được",
        "key_save_page": "Lưu hồ sơ nhập tay", "key_reload": "Tải lại hàng đợi",
        "key_filter": "Tới bộ lọc", "key_lang": "Đổi ngôn ngữ", "key_help": "Hiện/ẩn phím tắt",
        "btn_save": "Lưu", "btn_empty": "Để trống", "btn_skip": "Bỏ qua", "btn_none": "Không ai",
        "btn_more": "Cần thêm thông tin", "btn_choose": "Chọn", "btn_unreadable": "Không đọc được",
        "batches_title": "Các lô hồ sơ", "files": "Tệp", "files_failed": "Tệp lỗi",
        "pages": "Trang", "pages_failed": "Trang lỗi", "records": "Hồ sơ",
        "fields_review": "Trường cần kiểm tra", "match_review": "Liên kết cần kiểm tra",
        "matched": "Đã liên kết", "open_items": "Mục đang chờ", "done_items": "Mục đã xử lý",
        "export_file": "Tệp xuất", "failures": "Lỗi", "what_to_do": "Cách xử lý",
        "no_batches": "Chưa có lô nào. Chạy `sohoa run THƯ_MỤC` trước.",
        "audit_title": "Nhật ký kiểm duyệt", "audit_ok": "Chuỗi băm của nhật ký hợp lệ.",
        "audit_broken": "Nhật ký bị sửa từ mục #{id}!", "when": "Thời điểm", "who": "Người",
        "action": "Thao tác", "item": "Mục", "before": "Trước", "after": "Sau",
        "detail": "Chi tiết", "hidden_blind": "(ẩn đến khi nhập xong)", "older": "Cũ hơn",
        "users_title": "Tài khoản", "display_name": "Họ tên", "role": "Vai trò",
        "active": "Hoạt động", "add_user": "Thêm tài khoản", "save": "Lưu",
        "new_password": "Mật khẩu mới (để trống: giữ nguyên)", "yes": "Có", "no": "Không",
        "user_saved": "Đã lưu tài khoản.", "created": "Tạo lúc",
        "error_title": "Lỗi", "back": "Quay lại",
    },
    "en": {
        "app_title": "Review desk", "app_sub": "Civil-status digitization",
        "nav_desk": "Review", "nav_batches": "Batches", "nav_audit": "Audit log",
        "nav_users": "Accounts", "logout": "Sign out", "language": "Language",
        "role_archivist": "Archivist", "role_supervisor": "Supervisor", "role_admin": "Administrator",
        "login_title": "Sign in", "username": "User name", "password": "Password",
        "login_button": "Sign in", "login_wrong": "Wrong user name or password.",
        "login_limited": "Too many failed sign-ins. Try again in {minutes} minute(s).",
        "login_hint": "A session lasts {hours} hours. Use Tab and Enter.",
        "csrf_refused": "The form expired or is not valid. Reload the page and try again.",
        "forbidden": "Your role may not do this.",
        "not_found": "Not found.", "conflict": "Not saved: {detail}",
        "queue": "Queue", "queue_count": "{n} item(s)", "filter_batch": "Batch",
        "filter_doc_type": "Document type", "filter_category": "Reason", "filter_state": "State",
        "all": "All", "apply": "Filter",
        "cat_field": "Low-confidence field", "cat_match": "Ambiguous match",
        "cat_page_failed": "Failed page", "cat_handwriting": "Likely handwriting",
        "cat_dossier": "Dossier: documents disagree",
        "state_active": "Waiting", "state_open": "Open", "state_held": "Needs more information",
        "state_keying": "Waiting for second keying", "state_dispute": "Keyings disagree",
        "state_done": "Done", "state_all": "All",
        "doc_birth_certificate": "Birth certificate", "doc_birth_register": "Birth register",
        "doc_unknown": "Unknown",
        "kind_field": "Field", "kind_match": "Match", "kind_page": "Page",
        "empty_title": "Nothing is waiting for review.",
        "empty_hint": "Press R to reload the queue from the exports.",
        "source": "File", "page": "Page", "row": "Row", "batch": "Batch",
        "ocr_value": "What OCR read", "ocr_words": "OCR words (confidence)",
        "uncertain_legend": "Highlighted characters: OCR was unsure.",
        "confidence": "Confidence", "checks_failed": "Why it needs checking",
        "correct_value": "Correct value", "no_crop": "No image area for this field.",
        "show_page": "Show the whole page", "blind_note": "Blind double keying: the OCR value "
        "and the other keying are hidden. Type what the image shows.",
        "dispute_note": "The two keyings disagree — you decide as the third supervisor.",
        "keyed_values": "Keyed values", "read_only": "Read only: your role does not decide.",
        "record": "On the document", "candidate": "Candidate {n}", "score": "Score",
        "explanation": "Contribution to the score", "differs": "differs",
        "match_reasons": "Why it needs checking",
        "choose_hint": "Choose the right candidate, none of them, or ask for more information.",
        "note": "Note (optional)", "no_candidates": "No candidates.",
        "registry_missing": "not in the registry",
        "page_failed_title": "Page to key in by hand", "page_image_missing":
        "No page image in the archive; open the original: {key}",
        "key_fields": "Key in what the page says; leave absent fields empty.",
        "doc_type": "Document type",
        "saved_field": "Saved {field}.", "saved_match": "Saved the link.",
        "saved_no_match": "Saved: none of the candidates.",
        "saved_held": "Moved to “needs more information”.",
        "saved_unreadable": "Saved: page unreadable.",
        "saved_page": "Saved the keyed record (link: {decision}).",
        "keyed_first": "First keying saved; waiting for a second supervisor.",
        "keyed_disagree": "The two keyings disagree; a third supervisor decides.",
        "bad_name": "A name has letters and spaces only.",
        "bad_date": "Not a valid date (dd/mm/yyyy or yyyy-mm-dd).",
        "bad_sex": "Sex: M/F (Nam/Nữ).", "bad_id": "A personal ID has 12 valid digits (or a "
        "9-digit CMND).", "bad_year": "A year has 4 digits.",
        "bad_candidate": "That candidate is not in the list.", "bad_action": "Unknown action.",
        "no_source": "The page's source file is not in the archive.",
        "nothing_keyed": "Key in at least the full name.",
        "keys_title": "Keys", "key_next": "Next item", "key_prev": "Previous item",
        "key_save": "Save the value in the box (unchanged = confirm)", "key_edit": "Edit the value",
        "key_leave": "Leave the input", "key_empty": "Field is empty (not on the page)",
        "key_page": "Show the whole page", "key_choose": "Choose candidate 1–5",
        "key_none": "None of these", "key_more": "Needs more information",
        "key_unreadable": "Page unreadable", "key_save_page": "Save the keyed record",
        "key_reload": "Reload the queue", "key_filter": "Go to the filters",
        "key_lang": "Switch language", "key_help": "Show/hide the keys",
        "btn_save": "Save", "btn_empty": "Empty", "btn_skip": "Skip", "btn_none": "None of these",
        "btn_more": "Needs more information", "btn_choose": "Choose",
        "btn_unreadable": "Unreadable",
        "batches_title": "Batches", "files": "Files", "files_failed": "Files failed",
        "pages": "Pages", "pages_failed": "Pages failed", "records": "Records",
        "fields_review": "Fields to review", "match_review": "Links to review",
        "matched": "Linked", "open_items": "Items waiting", "done_items": "Items done",
        "export_file": "Export", "failures": "Failures", "what_to_do": "What to do",
        "no_batches": "No batch yet. Run `sohoa run FOLDER` first.",
        "audit_title": "Audit log", "audit_ok": "The audit log's hash chain verifies.",
        "audit_broken": "The audit log was altered from entry #{id}!", "when": "When",
        "who": "Who", "action": "Action", "item": "Item", "before": "Before", "after": "After",
        "detail": "Detail", "hidden_blind": "(hidden until keying ends)", "older": "Older",
        "users_title": "Accounts", "display_name": "Name", "role": "Role", "active": "Active",
        "add_user": "Add an account", "save": "Save",
        "new_password": "New password (empty: unchanged)", "yes": "Yes", "no": "No",
        "user_saved": "Account saved.", "created": "Created",
        "error_title": "Error", "back": "Back",
    },
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **params)`` in one language, falling back to English, then to the key."""
    own, fallback = MESSAGES.get(lang, MESSAGES["en"]), MESSAGES["en"]

    def t(key: str, **params: object) -> str:
        text = own.get(key) or fallback.get(key) or key
        return text.format(**params) if params else text

    return t


def field_label(lang: str, name: str) -> str:
    return FIELD_LABELS.get(lang, FIELD_LABELS["en"]).get(name, name)


def reason_text(lang: str, reason: str) -> str:
    """A pipeline reason (a field's code, a matching sentence) in the interface language;
    unknown ones are shown as given."""
    table = REASONS.get(lang, REASONS["en"])
    if reason in table:
        return table[reason]
    if reason in _MATCH_REASONS:
        return table[_MATCH_REASONS[reason]]
    if reason.startswith("dossier_disagrees:"):  # dossier_disagrees:<field>:<other document>
        _, name, other = reason.split(":", 2)
        return table["dossier_disagrees"].format(field=field_label(lang, name), other=other)
    if reason.endswith(" disagrees with the best candidate"):
        return f"{field_label(lang, reason.split()[0])}: {table['disagrees']}"
    if reason.startswith("needs more information"):
        return table["needs more information"] + reason[len("needs more information"):]
    return reason


# the matcher's reason sentences (read from matching.score, as far as it has them)
_MATCH_REASONS = {getattr(_score, const): key for const, key in (
    ("REASON_AMBIGUOUS", "ambiguous"), ("REASON_BETWEEN", "between"), ("REASON_BELOW", "below"),
    ("REASON_THIN", "thin"), ("REASON_NO_CANDIDATES", "no candidates"))
    if isinstance(getattr(_score, const, None), str)}
