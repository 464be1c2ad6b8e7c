"""The README of the sample batch, written from the batch itself so that it stays true."""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth.registry import REGISTRY_COLUMNS

if TYPE_CHECKING:
    from synth.sample import SampleBatch


def readme_text(batch: SampleBatch) -> str:
    files: dict[str, list] = {}
    for r in batch.records:
        files.setdefault(r.file.path, []).append(r)
    file_rows = "\n".join(
        f"| `batch/{path}` | {len(recs)} | {recs[0].file.dpi} | {recs[0].file.description} |"
        for path, recs in files.items())
    record_rows = "\n".join(
        f"| `{r.file.path}` | {r.page_no} | {r.spec.kind.title} | {r.fields['full_name']} | "
        f"{r.fields['date_of_birth']} | {'yes' if r.fields['id_number'] else 'no'} | "
        f"{r.spec.note} |" for r in batch.records)
    n_people = len(batch.records)
    n_other = len(batch.registry) - n_people
    return f"""# Sample batch

Everything here is **synthetic**: the people, their names, dates, parents and ID numbers were
drawn at random by the generator in `synth/`; any likeness to a real person is chance. The
place names are real communes, districts and provinces (units before the 2025 reform).

## How it was made

```
.venv/bin/python -m synth.sample sample_scans      # or: make sample-scans
```

Seed {batch.seed}, font {batch.font_family}, names from the built-in lists of `synth/names.py`
(not from `../shared/data`). The same seed with the same font files and library versions
gives byte-identical files. Do not edit the files by hand: change `synth/sample.py` and run
the command again.

## Files

| file | pages | dpi | what |
|---|---|---|---|
{file_rows}
| `registry.csv` | | | the registry export to match against |
| `expected.jsonl` | | | the truth: what a perfect run reads from each page |

## Records ({n_people})

| source | page | document | full name | date of birth | ID printed | what it tests |
|---|---|---|---|---|---|---|
{record_rows}

## registry.csv

UTF-8 without BOM; header `{",".join(REGISTRY_COLUMNS)}`;
dates `YYYY-MM-DD`, sex `M`/`F`. {len(batch.registry)} rows in random order: the {n_people}
people of the batch and {n_other} others: a sibling of one of them (same parents, another
given name and birth date), a namesake of another (same full name, other birth date and
parents) and unrelated people. Written as a registry writes: names in Title Case with
diacritics, places as "Xã ..., Huyện ..., Tỉnh ...". One name is in the other tone placement
and one row is in NFD, as noted above. `id_number` (the 12-digit personal ID) is the
registry id.

## expected.jsonl

One line per record, sorted by (source, page): `source` (path under `batch/`, NFC, `/`
separators), `page` (1-based), `row` (null: one person per page), `doc_type`
(`birth_certificate`), `fields` and `registry_id` (the person's id in `registry.csv`).
`fields` holds every field of `kernel.records.FIELD_NAMES`: the value exactly as printed
(NFC; names in upper case), or null when it is not on the page; dates as `YYYY-MM-DD`, sex as
`M`/`F`, years and numbers as strings.
"""
