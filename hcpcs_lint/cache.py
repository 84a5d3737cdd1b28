"""The persistent cache: a release is read and parsed once per content, as ruff caches per file.

Two kinds of entry, each a file named by a SHA-256 key under the user cache folder
(platformdirs, so ``XDG_CACHE_HOME`` is honoured; ``HCPCS_LINT_CACHE_DIR`` overrides it):

- ``parsed/``: the records of an input file with their parsed descriptors and product classes,
  keyed by the file's bytes, its name's suffix and the tool's fingerprint (version, package
  sources, grammar, vocabulary, rules and catalog), so any change to either misses.
- ``findings/``: the findings of one input file under one linter setup (rules, configuration,
  reference and CPT contents), so a second identical run only reads and renders.

Entries are marshal-encoded plain tuples (measured fastest to load back: docs/benchmarks.md),
written to a temp file and renamed into place. Anything wrong with an entry (truncated, corrupt,
written by another version, unreadable) counts as a miss: it is rebuilt and rewritten, never an
error. A folder we cannot write to only means no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from collections.abc import Iterable, Sequence
from dataclasses import fields
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from hcpcs_lint import __version__
from hcpcs_lint.atomic import write_bytes
from hcpcs_lint.model import Clause, Descriptor, Finding, Fix, Item, Location, Record, Related

ENV_DIR = "HCPCS_LINT_CACHE_DIR"
ENV_OFF = "HCPCS_LINT_NO_CACHE"
MAGIC = b"HCPCSLC1"  # format of an entry file; a file without it is foreign
FORMAT = 1
KINDS = ("parsed", "findings", "grammar")

_enabled = True


def disable() -> None:
    """``--no-cache``: neither read nor write for the rest of this process."""
    global _enabled
    _enabled = False


def enable() -> None:
    global _enabled
    _enabled = True


def enabled() -> bool:
    return _enabled and os.environ.get(ENV_OFF, "") in ("", "0")


def cache_dir() -> Path:
    """``HCPCS_LINT_CACHE_DIR``, else the platform's user cache folder for hcpcs-lint."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("hcpcs-lint", appauthor=False))


# -- keys ------------------------------------------------------------------------------------------


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree_files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under ``root`` ending in one of ``suffixes``, sorted (os.walk: a tenth of rglob's time)."""
    out: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        out.extend(Path(folder, f) for f in files if f.endswith(suffixes))
    return sorted(out)


@lru_cache(maxsize=8)
def fingerprint(data_dirs: tuple[str, ...] = ()) -> str:
    """What every cached result depends on besides its input: the tool's version and sources
    (grammar and vocabulary among them), and the contents (not the names) of ``data_dirs``:
    the bundled rules and catalog and a team's extra catalog folders."""
    h = hashlib.sha256(f"{__version__}\0{FORMAT}\0".encode())
    package = Path(__file__).resolve().parent
    roots: list[tuple[Path, tuple[str, ...]]] = [(package, (".py", ".lark", ".toml"))]
    roots += [(Path(d), (".toml",)) for d in data_dirs]
    for root, patterns in roots:
        if not root.is_dir():
            h.update(f"missing {root}\0".encode())
            continue
        for p in _tree_files(root, patterns):
            h.update(str(p.relative_to(root)).encode() + b"\0")
            try:
                h.update(p.read_bytes())
            except OSError:
                h.update(b"unreadable")
            h.update(b"\0")
    return h.hexdigest()


def key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


# -- entry files -------------------------------------------------------------------------------------


def _path(kind: str, k: str) -> Path:
    return cache_dir() / kind / k[:2] / k


def read(kind: str, k: str) -> Any | None:
    """The value stored under ``k``, or None when absent, corrupt, truncated or foreign."""
    if not enabled():
        return None
    try:
        data = _path(kind, k).read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if len(data) < head or not data.startswith(MAGIC):
        return None
    body = data[head:]
    if hashlib.sha256(body).digest() != data[len(MAGIC) : head]:
        return None  # truncated or damaged: its checksum no longer matches
    try:
        value = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(value, tuple) and len(value) == 2 and value[0] == k):
        return None  # written for another key (a renamed or copied file)
    return value[1]


def write(kind: str, k: str, value: Any) -> bool:
    """Store ``value`` atomically (temp file, then rename); False when it cannot be stored."""
    if not enabled():
        return False
    try:
        body = marshal.dumps((k, value))
    except ValueError:
        return False  # a value marshal cannot hold: run uncached rather than fail
    target = _path(kind, k)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # The one atomic writer, without fsync: an entry lost in a crash is only rebuilt.
        write_bytes(target, MAGIC + hashlib.sha256(body).digest() + body, durable=False)
        return True
    except OSError:
        return False


def info() -> dict[str, Any]:
    """Where the cache is and what it holds, per kind."""
    root = cache_dir()
    out: dict[str, Any] = {"path": str(root), "enabled": enabled(), "unusable": unusable(root), "kinds": {}}
    for kind in KINDS:
        files = [p for p in (root / kind).rglob("*") if p.is_file()] if (root / kind).is_dir() else []
        out["kinds"][kind] = {"entries": len(files), "bytes": sum(_size(p) for p in files)}
    return out


def unusable(root: Path) -> str | None:
    """Why no entry can be written under ``root`` (None: it can, or it can be created). A run
    then simply goes uncached; ``cache info`` says why."""
    probe = root
    while not probe.exists():
        if probe.parent == probe:
            return None
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is a file, not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} cannot be written to"
    return None


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def clean() -> int:
    """Remove every entry (and stray temp files); the number of files removed."""
    root = cache_dir()
    n = 0
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for p in sorted(folder.rglob("*"), reverse=True):
            try:
                if p.is_dir() and not p.is_symlink():
                    p.rmdir()
                else:
                    p.unlink()
                    n += 1
            except OSError:
                pass
        with contextlib.suppress(OSError):
            folder.rmdir()
    return n


