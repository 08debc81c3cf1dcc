#!/usr/bin/env python3
"""Queries on a knowledge base on PostgreSQL, side by side in one run:

- `kglog query --db URI --evaluate server` (the rules compiled to SQL and run in the database)
  against the same query written by hand as PostgreSQL `WITH RECURSIVE` over an indexed
  integer edge table in the same database (psql, server time of the statement);
- `kglog query --db URI --evaluate client` (the relations read into kglog) against kglog on the
  SQLite file of the same facts.

For tc, tc-bound and sg (bench/bench.py's workloads), two measures each, as users run them:
every answer written to a file as TSV (the hand-written SQL: `\\copy (... ORDER BY ...) TO`),
and a count through an aggregate rule (`reach-count(N)`, `from-n0(N)`, `sg-count(N)`; by hand,
`count(*)`). Whole kglog processes, alternating engines, medians, kglog's peak memory. The
counts must agree, and kglog's TSV must hold the same number of rows as the hand-written one.

Run by bench/postgres.sh queries, which starts a private PostgreSQL server and exports its URI
as KGLOG_TEST_POSTGRES."""
import argparse, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the workloads and the SQLite knowledge bases built from them)

COUNTS = {"tc": "reach-count(N)", "tcfrom": "from-n0(N)", "sg": "sg-count(N)"}
RECURSIVE = {
    "tc": "WITH RECURSIVE path(x, y) AS (SELECT s, d FROM edge UNION SELECT path.x, edge.d FROM path JOIN edge ON path.y = edge.s) SELECT x, y FROM path",
    "tcfrom": "WITH RECURSIVE r(y) AS (SELECT d FROM edge WHERE s = 0 UNION SELECT edge.d FROM r JOIN edge ON r.y = edge.s) SELECT y FROM r",
    "sg": "WITH RECURSIVE sg(x, y) AS (SELECT a.d, b.d FROM edge a JOIN edge b ON a.s = b.s WHERE a.d <> b.d "
          "UNION SELECT e1.d, e2.d FROM sg JOIN edge e1 ON e1.s = sg.x JOIN edge e2 ON e2.s = sg.y) SELECT x, y FROM sg",
}
LIMIT = "1000000000"


def timed(command, stdout=subprocess.DEVNULL):
    """Seconds of a whole process, and its standard output when `stdout` is None."""
    started = time.perf_counter()
    result = subprocess.run(command, stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stderr.decode()}")
    return seconds, result.stdout.decode() if result.stdout else ""


