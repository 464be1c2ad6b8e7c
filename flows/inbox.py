"""The inbox: archivists drop batch folders, nightly runs take each one exactly once.

Under one root (``SOHOA_INBOX_DIR``, default ``<data_dir>/inbox``), folders made on demand::

    incoming/<batch>/      dropped here: copy the folder in, then create an empty file READY in it
    processing/<batch>/    claimed by a run
    done/<batch>/          every file taken in; its receipt beside it: done/<batch>.report.json
    failed/<batch>/        a file or page failed (<batch>.report.json beside it), or the batch
                           flow broke on the batch itself (<batch>.error.json beside it)
    .lock                  held by the run that is processing the inbox

*Ready*: the batch folder holds a file named ``READY``, or it holds at least one file and
nothing in it has changed for ``inbox_quiet_s`` seconds. "Changed" is the newest modification
or status-change time (mtime, ctime) of every file and folder in it: a copy that keeps the
originals' timestamps (``cp -p``, ``rsync -t``) still sets the ctime, and any write, growth or
rename does too. After the claim, ``READY`` is renamed ``.READY`` (hidden files are not scans).

*Claimed once*: a claim is ``os.rename(incoming/<batch>, processing/<batch>)``, atomic on one
filesystem; of two runs racing, the loser finds no source (FileNotFoundError) and skips it.

*One run at a time*: a run holds an exclusive ``flock`` on ``.lock`` from its first claim to
its last move. The kernel drops the lock when the process dies (even ``kill -9``), so a run
that gets the lock knows that whatever is in ``processing/`` was left by a run that died, and
processes it again first (safe: archive keys derive from content, a re-run stores only what is
missing). This module imports no Prefect: :mod:`flows.nightly` is the flow around it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kernel.errors import SohoaError

log = logging.getLogger("sohoa.inbox")
MARKER = "READY"
KEPT_MARKER = ".READY"  # the marker after the claim: kept with the batch, skipped as a scan
STATES = ("incoming", "processing", "done", "failed")


class InboxBusyError(SohoaError):
    """Another run holds the inbox lock; this one takes nothing."""

    exit_code = 75  # EX_TEMPFAIL: try again later
    code = "inbox_busy"


@dataclass(frozen=True)
class WaitingBatch:
    name: str
    ready: bool
    why: str  # "READY file", "unchanged for 12 min", "changed 30 s ago", "empty"
    files: int
    size: int


@dataclass(frozen=True)
class Finished:
    name: str
    state: str  # done or failed
    path: Path
    receipt: Path | None


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _ago(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def scan_folder(folder: Path) -> tuple[int, int, float]:
    """Files, bytes and the newest mtime/ctime of every entry under ``folder`` (itself too)."""
    st = folder.stat()
    files, size, newest = 0, 0, max(st.st_mtime, st.st_ctime)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except FileNotFoundError:  # removed while we look: a change in itself
                return files, size, time.time()
            newest = max(newest, st.st_mtime, st.st_ctime)
            if name in filenames and not name.startswith(".") and name != MARKER:
                files += 1
                size += st.st_size
    return files, size, newest


class FolderInbox:
    def __init__(self, root: str | Path, quiet_s: float = 600.0) -> None:
        self.root = Path(root)
        self.quiet_s = quiet_s

    def folder(self, state: str) -> Path:
        return self.root / state

    def ensure(self) -> None:
        for state in STATES:
            self.folder(state).mkdir(parents=True, exist_ok=True)

    def _batches(self, state: str) -> list[Path]:
        folder = self.folder(state)
        if not folder.is_dir():
            return []
        return sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.name)

    # -- what is waiting -------------------------------------------------------------------
    def waiting(self, now: float | None = None) -> list[WaitingBatch]:
        """Every batch folder in incoming/, ready or not, and why."""
        now = time.time() if now is None else now
        found = []
        for path in self._batches("incoming"):
            try:
                files, size, newest = scan_folder(path)
            except FileNotFoundError:  # claimed by another run while we looked
                continue
            if (path / MARKER).is_file():
                ready, why = True, f"{MARKER} file"
            elif files == 0:
                ready, why = False, "empty"
            elif now - newest >= self.quiet_s:
                ready, why = True, f"unchanged for {_ago(now - newest)}"
            else:
                ready, why = False, f"changed {_ago(max(0.0, now - newest))} ago"
            found.append(WaitingBatch(path.name, ready, why, files, size))
        return found

    def stray_files(self) -> list[str]:
        """Files dropped straight into incoming/, outside any batch folder (never taken)."""
        folder = self.folder("incoming")
        return sorted(p.name for p in folder.iterdir() if not p.is_dir()
                      and not p.name.startswith(".")) if folder.is_dir() else []

    def ready(self, now: float | None = None) -> list[str]:
        return [w.name for w in self.waiting(now) if w.ready]

    def in_processing(self) -> list[Path]:
        return self._batches("processing")

    # -- claiming and finishing ------------------------------------------------------------
    def claim(self, name: str) -> Path | None:
        """Move incoming/<name> to processing/<name>; None when another run took it first (or a
        batch of that name is being processed)."""
        if "/" in name or name.startswith(".") or name in ("", ".."):
            raise ValueError(f"not a batch name: {name!r}")
        self.ensure()
        target = self.folder("processing") / name
        if target.exists():
            log.warning("batch %s waits: a batch of that name is still in processing/", name)
            return None
        try:
            os.rename(self.folder("incoming") / name, target)
        except FileNotFoundError:
            return None  # another run claimed it first
        except OSError as exc:  # e.g. the same name appeared in processing/ meanwhile
            log.warning("batch %s not claimed: %s", name, exc.strerror)
            return None
        marker = target / MARKER
        if marker.is_file():
            os.replace(marker, target / KEPT_MARKER)
        log.info("claimed batch %s", name)
        return target

    def claim_next(self) -> Path | None:
        """The first ready batch this run manages to claim, or None."""
        for name in self.ready():
            claimed = self.claim(name)
            if claimed is not None:
                return claimed
        return None

    def finish(self, path: Path, *, ok: bool, receipt: Path | None = None,
               error: BaseException | None = None) -> Finished:
        """Move a processed batch to done/ or failed/, its receipt (or the error) beside it.
        A name already there gets the time appended (a batch dropped again)."""
        state = "done" if ok else "failed"
        self.ensure()
        dest_dir = self.folder(state)
        name = path.name
        taken = lambda n: any((dest_dir / f).exists() for f in  # noqa: E731
                              (n, f"{n}.report.json", f"{n}.error.json"))
        if taken(name):
            name = f"{name}.{_stamp()}"
        written = None
        if receipt is not None and receipt.is_file():
            written = dest_dir / f"{name}.report.json"
            shutil.copyfile(receipt, written)
        if error is not None:
            written = dest_dir / f"{name}.error.json"
            body = {"batch": path.name, "error": type(error).__name__,
                    "message": getattr(error, "message", str(error)),
                    "hint": getattr(error, "hint", None), "when": _stamp()}
            written.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n",
                               encoding="utf-8")
        os.rename(path, dest_dir / name)  # last: until here the batch is resumable
        log.info("batch %s moved to %s/", path.name, state)
        return Finished(path.name, state, dest_dir / name, written)

    def finished(self, state: str, last: int = 10) -> list[Path]:
        """The ``last`` most recently finished batches in done/ or failed/."""
        paths = self._batches(state)
        return sorted(paths, key=lambda p: p.stat().st_mtime)[-last:]

    # -- one run at a time -----------------------------------------------------------------
    @property
    def lock_path(self) -> Path:
        return self.root / ".lock"

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the inbox for this run, or raise :class:`InboxBusyError` at once."""
        self.ensure()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited (O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = self._holder_text()
            raise InboxBusyError(
                f"another run is processing the inbox {self.root}" + (f" ({holder})" if holder else ""),
                hint="nothing to do: that run takes the ready batches; `sohoa inbox status` "
                     "shows what it holds") from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {_stamp()}\n".encode(), 0)
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _holder_text(self) -> str:
        try:
            return self.lock_path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def holder(self) -> str | None:
        """Who holds the lock now ("pid ... on ... since ..."), or None when nobody does."""
        if not self.lock_path.exists():
            return None
        fd = os.open(self.lock_path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return self._holder_text() or "a running process"
        finally:
            os.close(fd)  # closing drops a lock we got
        return None
