"""Errors that carry an exit code and say what to do next.

Per-file input errors are caught by the batch loop and reported; the batch goes on.
Low confidence is never an error: it is a ``review`` status on a field or a match.
"""

from __future__ import annotations


class SohoaError(Exception):
    """Base class. ``hint`` tells the user what to do about it."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(SohoaError):
    exit_code = 2
    code = "config"


class MissingDependencyError(SohoaError):
    exit_code = 3
    code = "missing_dependency"


class InputFileError(SohoaError):
    """One input file cannot be taken in. The batch reports it, quarantines it and goes on."""

    exit_code = 4
    code = "bad_input"

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason  # short machine-readable reason: corrupt, empty, encrypted, too_large ...


class EngineError(SohoaError):
    """The OCR engine failed or timed out on a page."""

    exit_code = 5
    code = "engine"


class RegistryError(SohoaError):
    exit_code = 6
    code = "registry"


class RegistryUnavailableError(RegistryError):
    """The registry database could not be reached (down, unreachable, locked); waiting and
    running again may cure it."""

    code = "registry_unavailable"


class ArchiveError(SohoaError):
    exit_code = 7
    code = "archive"
