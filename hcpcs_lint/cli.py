"""Command line: thin layer over the library API (load, parse, lint, fix)."""

import click


@click.group()
def main() -> None:
    """hcpcs-lint: lint HCPCS descriptors."""
