"""Loaded by every Python process the test suite starts (conftest puts this folder on PYTHONPATH):
with HCPCS_LINT_AUDIT_LOG set, an audit hook records each write to the file system (an open for
writing, a rename, a removal, a new folder) so the suite can check that no run wrote outside the
test's temporary folders. Python's own bytecode caches are left out."""

import json
import os
import sys

_LOG = os.environ.get("HCPCS_LINT_AUDIT_LOG")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_EVENTS = {
    "os.rename",
    "os.replace",
    "os.link",
    "os.symlink",
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.truncate",
}


def _hook(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    if event == "open":
        path, mode, flags = args
        if path is None or isinstance(path, int):
            return
        writing = (
            any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & _WRITE_FLAGS)
        )
        paths = [path] if writing else []
    elif event in _EVENTS:
        paths = [a for a in args[:2] if isinstance(a, str | bytes | os.PathLike)]
        fds = [a for a in args[1:] if isinstance(a, int) and not isinstance(a, bool) and a >= 0]
        if event == "os.mkdir":
            fds = [a for a in args[2:] if isinstance(a, int) and a >= 0]
        if fds:  # relative to an open folder (shutil.rmtree does this): resolve through /proc
            try:
                folder = os.readlink(f"/proc/self/fd/{fds[0]}")
            except OSError:
                return
            paths = [os.path.join(folder, os.fsdecode(p)) for p in paths]
    else:
        return
    for p in paths:
        text = os.path.abspath(os.fsdecode(p))
        if "__pycache__" in text or text == _LOG:
            continue
        with open(_LOG, "a", encoding="utf-8") as fh:  # our own writes are skipped above
            fh.write(json.dumps({"event": event, "path": text, "argv": sys.argv[:4]}) + "\n")


if _LOG:
    sys.addaudithook(_hook)
