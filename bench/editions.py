#!/usr/bin/env python3
"""The analyst's workflow: dated editions of a reference work, each a source, loaded a report at
a time, then questions about one edition or the difference between two; side by side with SQLite
and DuckDB on the same rows.

Usage: editions.py [--editions 250] [--reps 3]

Generated deterministically: 200 countries, 50 organizations, each country a member of about a
quarter of them, a few memberships changing from one weekly edition to the next; each edition
restates its memberships (`member-of(C, O) @ edition-K`), with `published-on` and `reported-by`.

Loads, timed once each (whole process, peak memory): (a) one `.kgl` file with `kglog run --db`;
(b) one CSV per edition, `kglog import --predicate member-of --source edition-K` into a growing
knowledge base, all of them. Then per question, alternating, `kglog query --db --format tsv`
(whole process) against SQLite (Python's sqlite3) and DuckDB on a table facts(country, org,
edition) with an index on edition (in-process), checking that all three give the same rows.
Called by bench/editions.sh.
"""
import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data", "editions")
KGLOG = os.path.join(ROOT, ".build", "release", "kglog")


def generate(editions):
    """Every edition's memberships, as lists of (country, org)."""
    rng = random.Random(7)
    countries = [f"c{i:03d}" for i in range(200)]
    orgs = [f"o{i:02d}" for i in range(50)]
    members = {(c, o) for c in countries for o in orgs if rng.random() < 0.25}
    result = []
    for _ in range(editions):
        for _ in range(rng.randint(2, 6)):          # a few changes a week
            pair = (rng.choice(countries), rng.choice(orgs))
            members.symmetric_difference_update({pair})
        result.append(sorted(members))
    return result


def day(k):
    return f"2021-{1 + (k // 28) % 12:02d}-{1 + k % 28:02d}" if k < 336 else f"2022-01-{1 + k % 28:02d}"


