"""The archive contract: the same tests on the local folder and on S3 (a real SeaweedFS)."""

import hashlib
import io
import json
import os

import pytest

from kernel.errors import ArchiveError
from storage import LocalArchive
from storage.bag import BagInfo, bag_expectations, collect_objects, write_bag
from storage.fixity import check_fixity
from storage.manifest import manifest_bytes, verify_manifest


class LocalBackend:
    name = "local"

    def __init__(self, tmp_path):
        self.archive = LocalArchive(tmp_path / "archive")

    def flip_byte(self, key, offset=0):
        path = self.archive.root / key
        data = bytearray(path.read_bytes())
        data[offset] ^= 0x01
        path.write_bytes(bytes(data))

    def remove(self, key):
        (self.archive.root / key).unlink()


class S3Backend:
    """Tampering as S3 shows it: the object's current bytes replaced behind sohoa's back (a new
    version with the old ``sha256`` metadata), or a delete marker. The server itself refuses
    to hand out bytes whose on-disk checksum broke (HTTP 500): fixity reports those too."""

    name = "s3"

    def __init__(self, factory):
        self.archive = factory()

    def flip_byte(self, key, offset=0):
        a = self.archive
        name = a._name(key)
        head = a.client.stat_object(a.config.bucket, name)
        data = bytearray(a.get_bytes(key))
        data[offset] ^= 0x01
        a.client.put_object(a.config.bucket, name, io.BytesIO(bytes(data)), len(data),
                            metadata={"sha256": head.metadata["x-amz-meta-sha256"]})

    def remove(self, key):
        self.archive.client.remove_object(self.archive.config.bucket, self.archive._name(key))


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def backend(request, tmp_path):
    if request.param == "local":
        return LocalBackend(tmp_path)
    return S3Backend(request.getfixturevalue("s3_archive_factory"))


def test_put_is_idempotent_and_reports_what_it_wrote(backend):
    archive = backend.archive
    first = archive.put_bytes("x/y.json", b"{}")
    again = archive.put_bytes("x/y.json", b"{}")
    assert first.written and not again.written
    assert first.obj.sha256 == hashlib.sha256(b"{}").hexdigest() and first.obj.size == 2
    assert archive.get_bytes("x/y.json") == b"{}"
    assert archive.list() == ["x/y.json"]


def test_files_round_trip_and_stat_tells_size_and_sha(backend, tmp_path):
    archive = backend.archive
    src = tmp_path / "scan.tif"
    src.write_bytes(os.urandom(300_000))
    put = archive.put_file("originals/ab/abc.tif", src, immutable=True)
    assert put.written
    assert archive.get_bytes("originals/ab/abc.tif") == src.read_bytes()
    want = hashlib.sha256(src.read_bytes()).hexdigest()
    assert archive.stat("originals/ab/abc.tif").sha256 == want
    assert archive.digest("originals/ab/abc.tif").sha256 == want
    assert b"".join(archive.iter_chunks("originals/ab/abc.tif")) == src.read_bytes()
    assert archive.stat("originals/ab/none.tif") is None
    assert archive.digest("originals/ab/none.tif") is None
    with pytest.raises(ArchiveError, match="missing"):
        archive.get_bytes("originals/ab/none.tif")


def test_a_large_file_goes_up_in_parts_and_verifies(backend, tmp_path):
    """11 MiB with 5 MiB parts on S3: a multipart upload whose ETag is checked."""
    src = tmp_path / "big.pdf"
    src.write_bytes(os.urandom(11 * (1 << 20) + 123))
    put = backend.archive.put_file("originals/cd/big.pdf", src, immutable=True)
    assert put.written and put.obj.size == src.stat().st_size
    assert backend.archive.digest("originals/cd/big.pdf") == put.obj
    if backend.name == "s3":
        assert backend.archive.verified_by["etag"] == 1  # checked without a download


def test_originals_are_never_overwritten(backend):
    archive = backend.archive
    archive.put_bytes("originals/ab/abc.pdf", b"one", immutable=True)
    with pytest.raises(ArchiveError, match="never overwritten"):
        archive.put_bytes("originals/ab/abc.pdf", b"two", immutable=True)
    assert archive.get_bytes("originals/ab/abc.pdf") == b"one"
    assert archive.versions("originals/ab/abc.pdf") == []


def test_mutable_objects_keep_their_previous_version(backend):
    archive = backend.archive
    archive.put_bytes("r/rec.json", b"v1")
    archive.put_bytes("r/rec.json", b"v2")
    assert archive.get_bytes("r/rec.json") == b"v2"
    kept = archive.versions("r/rec.json")
    assert [v.sha256 for v in kept] == [hashlib.sha256(b"v1").hexdigest()]
    assert archive.digest("r/rec.json", kept[0].version_id).sha256 == kept[0].sha256
    assert archive.list() == ["r/rec.json"]  # versions are not listed as current objects


@pytest.mark.parametrize("key", ["../x", "/abs", "a//b", "a/./b", ""])
def test_keys_cannot_escape_the_archive(backend, key):
    with pytest.raises(ArchiveError):
        backend.archive.put_bytes(key, b"x")


