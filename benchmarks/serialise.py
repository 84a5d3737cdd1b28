"""Which serialisation the parse cache uses, measured: dump and load of a whole parsed release.

The payload is what the cache keeps for a release: every record with its parsed descriptor. Each
format is timed dumping and loading back to the model's objects (what a run needs), median of 5.
msgspec is measured only when installed (it is not a dependency).

    python benchmarks/serialise.py [RELEASE]
"""

from __future__ import annotations

import marshal
import pickle
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hcpcs_lint import cache
from hcpcs_lint.parser import parse
from hcpcs_lint.sources import load

DEFAULT = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "hcpcs" / "2025-10" / "HCPC2025_OCT_ANWEB.xlsx"
)


def best(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    records = list(load(str(path)))
    pairs = [(r, parse(r.long, r.level)) for r in records]
    rows: list[tuple[str, float, float, int]] = []

    def measure(name: str, dump: Callable[[], bytes], load: Callable[[bytes], Any]) -> None:
        blob = dump()
        rows.append((name, best(dump), best(lambda: load(blob)), len(blob)))

    top = pickle.HIGHEST_PROTOCOL
    measure("pickle (model objects)", lambda: pickle.dumps(pairs, protocol=top), pickle.loads)
    measure(
        "marshal (plain tuples) + rebuild",
        lambda: marshal.dumps(cache.to_plain(pairs)),
        lambda b: cache.from_plain(marshal.loads(b)),
    )
    plain = cache.to_plain(pairs)
    mblob = marshal.dumps(plain)
    rows.append(("marshal, tuples only (no rebuild)", 0.0, best(lambda: marshal.loads(mblob)), len(mblob)))
    pblob = pickle.dumps(plain, protocol=top)
    rows.append(("pickle, tuples only (no rebuild)", 0.0, best(lambda: pickle.loads(pblob)), len(pblob)))
    measure(
        "pickle (plain tuples) + rebuild",
        lambda: pickle.dumps(cache.to_plain(pairs), protocol=top),
        lambda b: cache.from_plain(pickle.loads(b)),
    )
    try:
        import msgspec

        enc, dec = msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder()
        measure(
            "msgspec msgpack (plain) + rebuild",
            lambda: enc.encode(cache.to_plain(pairs)),
            lambda b: cache.from_plain(dec.decode(b)),
        )
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.sqlite"

        def sql_dump() -> None:
            db.unlink(missing_ok=True)
            con = sqlite3.connect(db)
            con.execute("create table r (i integer primary key, v blob)")
            con.executemany(
                "insert into r values (?, ?)", ((i, marshal.dumps(p)) for i, p in enumerate(plain))
            )
            con.commit()
            con.close()

        def sql_load() -> Any:
            con = sqlite3.connect(db)
            out = [marshal.loads(v) for (v,) in con.execute("select v from r order by i")]
            con.close()
            return cache.from_plain(out)

        sql_dump()
        rows.append(
            ("sqlite (a row per record) + rebuild", best(sql_dump), best(sql_load), db.stat().st_size)
        )

    print(f"{len(pairs):,} records with parsed descriptors from {path.name}\n")
    print("| format | dump | load | size |")
    print("|---|---|---|---|")
    for name, d, lo, size in rows:
        print(f"| {name} | {d * 1000:.0f} ms | {lo * 1000:.0f} ms | {size / 1e6:.1f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
