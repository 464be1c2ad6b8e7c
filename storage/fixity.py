"""Fixity: re-read archived objects and compare them with what the manifests say.

Expectations come from every per-file ``manifest.json`` (SHA-256 and size of each object) and
every complete batch bag (``manifest-sha256.txt`` for the objects, ``tagmanifest-sha256.txt``
for the bag's own files). Each object is read back in full and hashed: the S3 backend does not
trust its recorded ``sha256`` metadata here, so a byte flipped on a disk or an object replaced
behind sohoa's back is found.

An object whose current bytes differ from an older bag is *superseded*, not changed, when its
current bytes are what a newer manifest lists and a kept version still has the bytes the older
bag lists (a record written anew after a correction). Bytes that no manifest lists are
*changed*, even when a kept version still has the listed ones (the detail says so: that
version is the copy to restore from).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field

from kernel.errors import ArchiveError
from storage.bag import BAG_ROOT, TAG_MANIFEST, bag_expectations
from storage.base import Archive, StoredObject
from storage.retry import ArchiveUnavailableError

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Expectation:
    sha256: str
    size: int | None
    listed_in: str


@dataclass(frozen=True)
class FixityProblem:
    kind: str  # missing, changed, unreadable, incomplete
    key: str
    detail: str


@dataclass
class FixityReport:
    location: str
    manifests: int = 0
    bags: int = 0
    listed: int = 0  # distinct objects the manifests and bags list
    checked: int = 0  # objects re-read
    superseded: int = 0
    problems: list[FixityProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def of_kind(self, kind: str) -> list[FixityProblem]:
        return [p for p in self.problems if p.kind == kind]


def _expectations(archive: Archive, keys: list[str],
                  report: FixityReport) -> dict[str, list[Expectation]]:
    expected: dict[str, list[Expectation]] = {}

    def add(key: str, sha: str, size: int | None, listed_in: str) -> None:
        expected.setdefault(key, []).append(Expectation(sha, size, listed_in))

    for key in keys:
        if key.startswith("derived/") and key.rsplit("/", 1)[-1] == MANIFEST_NAME:
            try:
                data = archive.get_bytes(key)
                entries = json.loads(data)["objects"]
                add(key, hashlib.sha256(data).hexdigest(), len(data), key)  # the current manifest
                for e in entries:
                    add(e["key"], e["sha256"], int(e["size"]), key)
            except (ValueError, KeyError, TypeError, ArchiveError) as exc:
                report.problems.append(FixityProblem("unreadable", key, f"manifest: {exc}"))
                continue
            report.manifests += 1
    bag_dirs = {k.rsplit("/", 1)[0] for k in keys if k.startswith(BAG_ROOT + "/")}
    for prefix in sorted(bag_dirs):
        if f"{prefix}/{TAG_MANIFEST}" not in keys:
            report.problems.append(FixityProblem(
                "incomplete", prefix, "bag without tagmanifest-sha256.txt (interrupted; the "
                "next run of its batch finishes it)"))
            continue
        try:
            for key, sha in bag_expectations(archive, prefix).items():
                add(key, sha, None, prefix)
        except (ValueError, ArchiveError) as exc:
            report.problems.append(FixityProblem("unreadable", prefix, f"bag: {exc}"))
            continue
        report.bags += 1
    return expected


def _kept_version_matches(archive: Archive, key: str, sha: str) -> bool:
    for version in archive.versions(key):
        if version.sha256 in (None, sha):
            again = archive.digest(key, version.version_id)
            if again is not None and again.sha256 == sha:
                return True
    return False


def _compare(archive: Archive, key: str, found: StoredObject | None, wants: list[Expectation],
             report: FixityReport) -> FixityProblem | None:
    """One problem at most per object, naming every manifest or bag that lists it."""
    where = ", ".join(sorted({w.listed_in for w in wants}))
    if found is None:
        return FixityProblem("missing", key, f"listed in {where}")
    listed = {w.sha256 for w in wants}
    bad, kept = [], False
    for want in {(w.sha256, w.size): w for w in wants}.values():
        if found.sha256 == want.sha256 and want.size in (None, found.size):
            continue
        has_kept = _kept_version_matches(archive, key, want.sha256)
        if has_kept and found.sha256 in listed:  # rewritten by sohoa, listed anew elsewhere
            report.superseded += 1
            continue
        bad.append(want)
        kept = kept or has_kept
    if not bad:
        return None
    return FixityProblem(
        "changed", key, f"listed in {where} with sha256 {bad[0].sha256[:12]}..., stored bytes "
                        f"have {found.sha256[:12]}... ({found.size} bytes)"
                        + ("; a kept version still has the listed bytes" if kept else ""))


def check_fixity(archive: Archive, *, sample: int | None = None,
                 seed: int | None = None) -> FixityReport:
    """Re-read every listed object (or ``sample`` of them, chosen at random)."""
    report = FixityReport(archive.location)
    keys = archive.list()
    expected = _expectations(archive, keys, report)
    report.listed = len(expected)
    chosen = sorted(expected)
    if sample is not None and sample < len(chosen):
        chosen = sorted(random.Random(seed).sample(chosen, sample))
    unavailable: ArchiveError | None = None
    for key in chosen:
        report.checked += 1
        try:
            found = archive.digest(key)
        except ArchiveError as exc:  # e.g. a server that detects a bad checksum on its disk
            report.problems.append(FixityProblem("unreadable", key, exc.message))
            unavailable = exc if isinstance(exc, ArchiveUnavailableError) else None
            continue
        problem = _compare(archive, key, found, expected[key], report)
        if problem is not None:
            report.problems.append(problem)
    if unavailable is not None and len(report.of_kind("unreadable")) == report.checked:
        raise unavailable  # nothing could be read: the archive is down, not damaged
    return report
