"""Turn one planned file into pixels and bytes: render each page, ink the extra marks, apply
the scan defects, write the file. Runs in worker processes; depends only on the plan.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from kernel.vntext import nfc

from synth.boxed import render_boxed
from synth.certificate import DocumentKind, render_certificate
from synth.death import render_death
from synth.degrade import scan_page
from synth.events import DeathRegistration, MarriageRegistration
from synth.fonts import find_fonts
from synth.formats import save_jpeg, save_pdf
from synth.layout import seal_ring
from synth.marks import apply_marks
from synth.marriage import render_marriage
from synth.people import BirthRegistration
from synth.places import Commune
from synth.plan import FileJob, PageJob
from synth.register import RegisterPage, render_register_page
from synth.truth import BIRTH_CERTIFICATE, PrintedRecord, RenderedDoc
from synth.twocol import render_two_column

PNG_GREYS = 16
BILEVEL_THRESHOLD = 165
_STEP = 255.0 / (PNG_GREYS - 1)
_GREY_INDEX = [min(PNG_GREYS - 1, int(v / _STEP + 0.5)) for v in range(256)]
_GREY_PALETTE = [round(i * _STEP) for i in range(PNG_GREYS) for _ in range(3)]


def render(job: PageJob, dpi: int) -> RenderedDoc:
    """The clean page of ``job`` and its records."""
    fonts = find_fonts(job.font)
    payload = job.payload
    if job.kind == "birth_register":
        assert isinstance(payload, RegisterPage)
        return render_register_page(payload, fonts, dpi=dpi, seed=job.seed)
    if job.kind == "marriage":
        assert isinstance(payload, MarriageRegistration)
        return render_marriage(payload, fonts, dpi=dpi, seed=job.seed)
    if job.kind == "death":
        assert isinstance(payload, DeathRegistration)
        return render_death(payload, fonts, dpi=dpi, seed=job.seed)
    assert isinstance(payload, BirthRegistration) and job.certificate is not None
    if job.kind == "birth_boxed":
        return render_boxed(payload, job.certificate, fonts, dpi=dpi, seed=job.seed)
    if job.kind == "birth_two_column":
        return render_two_column(payload, job.certificate, fonts, dpi=dpi, seed=job.seed)
    label = ("Đăng ký khai sinh tại" if job.certificate is DocumentKind.BIRTH_EXTRACT
             and job.seed % 3 else "Nơi đăng ký khai sinh")
    page = render_certificate(payload, job.certificate, dpi=dpi, seed=job.seed, fonts=fonts,
                              points=11.5 + (job.seed % 3) * 0.5, place_label=label)
    record = PrintedRecord(BIRTH_CERTIFICATE, "label_lines", page.fields,
                           payload.person.id_number)
    return RenderedDoc(page.image, (record,), dpi)


def _commune(job: PageJob) -> Commune:
    """The registering commune, whose name the seals carry."""
    payload = job.payload
    if isinstance(payload, RegisterPage):
        return payload.book.commune
    if isinstance(payload, (MarriageRegistration, DeathRegistration)):
        return payload.registration.commune
    return payload.registration_commune


def to_mode(image: Image.Image, mode: str) -> Image.Image:
    if mode == "RGB":
        return image.convert("RGB")
    grey = image.convert("L")
    if mode == "P":  # a scanner's "16 greys": 4-bit palette PNG
        out = Image.frombytes("P", grey.size, grey.point(_GREY_INDEX).tobytes())
        out.putpalette(_GREY_PALETTE)
        return out
    if mode == "1":
        return Image.fromarray(np.asarray(grey) >= BILEVEL_THRESHOLD)
    return grey


def _save(job: FileJob, images: list[Image.Image], batch_dir: Path) -> Path:
    target = Path(nfc(str(batch_dir / job.path)))
    target.parent.mkdir(parents=True, exist_ok=True)
    dpi = job.dpi
    if job.fmt == "png":
        options: dict[str, object] = {"bits": 4} if job.mode == "P" else {}
        images[0].save(target, "PNG", dpi=(dpi, dpi), compress_level=6, **options)
    elif job.fmt == "jpeg":
        if dpi is None:  # a phone photo: no resolution in the file
            images[0].save(target, "JPEG", quality=job.quality, optimize=True,
                           progressive=False, subsampling="4:2:0")
        else:
            save_jpeg(images[0], target, dpi, quality=job.quality)
    elif job.fmt == "tiff":
        extra: dict[str, object] = {"quality": job.quality} if job.compression == "jpeg" else {}
        images[0].save(target, "TIFF", save_all=True, append_images=images[1:],
                       compression=job.compression, dpi=(dpi, dpi), **extra)
    elif job.fmt == "pdf":
        save_pdf(images, target, dpi or 300, quality=job.quality)
    else:
        raise ValueError(f"unknown format {job.fmt!r}")
    return target


def produce_file(job: FileJob, batch_dir: Path | None) -> list[tuple[int, PrintedRecord]]:
    """Render (and, with ``batch_dir``, write) one file; returns (page number, record)s."""
    rendered = [render(page, job.render_dpi) for page in job.pages]
    records = [(n, r) for n, doc in enumerate(rendered, start=1) for r in doc.records]
    if batch_dir is None:
        return records
    images = []
    for i, (page, doc) in enumerate(zip(job.pages, rendered)):
        fonts = find_fonts(page.font)
        apply_marks(doc.image, job.render_dpi, page.marks, seal_ring(_commune(page)), fonts,
                    page.seed + 1)
        neighbour = i + 1 if i + 1 < len(rendered) else i - 1
        back = rendered[neighbour].image if neighbour >= 0 else doc.image
        scanned = scan_page(doc.image, page.scan, page.seed + 2, dpi=job.render_dpi, back=back)
        images.append(to_mode(scanned, job.mode))
    _save(job, images, batch_dir)
    return records
