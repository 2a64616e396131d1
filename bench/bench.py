"""`make bench`: readerpulse end to end on a synthetic corpus, against the plain approach.

    .venv/bin/python bench/bench.py --comments 100000          # what `make bench` runs
    .venv/bin/python bench/bench.py --comments 1000000 --plain-sample 100000

Steps, each in its own process (wall time, CPU time and peak memory of that process and its
children, from os.wait4):

  corpus     bench/corpus.py writes the corpus as canonical JSON Lines (kept in build/bench/ and
             reused; not timed)
  import     `readerpulse ingest CORPUS --no-score` into a fresh database
  bare load  DuckDB alone on the same comment files: `read_json` with the six canonical columns
             into a typed table (posted_at cast to TIMESTAMPTZ) of a fresh database file; the
             floor of an import, printed beside it (CPU time ratio)
  small files `readerpulse ingest` of a folder of 1,000 files of one comment each (the per-file
             cost: detection, one transaction, the merge) into a fresh database
  score      `readerpulse score` on that database (sentiment, topics, skepticism, links)
  end-to-end `readerpulse ingest CORPUS` into another fresh database: JSON Lines to a fully
             scored database, the figure the targets are about
  week       `readerpulse ingest` of the articles and the last week's comments into a fresh
             database: the weekly routine
  re-tag     a copy of data/topics.toml with one topic edited, then `readerpulse score
             --taxonomy COPY`: the edited topic is tagged again on every comment, the others
             are kept (their definitions did not change)
  re-score   `readerpulse score --all --scorer topics --scorer skepticism --taxonomy COPY`:
             every topic and every skepticism cue on every comment again
  report     `readerpulse report weekly` (the latest week) on the end-to-end database
  queries    every named query of queries/ with its default parameters, each timed in one
             process (the staging views are created per query, as `readerpulse query` does)
  plain      what a user would write without readerpulse (see plain_approach below), on the
             first --plain-sample comments of the corpus; extrapolated linearly to the corpus
             size when the sample is smaller, and printed as such

The ratio compares end-to-end against the plain approach's total (read + sentiment + keywords +
load), and a summary states each target of the project (for 1,000,000 comments) as met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
READERPULSE = str(BIN / "readerpulse")
PY = sys.executable


@dataclass
class Measure:
    """One child process: wall seconds, CPU seconds (user + sys), peak RSS in MB, its output."""

    wall: float
    cpu: float
    rss_mb: float
    stdout: str


def run_measured(args: list[str]) -> Measure:
    """Like `run`, with the child's own rusage (os.wait4): CPU time and peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    out = proc.stdout.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(out)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}")
    # ru_maxrss is in kilobytes on Linux; for a reaped child it covers the child and the
    # descendants it waited for (worker processes).
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out)


def fresh(path: Path) -> Path:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    return path


# --- the plain approach ---------------------------------------------------------------------------

