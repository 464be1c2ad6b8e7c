"""Retrying what waiting may cure: exponential backoff, bounded in tries and in delay.

Used by the S3 archive (dropped connections, 5xx) and by the batch for the registry database
(down, unreachable, locked). Each caller decides what is transient; this only waits and counts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base_s: float = 0.5
    max_s: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        return min(self.max_s, self.base_s * 2 ** (attempt - 1)) * random.uniform(0.8, 1.0)


def retrying(fn: Callable[[], T], *, transient: tuple[type[BaseException], ...],
             policy: RetryPolicy,
             on_retry: Callable[[BaseException, int, float], None] | None = None) -> T:
    """``fn()``; a ``transient`` exception is retried after a pause until the tries are used
    up, then raised as it came. Anything else is raised at once."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn()
        except transient as exc:
            if attempt >= policy.attempts:
                raise
            pause = policy.delay(attempt)
            if on_retry is not None:
                on_retry(exc, attempt, pause)
            time.sleep(pause)
    raise AssertionError("unreachable: attempts >= 1")  # pragma: no cover