def timed(arguments, stdout=subprocess.DEVNULL):
    """Whole-process seconds and peak MiB, read by /usr/bin/time (a child's own rusage would
    count this Python process's memory from before the exec)."""
    report = os.path.join(tempfile.gettempdir(), f"kglog-time-{os.getpid()}.txt")
    started = time.perf_counter()
    process = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report] + arguments, stdout=stdout, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed: {process.stderr.decode()}")
    with open(report) as f:
        return seconds, int(f.read().split()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--editions", type=int, default=250)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    editions = generate(args.editions)
    rows = sum(len(e) for e in editions)
    print(f"# {args.editions} editions, {rows} fact-source rows, {len(set().union(*map(set, editions)))} distinct memberships", flush=True)

    kgl = os.path.join(DATA, "all.kgl")
    with open(kgl, "w") as out:
        for k, members in enumerate(editions):
            out.write(f"published-on(edition-{k}, {day(k)}). reported-by(edition-{k}, the-publisher).\n")
            out.write(f"@ edition-{k} {{\n" + "".join(f"member-of({c}, {o}).\n" for c, o in members) + "}\n")
    csvs = []
    for k, members in enumerate(editions):
        path = os.path.join(DATA, f"edition-{k}.csv")
        with open(path, "w") as out:
            out.write("".join(f"{c},{o}\n" for c, o in members))
        csvs.append(path)

    # Loads.
    one = os.path.join(DATA, "one.kglog")
    growing = os.path.join(DATA, "growing.kglog")
    for db in (one, growing):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
    load_one, memory_one = timed([KGLOG, "run", "--db", one, kgl])
    started = time.perf_counter()
    peak = 0.0
    for k, path in enumerate(csvs):
        _, memory = timed([KGLOG, "import", "--db", growing, "--predicate", "member-of", "--source", f"edition-{k}", "--no-header", path])
        peak = max(peak, memory)
    load_growing = time.perf_counter() - started
    first, _ = timed([KGLOG, "import", "--db", os.path.join(DATA, "empty.kglog"), "--predicate", "member-of", "--source", "x", "--no-header", csvs[0]])
    # Into a copy of the full knowledge base, which the questions below read unchanged.
    import shutil
    shutil.copy(growing, os.path.join(DATA, "copy.kglog"))
    last, _ = timed([KGLOG, "import", "--db", os.path.join(DATA, "copy.kglog"), "--predicate", "member-of", "--source", "edition-again", "--no-header", csvs[-1]])
    for name in ("empty.kglog", "copy.kglog"):
        os.remove(os.path.join(DATA, name))

    # The peers, in-process on the same rows.
    table = [(c, o, f"edition-{k}") for k, members in enumerate(editions) for c, o in members]
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE facts(country TEXT, org TEXT, edition TEXT)")
    lite.executemany("INSERT INTO facts VALUES (?, ?, ?)", table)
    lite.execute("CREATE INDEX by_edition ON facts(edition)")
    try:
        import duckdb
        duck = duckdb.connect()
        duck.execute("CREATE TABLE facts(country TEXT, org TEXT, edition TEXT)")
        duck.executemany("INSERT INTO facts VALUES (?, ?, ?)", table) if len(table) < 100_000 else None
        if len(table) >= 100_000:
            path = os.path.join(DATA, "facts.csv")
            with open(path, "w") as out:
                out.write("".join(f"{c},{o},{e}\n" for c, o, e in table))
            duck.execute(f"INSERT INTO facts SELECT * FROM read_csv('{path}', header=false, columns={{'country':'VARCHAR','org':'VARCHAR','edition':'VARCHAR'}})")
    except ImportError:
        duck = None

    latest, previous = f"edition-{args.editions - 1}", f"edition-{args.editions - 2}"
    questions = [
        ("one edition's facts", f"member-of(X, O) @ {latest}",
         f"SELECT country, org FROM facts WHERE edition = '{latest}' ORDER BY 1, 2"),
        ("top 10 by members, latest edition", f"member-of(X, O) @ {latest}, N = count(X) order by N desc, O limit 10",
         f"SELECT org, count(*) AS n FROM facts WHERE edition = '{latest}' GROUP BY org ORDER BY n DESC, org LIMIT 10"),
        ("the 10 facts with the fewest sources", "member-of(X, O) @ S, N = count(S) order by N, X, O limit 10",
         "SELECT country, org, count(*) AS n FROM facts GROUP BY country, org ORDER BY n, country, org LIMIT 10"),
        ("distinct memberships", "member-of(X, O)", "SELECT DISTINCT country, org FROM facts ORDER BY 1, 2"),
        ("dropped by the latest edition", f"member-of(X, O) @ {previous}, not member-of(X, O) @ {latest}",
         f"SELECT country, org FROM facts WHERE edition = '{previous}' EXCEPT SELECT country, org FROM facts WHERE edition = '{latest}' ORDER BY 1, 2"),
    ]
    results = []
    ok = True
    for name, query, sql in questions:
        times = {"kglog": [], "sqlite": [], "duckdb": []}
        memory = 0.0
        for _ in range(args.reps):
            out_path = os.path.join(DATA, "answer.tsv")
            with open(out_path, "w") as out:
                seconds, peak_q = timed([KGLOG, "query", "--db", growing, "--format", "tsv", query], out)
            times["kglog"].append(seconds)
            memory = max(memory, peak_q)
            with open(out_path) as f:
                ours = [tuple(line.rstrip("\n").split("\t")) for line in f][1:]
            started = time.perf_counter()
            theirs = [tuple(str(v) for v in row) for row in lite.execute(sql).fetchall()]
            times["sqlite"].append(time.perf_counter() - started)
            if duck is not None:
                started = time.perf_counter()
                duck_rows = [tuple(str(v) for v in row) for row in duck.execute(sql).fetchall()]
                times["duckdb"].append(time.perf_counter() - started)
                if sorted(duck_rows) != sorted(theirs):
                    ok = False
            if sorted(ours) != sorted(theirs):
                ok = False
                print(f"MISMATCH {name}: kglog {len(ours)} rows, sqlite {len(theirs)} rows", flush=True)
        results.append((name, len(theirs), {k: statistics.median(v) for k, v in times.items() if v}, memory))

    print()
    print(f"| load | seconds (peak MiB) |")
    print(f"|---|---|")
    print(f"| one .kgl file, `kglog run --db` | {load_one:.1f} ({memory_one:.0f}) |")
    print(f"| {args.editions} CSV imports into a growing knowledge base, in all | {load_growing:.1f} ({peak:.0f}) |")
    print(f"| one edition's CSV into an empty file / into the full knowledge base | {first:.3f} / {last:.3f} |")
    print()
    print("| question | rows | kglog s (peak MiB) | SQLite s | DuckDB s | kglog / DuckDB |")
    print("|---|---|---|---|---|---|")
    for name, count, t, memory in results:
        duck_t = t.get("duckdb")
        print(f"| {name} | {count} | {t['kglog']:.3f} ({memory:.0f}) | {t['sqlite']:.3f} | "
              + (f"{duck_t:.3f} | {t['kglog'] / duck_t:.1f} |" if duck_t else "- | - |"))
    print()
    print(f"medians of {args.reps}; kglog whole process, SQLite and DuckDB in-process; answers {'identical' if ok else 'DIFFER'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