PLAIN = r'''
import glob, json, sys, time
import duckdb
import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

corpus, db, limit, load_limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
TOPICS = {
    "un_inaction": ["united nations", " un ", "u.n.", "security council", "general assembly", "icj", "osce"],
    "russia_role": ["russia", "moscow", "kremlin", "putin", "peacekeeper", "lavrov"],
    "casualty_trust": ["death toll", "casualt", "killed", "dead", "body count", "wounded"],
    "humanitarian": ["humanitarian", "red cross", "aid", "donat", "refugee", "food", "medicine"],
    "turkey_role": ["turkey", "turkish", "erdogan", "ankara", "bayraktar"],
    "western_reactions": ["macron", "france", "washington", "sanction", "condemn", "the eu", "the us"],
    "armenia_politics": ["pashinyan", "yerevan", "resign", "opposition", "protest"],
    "blockade_exodus": ["blockade", "lachin", "corridor", "exodus", "flee", "ethnic cleansing"],
}
SKEPTICAL = ["doubt", "don't believe", "propaganda", "fake", "lies", "lying", "verif", "inflated",
             "exaggerat", "grain of salt", "says who", "source?", "yeah right", "not credible",
             "unreliable", "debunk", "made up", "can't trust", "no evidence", "bots"]

t0 = time.perf_counter()
records = []
for path in sorted(glob.glob(corpus + "/comments-*.jsonl")):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            records.append(json.loads(line))
            if len(records) >= limit:
                break
    if len(records) >= limit:
        break
t_read = time.perf_counter() - t0

analyzer = SentimentIntensityAnalyzer()
t0 = time.perf_counter()
scores = [analyzer.polarity_scores(r["text"]) for r in records]
t_sentiment = time.perf_counter() - t0

t0 = time.perf_counter()
tags = []
for r in records:
    low = r["text"].lower()
    topics = [t for t, words in TOPICS.items() if any(w in low for w in words)]
    skeptical = any(w in low for w in SKEPTICAL)
    tags.append((topics, skeptical))
t_keywords = time.perf_counter() - t0

t0 = time.perf_counter()
con = duckdb.connect(db)
con.execute("""CREATE TABLE comments (comment_id VARCHAR, article_id VARCHAR, parent_id VARCHAR,
    author VARCHAR, posted_at TIMESTAMPTZ, text VARCHAR, neg DOUBLE, neu DOUBLE, pos DOUBLE,
    compound DOUBLE, topics VARCHAR[], skeptical BOOLEAN)""")
rows = [(r["comment_id"], r["article_id"], r.get("parent_id"), r.get("author"), r.get("posted_at"),
         r["text"], s["neg"], s["neu"], s["pos"], s["compound"], topics, skeptical)
        for r, s, (topics, skeptical) in zip(records[:load_limit], scores, tags)]
# the rows in one frame, one INSERT ... SELECT (not executemany, which DuckDB runs row by row)
frame = pl.DataFrame(rows, orient="row", schema=["comment_id", "article_id", "parent_id", "author",
    "posted_at", "text", "neg", "neu", "pos", "compound", "topics", "skeptical"])
con.execute("INSERT INTO comments SELECT comment_id, article_id, parent_id, author,"
            " CAST(posted_at AS TIMESTAMPTZ), text, neg, neu, pos, compound, topics, skeptical FROM frame")
con.close()
t_load = time.perf_counter() - t0
print(json.dumps({"n": len(records), "read": t_read, "sentiment": t_sentiment,
                  "keywords": t_keywords, "load": t_load, "n_load": len(rows)}))
'''


# What DuckDB alone does with the same comment files: the floor of an import.
BARE = r'''
import glob, sys
import duckdb
corpus, db = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("""CREATE TABLE comments AS
    SELECT comment_id, article_id, parent_id, author, CAST(posted_at AS TIMESTAMPTZ) AS posted_at, text
    FROM read_json(?, format = 'newline_delimited', columns = {comment_id: 'VARCHAR',
        article_id: 'VARCHAR', parent_id: 'VARCHAR', author: 'VARCHAR', posted_at: 'VARCHAR',
        text: 'VARCHAR'})""", [sorted(glob.glob(corpus + "/comments-*.jsonl"))])
con.close()
'''


