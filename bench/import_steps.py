"""Where an import's CPU time goes: each SQL statement of the import, the file hashing, the rest.

    .venv/bin/python bench/import_steps.py build/bench/corpus-1000000-2023

Imports the folder into a fresh database (build/bench/steps.duckdb) the way `readerpulse ingest
--no-score` does, timing (CPU seconds of this process, `time.process_time`) every statement the
import runs, summed over the files by statement, opening the files (their checks and SHA-256) and
decoding them (the UTF-8 check); the closing checkpoint is timed apart. Beside `make bench`'s import / bare-load ratio, this says which step costs what.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path
from typing import Any

import readerpulse.ingest.api as api
import readerpulse.store.db as db
import readerpulse.store.writer as writer
from readerpulse.ingest.api import ImportOptions, ingest
from readerpulse.store import connect

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", type=Path, default=REPO / "build" / "bench" / "steps.duckdb")
    args = parser.parse_args()
    for path in (args.db, args.db.with_name(args.db.name + ".wal")):
        path.unlink(missing_ok=True)
    spent: collections.Counter[str] = collections.Counter()
    real_run = db.run

    def timed(conn: Any, sql: str, params: Any = None) -> list[Any]:
        started = time.process_time()
        try:
            return real_run(conn, sql, params)
        finally:
            words = " ".join(line for line in sql.splitlines() if not line.strip().startswith("--")).split()
            spent[" ".join(words)[:70]] += time.process_time() - started

    def timed_count(conn: Any, sql: str, params: Any = None) -> int:
        rows = timed(conn, sql, params)
        return int(rows[0][0]) if rows and rows[0] and rows[0][0] is not None else 0

    for module in (writer, db, api):
        module.run = timed  # type: ignore[attr-defined]
    writer.run_count = timed_count
    def timed_step(label: str, function: Any) -> Any:
        def step(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started

        return step

    # both run on the reader's thread: process_time counts them all the same
    api.open_input = timed_step("opening the files (checks, SHA-256)", api.open_input)  # type: ignore[attr-defined]
    api.decode_input = timed_step("decoding the files (UTF-8 check)", api.decode_input)  # type: ignore[attr-defined]
    started = time.process_time()
    conn = connect(args.db)
    ingest(conn, [args.corpus], ImportOptions())
    closing = time.process_time()
    conn.close()
    spent["closing checkpoint"] = time.process_time() - closing
    total = time.process_time() - started
    print(f"{'CPU s':>7}  step ({args.corpus})")
    for step, seconds in spent.most_common():
        if seconds >= 0.01:
            print(f"{seconds:7.2f}  {step}")
    print(f"{total - sum(spent.values()):7.2f}  everything else (Python: reading ahead, pseudonyms, glue)")
    print(f"{total:7.2f}  total, after the imports of the modules")


if __name__ == "__main__":
    main()
