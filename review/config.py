"""The review app's settings, read from :class:`kernel.settings.Settings` when it has them,
else from ``SOHOA_REVIEW_*`` environment variables, else the defaults below.

Secure cookies are off by default because the default is plain ``http://127.0.0.1`` for one
office machine; turn ``SOHOA_REVIEW_SECURE_COOKIES`` on behind HTTPS.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.errors import ConfigError

DOUBLE_KEYED_FIELDS = ("id_number", "date_of_birth")


def _opt(settings: Any, name: str, default: Any) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"SOHOA_{name.upper()}")
    return default if value in (None, "") else value


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ReviewConfig:
    db_url: str
    exports: tuple[Path, ...]  # folders holding <batch>.jsonl with <batch>.report.json beside
    archive: str  # used when a batch report does not name its archive
    registry_url: str
    secure_cookies: bool = False
    session_minutes: int = 480
    login_attempts: int = 5  # failed logins allowed per user name and per client ...
    login_window_s: int = 900  # ... within this many seconds
    claim_minutes: int = 10  # an item shown to a supervisor is kept from the others this long
    double_keying: bool = False
    double_keyed_fields: tuple[str, ...] = DOUBLE_KEYED_FIELDS
    language: str = "vi"
    field_auto_min_confidence: float = 0.80

    @classmethod
    def from_settings(cls, settings: Any) -> "ReviewConfig":
        data_dir = Path(settings.data_dir)
        exports = _opt(settings, "review_exports", None)
        if isinstance(exports, str):
            exports = [p for p in exports.split(os.pathsep) if p]
        language = str(_opt(settings, "review_language", "vi"))
        if language not in ("vi", "en"):
            raise ConfigError(f"review language {language!r} is not available",
                              hint="set SOHOA_REVIEW_LANGUAGE to vi or en")
        return cls(
            db_url=_opt(settings, "review_db_url",
                        f"sqlite:///{(data_dir / 'review.sqlite').as_posix()}"),
            exports=tuple(Path(p) for p in (exports or [data_dir / "exports"])),
            archive=str(settings.archive), registry_url=str(settings.registry_url),
            secure_cookies=_flag(_opt(settings, "review_secure_cookies", False)),
            session_minutes=int(_opt(settings, "review_session_minutes", 480)),
            login_attempts=int(_opt(settings, "review_login_attempts", 5)),
            login_window_s=int(_opt(settings, "review_login_window_s", 900)),
            double_keying=_flag(_opt(settings, "review_double_keying", False)),
            language=language,
            field_auto_min_confidence=float(settings.field_auto_min_confidence))