def small_files(folder: Path, count: int) -> Path:
    """`count` canonical JSON Lines files of one comment each (made once, reused)."""
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for i in range(count):
            record = {"comment_id": f"s{i}", "article_id": f"small-{i % 50}", "author": f"reader{i % 97}",
                      "posted_at": "2023-09-21T10:00:00Z", "text": f"Comment number {i}, who verified this?"}
            (folder / f"{i:05d}.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
        (folder / ".complete").write_text(str(count))
    return folder


# --- steps ----------------------------------------------------------------------------------------

QUERY_TIMER = r'''
import json, sys, time
from readerpulse.store import connect
from readerpulse import queries
conn = connect(sys.argv[1], read_only=True)
out = {}
for name, query in queries.library().items():
    started = time.perf_counter()
    frame = queries.run(conn, query, {})
    out[name] = [time.perf_counter() - started, frame.height]
print(json.dumps(out))
'''


def edited_taxonomy(target: Path) -> Path:
    """data/topics.toml with one topic edited: keywords added to humanitarian."""
    text = (REPO / "data" / "topics.toml").read_text(encoding="utf-8")
    text, n = re.subn(
        r'(\[topics\.humanitarian\][^\[]*?keywords = \[)',
        r'\1"warm clothes", "generator*", ',
        text,
        count=1,
    )
    if n != 1:  # the file changed shape: add a keyword to the first topic instead
        text = re.sub(r"keywords = \[", 'keywords = ["generator*", ', text, count=1)
    target.write_text(text, encoding="utf-8")
    return target


def fmt_rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>11,.0f}" if seconds > 0 else f"{'-':>11}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--plain-sample", type=int, default=100_000,
                        help="comments the plain approach reads and scores (extrapolated to --comments)")
    parser.add_argument("--plain-load-sample", type=int, default=100_000,
                        help="comments the plain approach loads into DuckDB (extrapolated)")
    parser.add_argument("--small-files", type=int, default=1000,
                        help="files of one comment each in the small-files step")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench")
    parser.add_argument("--skip", action="append", default=[],
                        help="steps to leave out: import, small, score, e2e, week, rescore, report, queries, plain")
    args = parser.parse_args()
    n = args.comments
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{n}-{args.seed}"
    if not (corpus / ".complete").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        started = time.perf_counter()
        # In a process of its own: this one stays small, and the peak memory each step reports
        # is its own (a child's ru_maxrss starts from its parent's size at fork).
        made = subprocess.run(
            [PY, str(REPO / "bench" / "corpus.py"), "--comments", str(n), "--seed", str(args.seed), "--out", str(corpus)],
            check=True, capture_output=True, text=True,
        )
        info = json.loads(made.stdout.strip().splitlines()[-1])
        (corpus / ".complete").write_text(json.dumps(info))
        print(f"generated {corpus} in {time.perf_counter() - started:.0f}s", flush=True)
    info = json.loads((corpus / ".complete").read_text())
    size_mb = sum(p.stat().st_size for p in corpus.glob("*.jsonl")) / 1e6
    print(
        f"corpus: {info['comments']:,} comments ({info['replies']:,} replies, depth up to "
        f"{info['max_depth']}), {info['articles']:,} articles, {info['users']:,} commenters, "
        f"{info['files']} JSON Lines files, {size_mb:,.0f} MB"
    )
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    rows: list[tuple[str, Measure | None, int | None, str]] = []

    def step(label: str, measure: Measure, count: int | None, note: str = "") -> None:
        rows.append((label, measure, count, note))
        rate = fmt_rate(count, measure.wall) if count else f"{'':>11}"
        print(f"{label:<28} {measure.wall:8.2f} s  {rate} /s  cpu {measure.cpu:7.1f} s  "
              f"peak {measure.rss_mb:7,.0f} MB  {note}", flush=True)

    print(f"{'step':<28} {'wall':>10}  {'comments':>11} /s  {'':>15}  {'':>15}")
    import_db = fresh(work / "import.duckdb")
    e2e_db = fresh(work / "bench.duckdb")
    if "import" not in args.skip:
        m = run_measured([READERPULSE, "ingest", str(corpus), "--db", str(import_db), "--no-score", "-q"])
        step("import (JSONL -> DuckDB)", m, n)
        bare = run_measured([PY, "-c", BARE, str(corpus), str(fresh(work / "bare.duckdb"))])
        step("DuckDB bare load (floor)", bare, n, f"import uses {m.cpu / bare.cpu:.2f}x its CPU time, "
             f"{m.wall / bare.wall:.2f}x its wall time")
        if "score" not in args.skip:
            m = run_measured([READERPULSE, "score", "--db", str(import_db), "-q"])
            step("score (every scorer)", m, n)
    if "small" not in args.skip:
        folder = small_files(work / f"small-{args.small_files}", args.small_files)
        m = run_measured([READERPULSE, "ingest", str(folder), "--db", str(fresh(work / "small.duckdb")),
                          "--no-score", "-q"])
        step(f"{args.small_files:,} one-comment files", m, args.small_files,
             f"{m.wall / args.small_files * 1000:.1f} ms per file")
    if "e2e" not in args.skip:
        e2e = run_measured([READERPULSE, "ingest", str(corpus), "--db", str(e2e_db), "-q"])
        step("end to end (import + score)", e2e, n)
    else:
        e2e = None
    if "week" not in args.skip:
        # a week's export on its own, as a newsroom loads it: the articles and the last week's
        # comments into a fresh database
        week = [str(corpus / "articles.jsonl"), str(sorted(corpus.glob("comments-week-*.jsonl"))[-1])]
        week_comments = Path(week[1]).read_bytes().count(b"\n")
        m = run_measured([READERPULSE, "ingest", *week, "--db", str(fresh(work / "week.duckdb")), "-q"])
        step("one week's file, end to end", m, week_comments)
    if "rescore" not in args.skip and e2e_db.exists():
        taxonomy = edited_taxonomy(work / "topics-edited.toml")
        # what `score` does after the edit: the edited topic is tagged again on every comment
        m = run_measured([READERPULSE, "score", "--db", str(e2e_db), "--taxonomy", str(taxonomy), "-q"])
        step("re-tag after taxonomy edit", m, n, "score: the changed topic, every comment")
        # everything again, both scorers, every topic
        m = run_measured([READERPULSE, "score", "--db", str(e2e_db), "--all", "--scorer", "topics",
                          "--scorer", "skepticism", "--taxonomy", str(taxonomy), "-q"])
        step("re-score topics+skepticism", m, n, "score --all: every topic and cue")
        # back to the shipped taxonomy for the report and queries (the edited topic again)
        run_measured([READERPULSE, "score", "--db", str(e2e_db), "-q"])
    if "report" not in args.skip and e2e_db.exists():
        out = work / "report"
        shutil.rmtree(out, ignore_errors=True)
        m = run_measured([READERPULSE, "report", "weekly", "--db", str(e2e_db), "--out", str(out)])
        step("weekly report", m, None, m.stdout.strip().splitlines()[0][:60] if m.stdout.strip() else "")
    if "queries" not in args.skip and e2e_db.exists():
        m = run_measured([PY, "-c", QUERY_TIMER, str(e2e_db)])
        timings = json.loads(m.stdout.strip().splitlines()[-1])
        print(f"{'named queries':<28} {sum(t for t, _ in timings.values()):8.2f} s  total, "
              f"peak {m.rss_mb:,.0f} MB; each:")
        for name, (seconds, height) in timings.items():
            print(f"    {name:<24} {seconds:8.3f} s  ({height} rows)")
        rows.append(("queries (slowest)", Measure(max(t for t, _ in timings.values()), 0, m.rss_mb, ""), None, ""))

    plain_total: float | None = None
    if "plain" not in args.skip:
        sample = min(n, args.plain_sample)
        load_sample = min(sample, args.plain_load_sample)
        m = run_measured([PY, "-c", PLAIN, str(corpus), str(fresh(work / "plain.duckdb")), str(sample), str(load_sample)])
        plain = json.loads(m.stdout.strip().splitlines()[-1])
        scale, load_scale = n / plain["n"], n / plain["n_load"]
        parts = {k: plain[k] * scale for k in ("read", "sentiment", "keywords")}
        parts["load"] = plain["load"] * load_scale
        total = sum(parts.values())

        def how(count: int, factor: float) -> str:
            return f"measured on {count:,}, x{factor:g}" if factor != 1 else f"measured on all {n:,}"

        print()
        print(f"plain approach, for {n:,} comments (peak {m.rss_mb:,.0f} MB on the sample):")
        print(f"    json.loads per line           {parts['read']:8.2f} s  ({how(plain['n'], scale)})")
        print(f"    polarity_scores per comment   {parts['sentiment']:8.2f} s  ({how(plain['n'], scale)})")
        print(f"    keyword tests per comment     {parts['keywords']:8.2f} s  ({how(plain['n'], scale)})")
        print(f"    one INSERT into DuckDB        {parts['load']:8.2f} s  ({how(plain['n_load'], load_scale)})")
        print(f"    total                         {total:8.2f} s  = {n / total:,.0f} comments/s")
        plain_total = total
        if e2e is not None:
            without_load = total - parts["load"]
            print()
            print(f"end to end {e2e.wall:.2f} s vs plain {total:.2f} s: {total / e2e.wall:.1f}x faster "
                  f"({without_load / e2e.wall:.1f}x against the plain approach without its DuckDB load, "
                  f"{without_load:.2f} s). readerpulse also scores every sentence, keeps topic evidence "
                  "and skepticism cues, links passages and stores reply depth and pseudonyms.")

    measured = {label: measure for label, measure, _, _ in rows if measure is not None}
    report_targets(n, measured, plain_total)
    results = {
        "comments": n,
        "load_average": os.getloadavg(),
        "steps": {label: {"wall": m.wall, "cpu": m.cpu, "peak_mb": m.rss_mb} for label, m in measured.items()},
        "plain_total": plain_total,
    }
    (work / f"results-{n}.json").write_text(json.dumps(results, indent=2))


