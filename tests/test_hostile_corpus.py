"""Every command over a corpus of hostile files: no traceback, a documented exit code, every
failure recorded with its file and reason, and the good records of the same files loaded."""

from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result
from readerpulse.cli import main

from tests.conftest import FIXTURES

GOOD = "2024-03-04T10:00:00Z"


def _jsonl(*records: dict[str, object]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def _comment(comment_id: str, text: str = "A fair point, well made.", **more: object) -> dict[str, object]:
    return {"comment_id": comment_id, "article_id": "hostile", "posted_at": GOOD, "text": text, **more}


def build_corpus(folder: Path) -> dict[str, tuple[str, set[str]]]:
    """Write the hostile files; return for each its expected status and the comment ids that must load."""
    folder.mkdir()
    expected: dict[str, tuple[str, set[str]]] = {}

    def put(name: str, data: bytes | str, status: str, ids: set[str] | None = None) -> None:
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
        expected[name] = (status, ids or set())

    deep = '{"comment_id": "deep", "article_id": "hostile", "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    put("deep.jsonl", _jsonl(_comment("deep1")) + deep + _jsonl(_comment("deep2")), "loaded", {"deep1", "deep2"})
    # a first record well over the 64 KiB head, whose comment is also over the scoring limit
    long_text = "This goes on and on. " * 6_000
    put("long.jsonl", _jsonl(_comment("long1", long_text), _comment("long2")), "loaded", {"long1", "long2"})
    header = "comment_id,article_id,posted_at,text\n"
    put("excel.csv", ("\ufeff" + header + f"u1,hostile,{GOOD},naïve “quote”\n").encode("utf-16-le"), "loaded", {"u1"})
    put("windows.csv", (header + f"w1,hostile,{GOOD},café olé\n").encode("cp1252"), "loaded", {"w1"})
    put("packed.csv.gz", gzip.compress((header + f"g1,hostile,{GOOD},packed\n").encode()), "loaded", {"g1"})
    # 100 KiB packed, 100 MiB unpacked: stopped at the ratio limit (past its 64 MiB floor)
    put("bomb.jsonl.gz", gzip.compress(b"\0" * (1 << 20), 9) * 100, "failed")
    put("empty.csv", b"", "failed")
    put("garbage.bin", random.Random(12).randbytes(20_000), "failed")
    xml = (FIXTURES / "disqus" / "replies.xml").read_text()
    put("truncated.xml", xml[: xml.index("<post", xml.index("<post") + 10) + 200], "loaded", {"1004"})
    put(
        "dates.csv",
        header + f"d1,hostile,{GOOD},fine\nd2,hostile,9999-12-31,future\nd3,hostile,0001-01-01,ancient\n"
        f"d4,hostile,1969-07-20T20:17:00Z,moon\n",
        "loaded",
        {"d1"},
    )
    put(
        "quotes.csv",
        header + f'q1,hostile,{GOOD},"fine, quoted"\nq2,hostile,{GOOD},"unbalanced "quote", here\n'
        f'q3,hostile,{GOOD},she said "hi"\nq4,hostile,{GOOD},after\n',
        "loaded",
        {"q1", "q3", "q4"},
    )
    # labels and models read from the same folder: hostile label files too
    put("labels.csv", "id,text,skepticism\nl1,\"broken\n", "loaded")  # a comment table without ids
    return expected


def _run(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert "Traceback" not in result.output, (args, result.output)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    return result


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_every_command_over_a_hostile_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    expected = build_corpus(corpus)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    db = str(tmp_path / "h.duckdb")
    runner = CliRunner()

    ingest = _run(runner, "ingest", str(corpus), str(fifo), "/dev/zero", "--db", db, "--no-score")
    assert ingest.exit_code == 1  # some files failed; the others loaded
    with duckdb.connect(db, read_only=True) as conn:
        sources = {
            Path(path).name: (status, error)
            for path, status, error in conn.execute("SELECT path, status, error FROM sources").fetchall()
        }
        loaded = {cid for (cid,) in conn.execute("SELECT comment_id FROM comments").fetchall()}
        file_rejects = conn.execute(
            "SELECT s.path, r.reason FROM rejects r JOIN sources s USING (source_id) WHERE r.location = 'file'"
        ).fetchall()
        reasons = conn.execute(
            "SELECT s.path, r.location, r.reason FROM rejects r JOIN sources s USING (source_id)"
        ).fetchall()
    for name, (status, ids) in expected.items():
        assert sources[name][0] == status, (name, sources[name])
        assert ids <= loaded, (name, ids - loaded)
    assert sources["pipe.jsonl"] == ("failed", f"{fifo}: not a regular file (a FIFO); only regular files are read")
    assert sources["zero"][0] == "failed"
    assert sources["empty.csv"][1] == f"{corpus / 'empty.csv'}: empty file"
    assert "gzip bomb" in (sources["bomb.jsonl.gz"][1] or "")
    assert {"d2", "d3", "d4", "deep", "q2"}.isdisjoint(loaded), ",".join(sorted(loaded & {"d2", "d3", "d4", "deep", "q2"}))
    assert len(file_rejects) == sum(status == "failed" for status, _ in sources.values())
    by_file = {(Path(path).name, reason.split(" ")[0]) for path, _, reason in reasons}
    assert ("deep.jsonl", "nested") in by_file and ("long.jsonl", "truncated") in by_file
    assert ("dates.csv", "posted_at") in by_file

    again = _run(runner, "ingest", str(corpus), "--db", db, "--no-score")
    assert "0 files loaded" in again.stdout  # the loaded ones are unchanged, the failed fail again

    assert _run(runner, "score", "--db", db, "--quiet").exit_code == 0
    assert _run(runner, "formats").exit_code == 0
    assert _run(runner, "sql", "--db", db, "SELECT count(*) FROM rejects").exit_code == 0
    assert _run(runner, "sql", "--db", db, "SELECT * FROM nowhere").exit_code == 1
    for name in ("top_commenters", "article_overview", "daily_tone"):
        assert _run(runner, "query", name, "--db", db).exit_code == 0
    assert _run(runner, "query", "top_commenters", "--db", db, "-p", "limit=x").exit_code == 2
    out = tmp_path / "reports"
    assert _run(runner, "report", "--db", db, "--out", str(out)).exit_code == 0
    assert _run(runner, "explain", "Who verified this? " * 10_000).exit_code == 0
    export = tmp_path / "to_label.csv"
    assert _run(runner, "label", "export", str(export), "--db", db).exit_code == 0
    # a folder of files that are not label files: one line naming the first, exit 2
    label_import = _run(runner, "label", "import", str(corpus), "--db", db)
    assert label_import.exit_code == 2 and len(label_import.output.splitlines()) == 1
    assert _run(runner, "label", "import", str(export), "--db", db).exit_code == 0
    _run(runner, "evaluate", str(corpus), "--db", db)
    _run(runner, "train", "--labels", str(corpus), "--db", db, "--out", str(tmp_path / "m.model"))
