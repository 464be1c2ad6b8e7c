"""One bag per batch, in BagIt style (RFC 8493), stored in the archive beside the objects.

    bags/<batch>/<bag-id>/bagit.txt                 BagIt-Version 1.0, UTF-8
    bags/<batch>/<bag-id>/bag-info.txt              batch, who dropped it, when, sohoa version
    bags/<batch>/<bag-id>/manifest-sha256.txt       "<sha256>  data/<archive key>" per object
    bags/<batch>/<bag-id>/fetch.txt                 "<url> <size> data/<archive key>" per object
    bags/<batch>/<bag-id>/tagmanifest-sha256.txt    the SHA-256 of the four files above

The payload is not copied: ``data/<key>`` names the archive key, and ``fetch.txt`` says where
each object is (a "holey" bag that BagIt tools can complete by fetching). Every object of the
batch is listed: originals, quarantined copies and their notes, page images, OCR, records and
the per-file manifests.

The bag id is the SHA-256 of the batch name and ``manifest-sha256.txt`` only: the same batch
archived twice lists the same objects, so it gets the same id, finds its bag complete and stores
nothing. Who dropped it and when are in ``bag-info.txt``, which is not hashed into the id: they
record the first drop of exactly this content (a re-run's time is in its receipt). A changed
result (a corrected record, a new pipeline) gives a new manifest, so a new bag beside the old
one; the old bag's objects stay readable as kept versions. ``tagmanifest-sha256.txt`` is written
last: a bag that has it is complete; a bag interrupted before it is finished by the next run,
keeping the ``bag-info.txt`` already there.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kernel.errors import ArchiveError
from storage.base import Archive, MissingObjectError, StoredObject

BAG_ROOT = "bags"
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
TAG_FILES = ("bag-info.txt", "bagit.txt", "fetch.txt", "manifest-sha256.txt")
TAG_MANIFEST = "tagmanifest-sha256.txt"


@dataclass(frozen=True)
class BagInfo:
    batch: str
    dropped_by: str
    dropped_at: str  # ISO 8601, UTC
    sohoa_version: str
    pipeline: str
    files: int
    quarantined: int


@dataclass(frozen=True)
class BagResult:
    prefix: str
    written: int
    existing: int


def batch_slug(name: str) -> str:
    """A batch folder name as one key segment: NFC, letters and digits kept, the rest '-'."""
    text = unicodedata.normalize("NFC", name).strip()
    slug = re.sub(r"[^\w.-]+", "-", text, flags=re.UNICODE).strip("-.")
    return slug or "batch"


def _encode_path(key: str) -> str:
    return "data/" + key.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def _decode_path(path: str) -> str:
    if not path.startswith("data/"):
        raise ValueError(f"payload path {path!r} is not under data/")
    return path[5:].replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def manifest_txt(objects: list[StoredObject]) -> bytes:
    unique = {o.key: o for o in objects}
    return "".join(f"{o.sha256}  {_encode_path(o.key)}\n"
                   for o in sorted(unique.values(), key=lambda o: o.key)).encode()


def bag_prefix(batch: str, manifest: bytes) -> str:
    slug = batch_slug(batch)
    bag_id = hashlib.sha256(slug.encode() + b"\n" + manifest).hexdigest()[:16]
    return f"{BAG_ROOT}/{slug}/{bag_id}"


def _url(archive: Archive, key: str) -> str:
    where = archive.describe(key)
    return where if "://" in where else Path(where).as_uri()


def fetch_txt(archive: Archive, objects: list[StoredObject]) -> bytes:
    unique = {o.key: o for o in objects}
    return "".join(f"{_url(archive, o.key)} {o.size} {_encode_path(o.key)}\n"
                   for o in sorted(unique.values(), key=lambda o: o.key)).encode()


def bag_info_txt(info: BagInfo, objects: list[StoredObject], prefix: str) -> bytes:
    unique = {o.key: o for o in objects}
    octets = sum(o.size for o in unique.values())
    lines = [
        ("External-Identifier", prefix.rsplit("/", 1)[-1]),
        ("Internal-Sender-Identifier", info.batch),
        ("Contact-Name", info.dropped_by),
        ("Bagging-Date", info.dropped_at[:10]),
        ("Bag-Software-Agent", f"sohoa {info.sohoa_version} (pipeline {info.pipeline})"),
        ("Payload-Oxum", f"{octets}.{len(unique)}"),
        ("Bag-Size", f"{octets / 1e6:.1f} MB"),
        ("Sohoa-Batch", info.batch),
        ("Sohoa-Dropped-By", info.dropped_by),
        ("Sohoa-Dropped-At", info.dropped_at),
        ("Sohoa-Version", info.sohoa_version),
        ("Sohoa-Pipeline", info.pipeline),
        ("Sohoa-Files", str(info.files)),
        ("Sohoa-Files-Quarantined", str(info.quarantined)),
    ]
    return "".join(f"{label}: {value.replace(chr(10), ' ')}\n" for label, value in lines).encode()


def collect_objects(archive: Archive, manifest_keys: list[str],
                    loose_keys: list[str]) -> list[StoredObject]:
    """Every object of a batch: each per-file manifest and what it lists, plus loose objects
    (originals and quarantine copies of files that could not be taken in)."""
    objects: list[StoredObject] = []
    for key in manifest_keys:
        data = archive.get_bytes(key)
        objects.append(StoredObject(key, hashlib.sha256(data).hexdigest(), len(data)))
        objects.extend(StoredObject(e["key"], e["sha256"], e["size"])
                       for e in json.loads(data)["objects"])
    for key in loose_keys:
        found = archive.stat(key)
        if found is None:
            raise ArchiveError(f"archive object {key} is missing", hint="run the batch again")
        objects.append(found)
    return objects


def write_bag(archive: Archive, info: BagInfo, objects: list[StoredObject]) -> BagResult:
    manifest = manifest_txt(objects)
    prefix = bag_prefix(info.batch, manifest)
    if archive.stat(f"{prefix}/{TAG_MANIFEST}") is not None:
        return BagResult(prefix, 0, len(TAG_FILES) + 1)
    try:  # an interrupted earlier run keeps its who and when
        bag_info = archive.get_bytes(f"{prefix}/bag-info.txt")
    except MissingObjectError:
        bag_info = bag_info_txt(info, objects, prefix)
    files = {"bagit.txt": BAGIT_TXT, "manifest-sha256.txt": manifest,
             "fetch.txt": fetch_txt(archive, objects), "bag-info.txt": bag_info}
    written = sum(archive.put_bytes(f"{prefix}/{name}", data, immutable=True).written
                  for name, data in files.items())
    tags = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in TAG_FILES)
    written += archive.put_bytes(f"{prefix}/{TAG_MANIFEST}", tags.encode(), immutable=True).written
    return BagResult(prefix, written, len(TAG_FILES) + 1 - written)


def parse_manifest(text: str) -> dict[str, str]:
    """``<checksum>  <path>`` lines as {path: checksum} (payload paths decoded to keys)."""
    entries = {}
    for line in text.splitlines():
        if line.strip():
            checksum, path = line.split(maxsplit=1)
            entries[path.strip()] = checksum.lower()
    return entries


def bag_expectations(archive: Archive, prefix: str) -> dict[str, str]:
    """{archive key: sha256} for every object a complete bag lists, its tag files included."""
    tags = parse_manifest(archive.get_bytes(f"{prefix}/{TAG_MANIFEST}").decode())
    payload = parse_manifest(archive.get_bytes(f"{prefix}/manifest-sha256.txt").decode())
    expected = {f"{prefix}/{name}": sha for name, sha in tags.items()}
    expected.update({_decode_path(path): sha for path, sha in payload.items()})
    return expected


def who_dropped(settings=None) -> str:
    """Who drops the batch: the ``operator`` setting (SOHOA_OPERATOR), else the OS user."""
    import getpass
    import os

    name = getattr(settings, "operator", None) or os.environ.get("SOHOA_OPERATOR")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return name
