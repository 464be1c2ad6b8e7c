import json

import pytest

from kernel.errors import ArchiveError, ConfigError, InputFileError
from storage import LocalArchive, open_archive
from storage.archiving import archive_original, quarantine
from storage.layout import original_key
from storage.manifest import manifest_bytes, verify_manifest


def test_put_is_idempotent_and_reports_what_it_wrote(tmp_path):
    archive = LocalArchive(tmp_path / "a")
    first = archive.put_bytes("x/y.json", b"{}")
    again = archive.put_bytes("x/y.json", b"{}")
    assert first.written and not again.written
    assert archive.get_bytes("x/y.json") == b"{}"
    assert archive.list() == ["x/y.json"]


def test_originals_are_never_overwritten(tmp_path):
    archive = LocalArchive(tmp_path)
    archive.put_bytes("originals/ab/abc.pdf", b"one", immutable=True)
    with pytest.raises(ArchiveError, match="never overwritten"):
        archive.put_bytes("originals/ab/abc.pdf", b"two", immutable=True)
    assert archive.get_bytes("originals/ab/abc.pdf") == b"one"


def test_mutable_objects_keep_their_previous_version(tmp_path):
    archive = LocalArchive(tmp_path)
    archive.put_bytes("r/rec.json", b"v1")
    archive.put_bytes("r/rec.json", b"v2")
    assert archive.get_bytes("r/rec.json") == b"v2"
    kept = [p for p in (tmp_path / "_versions").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in kept] == [b"v1"]
    assert archive.list() == ["r/rec.json"]  # versions are not listed as current objects


@pytest.mark.parametrize("key", ["../x", "/abs", "a//b", "a/./b", ""])
def test_keys_cannot_escape_the_archive(tmp_path, key):
    with pytest.raises(ArchiveError):
        LocalArchive(tmp_path).put_bytes(key, b"x")


def test_no_partial_file_is_left_when_a_write_fails(tmp_path, monkeypatch):
    archive = LocalArchive(tmp_path)
    src = tmp_path / "src.bin"
    src.write_bytes(b"data" * 1000)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("shutil.copyfileobj", boom)
    with pytest.raises(OSError):
        archive.put_file("k/file.bin", src)
    assert archive.stat("k/file.bin") is None
    assert not list((tmp_path / "k").glob(".part-*"))


def test_manifest_verification_finds_missing_and_changed(tmp_path):
    archive = LocalArchive(tmp_path)
    objs = [archive.put_bytes("d/a.txt", b"a").obj, archive.put_bytes("d/b.txt", b"b").obj]
    archive.put_bytes("d/manifest.json", manifest_bytes("s.pdf", "00" * 32, objs, {"v": 1}))
    assert verify_manifest(archive, "d/manifest.json") == []
    (tmp_path / "d" / "a.txt").write_bytes(b"tampered")
    (tmp_path / "d" / "b.txt").unlink()
    assert verify_manifest(archive, "d/manifest.json") == ["changed: d/a.txt", "missing: d/b.txt"]


def test_manifest_is_deterministic(tmp_path):
    archive = LocalArchive(tmp_path)
    objs = [archive.put_bytes("b", b"1").obj, archive.put_bytes("a", b"2").obj]
    assert manifest_bytes("s", "0", objs, {}) == manifest_bytes("s", "0", list(reversed(objs)), {})


def test_quarantine_keeps_the_original_and_says_why(tmp_path):
    archive = LocalArchive(tmp_path / "arch")
    bad = tmp_path / "hỏng.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    from storage import sha256_file
    sha = sha256_file(bad)
    archive_original(archive, bad, sha)
    key = quarantine(archive, bad, sha, "sub/hỏng.jpg",
                     InputFileError("hỏng.jpg: truncated", reason="corrupt", hint="rescan"))
    assert archive.get_bytes(key) == bad.read_bytes()
    assert archive.get_bytes(original_key(sha, bad.name)) == bad.read_bytes()
    note = json.loads(archive.get_bytes(key.rsplit(".", 1)[0] + ".error.json"))
    assert note["reason"] == "corrupt" and note["source"] == "sub/hỏng.jpg" and note["hint"] == "rescan"


def test_open_archive_rejects_unknown_schemes(tmp_path):
    assert isinstance(open_archive(str(tmp_path)), LocalArchive)
    with pytest.raises(ConfigError):
        open_archive("ftp://host/x")
