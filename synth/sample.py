"""(Re)create the committed sample batch: ``python -m synth.sample sample_scans``.

Six synthetic birth records in four files of different kinds, a registry export holding
those six people among distractors, the expected reading of every page, and a README. Names
come from the built-in lists only, so the output does not depend on ../shared/data.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from kernel.civil_id import mask
from kernel.errors import MissingDependencyError

from synth.certificate import DocumentKind, render_certificate
from synth.fonts import FontSet, find_fonts
from synth.formats import save_pages
from synth.names import NameBook
from synth.people import BirthRegistration, make_namesake, make_registration, make_sibling
from synth.registry import (ExpectedRecord, NameForm, RegistryRow, registry_row,
                            write_expected_jsonl, write_registry_csv)
from synth.sample_readme import readme_text
from synth.scan import ScanParams, degrade

SEED = 20170824
UNRELATED = 30
PREFERRED_FONT = "Liberation Serif"

ScanChoice = Callable[[random.Random], ScanParams]


@dataclass(frozen=True)
class SamplePage:
    key: str
    kind: DocumentKind
    birth_year: int
    sex: str | None = None
    given: str | None = None
    id_printed: bool = True
    registry_form: NameForm = NameForm.AS_IS
    note: str = ""


@dataclass(frozen=True)
class SampleFile:
    path: str  # under batch/, '/' separators, NFC
    dpi: int
    pages: tuple[SamplePage, ...]
    scan: ScanChoice
    description: str
    save_options: dict[str, object] = field(default_factory=dict)


def _office_grey(rng: random.Random) -> ScanParams:
    return ScanParams(rotation_deg=rng.uniform(-0.6, 0.6), paper_tint=(252, 250, 245),
                      blur_radius=0.5, noise_sigma=1.5, mode="L")


def _archive_bilevel(rng: random.Random) -> ScanParams:
    return ScanParams(rotation_deg=rng.uniform(-0.5, 0.5), blur_radius=0.4, noise_sigma=2.0,
                      mode="1", threshold=165)


def _phone_photo(rng: random.Random) -> ScanParams:
    return ScanParams(rotation_deg=rng.uniform(-1.5, -0.8), paper_tint=(250, 246, 236),
                      shading=0.12, blur_radius=0.7, noise_sigma=2.0, mode="RGB")


def _skewed_grey(rng: random.Random) -> ScanParams:
    return ScanParams(rotation_deg=3.0, paper_tint=(253, 252, 248), blur_radius=0.5,
                      noise_sigma=1.5, mode="P", grey_levels=16)


GKS, TLKS = DocumentKind.BIRTH_CERTIFICATE, DocumentKind.BIRTH_EXTRACT

SAMPLE_FILES: tuple[SampleFile, ...] = (
    SampleFile("giay_khai_sinh_2017.pdf", 300, (
        SamplePage("pdf1", GKS, 2017, sex="F", given="Hòa", registry_form=NameForm.OTHER_TONES,
                   note="registry spells the given name in the other tone placement (Hoà)"),
        SamplePage("pdf2", GKS, 2017, note="a sibling (same parents) is in the registry"),
    ), _office_grey, "2-page PDF, greyscale office scan (JPEG streams)",
        {"quality": 80}),
    SampleFile("so_ho_tich/trich_luc_1998.tif", 300, (
        SamplePage("tif1", TLKS, 1998, id_printed=False,
                   note="no personal ID printed: match by name and date of birth"),
        SamplePage("tif2", TLKS, 1998, registry_form=NameForm.NFD,
                   note="registry row in decomposed Unicode (NFD)"),
    ), _archive_bilevel, "2-page TIFF, bilevel CCITT group 4, in a nested folder"),
    SampleFile("khai_sinh_chụp.jpg", 250, (
        SamplePage("jpg1", GKS, 2019, note="a namesake (same full name) is in the registry"),
    ), _phone_photo,
        "1 page, colour phone photo, JPEG quality 85, uneven light, non-ASCII file name (NFC)",
        {"quality": 85}),
    SampleFile("khai_sinh_nghieng.png", 300, (
        SamplePage("png1", GKS, 2012, note="page skewed by 3 degrees"),
    ), _skewed_grey, "1 page, rotated 3 degrees counter-clockwise, 16-grey palette PNG"),
)


@dataclass(frozen=True)
class SampleRecord:
    file: SampleFile
    page_no: int
    spec: SamplePage
    registration: BirthRegistration
    fields: dict[str, str | None]


@dataclass(frozen=True)
class SampleBatch:
    out_dir: Path
    records: tuple[SampleRecord, ...]
    registry: tuple[RegistryRow, ...]
    font_family: str
    seed: int


def _date_in_year(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _fonts() -> FontSet:
    try:
        return find_fonts(PREFERRED_FONT)
    except MissingDependencyError:  # another Vietnamese font will do; the bytes will differ
        return find_fonts()


def _registry(rng: random.Random, book: NameBook, records: list[SampleRecord],
              ) -> list[RegistryRow]:
    by_key = {r.spec.key: r.registration for r in records}
    rows = [registry_row(r.registration, r.spec.registry_form) for r in records]
    others = [make_sibling(rng, by_key["pdf2"], book), make_namesake(rng, by_key["jpg1"], book)]
    others += [make_registration(rng, book) for _ in range(UNRELATED)]
    taken = {row.id_number for row in rows}
    for reg in others:
        if reg.person.id_number not in taken:
            taken.add(reg.person.id_number)
            rows.append(registry_row(reg))
    rng.shuffle(rows)
    return rows


def build_sample(out_dir: Path, seed: int = SEED, *, images: bool = True) -> SampleBatch:
    """Write batch/, registry.csv, expected.jsonl and README.md under ``out_dir``.

    ``images=False`` writes everything but the page files (the truth alone, quickly).
    """
    rng = random.Random(seed)
    book = NameBook.builtin()
    fonts = _fonts()
    records: list[SampleRecord] = []
    for sample_file in SAMPLE_FILES:
        pages = []
        for page_no, spec in enumerate(sample_file.pages, start=1):
            reg = make_registration(rng, book, date_of_birth=_date_in_year(rng, spec.birth_year),
                                    sex=spec.sex, given=spec.given, id_printed=spec.id_printed)
            page = render_certificate(reg, spec.kind, dpi=sample_file.dpi,
                                      seed=rng.randrange(2**31), fonts=fonts)
            params, scan_seed = sample_file.scan(rng), rng.randrange(2**31)
            if images:
                pages.append(degrade(page.image, params, seed=scan_seed))
            records.append(SampleRecord(sample_file, page_no, spec, reg, page.fields))
        if images:
            save_pages(pages, out_dir / "batch" / sample_file.path, sample_file.dpi,
                       **sample_file.save_options)
    registry = _registry(rng, book, records)
    write_registry_csv(registry, out_dir / "registry.csv")
    write_expected_jsonl([ExpectedRecord(r.file.path, r.page_no, r.fields,
                                         r.registration.person.id_number) for r in records],
                         out_dir / "expected.jsonl")
    batch = SampleBatch(out_dir, tuple(records), tuple(registry), fonts.family, seed)
    (out_dir / "README.md").write_text(readme_text(batch), encoding="utf-8")
    return batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synth.sample", description=__doc__)
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("sample_scans"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    batch = build_sample(args.out_dir, args.seed)
    for r in batch.records:
        print(f"{r.file.path} p{r.page_no}: {r.fields['full_name']} "
              f"{r.fields['date_of_birth']} id={mask(r.registration.person.id_number)}")
    print(f"{len(batch.registry)} registry rows; font {batch.font_family}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
