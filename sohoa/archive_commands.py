"""`sohoa fixity` and `sohoa s3-dev`: checking the archive, and an S3 server to try it on.

Registered on the main app with ``app.add_typer(archive_app)`` (the commands join the top
level); also runnable alone: ``python -m sohoa.archive_commands s3-dev``.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from kernel.errors import SohoaError

archive_app = typer.Typer(add_completion=False, no_args_is_help=True,
                          help="Archive fixity and a local S3 server.")
console = Console()
err = Console(stderr=True)


def _fail(exc: SohoaError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}", soft_wrap=True)
    if exc.hint:
        err.print(f"[yellow]what to do:[/] {exc.hint}", soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@archive_app.command()
def fixity(
        sample: Annotated[Optional[int], typer.Option(
            "--sample", min=1, help="Re-read N objects chosen at random (default: all).")] = None,
        archive: Annotated[Optional[str], typer.Option(
            "--archive", help="Folder or s3://bucket/prefix (SOHOA_ARCHIVE).")] = None,
        seed: Annotated[Optional[int], typer.Option("--seed", help="Seed for --sample.")] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show progress.")] = False,
) -> None:
    """Re-read archived objects and compare them with the manifests; exit 1 on any problem."""
    from kernel.settings import Settings
    from storage import open_archive
    from storage.fixity import check_fixity

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings(**({"archive": archive} if archive else {}))
        store = open_archive(settings.archive, settings)
        report = check_fixity(store, sample=sample, seed=seed)
    except SohoaError as exc:
        _fail(exc)
    console.print(f"fixity of {report.location}: {report.manifests} manifest(s), {report.bags} "
                  f"bag(s), {report.listed} object(s) listed, {report.checked} re-read",
                  soft_wrap=True)
    if not report.manifests and not report.bags and report.ok:
        _fail(SohoaError(f"nothing to check: no manifest and no bag in {report.location}",
                         hint="is --archive / SOHOA_ARCHIVE the archive the batches went to?"))
    if report.superseded:
        console.print(f"{report.superseded} object(s) changed since an older bag; the bagged "
                      "version is kept and verified")
    for problem in report.problems:
        console.print(f"[red]{problem.kind}[/] {problem.key}: {problem.detail}", soft_wrap=True)
    missing, changed = len(report.of_kind("missing")), len(report.of_kind("changed"))
    if report.ok:
        console.print("[green]ok[/]: every object re-read matches its manifest")
        return
    console.print(f"[bold red]{missing} missing, {changed} changed, "
                  f"{len(report.problems) - missing - changed} other problem(s)[/]")
    raise typer.Exit(1)


@archive_app.command("s3-dev")
def s3_dev(
        folder: Annotated[Optional[Path], typer.Option(
            "--dir", help="Server data and keys (default: <data_dir>/s3).")] = None,
        port: Annotated[int, typer.Option("--port", help="S3 port on 127.0.0.1.")] = 8333,
        bucket: Annotated[str, typer.Option(
            "--bucket", help="Bucket to create (object lock on).")] = "sohoa",
        prefix: Annotated[str, typer.Option("--prefix", help="Key prefix of the archive.")] = "archive",
) -> None:
    """Run a local S3 server (SeaweedFS) to try the S3 archive; Ctrl-C stops it."""
    from kernel.settings import Settings
    from storage.devserver import DevS3Server, port_is_free
    from storage.spec import open_archive

    folder = folder or Settings().data_dir / "s3"
    if not port_is_free(port):
        _fail(SohoaError(f"port {port} on 127.0.0.1 is in use (a server already running?)",
                         hint="stop it, or give another port with --port"))
    server = DevS3Server(folder, s3_port=port)
    try:
        server.start()
        env = server.env(bucket, prefix)
        open_archive(env["SOHOA_ARCHIVE"], _EnvView(env)).ensure_bucket()
    except SohoaError as exc:
        server.stop()
        _fail(exc)
    env_file = server.root / "s3.env"
    fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.writelines(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
    console.print(f"S3 (SeaweedFS) on http://{server.endpoint}, bucket {bucket!r} with versioning "
                  f"and object lock; data in {server.root}", soft_wrap=True)
    console.print(f"in another shell:  source {env_file}   (keys stay in that file, mode 0600)",
                  soft_wrap=True)
    console.print("then:              sohoa run sample_scans/batch && sohoa fixity")
    console.print("Ctrl-C stops the server; the data stays for the next start.")
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the server too, not only Ctrl-C
    signal.signal(signal.SIGINT, _interrupt)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        server.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class _EnvView:
    """Settings-like view of SOHOA_* variables (for the dev server's own bucket set-up)."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env

    def __getattr__(self, name: str):
        return self._env.get(f"SOHOA_{name.upper()}")


if __name__ == "__main__":
    archive_app()