# -- plain forms: what marshal can hold ------------------------------------------------------------
#
# Built with attrgetter and positional constructors (a whole release converts in milliseconds).
# Fields are taken in declaration order, so a field added to the model is kept; a renamed or
# reordered one changes the package sources, hence every key.

_RECORD_FIELDS = tuple(f.name for f in fields(Record))
_LOC_FIELDS = tuple(f.name for f in fields(Location) if f.name != "path")
_LOC_AT = _RECORD_FIELDS.index("location")
_CURRENT_AT = _RECORD_FIELDS.index("current_location")
_record_values = attrgetter(*_RECORD_FIELDS)
_loc_values = attrgetter(*_LOC_FIELDS)


def record_plain(r: Record) -> tuple[Any, ...]:
    """A record as a tuple; its locations without their path (the same bytes may sit elsewhere)."""
    v = list(_record_values(r))
    v[_LOC_AT] = _loc_values(r.location)
    if r.current_location is not None:
        v[_CURRENT_AT] = _loc_values(r.current_location)
    return tuple(v)


def record_from(plain: Sequence[Any], path: str) -> Record:
    v = list(plain)
    v[_LOC_AT] = Location(path, *v[_LOC_AT])
    if v[_CURRENT_AT] is not None:
        v[_CURRENT_AT] = Location(path, *v[_CURRENT_AT])
    return Record(*v)


# Clauses and items keep their text only where it is not the descriptor's own slice (it always
# is today): most of a parsed release is spans.
_CLAUSE_FIELDS = tuple(f.name for f in fields(Clause))
_DESC_FIELDS = tuple(f.name for f in fields(Descriptor))
assert _CLAUSE_FIELDS == ("role", "text", "start", "end", "items", "keyword"), "update the plain forms"
assert _DESC_FIELDS[:5] == ("text", "level", "head", "clauses", "unparsed"), "update the plain forms"
_desc_values = attrgetter(*_DESC_FIELDS)
_NESTED_AT = tuple(i for i, f in enumerate(fields(Descriptor)) if f.name in ("stem", "specific"))


def _clause_plain(c: Clause, text: str) -> tuple[Any, ...]:
    items = tuple(
        (it.start, it.end, None if text[it.start : it.end] == it.text else it.text) for it in c.items
    )
    own = None if text[c.start : c.end] == c.text else c.text
    return (c.role, own, c.start, c.end, items, c.keyword)


def desc_plain(d: Descriptor) -> tuple[Any, ...]:
    v = list(_desc_values(d))
    text = d.text
    v[3] = tuple([_clause_plain(c, text) for c in d.clauses])
    for i in _NESTED_AT:
        if v[i] is not None:
            v[i] = desc_plain(v[i])
    return tuple(v)


def _clause_from(p: Sequence[Any], text: str) -> Clause:
    role, own, start, end, items, keyword = p
    return Clause(
        role,
        text[start:end] if own is None else own,
        start,
        end,
        tuple([Item(text[a:b] if t is None else t, a, b) for a, b, t in items]),
        keyword,
    )


def desc_from(p: Sequence[Any]) -> Descriptor:
    v = list(p)
    text = v[0]
    v[3] = tuple([_clause_from(c, text) for c in v[3]])
    v[4] = tuple([tuple(u) for u in v[4]])
    for i in _NESTED_AT:
        if v[i] is not None:
            v[i] = desc_from(v[i])
    return Descriptor(*v)


def to_plain(pairs: Iterable[tuple[Record, Descriptor]]) -> list[tuple[Any, Any]]:
    return [(record_plain(r), desc_plain(d)) for r, d in pairs]


def from_plain(plain: Iterable[Sequence[Any]], path: str = "") -> list[tuple[Record, Descriptor]]:
    return [(record_from(r, path), desc_from(d)) for r, d in plain]


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


def _finding_plain(f: Finding) -> tuple[Any, ...]:
    row = []
    for name in _FINDING_FIELDS:
        v = getattr(f, name)
        if name == "record":
            v = record_plain(v)
        elif name == "related":
            v = tuple((r.code, r.descriptor, r.note) for r in v)
        elif name == "fix":
            v = None if v is None else (v.applicability, v.descriptor, v.message)
        row.append(v)
    return tuple(row)


def findings_plain(groups: Sequence[Sequence[Finding]], checked: int) -> tuple[Any, ...]:
    """Lists of findings (reported, resolved...) and the count of records checked, plainly."""
    return (checked, tuple(tuple(_finding_plain(f) for f in group) for group in groups))


def _finding_from(row: Sequence[Any], path: str) -> Finding:
    v = dict(zip(_FINDING_FIELDS, row, strict=True))
    v["record"] = record_from(v["record"], path)
    v["related"] = tuple(Related(*r) for r in v["related"])
    v["fix"] = None if v["fix"] is None else Fix(*v["fix"])
    v["span"] = tuple(v["span"])
    return Finding(**v)


def findings_from(value: Any, path: str) -> tuple[list[list[Finding]], int] | None:
    """Findings back from their plain form, or None when the value is not one."""
    if value is None:
        return None
    try:
        checked, groups = value
        return [[_finding_from(row, path) for row in group] for group in groups], int(checked)
    except (TypeError, ValueError, KeyError):
        return None
