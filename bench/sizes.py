#!/usr/bin/env python3
"""Times kglog on inputs of growing size, as a user runs it: a new process each time, release
build, medians of --reps runs, peak resident memory of the process.

    sizes.py linear   one line of N atoms (250,000 / 500,000 / 1,000,000), loaded and counted:
                      time per atom should stay flat as N grows (reading is linear)
    sizes.py backup   a kgl backup of 1,000,000 facts (with sources) run into a new file
    sizes.py csv      a million two-column and a million three-column CSV rows imported

Called by bench/linear.sh, bench/backup.sh and bench/csv.sh, which build kglog first.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KGLOG = os.path.join(HERE, "..", ".build", "release", "kglog")


def run(arguments):
    """Seconds and peak resident MiB of one kglog process (its own, measured with wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen([KGLOG] + arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"kglog {' '.join(arguments)} failed: {err.decode()}")
    return seconds, usage.ru_maxrss / 1024, out.decode()


def median_run(reps, arguments, before=None):
    results = []
    for _ in range(reps):
        if before:
            before()
        results.append(run(arguments))
    seconds = statistics.median(r[0] for r in results)
    memory = max(r[1] for r in results)
    return seconds, memory, results[-1][2]


def remove(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def linear(folder, reps):
    print("atoms on one line   seconds   µs per atom   peak MiB")
    for count in (250_000, 500_000, 1_000_000):
        path = os.path.join(folder, f"line-{count}.kgl")
        with open(path, "w") as f:
            f.write(" ".join(f"a(n{i})." for i in range(count)) + "\n")
        seconds, memory, out = median_run(reps, ["query", "--load", path, "--count", "a(X)"])
        assert out.strip() == str(count), out
        print(f"{count:>17,}   {seconds:7.2f}   {seconds / count * 1e6:11.2f}   {memory:8.0f}")


def backup(folder, reps):
    path = os.path.join(folder, "backup.kgl")
    with open(path, "w") as f:
        f.write("% kglog knowledge base export\n")
        for i in range(1_000_000):
            f.write(f"member-of(n{i}, org{i % 500}) @ edition{i % 40}.\n")
    db = os.path.join(folder, "backup.kglog")
    seconds, memory, _ = median_run(reps, ["run", "--db", db, path], before=lambda: remove(db))
    count = run(["query", "--db", db, "--count", "member-of(X, Y) @ S"])[2].strip()
    assert count == "1000000", count
    print(f"1,000,000-fact backup run into a new file: {seconds:.2f} s, peak {memory:.0f} MiB")


def csv(folder, reps):
    for columns in (2, 3):
        path = os.path.join(folder, f"rows{columns}.csv")
        with open(path, "w") as f:
            for i in range(1_000_000):
                row = [f"n{i}", f"org{i % 500}", f"{2000 + i % 25}-01-01"][:columns]
                f.write(",".join(row) + "\n")
        db = os.path.join(folder, f"rows{columns}.kglog")
        seconds, memory, _ = median_run(reps, ["import", "--db", db, "--predicate", "p", path], before=lambda: remove(db))
        print(f"1,000,000 {columns}-column CSV rows imported into a new file: {seconds:.2f} s, peak {memory:.0f} MiB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["linear", "backup", "csv"])
    parser.add_argument("--reps", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        {"linear": linear, "backup": backup, "csv": csv}[arguments.what](folder, arguments.reps)


if __name__ == "__main__":
    main()