def peak(command):
    """Peak MiB of a command, by /usr/bin/time."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(result.stderr.strip().splitlines()[-1]) / 1024


def psql(server, sql, *extra):
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", server, *extra, "-c", sql],
                          check=True, capture_output=True, text=True).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workloads", default="tc,tcbound,sg")
    parser.add_argument("--kglog", default=os.path.join(bench.ROOT, ".build", "release", "kglog"))
    args = parser.parse_args()
    server = os.environ["KGLOG_TEST_POSTGRES"]
    measures = ["server rows", "recursive rows", "server count", "recursive count", "client count", "sqlite count"]
    table = {}
    ok = True
    for w in args.workloads.split(","):
        tsv, sqlite_db = bench.prepare(w, args.kglog)
        _, kind, query, _ = bench.WORKLOADS[w]
        schema = f"bench_eval_{w}"
        psql(server, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        uri = f"{server}?options=-csearch_path%3D{schema}"
        started = time.perf_counter()
        subprocess.run([args.kglog, "run", "--db", uri, os.path.join(bench.DATA, f"{w}.kgl")], check=True, stdout=subprocess.DEVNULL)
        print(f"# built {w} on PostgreSQL in {time.perf_counter() - started:.1f}s", flush=True)
        # The hand-written side: integer edges (n17 -> 17), indexed both ways, analyzed.
        ints = os.path.join(bench.DATA, f"{w}.ints.csv")
        with open(tsv) as f, open(ints, "w") as out:
            for line in f:
                a, b = line.split()
                out.write(f"{a[1:]},{b[1:]}\n")
        psql(server, f"CREATE TABLE {schema}.edge(s integer NOT NULL, d integer NOT NULL)")
        psql(server, f"\\copy {schema}.edge FROM '{ints}' CSV")
        psql(server, f"CREATE INDEX ON {schema}.edge(s, d); CREATE INDEX ON {schema}.edge(d, s); ANALYZE {schema}.edge; " + "".join(f"ANALYZE {schema}.{t}; " for t in ["terms", "quads", "quads_pos", "quads_osp", "tuples"]))
        recursive = RECURSIVE[kind]
        columns = "x, y" if kind != "tcfrom" else "y"
        ordered = f"SELECT {columns} FROM ({recursive}) AS answers ORDER BY {columns}"
        results = {m: [] for m in measures}
        memory = {}
        ours = os.path.join(bench.DATA, f"{w}.pg.tsv")
        theirs = os.path.join(bench.DATA, f"{w}.recursive.tsv")
        for rep in range(args.reps):
            with open(ours, "wb") as out:
                results["server rows"].append(timed([args.kglog, "query", "--db", uri, "--evaluate", "server", "--max-facts", LIMIT, "--format", "tsv", query], out)[0])
            started = time.perf_counter()
            psql(uri, f"\\copy ({ordered}) TO '{theirs}'")
            results["recursive rows"].append(time.perf_counter() - started)
            seconds, counted = timed([args.kglog, "query", "--db", uri, "--evaluate", "server", "--max-facts", LIMIT, "--format", "tsv", COUNTS[kind]], None)
            results["server count"].append(seconds)
            started = time.perf_counter()
            by_hand = psql(uri, f"SELECT count(*) FROM ({recursive}) AS answers").strip()
            results["recursive count"].append(time.perf_counter() - started)
            seconds, on_client = timed([args.kglog, "query", "--db", uri, "--evaluate", "client", "--max-facts", LIMIT, "--format", "tsv", COUNTS[kind]], None)
            results["client count"].append(seconds)
            seconds, on_file = timed([args.kglog, "query", "--db", sqlite_db, "--max-facts", LIMIT, "--format", "tsv", COUNTS[kind]], None)
            results["sqlite count"].append(seconds)
            counts = {counted.split()[-1], on_client.split()[-1], on_file.split()[-1], by_hand}
            rows = sum(1 for _ in open(ours)) - 1, sum(1 for _ in open(theirs))
            if len(counts) != 1 or rows[0] != rows[1] or str(rows[0]) != by_hand:
                ok = False
                print(f"MISMATCH {w}: counts {counts}, rows {rows}")
            print(f"# rep {rep + 1} {w}: " + ", ".join(f"{m} {results[m][-1]:.3f}s" for m in measures), flush=True)
        memory["server"] = peak([args.kglog, "query", "--db", uri, "--evaluate", "server", "--max-facts", LIMIT, "--format", "tsv", query])
        memory["client"] = peak([args.kglog, "query", "--db", uri, "--evaluate", "client", "--max-facts", LIMIT, "--format", "tsv", COUNTS[kind]])
        table[w] = ({m: statistics.median(v) for m, v in results.items()}, memory)
        psql(server, f"DROP SCHEMA {schema} CASCADE")
    print()
    print("| workload | server: rows s (peak MiB) | WITH RECURSIVE rows s | ratio | server: aggregate count s | WITH RECURSIVE count(*) s | ratio "
          "| client on PostgreSQL: count s (peak MiB) | kglog on SQLite: count s | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for w, (r, memory) in table.items():
        print(f"| {w} | {r['server rows']:.3f} ({memory['server']:.0f}) | {r['recursive rows']:.3f} | {r['server rows'] / r['recursive rows']:.2f} "
              f"| {r['server count']:.3f} | {r['recursive count']:.3f} | {r['server count'] / r['recursive count']:.2f} "
              f"| {r['client count']:.3f} ({memory['client']:.0f}) | {r['sqlite count']:.3f} | {r['client count'] / r['sqlite count']:.2f} |")
    print()
    print(f"medians of {args.reps} runs; kglog whole process, psql whole process; answers {'agree' if ok else 'DIFFER'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
