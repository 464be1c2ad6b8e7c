"""Where the public reference data lives: name lists, administrative units, word lists.

``$SOHOA_SHARED_DATA``, or ``../shared/data`` beside the repository. Read in place, never
copied; everything that uses it still works (with less) when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path


def shared_data_dir() -> Path:
    env = os.environ.get("SOHOA_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"
