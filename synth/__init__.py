"""Synthetic Vietnamese civil-status documents, for tests, benchmarks and the sample batch.

Imports only the kernel, Pillow and numpy. Every function that draws anything takes a seed or
a ``random.Random``; the same seed gives the same people, pixels and file bytes.

- ``names``, ``places``, ``people``: synthetic persons and birth registrations
  (``numwords``: numbers and dates in Vietnamese words);
- ``fonts``, ``typeset``, ``stamps``, ``certificate``: the page image of a birth certificate
  or extract, and the field values exactly as printed;
- ``scan``: mild scan defects; ``formats``: PNG, JPEG, multi-page TIFF and PDF files;
- ``registry``: a registry export (CSV) and expected readings (JSONL);
- ``sample``: the committed sample batch (``python -m synth.sample sample_scans``).
"""
