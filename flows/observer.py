"""Progress of a running batch, for whoever started it (the CLI's progress bar, a log line).

The batch flow tells the observer how many files it found, how many pages each file split
into, and when each page is done. The observer is not a flow parameter (it is not data, and
Prefect would try to serialize it): ``run_batch`` sets it in a context variable for the flow
run it starts, and the flow reads it with ``current()``. Without one, nothing is reported.

``page_done`` is called from the task runner's threads as pages finish, in any order:
observers must be thread-safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class BatchObserver(Protocol):
    def files_found(self, files: int) -> None:
        """The batch holds this many files; their page count is not known yet."""

    def file_split(self, pages: int) -> None:
        """One more file was taken in and split into ``pages`` pages (0: it failed)."""

    def page_done(self) -> None:
        """One page finished (read or failed)."""


class NoObserver:
    def files_found(self, files: int) -> None:
        pass

    def file_split(self, pages: int) -> None:
        pass

    def page_done(self) -> None:
        pass


_CURRENT: ContextVar[BatchObserver | None] = ContextVar("sohoa_batch_observer", default=None)


def current() -> BatchObserver:
    return _CURRENT.get() or NoObserver()


@contextmanager
def observing(observer: BatchObserver | None) -> Iterator[None]:
    """Make ``observer`` the current one for the flow run started inside the block."""
    token = _CURRENT.set(observer)
    try:
        yield
    finally:
        _CURRENT.reset(token)
