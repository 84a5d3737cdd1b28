"""``hcpcs-lint cache info|clean``: where the cache is, what it holds, and emptying it."""

from __future__ import annotations

import click


@click.group("cache")
def cache_cmd() -> None:
    """The cache of parsed releases and findings (HCPCS_LINT_CACHE_DIR, else the user cache folder)."""


@cache_cmd.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the details as JSON.")
def info(as_json: bool) -> None:
    """Show the cache folder, its entries and their size."""
    from hcpcs_lint import cache

    got = cache.info()
    if as_json:
        import json

        click.echo(json.dumps(got, indent=2))
        return
    state = "" if got["enabled"] else " (disabled by HCPCS_LINT_NO_CACHE)"
    if got["unusable"]:
        state += f" (cannot be used: {got['unusable']}; runs are not cached)"
    click.echo(f"cache folder: {got['path']}{state}")
    for kind, n in got["kinds"].items():
        click.echo(f"  {kind:<9} {n['entries']:>5} entries  {n['bytes'] / 1e6:8.1f} MB")


@cache_cmd.command("clean")
def clean() -> None:
    """Remove every cache entry (the next run parses again)."""
    from hcpcs_lint import cache

    n = cache.clean()
    click.echo(f"Removed {n} cache file{'s' if n != 1 else ''} from {cache.cache_dir()}.")
