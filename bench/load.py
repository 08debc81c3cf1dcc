#!/usr/bin/env python3
"""The load workload: bulk import of 1,000,000 N-Triples into a new file, side by side, and of
the same triples written as Turtle (prefixes, `;` and `,`).

Usage: load.py [--reps N] [--triples N]
Generates bench/data/load.nt and load.ttl (deterministic, gen_triples.py), then per repetition:
  kglog     `kglog import --db NEW.kglog load.nt` (whole process, release build)
  kglog ttl `kglog import --db NEW.kglog load.ttl`
  oxigraph  pyoxigraph Store(NEW_DIR).bulk_load(load.nt) (in-process)
  oxigraph ttl  the same of load.ttl
  sqlite3   the sqlite3 shell's `.import` of the same triples (split into fields beforehand, not
            timed) into a staging table, then a term dictionary and an integer quad table with
            kglog's indexes, all in one sqlite3 process (whole process)
and prints medians, triples per second, kglog's peak memory, and the ratios kglog / peer.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")


def kglog_load(kglog, nt, workdir):
    db = os.path.join(workdir, "load.kglog")
    started = time.perf_counter()
    process = subprocess.Popen([kglog, "import", "--db", db, nt], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(errors.decode())
    count = int(subprocess.run(["sqlite3", db, "SELECT count(*) FROM quads"], capture_output=True, text=True).stdout)
    return elapsed, usage.ru_maxrss, count


def oxigraph_load(python, nt, workdir, format="N_TRIPLES"):
    script = f"""
import time, pyoxigraph as ox
t = time.perf_counter()
store = ox.Store({os.path.join(workdir, 'oxigraph')!r})
store.bulk_load(path={nt!r}, format=ox.RdfFormat.{format})
store.flush()
print(time.perf_counter() - t, len(store))
"""
    out = subprocess.run([python, "-c", script], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-500:])
    seconds, count = out.stdout.split()
    return float(seconds), int(count)


def sqlite_load(tsv, workdir):
    db = os.path.join(workdir, "sqlite.db")
    script = f"""
PRAGMA journal_mode=WAL;
CREATE TABLE staging(s TEXT, p TEXT, o TEXT);
.mode ascii
.import {tsv} staging
BEGIN;
CREATE TABLE terms(id INTEGER PRIMARY KEY, lexical TEXT NOT NULL UNIQUE);
INSERT INTO terms(lexical) SELECT s FROM staging UNION SELECT p FROM staging UNION SELECT o FROM staging;
CREATE TABLE quads(s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL, g INTEGER NOT NULL, PRIMARY KEY(p, s, o, g)) WITHOUT ROWID;
INSERT OR IGNORE INTO quads SELECT ts.id, tp.id, tob.id, 0 FROM staging
  JOIN terms ts ON ts.lexical = staging.s JOIN terms tp ON tp.lexical = staging.p JOIN terms tob ON tob.lexical = staging.o;
CREATE INDEX quads_pos ON quads(p, o, s);
CREATE INDEX quads_osp ON quads(o, s, p);
CREATE INDEX quads_g ON quads(g);
DROP TABLE staging;
COMMIT;
SELECT count(*) FROM quads;
"""
    started = time.perf_counter()
    out = subprocess.run(["sqlite3", db], input=script, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-500:])
    return elapsed, int(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--kglog", default=os.path.join(ROOT, ".build", "release", "kglog"))
    parser.add_argument("--python", default=os.path.join(HERE, ".venv", "bin", "python"))
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    nt = os.path.join(DATA, "load.nt" if args.triples == 1_000_000 else f"load-{args.triples}.nt")
    ttl = nt[:-3] + ".ttl"
    if not os.path.exists(nt) or not os.path.exists(ttl):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_triples.py"), str(args.triples), nt, ttl], check=True)
    # ASCII unit and record separators: the sqlite3 shell's `.mode ascii` does no quoting.
    tsv = nt[:-3] + ".ascii"
    if not os.path.exists(tsv):
        with open(nt) as f, open(tsv, "w") as out:
            for line in f:
                s, p, rest = line.split(" ", 2)
                out.write(f"{s}\x1f{p}\x1f{rest.rstrip().removesuffix(' .')}\x1e")
    times = {"kglog": [], "kglog ttl": [], "oxigraph": [], "oxigraph ttl": [], "sqlite3": []}
    memory = []
    counts = {}
    for rep in range(args.reps):
        for engine in times:
            workdir = tempfile.mkdtemp(prefix="kglog-load-")
            try:
                if engine.startswith("kglog"):
                    seconds, rss, count = kglog_load(args.kglog, ttl if engine.endswith("ttl") else nt, workdir)
                    memory.append((engine, rss))
                elif engine == "oxigraph":
                    seconds, count = oxigraph_load(args.python, nt, workdir)
                elif engine == "oxigraph ttl":
                    seconds, count = oxigraph_load(args.python, ttl, workdir, "TURTLE")
                else:
                    seconds, count = sqlite_load(tsv, workdir)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            times[engine].append(seconds)
            counts.setdefault(engine, set()).add(count)
            print(f"# rep {rep + 1} {engine}: {seconds:.2f}s, {count} triples", flush=True)
    k = statistics.median(times["kglog"])
    print()
    print("| engine | seconds | triples per second | kglog / engine |")
    print("|---|---|---|---|")
    for engine, values in times.items():
        m = statistics.median(values)
        n = max(counts[engine])
        print(f"| {engine} | {m:.2f} | {n / m:,.0f} | {k / m:.2f} |")
    peaks = {engine: max(rss for e, rss in memory if e == engine) / 1024 for engine, _ in memory}
    print("\nkglog peak resident memory: " + ", ".join(f"{engine} {mib:.0f} MiB" for engine, mib in peaks.items()) + f"; triples: {counts}")


if __name__ == "__main__":
    main()
