"""The supervisor's desk: a small web app to review what the pipeline was unsure of.

Reads the batch exports and the archived record JSON, shows one review item at a time (a
field, a match, a failed page), and writes every decision back as a new version of the record
in the archive, a rewritten export line and an entry of the append-only audit log.

Imports ``kernel``, ``storage`` and ``matching``; never ``flows`` or prefect. Only the CLI
(:mod:`sohoa.review_commands`) imports this package. :func:`review.web.create_app` builds the
app; nothing happens at import time.
"""
