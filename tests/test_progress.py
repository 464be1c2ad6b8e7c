"""`sohoa run` progress: a rich bar (pages done/total, pages/s, ETA) on a terminal, plain
periodic lines without escape codes otherwise; the batch's output is the same either way."""

import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE

ANSI = re.compile(r"\x1b\[")
LINE = re.compile(r"^(\d+)/(\d+) pages, \d+\.\d\d pages/s", re.M)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_every_interval_with_rate_and_eta():
    from sohoa.progress import LogProgress

    out, clock = io.StringIO(), Clock()
    with LogProgress(out, interval_s=10, clock=clock) as progress:
        clock.now = 200.0  # start-up before the flow runs does not count
        progress.files_found(2)
        progress.file_split(4)
        clock.now = 205.0
        progress.page_done()  # before the interval: no line
        clock.now = 212.0
        progress.page_done()  # 2 pages in 12 s, one file still to split: no ETA yet
        progress.file_split(2)
        clock.now = 230.0
        progress.page_done()  # 3/6 in 30 s: 0.10 pages/s, 3 pages left: ETA 0:00:30
        for _ in range(3):
            progress.page_done()  # the last pages come quickly: no line till the end
    lines = out.getvalue().splitlines()
    assert lines == ["2 file(s) to take in",
                     "2/4 pages, 0.17 pages/s (1/2 files split), ETA -:--:--",
                     "3/6 pages, 0.10 pages/s, ETA 0:00:30",
                     "6/6 pages, 0.20 pages/s, done in 0:00:30"]


def test_bar_shows_pages_rate_and_eta_on_a_terminal():
    from rich.console import Console

    from sohoa.progress import BarProgress, progress_for

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    bar = progress_for(console)
    assert isinstance(bar, BarProgress)
    with bar:
        bar.files_found(2)
        bar.file_split(3)
        bar.page_done()
        bar.bar.refresh()
        bar.file_split(1)
        bar.page_done()
        bar.bar.refresh()
    text = out.getvalue()
    assert "files 1/2" in text and "1/3" in text and "2/4" in text
    assert "pages/s" in text and "ETA" in text
    assert not isinstance(progress_for(Console(file=io.StringIO())), BarProgress)


# --- the real command, on a one-page batch -----------------------------------------------------
def one_page_batch(tmp_path: Path) -> Path:
    batch = tmp_path / "mot_trang"
    batch.mkdir()
    shutil.copy(SAMPLE / "batch" / "khai_sinh_nghieng.png", batch / "trang.png")
    return batch


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory):
    """One Prefect home for both runs: its database is set up once."""
    return tmp_path_factory.mktemp("prefect")


def cli_env(tmp_path: Path, prefect_home: Path) -> dict[str, str]:
    return {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path),
            "SOHOA_DATA_DIR": str(tmp_path / "data"), "PREFECT_HOME": str(prefect_home),
            "TERM": "xterm-256color", "SOHOA_OCR_WORKERS": "1"}


def sohoa() -> str:
    return str(Path(sys.executable).parent / "sohoa")


@pytest.mark.flow
@pytest.mark.tesseract
def test_run_on_a_terminal_shows_the_bar(tmp_path, prefect_home):
    import fcntl
    import pty
    import struct
    import termios

    batch = one_page_batch(tmp_path)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    errors = tmp_path / "stderr.txt"
    with open(errors, "wb") as stderr:
        proc = subprocess.Popen([sohoa(), "run", str(batch)], stdin=slave, stdout=slave,
                                stderr=stderr, env=cli_env(tmp_path, prefect_home), cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 300)
        if not ready:
            proc.kill()
            pytest.fail("sohoa run printed nothing for 300 s")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the command exited and the terminal closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 0, errors.read_text(errors="replace")
    screen = b"".join(chunks).decode("utf-8", errors="replace")
    assert ANSI.search(screen)  # a live display, redrawn in place
    assert "pages/s" in screen and "ETA" in screen and "trang · pages" in screen
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)  # the text, without colour codes
    assert re.search(r"\b[01]/1 pages\b", shown)  # pages done / total
    assert "batch receipt: mot_trang" in screen
    assert not LINE.search(screen)  # no plain lines on a terminal


@pytest.mark.flow
@pytest.mark.tesseract
def test_run_without_a_terminal_prints_plain_lines(tmp_path, prefect_home):
    batch = one_page_batch(tmp_path)
    run = subprocess.run([sohoa(), "run", str(batch)], env=cli_env(tmp_path, prefect_home),
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not ANSI.search(run.stdout)
    assert "1 file(s) to take in" in run.stdout
    last = LINE.findall(run.stdout)[-1]
    assert last == ("1", "1")
    assert re.search(r"^1/1 pages, \d+\.\d\d pages/s, done in \d:\d\d:\d\d$", run.stdout, re.M)
    receipt = json.loads((tmp_path / "data" / "exports" / "mot_trang.report.json").read_text())
    assert receipt["pages"] == 1 and receipt["records"] == 1
    assert f"html:    {tmp_path / 'data' / 'exports' / 'mot_trang.report.html'}" in run.stdout