# The targets of `make bench`, stated for 1,000,000 comments.
TARGETS = (
    ("end to end (import + score)", "JSON Lines to a fully scored database", 15.0),
    ("re-tag after taxonomy edit", "taxonomy edit: changed topic re-tagged", 5.0),
    ("re-score topics+skepticism", "re-scoring topics and skepticism (--all)", 5.0),
    ("weekly report", "weekly report", 10.0),
    ("queries (slowest)", "slowest named query", 1.0),
)


def report_targets(n: int, measured: dict[str, Measure], plain_total: float | None) -> None:
    """One line per target: the figure measured here against the target for this size."""
    print()
    at_scale = n >= 1_000_000
    print("targets (stated for 1,000,000 comments on 2 cores" + ("):" if at_scale else f"; this run has {n:,}, so the time targets are not judged):"))
    for label, what, seconds in TARGETS:
        if label not in measured:
            continue
        got = measured[label].wall
        verdict = ("met" if got <= seconds else "NOT met") if at_scale else ""
        print(f"    {what:<40} {got:8.2f} s  (target {seconds:.2f} s at 1,000,000)  {verdict}")
    if not measured:
        return
    peak = max(m.rss_mb for m in measured.values())
    print(f"    {'peak memory of any step':<40} {peak:8,.0f} MB (target 3,000 MB at 1,000,000)  "
          f"{('met' if peak <= 3000 else 'NOT met') if at_scale else ''}")
    imported, bare = measured.get("import (JSONL -> DuckDB)"), measured.get("DuckDB bare load (floor)")
    if imported is not None and bare is not None:
        ratio = imported.cpu / bare.cpu
        print(f"    {'import CPU time / DuckDB bare load':<40} {ratio:8.2f} x  (target 1.5 x, any size)  "
              f"{'met' if ratio <= 1.5 else 'NOT met'}")
    small = measured.get("1,000 one-comment files")
    if small is not None:
        print(f"    {'1,000 one-comment files':<40} {small.wall:8.2f} s  (target 30 s, any size)  "
              f"{'met' if small.wall <= 30 else 'NOT met'}")
    e2e = measured.get("end to end (import + score)")
    if e2e is not None and plain_total:
        ratio = plain_total / e2e.wall
        print(f"    {'speed-up over the plain approach':<40} {ratio:8.1f} x  (target 10 x)  "
              f"{('met' if ratio >= 10 else 'NOT met') if at_scale else ''}")


if __name__ == "__main__":
    main()
