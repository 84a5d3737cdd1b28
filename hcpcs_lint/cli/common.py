"""What every command shares: exit codes, reading inputs, finding the configuration, writing output."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hcpcs_lint import config as cfg
from hcpcs_lint.model import InputError, Record

if TYPE_CHECKING:
    from hcpcs_lint.engine import Linter
    from hcpcs_lint.sources import Release

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
LINTABLE = (".md", ".markdown", ".txt", ".text", ".csv", ".tsv", ".xlsx", ".xls", ".zip", ".pdf")


def selectors(values: Sequence[str]) -> tuple[str, ...]:
    """``--select A,B --select C`` → ("A", "B", "C")."""
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def stdin_bytes() -> Any:
    """Standard input's bytes (None when it is closed: the reader says so in one line)."""
    return getattr(sys.stdin, "buffer", sys.stdin)


def records(path: str, effective: str | None = None, *, allow_empty: bool = False) -> list[Record]:
    """Every record of one input (``-`` is standard input), dated ``effective`` when given; none at
    all is an error unless allowed."""
    from hcpcs_lint.sources import load

    stdin = stdin_bytes() if path == "-" else None
    return list(load(path, stdin=stdin, effective=effective, allow_empty=allow_empty))


def read_input(path: str, effective: str | None = None, *, allow_empty: bool = False) -> Release:
    """One input read whole with its kind and effective date (``--effective`` wins)."""
    from hcpcs_lint.sources import read_release

    stdin = stdin_bytes() if path == "-" else None
    return read_release(path, stdin=stdin, effective=effective, allow_empty=allow_empty)


def effective_option(value: str | None) -> str | None:
    """``--effective YYYY-MM-DD`` as YYYYMMDD; a bad date is a one-line error."""
    if value is None:
        return None
    from hcpcs_lint.sources.release import parse_effective

    return parse_effective(value)


def expand(paths: Sequence[str], found_in_folders: set[str] | None = None) -> list[str]:
    """Folders become the lintable files in them (recursively, sorted, hidden folders skipped).

    The files found inside folders are added to ``found_in_folders``: one that turns out to hold no
    descriptors (a README, a record layout) is skipped with a notice, while a file named on the
    command line is an error.
    """
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p == "-" or not path.is_dir():
            out.append(p)
            continue
        found = sorted(
            str(f)
            for f in path.rglob("*")
            if f.is_file()
            and f.suffix.lower() in LINTABLE
            and not any(part.startswith(".") for part in f.relative_to(path).parts)
        )
        if not found:
            raise InputError(p, f"no files to check in this folder (looked for {', '.join(LINTABLE)})")
        out.extend(found)
        if found_in_folders is not None:
            found_in_folders.update(found)
    return out


def display(path: Path) -> str:
    """A path relative to the working folder when it is inside it (shorter, stable in reports)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def find_config(targets: Sequence[str], config_path: str | None) -> cfg.Config:
    """``--config``, else the nearest configuration above the first target (or the working folder)."""
    if config_path:
        conf_file: Path | None = Path(config_path)
    else:
        first = Path(targets[0]) if targets and targets[0] != "-" else Path.cwd()
        conf_file = cfg.find_config(first if first.is_dir() else first.parent)
        _tell_if_not_applied(conf_file, targets)
    return cfg.load_config(conf_file)


def _tell_if_not_applied(applied: Path | None, targets: Sequence[str]) -> None:
    """A configuration in the working folder that the checked files do not fall under is not
    applied (settings come from the nearest config above each file, as in ruff): say so once."""
    here = cfg.find_config(Path.cwd())
    if here is None or (applied is not None and applied.resolve() == here.resolve()):
        return
    import click

    used = f"{applied} applies instead" if applied else "defaults apply"
    click.echo(
        f"hcpcs-lint: notice: {display(here)} is not applied to {targets[0]} (not under its folder; "
        f"{used}); pass --config {display(here)} to use it",
        err=True,
    )


def make_linter(
    config: cfg.Config, reference: str | None, include_terminated: bool = False, cpt: str | None = None
) -> Linter:
    """A Linter with its reference (``--reference``, the config's, or the bundled corpus) and CPT file."""
    from hcpcs_lint.engine import Linter, bundled_corpus_path

    ref_path = reference or config.reference or str(bundled_corpus_path())
    # The user's CPT file: CSV/TSV with a header, or the AMA layout (code, TAB, descriptor; no header).
    extra = [replace(r, level="I") for r in records(cpt)] if cpt else []
    linter = Linter(
        config=config,
        reference_path=ref_path,
        include_terminated=include_terminated,
        extra_cpt=extra,
        reference_explicit=bool(reference or config.reference),
    )
    if not linter.reference_explicit:
        return linter  # the bundled corpus: read only when a draft needs peers
    try:
        _ = linter.reference_file  # read it now: a bad reference is reported before any input
    except InputError as exc:
        if reference or not config.reference or not config.source:
            raise
        # A bad reference in a config file: say which file and line set it.
        source, line, table = cfg.origin(config, "reference")
        raise InputError(source, f"{table}reference: {exc.render()}", line) from None
    return linter


@contextmanager
def output(path: str | None) -> Iterator[Any]:
    """stdout, or a file written atomically (temp file + rename) so a failed run leaves no half file."""
    if path is None or path == "-":
        yield sys.stdout
        return
    from hcpcs_lint.atomic import atomic_open, describe

    try:
        with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
            yield fh
    except OSError as exc:
        raise InputError(
            path, f"cannot write the report: {describe(exc)}; the file is left as it was"
        ) from None


def terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
