#!/usr/bin/env python3
"""Full-text search: `text-match` over a million strings, side by side with what a user of the
peers would do: a `LIKE '%...%'` scan in SQLite and in DuckDB (DuckDB's full-text extension is
downloaded on first use, which this machine cannot do), and SQLite's own FTS5 table in-process.

Usage: textsearch.py [--strings 1000000] [--reps 5]

Generated deterministically: `about(dN, "...")`, each string 6-14 words drawn from 20,000
made-up words (a few common ones far more often), and about one string in 10,000 holding
"defence ministers" and one in 2,000 "defence" alone. Loaded once with `kglog run --db` (whole
process, peak memory). Then, alternating, the question `?- text-match(T, "defence ministers"),
about(E, T).` as `kglog query --db --format tsv` (whole process) against the scans
(in-process, on tables already loaded), checking that all give the same rows.
"""
import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time

from editions import timed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data", "textsearch")
KGLOG = os.path.join(ROOT, ".build", "release", "kglog")
QUERY = '?- text-match(T, "defence ministers"), about(E, T).'
LIKE = "SELECT e, t FROM about WHERE lower(t) LIKE '%defence%' AND lower(t) LIKE '%ministers%'"


def generate(count):
    rng = random.Random(17)
    words = [f"w{n}" for n in range(20_000)]
    common = ["the", "of", "council", "meeting", "report", "treaty", "border", "security"]
    rows = []
    for n in range(count):
        length = rng.randrange(6, 15)
        text = [rng.choice(common) if rng.random() < 0.3 else words[int(rng.paretovariate(1.2)) % len(words)] for _ in range(length)]
        chance = rng.random()
        if chance < 0.0001:
            at = rng.randrange(length - 1)
            text[at:at + 2] = ["Defence", "ministers"]
        elif chance < 0.0006:
            text[rng.randrange(length)] = "defence"
        rows.append((f"d{n}", " ".join(text)))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strings", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    rows = generate(args.strings)
    kgl = os.path.join(DATA, f"about-{args.strings}.kgl")
    with open(kgl, "w") as out:
        for e, t in rows:
            out.write(f'about({e}, "{t}").\n')
    db = os.path.join(DATA, f"about-{args.strings}.kglog")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    seconds, peak = timed([KGLOG, "run", "--db", db, kgl])
    print(f"# {args.strings} strings: kglog run --db {seconds:.2f} s, peak {peak:.0f} MiB, file {os.path.getsize(db) / 2**20:.0f} MiB", flush=True)

    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE about(e TEXT, t TEXT)")
    lite.executemany("INSERT INTO about VALUES (?, ?)", rows)
    lite.execute("CREATE VIRTUAL TABLE about_fts USING fts5(t, content='about')")
    lite.execute("INSERT INTO about_fts(about_fts) VALUES ('rebuild')")
    import duckdb
    duck = duckdb.connect()
    duck.execute("CREATE TABLE about(e VARCHAR, t VARCHAR)")
    duck.executemany("INSERT INTO about VALUES (?, ?)", rows) if len(rows) < 10_000 else duck.execute(
        "INSERT INTO about SELECT * FROM read_csv(?, delim='\t', header=false, columns={'e': 'VARCHAR', 't': 'VARCHAR'})", [tsv(rows)])

    def kglog():
        out = os.path.join(DATA, "answers.tsv")
        with open(out, "w") as f:
            seconds, peak = timed([KGLOG, "query", "--db", db, "--format", "tsv", QUERY], stdout=f)
        with open(out) as f:
            answers = {tuple(line.rstrip("\n").split("\t"))[::-1] for line in list(f)[1:]}
        return seconds, peak, answers

    def in_process(run):
        started = time.perf_counter()
        found = run()
        return time.perf_counter() - started, {(e, t) for e, t in found}

    engines = {
        "sqlite LIKE": lambda: lite.execute(LIKE).fetchall(),
        "sqlite FTS5": lambda: lite.execute("SELECT a.e, a.t FROM about_fts JOIN about AS a ON a.rowid = about_fts.rowid WHERE about_fts MATCH 'defence ministers'").fetchall(),
        "duckdb LIKE": lambda: duck.execute(LIKE).fetchall(),
    }
    times = {name: [] for name in ["kglog"] + list(engines)}
    peaks = []
    expected = None
    for _ in range(args.reps):
        seconds, peak, answers = kglog()
        times["kglog"].append(seconds)
        peaks.append(peak)
        expected = expected or answers
        for name, run in engines.items():
            seconds, found = in_process(run)
            times[name].append(seconds)
            if found != expected:
                sys.exit(f"{name} found {len(found)} rows, kglog {len(expected)}")
    print(f"# {len(expected)} answers, medians of {args.reps}")
    print("| engine | s | ratio kglog / engine |")
    print("|---|---|---|")
    base = statistics.median(times["kglog"])
    print(f"| kglog `query --format tsv` (whole process, peak {statistics.median(peaks):.0f} MiB) | {base:.3f} | 1 |")
    for name in engines:
        median = statistics.median(times[name])
        print(f"| {name} (in-process) | {median:.3f} | {base / median:.2f} |")


def tsv(rows):
    path = os.path.join(DATA, "about.tsv")
    with open(path, "w") as f:
        for e, t in rows:
            f.write(f"{e}\t{t}\n")
    return path


if __name__ == "__main__":
    main()
