"""Progress of `sohoa run`: a bar on a terminal, plain periodic lines in a log.

Both are batch observers (flows/observer.py): the flow says how many files it found, how many
pages each split into, and when each page is done (from the task runner's threads, hence the
locks). The page total grows as files are split, so the bar's total and its ETA settle once
every file is taken in; until then the description says how many files are split.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task,
                           TextColumn, TimeRemainingColumn)
from rich.text import Text


def clock_text(seconds: float | None) -> str:
    """0:01:10, or -:--:-- when unknown (as rich shows it)."""
    if seconds is None:
        return "-:--:--"
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class PagesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.2f} pages/s" if speed else "- pages/s", style="progress.data.speed")


class BarProgress:
    """A rich progress bar: pages done/total, pages per second, ETA."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("pages"), PagesPerSecond(), TextColumn("ETA"),
                            TimeRemainingColumn(), console=console, transient=True)
        self.task = self.bar.add_task("starting", total=None)
        self.files = self.split = self.pages = 0
        self.lock = threading.Lock()

    def __enter__(self) -> BarProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def _describe(self) -> str:
        if self.split < self.files:
            return f"trang · pages (tệp · files {self.split}/{self.files})"
        return "trang · pages"

    def files_found(self, files: int) -> None:
        with self.lock:
            self.files = files
            self.bar.update(self.task, description=self._describe())

    def file_split(self, pages: int) -> None:
        with self.lock:
            self.split += 1
            self.pages += pages
            self.bar.update(self.task, total=self.pages, description=self._describe())

    def page_done(self) -> None:
        self.bar.advance(self.task)


class LogProgress:
    """'12/40 pages, 0.60 pages/s, ETA 0:01:10' every ``interval_s``, and a last line."""

    def __init__(self, out: TextIO, interval_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.out, self.interval_s, self.clock = out, interval_s, clock
        self.started = self.last = clock()
        self.files = self.split = self.pages = self.done = 0
        self.lock = threading.Lock()

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            if self.done:
                self._write(f"{self._counts()}, done in {clock_text(self.clock() - self.started)}")

    def _write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def _counts(self) -> str:
        elapsed = max(self.clock() - self.started, 1e-9)
        text = f"{self.done}/{self.pages} pages, {self.done / elapsed:.2f} pages/s"
        if self.split < self.files:
            text += f" ({self.split}/{self.files} files split)"
        return text

    def line(self) -> str:
        rate = self.done / max(self.clock() - self.started, 1e-9)
        eta = (self.pages - self.done) / rate if rate and self.split == self.files else None
        return f"{self._counts()}, ETA {clock_text(eta)}"

    def files_found(self, files: int) -> None:
        with self.lock:
            self.files = files
            self.started = self.last = self.clock()  # the flow runs: its start-up is behind
            self._write(f"{files} file(s) to take in")

    def file_split(self, pages: int) -> None:
        with self.lock:
            self.split += 1
            self.pages += pages

    def page_done(self) -> None:
        with self.lock:
            self.done += 1
            now = self.clock()
            if now - self.last >= self.interval_s and self.done < self.pages:
                self.last = now
                self._write(self.line())


def progress_for(console: Console, *, interval_s: float = 10.0) -> BarProgress | LogProgress:
    """The bar when the console is an interactive terminal, plain lines otherwise."""
    if console.is_terminal and not console.is_dumb_terminal:
        return BarProgress(console)
    return LogProgress(console.file if console.file is not None else sys.stdout, interval_s)
