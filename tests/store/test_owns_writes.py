"""The store owns every write: no module outside analysis/store/ issues a statement that changes
the database (rows or catalog, temporary objects included)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "analysis"
STORE = PACKAGE / "store"

WRITE = re.compile(
    r"""\b(
        INSERT\s+(OR\s+(REPLACE|IGNORE)\s+)?INTO
      | UPDATE\s+\w+\s+SET
      | DELETE\s+FROM
      | CREATE\s+(OR\s+REPLACE\s+)?((TEMP|TEMPORARY)\s+)?(UNIQUE\s+)?(TABLE|VIEW|MACRO|INDEX|SEQUENCE|SCHEMA|TYPE|FUNCTION)
      | DROP\s+(TABLE|VIEW|MACRO|INDEX|SEQUENCE|SCHEMA|TYPE|FUNCTION)
      | ALTER\s+(TABLE|VIEW|SEQUENCE)
      | COPY\s+\w+\s+FROM
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)


def writes_outside(package: Path, store: Path) -> list[str]:
    """`file:line: statement` for each write statement in the package's Python and SQL files
    outside `store`."""
    found = []
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.sql")]):
        if path.is_relative_to(store):
            continue
        text = path.read_text("utf-8")
        for match in WRITE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(package)}:{line}: {' '.join(match.group(0).split())}")
    return found


def test_no_module_outside_the_store_writes() -> None:
    assert writes_outside(PACKAGE, STORE) == []


def test_the_scan_reads_the_package_and_finds_the_store_writes() -> None:
    # the same scan over the store itself finds its writes: the pattern and the walk work
    found = writes_outside(PACKAGE, PACKAGE / "no such folder")
    assert any(f.startswith("store/scores.py:") and "INSERT INTO" in f for f in found)
    assert any(f.startswith("store/sql/") and "CREATE OR REPLACE TEMP TABLE" in f for f in found)
    assert all(f.startswith("store/") for f in found)


def test_a_write_in_another_module_is_found(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "ok.py").write_text('SQL = "DELETE FROM scored"\n')
    (tmp_path / "score").mkdir()
    (tmp_path / "score" / "runner.py").write_text(
        "# prose: comments deleted from the export, inserted into a list, update the settings\n"
        'conn.execute("insert into sentiment BY NAME SELECT * FROM _rp_frame")\n'
        'conn.execute("UPDATE scoring_runs SET finished_at = now()")\n'
        'conn.execute("""\n    CREATE OR REPLACE TEMP TABLE _rp_pending AS SELECT 1""")\n'
    )
    (tmp_path / "score" / "clear.sql").write_text("DELETE\nFROM topic_hits\n")
    assert writes_outside(tmp_path, tmp_path / "store") == [
        "score/clear.sql:1: DELETE FROM",
        "score/runner.py:2: insert into",
        "score/runner.py:3: UPDATE scoring_runs SET",
        "score/runner.py:5: CREATE OR REPLACE TEMP TABLE",
    ]
