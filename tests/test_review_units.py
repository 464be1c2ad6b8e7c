"""Review desk pieces that need no batch run: typed values, OCR word marks, the export
rewrite, messages, and the `sohoa users` commands."""

import json

import pytest
from typer.testing import CliRunner

from review.i18n import MESSAGES, reason_text
from review.ocrwords import Word, marked, parse_hocr, words_in
from review.values import BadValue, normalize


@pytest.mark.parametrize("field, typed, stored", [
    ("full_name", "  nguyễn   thị  đào ", "NGUYỄN THỊ ĐÀO"),
    ("full_name", "Nguye\u0302\u0303n Văn An", "NGUYỄN VĂN AN"),  # NFD in, NFC out
    ("date_of_birth", "5/3/1987", "1987-03-05"),
    ("date_of_birth", "1987-03-05", "1987-03-05"),
    ("sex", "Nữ", "F"), ("sex", "m", "M"),
    ("id_number", "0013 1759 5701", "001317595701"),
    ("father_birth_year", "1985", "1985"),
    ("place_of_birth", "xã Sen Phương", "xã Sen Phương"),
    ("hometown", "   ", None),
])
def test_typed_values_are_stored_as_the_export_holds_them(field, typed, stored):
    assert normalize(field, typed) == stored


@pytest.mark.parametrize("field, typed", [
    ("full_name", "NGUYỄN 2"), ("date_of_birth", "31/02/2017"), ("sex", "x"),
    ("id_number", "12345"), ("id_number", "999317595701"), ("mother_birth_year", "85")])
def test_impossible_values_are_refused(field, typed):
    with pytest.raises(BadValue):
        normalize(field, typed)


HOCR = (b"<span class='ocrx_word' id='word_1_1' title='bbox 10 10 60 40; x_wconf 96'>H\xe1\xbb\x8d</span>"
        b"<span class='ocrx_word' id='word_1_2' title='bbox 70 10 200 40; x_wconf 61'>NGUY\xc3\x8aN</span>"
        b"<span class='ocrx_word' id='word_1_3' title='bbox 210 10 300 40; x_wconf 52'>VAN</span>"
        b"<span class='ocrx_word' id='word_2_1' title='bbox 10 300 90 330; x_wconf 90'>xa</span>")


def test_unsure_characters_of_low_confidence_words_are_marked():
    words = words_in(parse_hocr(HOCR), (60, 5, 320, 45))
    assert [w.text for w in words] == ["NGUYÊN", "VAN"]
    assert words[0] == Word("NGUYÊN", (70, 10, 200, 40), 0.61)
    segments = marked("NGUYÊN VAN AN", words, 0.8)
    assert segments == [("NGUY", False), ("Ê", True), ("N ", False), ("VAN", True), (" AN", False)]
    assert marked("NGUYÊN", words, 0.5) == [("NGUYÊN", False)]


def test_export_lines_are_replaced_or_inserted_in_order_atomically(tmp_path):
    from kernel.records import (DocType, FieldStatus, FieldValue, MatchDecision, MatchResult,
                                PersonRecord, Provenance)
    from review.writeback import ReviewConflict, rewrite_export

    def record(rid, source, page, name):
        return PersonRecord(
            record_id=rid, source=source, source_sha256="ab" * 32, page=page, row=None,
            doc_type=DocType.BIRTH_CERTIFICATE,
            fields={"full_name": FieldValue(value=name, confidence=1.0, status=FieldStatus.AUTO)},
            match=MatchResult(decision=MatchDecision.NO_MATCH, registry_id=None, score=None),
            archive_key=f"derived/p1/ab/x/records/{rid}.json",
            provenance=Provenance(sohoa_version="0", pipeline_version="p1", engine="t",
                                  settings_hash="0"))

    export = tmp_path / "b.jsonl"
    export.write_text("".join(json.dumps(r.export(), ensure_ascii=False) + "\n" for r in
                              (record("a", "a.pdf", 1, "A"), record("c", "c.pdf", 1, "C"))),
                      encoding="utf-8")
    export.chmod(0o644)
    rewrite_export(export, record("c", "c.pdf", 1, "CÊ"))
    rewrite_export(export, record("b", "b.png", 2, "B"), insert=True)
    lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert [(r["record_id"], r["fields"]["full_name"]["value"]) for r in lines] == [
        ("a", "A"), ("b", "B"), ("c", "CÊ")]
    assert export.stat().st_mode & 0o777 == 0o644
    with pytest.raises(ReviewConflict):
        rewrite_export(export, record("z", "z.pdf", 1, "Z"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl", "b.jsonl.lock"]


def test_messages_exist_in_both_languages_and_reasons_are_translated():
    assert set(MESSAGES["vi"]) == set(MESSAGES["en"])
    assert reason_text("vi", "date_words_disagree") == "ngày bằng số và bằng chữ không khớp"
    assert reason_text("en", "id_number disagrees with the best candidate").startswith("Personal ID")
    assert reason_text("vi", "something new") == "something new"


def test_users_commands_add_list_and_disable(tmp_path, monkeypatch):
    from sohoa.review_commands import users_app

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(users_app, ["add", "Lan", "--role", "supervisor", "--name",
                                      "Nguyễn Thị Lan", "--password-stdin"],
                          input="mot-mat-khau-dai\n")
    assert added.exit_code == 0, added.output
    assert runner.invoke(users_app, ["add", "lan", "--password-stdin"],
                         input="mot-mat-khau-dai\n").exit_code == 2  # exists already
    assert runner.invoke(users_app, ["add", "tu", "--password-stdin"],
                         input="ngan\n").exit_code == 2  # too short
    assert runner.invoke(users_app, ["add", "tu", "--role", "boss", "--password-stdin"],
                         input="mot-mat-khau-dai\n").exit_code == 2
    assert runner.invoke(users_app, ["disable", "lan"]).exit_code == 0
    listing = runner.invoke(users_app, ["list"])
    assert "lan" in listing.output and "supervisor" in listing.output and "no" in listing.output
    assert (tmp_path / "review.sqlite").exists()


def test_the_audit_log_is_append_only_on_postgresql_too(request):
    """The same guard as on SQLite, as a PostgreSQL trigger (server from the session fixture)."""
    pytest.importorskip("psycopg")
    try:
        server = request.getfixturevalue("postgres_server")
    except pytest.FixtureLookupError:
        pytest.skip("no PostgreSQL fixture in this suite")
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from review import audit
    from review.db import open_db

    engine = open_db(server.new_database())
    open_db(str(engine.url.render_as_string(hide_password=False)))  # a second open is harmless
    with engine.begin() as conn:
        audit.append(conn, None, "test", detail="one")
    for statement in ("UPDATE review_audit SET detail = 'two'", "DELETE FROM review_audit"):
        with pytest.raises(DatabaseError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    assert audit.verify_chain(engine) is None
    engine.dispose()
