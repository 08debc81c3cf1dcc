#!/usr/bin/env python3
"""Facts over time: memberships with periods, asked about a day and counted per period; side by
side with DuckDB on the same rows (a table with interval columns, and SQL).

Usage: periods.py [--facts 1000000] [--entities 100000] [--groups 1000] [--reps 3]

Generated deterministically: each fact `member-of(eN, gM) from D until D` is a stint of an
entity in a group, within 1975-2024 (50 years), up to ten years long, one in five still open
(`from D` alone). Loaded once with `kglog run --db` (whole process, peak memory) and into DuckDB
(read_csv). Then per question, alternating, `kglog query --db --format tsv` (whole process)
against DuckDB (in-process), checking that both give the same rows. Called by bench/periods.sh.
"""
import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time

from editions import timed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data", "periods")
KGLOG = os.path.join(ROOT, ".build", "release", "kglog")
OPEN_END = "9999-12-31"


def generate(facts, entities, groups):
    """(entity, group, from, until) rows; until is OPEN_END for an open stint."""
    rng = random.Random(11)
    start = datetime.date(1975, 1, 1)
    span = (datetime.date(2024, 12, 31) - start).days
    rows = set()
    while len(rows) < facts:
        entity, group = f"e{rng.randrange(entities)}", f"g{rng.randrange(groups)}"
        first = rng.randrange(span - 1)
        begin = start + datetime.timedelta(days=first)
        if rng.random() < 0.2:
            end = OPEN_END
        else:
            end = (begin + datetime.timedelta(days=1 + rng.randrange(min(3650, span - first)))).isoformat()
        rows.add((entity, group, begin.isoformat(), end))
    return sorted(rows)


# Counts per period for one group in SQL: the group's days split it into segments, each counted
# (distinct entities whose stint covers it), then runs of one count merged (gaps and islands).
PER_PERIOD_SQL = """
WITH stints AS (SELECT e, f, u FROM m WHERE g = '{group}'),
days AS (SELECT f AS d FROM stints UNION SELECT u FROM stints),
segments AS (SELECT d AS s, lead(d) OVER (ORDER BY d) AS t FROM days),
counted AS (SELECT s, t, (SELECT count(DISTINCT e) FROM stints WHERE f <= s AND t <= u) AS n FROM segments WHERE t IS NOT NULL),
present AS (SELECT * FROM counted WHERE n > 0),
marked AS (SELECT *, CASE WHEN lag(t) OVER (ORDER BY s) = s AND lag(n) OVER (ORDER BY s) = n THEN 0 ELSE 1 END AS starts FROM present),
runs AS (SELECT *, sum(starts) OVER (ORDER BY s) AS run FROM marked)
SELECT n, min(s), max(t) FROM runs GROUP BY run, n ORDER BY 2
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    rows = generate(args.facts, args.entities, args.groups)
    kgl = os.path.join(DATA, "periods.kgl")
    with open(kgl, "w") as out:
        for e, g, f, u in rows:
            out.write(f"member-of({e}, {g}) from {f}" + ("" if u == OPEN_END else f" until {u}") + ".\n")
    rules = os.path.join(DATA, "rules.kgl")
    with open(rules, "w") as out:
        out.write("members(G, count(X)) :- member-of(X, G).\n")
    csv = os.path.join(DATA, "periods.csv")
    with open(csv, "w") as out:
        out.write("".join(f"{e},{g},{f},{u}\n" for e, g, f, u in rows))
    print(f"# {len(rows)} facts with periods, {args.entities} entities, {args.groups} groups", flush=True)

    db = os.path.join(DATA, "periods.kglog")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    load, load_memory = timed([KGLOG, "run", "--db", db, kgl])
    import duckdb
    duck = duckdb.connect()
    started = time.perf_counter()
    duck.execute("CREATE TABLE m(e VARCHAR, g VARCHAR, f DATE, u DATE)")
    duck.execute(f"INSERT INTO m SELECT * FROM read_csv('{csv}', header=false, columns={{'e':'VARCHAR','g':'VARCHAR','f':'DATE','u':'DATE'}})")
    duck_load = time.perf_counter() - started

    day, group = "2000-01-01", "g7"
    questions = [
        (f"members of {group} on {day} (`at`)", [f"?- member-of(X, {group}) at {day}."],
         f"SELECT DISTINCT e FROM m WHERE g = '{group}' AND f <= DATE '{day}' AND DATE '{day}' < u ORDER BY 1"),
        (f"members of each group on {day} (a count in the query)", [f"?- member-of(X, G) at {day}, N = count(X)."],
         f"SELECT g, count(DISTINCT e) FROM m WHERE f <= DATE '{day}' AND DATE '{day}' < u GROUP BY g ORDER BY 1"),
        (f"members of {group} in each period (an aggregate rule)", ["--load", rules, f"?- members({group}, N) from F until U."],
         PER_PERIOD_SQL.format(group=group)),
    ]
    results = []
    ok = True
    for name, query, sql in questions:
        times = {"kglog": [], "duckdb": []}
        memory = 0.0
        for _ in range(args.reps):
            out_path = os.path.join(DATA, "answer.tsv")
            with open(out_path, "w") as out:
                seconds, peak = timed([KGLOG, "query", "--db", db, "--format", "tsv"] + query, out)
            times["kglog"].append(seconds)
            memory = max(memory, peak)
            with open(out_path) as f:
                ours = [tuple(line.rstrip("\n").split("\t")) for line in f][1:]
            started = time.perf_counter()
            theirs = [tuple(str(v) for v in row) for row in duck.execute(sql).fetchall()]
            times["duckdb"].append(time.perf_counter() - started)
            if sorted(ours) != sorted(theirs):
                ok = False
                print(f"MISMATCH {name}: kglog {len(ours)} rows, DuckDB {len(theirs)} rows", flush=True)
        results.append((name, len(theirs), {k: statistics.median(v) for k, v in times.items()}, memory))

    print()
    print("| load | seconds (peak MiB) |")
    print("|---|---|")
    print(f"| {len(rows)} facts with periods, `kglog run --db` | {load:.1f} ({load_memory:.0f}) |")
    print(f"| the same rows into DuckDB (read_csv, in-process) | {duck_load:.1f} |")
    print()
    print("| question | rows | kglog s (peak MiB) | DuckDB s | kglog / DuckDB |")
    print("|---|---|---|---|---|")
    for name, count, t, memory in results:
        print(f"| {name} | {count} | {t['kglog']:.3f} ({memory:.0f}) | {t['duckdb']:.3f} | {t['kglog'] / t['duckdb']:.1f} |")
    print()
    print(f"medians of {args.reps}; kglog whole process, DuckDB in-process; answers {'identical' if ok else 'DIFFER'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