def test_list_filters_by_prefix(backend):
    for key in ("derived/p1/aa/a/page-0001.png", "derived/p1/bb/b/page-0001.png", "originals/aa/a.png"):
        backend.archive.put_bytes(key, key.encode())
    assert backend.archive.list("derived/") == ["derived/p1/aa/a/page-0001.png",
                                                 "derived/p1/bb/b/page-0001.png"]
    assert len(backend.archive.list()) == 3


def test_manifest_verification_finds_missing_and_changed(backend):
    archive = backend.archive
    objs = [archive.put_bytes("d/a.txt", b"a").obj, archive.put_bytes("d/b.txt", b"b").obj]
    archive.put_bytes("d/manifest.json", manifest_bytes("s.pdf", "00" * 32, objs, {"v": 1}))
    assert verify_manifest(archive, "d/manifest.json") == []
    backend.flip_byte("d/a.txt")
    backend.remove("d/b.txt")
    assert verify_manifest(archive, "d/manifest.json") == ["changed: d/a.txt", "missing: d/b.txt"]


def _small_batch(archive, sha="ab" * 32):
    """A per-file manifest over an original, a page, its OCR and a record, as the flow writes."""
    base = f"derived/p1/{sha[:2]}/{sha}"
    objs = [archive.put_bytes(f"originals/{sha[:2]}/{sha}.png", os.urandom(5000), immutable=True).obj,
            archive.put_bytes(f"{base}/page-0001.png", os.urandom(4000)).obj,
            archive.put_bytes(f"{base}/page-0001.hocr", b"<html>hocr</html>").obj,
            archive.put_bytes(f"{base}/records/r1.json", b'{"record_id": "r1"}').obj]
    archive.put_bytes(f"{base}/manifest.json", manifest_bytes("a.png", sha, objs, {"p": 1}))
    return objs, f"{base}/manifest.json"


INFO = BagInfo(batch="lô 2024-05", dropped_by="can.bo", dropped_at="2026-01-02T03:04:05+00:00",
               sohoa_version="0.1.0", pipeline="p1", files=1, quarantined=0)


def test_batch_bag_lists_every_object_and_a_second_run_stores_nothing(backend):
    archive = backend.archive
    objs, manifest = _small_batch(archive)
    bag = write_bag(archive, INFO, collect_objects(archive, [manifest], []))
    assert bag.written == 5 and bag.prefix.startswith("bags/lô-2024-05/")
    later = BagInfo(**{**INFO.__dict__, "dropped_at": "2027-01-01T00:00:00+00:00", "dropped_by": "x"})
    again = write_bag(archive, later, collect_objects(archive, [manifest], []))
    assert (again.prefix, again.written) == (bag.prefix, 0)
    info = archive.get_bytes(f"{bag.prefix}/bag-info.txt").decode()
    assert "Contact-Name: can.bo" in info and "Sohoa-Dropped-At: 2026-01-02T03:04:05" in info
    assert "Payload-Oxum: " in info and "Sohoa-Version: 0.1.0" in info
    listed = bag_expectations(archive, bag.prefix)
    assert {o.key for o in objs} | {manifest} <= set(listed)
    fetch = archive.get_bytes(f"{bag.prefix}/fetch.txt").decode()
    assert all(f" data/{o.key}" in fetch for o in objs)


def test_fixity_is_clean_then_catches_a_flipped_byte_and_a_missing_object(backend):
    archive = backend.archive
    objs, manifest = _small_batch(archive)
    write_bag(archive, INFO, collect_objects(archive, [manifest], []))
    clean = check_fixity(archive)
    assert clean.ok, clean.problems
    assert clean.manifests == 1 and clean.bags == 1
    assert clean.checked == clean.listed == 9  # 5 objects, 4 bag files
    original, page = objs[0].key, objs[1].key
    backend.flip_byte(original, offset=1234)  # the locked original too: its bytes are what count
    backend.remove(page)
    report = check_fixity(archive)
    assert not report.ok
    assert {p.key for p in report.of_kind("changed")} == {original}
    assert {p.key for p in report.of_kind("missing")} == {page}
    sampled = check_fixity(archive, sample=3, seed=1)
    assert sampled.checked == 3


def test_fixity_accepts_a_record_rewritten_after_its_bag(backend):
    """An older bag lists the record's earlier bytes; they are kept as a version: superseded."""
    archive = backend.archive
    objs, manifest = _small_batch(archive)
    write_bag(archive, INFO, collect_objects(archive, [manifest], []))
    record = objs[3]
    new = archive.put_bytes(record.key, b'{"record_id": "r1", "corrected": true}').obj
    archive.put_bytes(manifest, manifest_bytes("a.png", "ab" * 32, objs[:3] + [new], {"p": 1}))
    report = check_fixity(archive)
    assert report.ok, report.problems
    assert report.superseded >= 1


def test_fixity_reports_an_unreadable_manifest(backend):
    archive = backend.archive
    archive.put_bytes("derived/p1/aa/aa/manifest.json", b"{not json")
    report = check_fixity(archive)
    assert [p.kind for p in report.problems] == ["unreadable"]
    assert json.dumps([p.key for p in report.problems]) == '["derived/p1/aa/aa/manifest.json"]'
