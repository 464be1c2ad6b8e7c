"""`sohoa cache info|prune|clear`: the OCR page cache (ocr/cache.py) kept in the data folder.

The cache grows by one entry per page read (the cleaned image, hOCR and words: about the size
of the page image). ``prune --older-than DAYS`` removes entries no run has used for that long
(a nightly job can run it); ``clear`` removes them all. Registered on the main app with
``app.add_typer(cache_app, name="cache")``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

cache_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="The OCR page cache (pages already read are not read again).")
console = Console()


def _cache():
    from kernel.settings import Settings
    from ocr.cache import PageCache, cache_root

    settings = Settings()
    return PageCache(cache_root(settings.data_dir)), settings


@cache_app.command("info")
def info() -> None:
    """Where the cache is, how many pages it holds and their size."""
    cache, settings = _cache()
    stats = cache.stats()
    state = "on" if settings.ocr_cache else "off (SOHOA_OCR_CACHE=false)"
    console.print(f"OCR cache: {cache.root}  ({state})", soft_wrap=True)
    console.print(f"{stats.entries} page(s), {stats.bytes / 1e6:.1f} MB")


@cache_app.command("prune")
def prune(older_than: Annotated[float, typer.Option(
        "--older-than", min=0, help="Remove pages no run has used for this many days.")]) -> None:
    """Remove the pages not used for --older-than DAYS (and leftovers of killed runs)."""
    cache, _ = _cache()
    removed = cache.prune(older_than * 86400.0)
    console.print(f"removed {removed} page(s) unused for {older_than:g} day(s) from {cache.root}",
                  soft_wrap=True)


@cache_app.command("clear")
def clear() -> None:
    """Remove every page from the cache (the next runs read every page again)."""
    cache, _ = _cache()
    removed = cache.clear()
    console.print(f"removed {removed} page(s) from {cache.root}", soft_wrap=True)
