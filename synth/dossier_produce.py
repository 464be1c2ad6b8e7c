"""Turn one planned dossier into pixels, files and truth (runs in worker processes).

Each page is rendered clean (the corpus layouts for certificates, marriages, deaths and
register pages; :mod:`synth.declaration`, :mod:`synth.copypage`, :mod:`synth.residence` for
the rest), given its marks and scan defects, and written: one file per page, or one
multi-page PDF/TIFF, in the dossier's folder with its ``dossier.json`` manifest. Returns the
truth: records per page (``synth.truth.PrintedRecord``) and the dossier's line of
``dossiers.jsonl`` (see :func:`dossier_line`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from kernel.vntext import nfc

from synth.copypage import id_copy_page, separator_page
from synth.declaration import DeclarationSpec, footnotes_page, render_declaration
from synth.degrade import scan_page
from synth.dossier import Declaration, DossierJob, DossierPage, IdCopy
from synth.fonts import find_fonts
from synth.layout import seal_ring
from synth.marks import apply_marks
from synth.plan import FileJob, PageJob
from synth.produce import _commune, _save, render, to_mode
from synth.residence import render_residence
from synth.truth import DECLARATION_FORM, ID_CARD, PrintedRecord

ROLES = ("requester", "subject", "mother", "father")


@dataclass(frozen=True)
class ProducedPage:
    source: str  # under batch/, NFC
    page: int  # 1-based within its file
    doc_class: str
    kind: str
    records: tuple[PrintedRecord, ...]


def render_page(page: DossierPage, dpi: int) -> tuple[Image.Image, tuple[PrintedRecord, ...]]:
    """The clean page (RGB) and its records."""
    fonts = find_fonts(page.font)
    payload = page.payload
    if page.kind == "declaration":
        assert isinstance(payload, Declaration) and isinstance(payload.spec, DeclarationSpec)
        images, truth = render_declaration(payload.spec, fonts, dpi=dpi, seed=page.seed)
        return images[0], tuple(PrintedRecord(DECLARATION_FORM, "declaration", truth[role],
                                              payload.ids[role], role=role)
                                for role in ROLES if role in truth)
    if page.kind == "declaration_notes":
        return footnotes_page(fonts, dpi, 11.0 + (page.seed % 3) * 0.5), ()
    if page.kind == "id_copy":
        assert isinstance(payload, IdCopy)
        image, fields = id_copy_page(list(payload.holders), payload.arrangement, fonts,
                                     find_fonts(payload.mono), dpi=dpi, seed=page.seed)
        holders = [h for i, h in enumerate(payload.holders)
                   if i < len(fields)]
        return image, tuple(PrintedRecord(ID_CARD, f"id_copy_{payload.arrangement}", f,
                                          h.id_number, row=i, role="card")
                            for i, (h, f) in enumerate(zip(holders, fields), start=1))
    if page.kind == "residence":
        assert isinstance(payload, dict)
        return render_residence(**payload, fonts=fonts, dpi=dpi, seed=page.seed), ()
    if page.kind == "separator":
        return separator_page(dpi=dpi, seed=page.seed), ()
    job = PageJob(page.kind, payload, page.certificate, page.font, page.seed, page.marks,  # type: ignore[arg-type]
                  page.scan)
    doc = render(job, dpi)
    apply_marks(doc.image, dpi, page.marks, seal_ring(_commune(job)), fonts, page.seed + 1)
    return doc.image, doc.records


def _mode(fmt: str, page: DossierPage, difficulty_bilevel: float) -> tuple[str, str | None]:
    rng = random.Random(page.seed + 3)
    if fmt == "png":
        return "P", None
    if fmt == "tiff":
        if rng.random() < difficulty_bilevel:
            return "1", "group4"
        return "L", "tiff_deflate"
    return ("RGB" if page.scan.color else "L"), None


def _file_jobs(job: DossierJob) -> list[tuple[FileJob, list[int]]]:
    """The files of a dossier and which of its pages each holds."""
    bilevel = 0.3
    if job.packing == "files":
        out = []
        for i, (page, fmt) in enumerate(zip(job.pages, job.formats), start=1):
            ext = {"png": "png", "jpeg": "jpg", "tiff": "tif"}[fmt]
            mode, compression = _mode(fmt, page, bilevel)
            out.append((FileJob(f"{job.folder}/trang_{i:02d}.{ext}", fmt, job.dpi, job.dpi, mode,
                                job.quality, compression, ()), [i - 1]))
        return out
    fmt = "pdf" if job.packing == "pdf" else "tiff"
    color = fmt == "pdf" and any(p.scan.color for p in job.pages)
    mode, compression = ("RGB" if color else "L"), ("tiff_deflate" if fmt == "tiff" else None)
    name = f"{job.folder}/ho_so.{'pdf' if fmt == 'pdf' else 'tif'}"
    return [(FileJob(name, fmt, job.dpi, job.dpi, mode, job.quality, compression, ()),
             list(range(len(job.pages))))]


def produce_dossier(job: DossierJob, batch_dir: Path | None) -> list[ProducedPage]:
    """Render (and, with ``batch_dir``, write) one dossier; its pages with their truth."""
    rendered = [render_page(page, job.dpi) for page in job.pages]
    produced: list[ProducedPage] = []
    for file_job, indices in _file_jobs(job):
        images = []
        for n, i in enumerate(indices, start=1):
            image, records = rendered[i]
            page = job.pages[i]
            produced.append(ProducedPage(nfc(file_job.path), n, page.doc_class, page.kind, records))
            if batch_dir is not None:
                scanned = scan_page(image, page.scan, page.seed + 2, dpi=job.dpi, back=image)
                images.append(to_mode(scanned, file_job.mode))
        if batch_dir is not None:
            _save(file_job, images, batch_dir)
    if batch_dir is not None and job.manifest is not None:
        target = batch_dir / job.folder / "dossier.json"
        target.write_text(json.dumps(job.manifest, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    return produced


def _person(citizen: object, absent: frozenset[str]) -> dict:
    person = citizen.reg.person  # type: ignore[attr-defined]
    return {"person_id": person.id_number,
            "registry_id": None if person.id_number in absent else person.id_number,
            "full_name": nfc(person.name.upper), "date_of_birth": person.date_of_birth.isoformat(),
            "sex": person.sex}


def dossier_line(job: DossierJob, pages: list[ProducedPage], absent: frozenset[str]) -> str:
    """One line of ``dossiers.jsonl``: the dossier, its pages' classes, its people (true
    values) and the planted disagreements."""
    return json.dumps({
        "dossier": job.number, "folder": job.folder, "procedure": job.procedure,
        "manifest": job.manifest,
        "pages": [{"source": p.source, "page": p.page, "doc_class": p.doc_class, "kind": p.kind,
                   "records": [{"role": r.role, "row": r.row, "doc_type": r.doc_type,
                                "person_id": r.person_id} for r in p.records]}
                  for p in pages],
        "requester": job.requester,
        "people": {role: _person(c, absent) for role, c in job.people.items()},
        "disagreements": list(job.disagreements),
    }, ensure_ascii=False)


def produce_all(jobs: list[DossierJob], batch_dir: Path | None, workers: int,
                progress: Callable[[int], None] | None = None) -> list[list[ProducedPage]]:
    """Every dossier (in worker processes when ``workers`` > 1), in plan order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: list[list[ProducedPage] | None] = [None] * len(jobs)
    if workers <= 1 or len(jobs) < 2:
        for i, job in enumerate(jobs):
            results[i] = produce_dossier(job, batch_dir)
            if progress:
                progress(len(job.pages))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(produce_dossier, job, batch_dir): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if progress:
                    progress(len(jobs[i].pages))
    return [r for r in results if r is not None]
