"""Synthetic Vietnamese civil-status documents, for tests, benchmarks and the sample batch.

Imports only the kernel, Pillow, numpy and (for scan defects) OpenCV. Every function that
draws anything takes a seed or a ``random.Random``; the same seed gives the same people,
pixels and file bytes.

- ``names``, ``places``, ``people``: synthetic persons and birth registrations
  (``numwords``: numbers and dates in Vietnamese words);
- ``fonts``, ``typeset``, ``stamps``, ``certificate``: the page image of a birth certificate
  or extract, and the field values exactly as printed;
- ``scan``: mild scan defects; ``formats``: PNG, JPEG, multi-page TIFF and PDF files;
- ``registry``: a registry export (CSV) and expected readings (JSONL);
- ``sample``: the committed sample batch (``python -m synth.sample sample_scans``).

The corpus generator (``corpus.generate_corpus``) builds on those:

- ``namefreq``, ``gazetteer``, ``history``, ``reform``: name frequencies and official place
  lists from ``../shared/data`` when present (built-in lists otherwise), place names as of a
  year, and after the 2025 reform;
- ``idpapers``, ``events``: ID papers (CCCD / CMND), marriages and deaths;
- ``layout``, ``forms``, ``birthdoc``, ``boxed``, ``twocol``, ``register``, ``marriage``,
  ``death``: the document layouts; ``marks``: stamps and seals added later; ``degrade``:
  scan and photo defects by difficulty;
- ``truth``, ``population`` (the registry with distractors), ``plan`` (what goes where),
  ``produce`` (one file, in a worker process), ``corpus`` (the whole corpus).

Administrative-procedure dossiers (``generate_corpus(..., dossiers=N)``, ``sohoa synth
--dossiers N``): ``idcard`` (CCCD / Căn cước fronts and backs, the MRZ), ``copypage`` (cards
photocopied onto a sheet, separator sheets), ``declaration`` (the birth-registration
declaration), ``residence`` (a residence confirmation), ``dossier`` and
``dossier_procedures`` (the plan: people, pages, planted disagreements),
``dossier_produce`` (pixels, files, ``dossiers.jsonl``).
"""
