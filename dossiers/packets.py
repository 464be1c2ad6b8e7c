"""Which files of a batch make one dossier (hồ sơ), and what its manifest says.

A dossier is a folder holding a ``dossier.json`` manifest (any depth in the batch), or, when
the batch is run with ``dossiers`` on, every top-level folder and every top-level file (a
multi-page PDF or TIFF packet) of the batch. The manifest is optional and small::

    {"dossier_number": "HS-2026-000123", "procedure": "Đăng ký khai sinh",
     "office": "UBND xã Sen Phương", "date": "2026-11-02"}

A manifest that cannot be read is reported (the dossier is still processed, by its folder
name): a typo in a side file must not hold back the scans.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, ValidationError

from dossiers.checks import any_date
from kernel.records import DOSSIER_MANIFEST

MANIFEST = DOSSIER_MANIFEST
MAX_MANIFEST_BYTES = 64 * 1024


class DossierManifest(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    dossier_number: str | None = None
    procedure: str | None = None
    office: str | None = None
    date: str | None = None  # ISO after reading (dd/mm/yyyy accepted)


@dataclass(frozen=True)
class Dossier:
    dossier_id: str  # the manifest's number, else the folder or file path in the batch
    root: str  # folder or file, relative to the batch, NFC, '/'-separated
    manifest: DossierManifest | None
    sources: tuple[str, ...]  # the scan files, relative to the batch


@dataclass(frozen=True)
class ManifestProblem:
    relative: str
    message: str
    hint: str


@dataclass
class Packets:
    dossiers: list[Dossier] = field(default_factory=list)
    problems: list[ManifestProblem] = field(default_factory=list)

    def of(self) -> dict[str, Dossier]:
        """source -> its dossier (files in no dossier are absent)."""
        return {src: d for d in self.dossiers for src in d.sources}


def is_manifest(relative: str) -> bool:
    return PurePosixPath(relative).name == MANIFEST


def read_manifest(path: Path, relative: str) -> tuple[DossierManifest | None, ManifestProblem | None]:
    def problem(why: str) -> tuple[None, ManifestProblem]:
        return None, ManifestProblem(relative, f"{relative}: {why}; the dossier is taken by its "
                                     "folder name", "fix the file (UTF-8 JSON with dossier_number,"
                                     " procedure, office, date) or remove it, then run again")
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return problem(f"larger than {MAX_MANIFEST_BYTES // 1024} KiB, not a dossier manifest")
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return problem("not UTF-8 text")
    except json.JSONDecodeError as exc:
        return problem(f"not valid JSON (line {exc.lineno})")
    except OSError as exc:
        return problem(f"cannot be read ({exc.strerror})")
    if not isinstance(data, dict):
        return problem("not a JSON object")
    data = {k: _text(v) for k, v in data.items()}
    if data.get("date") is None and data.get("received") is not None:
        data["date"] = data["received"]  # "received": the day the office took the packet
    try:
        manifest = DossierManifest.model_validate(data)
    except ValidationError:
        return problem("fields of the wrong kind")
    if manifest.date:
        parsed = any_date(manifest.date)
        if parsed is None:
            return problem(f"date {manifest.date!r} is not a date")
        manifest = manifest.model_copy(update={"date": parsed})
    return manifest, None


def _text(value: object) -> object:
    """Strings NFC and trimmed, numbers as text (a dossier number of digits); anything else is
    left for validation to refuse."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip() or None
    return value


def find_dossiers(batch_dir: Path, sources: list[str], *, every_top_level: bool) -> Packets:
    """Group the batch's scan files (relative paths) into dossiers."""
    root = batch_dir.resolve()
    packets = Packets()
    manifests: dict[str, DossierManifest | None] = {}  # folder ('' = batch root) -> manifest
    for path in sorted(root.rglob(MANIFEST)):
        if path.is_symlink() or not path.is_file() or any(
                part.startswith(".") for part in path.relative_to(root).parts):
            continue
        rel = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
        manifest, problem = read_manifest(path, rel)
        folder = str(PurePosixPath(rel).parent)
        manifests["" if folder == "." else folder] = manifest
        if problem:
            packets.problems.append(problem)
    members: dict[str, list[str]] = {}
    for src in sorted(sources):
        folder = _dossier_root(src, manifests, every_top_level)
        if folder is not None:
            members.setdefault(folder, []).append(src)
    used: set[str] = set()
    for folder, files in sorted(members.items()):
        manifest = manifests.get(folder)
        number = manifest.dossier_number if manifest else None
        dossier_id = number if number and number not in used else (folder or batch_dir.name)
        used.add(dossier_id)
        packets.dossiers.append(Dossier(dossier_id, folder, manifest, tuple(files)))
    return packets


def _dossier_root(src: str, manifests: dict[str, DossierManifest | None],
                  every_top_level: bool) -> str | None:
    parents = [str(p) for p in PurePosixPath(src).parents][:-1]  # nearest folder first
    for folder in parents:
        if folder in manifests:
            return folder
    if "" in manifests:  # a manifest beside the scans at the batch root: one dossier
        return ""
    if every_top_level:
        return src.split("/", 1)[0]
    return None
