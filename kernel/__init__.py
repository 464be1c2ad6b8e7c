"""The shared kernel of sohoa: settings, typed records, errors, Vietnamese text and ID rules.

Imports nothing from the rest of the project; everything else imports it.
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("sohoa")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

PIPELINE_VERSION = "p1"
"""Bumped whenever derived artifacts (page images, OCR, records) would change meaning."""
