#!/usr/bin/env python3
"""What users wait for, side by side with DuckDB in one run: every answer written to a file as
TSV, and a count through an aggregate rule.

Usage: answers.py [--reps N] [--workloads tc,tcbound,sg | growth]

For each repetition and workload, alternating kglog and DuckDB:
- kglog, the release binary as a user runs it, a new process each time:
  `kglog query --db DB --format tsv QUERY > FILE` and `kglog query --db DB COUNT-QUERY`, where
  the count comes from an aggregate rule stored in the file (`reach-count(count(X)) :-
  reach(X, Y).`, for tc-bound `from-n0(count(Y)) :- reach(n0, Y).`, `sg-count(count(X)) :-
  sg(X, Y).`); whole-process seconds and peak memory.
- DuckDB (`duckdb_answers.py`): `COPY (... ORDER BY ...) TO FILE` of the same sorted rows and
  `count(*)`, in-process seconds on edges already loaded.
The two files must be byte-identical, and the counts equal the answer sizes of DESIGN section 7.
"""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the workloads and the knowledge bases they are built into)

COUNTS = {"tc": "reach-count(N)", "tcfrom": "from-n0(N)", "sg": "sg-count(N)"}
# The growth curve: tc on 1,000 / 2,000 / 4,000 nodes (5 edges a node), sg on binary trees of
# 2,047 / 4,095 / 8,191 nodes (depth 11, 12, 13).
GROWTH = "tc,tc2000,tc4000,sg11,sg,sg13"
# sg on depth 13 has 22 million answers, over the default limit of 20 million derived facts.
LIMIT = "1000000000"


def timed(arguments, stdout):
    """Whole-process seconds and peak resident MiB of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(arguments, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode()
    if status != 0:
        sys.exit(f"{' '.join(arguments)} failed: {errors}")
    return seconds, usage.ru_maxrss / 1024


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workloads", default="tc,tcbound,sg")
    parser.add_argument("--kglog", default=os.path.join(bench.ROOT, ".build", "release", "kglog"))
    parser.add_argument("--python", default=os.path.join(bench.HERE, ".venv", "bin", "python"))
    args = parser.parse_args()
    workloads = (GROWTH if args.workloads == "growth" else args.workloads).split(",")
    results = {w: {"kglog rows": [], "kglog count": [], "duckdb rows": [], "duckdb count": [], "memory rows": [], "memory count": []}
               for w in workloads}
    ok = True
    for w in workloads:
        tsv, db = bench.prepare(w, args.kglog)
        _, kind, query, expected = bench.WORKLOADS[w]
        ours, theirs = os.path.join(bench.DATA, f"{w}.kglog.tsv"), os.path.join(bench.DATA, f"{w}.duckdb.tsv")
        for rep in range(args.reps):
            with open(ours, "wb") as out:
                seconds, memory = timed([args.kglog, "query", "--db", db, "--max-facts", LIMIT, "--format", "tsv", query], out)
            results[w]["kglog rows"].append(seconds)
            results[w]["memory rows"].append(memory)
            count = subprocess.run([args.kglog, "query", "--db", db, "--max-facts", LIMIT, "--format", "tsv", COUNTS[kind]], capture_output=True, text=True)
            seconds, memory = timed([args.kglog, "query", "--db", db, "--max-facts", LIMIT, "--format", "tsv", COUNTS[kind]], subprocess.DEVNULL)
            results[w]["kglog count"].append(seconds)
            results[w]["memory count"].append(memory)
            duck = subprocess.run([args.python, os.path.join(bench.HERE, "duckdb_answers.py"), kind, tsv, theirs],
                                  capture_output=True, text=True, check=True).stdout.split()
            results[w]["duckdb rows"].append(float(duck[0]))
            results[w]["duckdb count"].append(float(duck[1]))
            same = digest(ours) == digest(theirs)
            counted = count.stdout.split()[-1]
            expected = expected if expected is not None else int(duck[2])
            if not same or counted != str(expected) or duck[2] != str(expected):
                ok = False
                print(f"MISMATCH {w}: files {'equal' if same else 'differ'}, kglog count {counted}, duckdb count {duck[2]}, expected {expected}")
            print(f"# rep {rep + 1} {w}: kglog rows {results[w]['kglog rows'][-1]:.3f}s count {results[w]['kglog count'][-1]:.3f}s; "
                  f"duckdb rows {duck[0]}s count {duck[1]}s", flush=True)
    print()
    print("| workload | kglog rows s (peak MiB) | DuckDB COPY s | ratio | kglog aggregate count s (peak MiB) | DuckDB count(*) s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for w in workloads:
        r = {k: statistics.median(v) for k, v in results[w].items() if not k.startswith("memory")}
        rows_memory, count_memory = max(results[w]["memory rows"]), max(results[w]["memory count"])
        print(f"| {w} | {r['kglog rows']:.3f} ({rows_memory:.0f}) | {r['duckdb rows']:.3f} | {r['kglog rows'] / r['duckdb rows']:.2f} "
              f"| {r['kglog count']:.3f} ({count_memory:.0f}) | {r['duckdb count']:.3f} | {r['kglog count'] / r['duckdb count']:.2f} |")
    print()
    print(f"medians of {args.reps} runs; kglog whole process, DuckDB in-process; outputs {'identical' if ok else 'DIFFER'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
