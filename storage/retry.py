"""Retries with exponential backoff for the S3 backend, and errors that say what to do.

Transient: refused or dropped connections, timeouts, HTTP 5xx, 429 and S3's "slow down"
codes. They are retried ``attempts`` times with delays ``base, 2*base, 4*base ...`` (capped,
with a little jitter); then an :class:`ArchiveUnavailableError` names the endpoint and says
that re-running the batch picks up what is missing. Anything else is raised at once.

Messages carry the endpoint, the bucket and the object key, never credentials, signatures or
request URLs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import urllib3
from minio.error import InvalidResponseError, S3Error, ServerError

from kernel.errors import ArchiveError, SohoaError
from kernel.retry import RetryPolicy

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT_CODES = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout",
                   "OperationAborted", "ServiceNotReady", "RequestTimeTooSkewed"}
CREDENTIAL_CODES = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied",
                    "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed"}


class ArchiveUnavailableError(ArchiveError):
    """The archive could not be reached within the retries; running again picks up the rest."""

    code = "archive_unavailable"


def _root(exc: BaseException) -> BaseException:
    while isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    return exc


def is_transient(exc: BaseException) -> bool:
    exc = _root(exc)
    if isinstance(exc, S3Error):
        status = getattr(exc.response, "status", 0) or 0
        return exc.code in TRANSIENT_CODES or status >= 500 or status == 429
    if isinstance(exc, ServerError):
        return exc.status_code >= 500 or exc.status_code == 429
    if isinstance(exc, InvalidResponseError):
        return getattr(exc, "_code", 0) >= 500
    if isinstance(exc, urllib3.exceptions.SSLError):
        return False  # a certificate problem does not go away by waiting
    return isinstance(exc, (urllib3.exceptions.HTTPError, ConnectionError, TimeoutError))


def describe(exc: BaseException) -> str:
    """A short cause without URLs (they may carry query strings)."""
    exc = _root(exc)
    if isinstance(exc, S3Error):
        return f"{exc.code} (HTTP {getattr(exc.response, 'status', '?')})"
    if isinstance(exc, ServerError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, InvalidResponseError):
        return f"unexpected answer (HTTP {getattr(exc, '_code', '?')})"
    for kind, text in ((urllib3.exceptions.NewConnectionError,
                        "cannot connect (refused or unreachable)"),
                       (urllib3.exceptions.ConnectTimeoutError, "connection timed out"),
                       (urllib3.exceptions.ReadTimeoutError, "no answer in time (read timeout)"),
                       (urllib3.exceptions.ProtocolError, "connection dropped"),
                       (urllib3.exceptions.SSLError, "TLS handshake failed"),
                       (ConnectionRefusedError, "connection refused"),
                       (ConnectionError, "connection failed"),
                       (TimeoutError, "timed out")):
        if isinstance(exc, kind):
            return text
    return type(exc).__name__


@dataclass(frozen=True)
class Target:
    """What the messages name: the endpoint and the bucket."""

    endpoint: str
    bucket: str

    def translate(self, exc: BaseException, what: str) -> ArchiveError:
        """A non-transient failure as an ArchiveError that says what to do."""
        root = _root(exc)
        if isinstance(root, S3Error) and root.code in CREDENTIAL_CODES:
            return ArchiveError(
                f"S3 endpoint {self.endpoint} refused the credentials ({root.code}) while {what}",
                hint="check SOHOA_S3_ACCESS_KEY and SOHOA_S3_SECRET_KEY; the key needs read, "
                     f"write and list rights on bucket {self.bucket!r}")
        if isinstance(root, S3Error) and root.code == "NoSuchBucket":
            return ArchiveError(f"S3 bucket {self.bucket!r} does not exist on {self.endpoint}",
                                hint="create it with object lock (mc mb --with-lock) or give a "
                                     "key allowed to create buckets")
        if isinstance(root, urllib3.exceptions.SSLError):
            return ArchiveError(
                f"TLS with S3 endpoint {self.endpoint} failed while {what}",
                hint="for a plain-HTTP server set SOHOA_S3_SECURE=false; for a private "
                     "certificate authority point SSL_CERT_FILE at its certificate")
        return ArchiveError(f"S3 endpoint {self.endpoint}: {what} failed: {describe(exc)}",
                            hint="check the S3 server's log; run the batch again once it is fixed")

    def call(self, fn: Callable[[], T], what: str, policy: RetryPolicy) -> T:
        started = time.monotonic()
        for attempt in range(1, policy.attempts + 1):
            try:
                return fn()
            except SohoaError:  # already says what to do
                raise
            except Exception as exc:  # noqa: BLE001 (sorted right below)
                if not is_transient(exc):
                    raise self.translate(exc, what) from None
                if attempt == policy.attempts:
                    raise ArchiveUnavailableError(
                        f"S3 endpoint {self.endpoint} did not answer ({describe(exc)}) after "
                        f"{attempt} attempts over {time.monotonic() - started:.1f} s while {what}",
                        hint="start the S3 server or fix SOHOA_S3_ENDPOINT / the network, then "
                             "run the same batch again: what is stored is kept, what is "
                             "missing is picked up") from None
                pause = policy.delay(attempt)
                log.warning("S3 %s: %s while %s; try %d of %d in %.1f s", self.endpoint,
                            describe(exc), what, attempt + 1, policy.attempts, pause)
                time.sleep(pause)
        raise AssertionError("unreachable")
