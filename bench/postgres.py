#!/usr/bin/env python3
"""Imports into a knowledge base on PostgreSQL, side by side with psql's \\copy of the same rows
into the same tables.

Run by bench/postgres.sh, which starts a private PostgreSQL server and exports its URI as
KGLOG_TEST_POSTGRES. Per repetition, alternating: `kglog import --db URI FILE.nt` into a new
schema (whole process: parsing, terms, facts through binary COPY into staging tables, then the
inserts into the tables and their indexes), and psql `\\copy` of exactly the rows that import
wrote (terms, quads, and the two other orders, as CSV files read back from it) into the same
tables of another new schema, made empty by kglog. Prints medians, kglog's peak memory and the
ratio."""
import argparse, os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def timed(command):
    """Seconds and peak MiB of a whole command, measured by /usr/bin/time."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stderr}")
    return seconds, int(result.stderr.strip().splitlines()[-1]) / 1024


def psql(server, sql):
    return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", server, "-c", sql]).stdout


def schema_uri(server, schema):
    return f"{server}?options=-csearch_path%3D{schema}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--kglog", default=os.path.join(ROOT, ".build", "release", "kglog"))
    args = parser.parse_args()
    server = os.environ["KGLOG_TEST_POSTGRES"]
    os.makedirs(DATA, exist_ok=True)
    nt = os.path.join(DATA, f"load-{args.triples}.nt")
    if not os.path.exists(nt):
        run([sys.executable, os.path.join(HERE, "gen_triples.py"), str(args.triples), nt])
    empty = os.path.join(DATA, "empty.kgl")
    open(empty, "w").close()
    kglog_times, copy_times, peaks = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o777)
        for rep in range(args.reps):
            schema = f"bench_kglog_{rep}"
            psql(server, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
            seconds, peak = timed([args.kglog, "import", "--db", schema_uri(server, schema), nt])
            kglog_times.append(seconds)
            peaks.append(peak)
            # The same rows, as CSV, into the same tables of an empty knowledge base.
            # (term_words is the text index of strings and names: the words of each, as tsvector.)
            tables = ["terms(id, kind, lexical)", "quads(p, s, o, g)", "quads_pos(p, o, s)", "quads_osp(o, s, p)",
                      "term_words(id, words, length)"]
            files = []
            for table in tables:
                name, columns = table.split("(")
                path = os.path.join(folder, f"{name}.csv")
                psql(server, f"\\copy (SELECT {columns[:-1]} FROM {schema}.{name}) TO '{path}' CSV")
                files.append(path)
            target = f"bench_copy_{rep}"
            psql(server, f"DROP SCHEMA IF EXISTS {target} CASCADE; CREATE SCHEMA {target}")
            run([args.kglog, "run", "--db", schema_uri(server, target), empty])
            script = "BEGIN;\n" + "".join(f"\\copy {target}.{table} FROM '{path}' CSV\n" for table, path in zip(tables, files)) + "COMMIT;\n"
            script_path = os.path.join(folder, "copy.sql")
            with open(script_path, "w") as out:
                out.write(script)
            started = time.perf_counter()
            run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", server, "-f", script_path])
            copy_times.append(time.perf_counter() - started)
            rows = psql(server, f"SELECT (SELECT count(*) FROM {schema}.quads) = (SELECT count(*) FROM {target}.quads)")
            if "t" not in rows:
                sys.exit("the two loads hold different rows")
            psql(server, f"DROP SCHEMA {schema} CASCADE; DROP SCHEMA {target} CASCADE")
    k, c = statistics.median(kglog_times), statistics.median(copy_times)
    print(f"# {args.triples} triples, medians of {args.reps}")
    print("| load | seconds (peak MiB) | psql \\copy of the same rows s | ratio |")
    print("|---|---|---|---|")
    print(f"| kglog import --db postgresql://... | {k:.2f} ({max(peaks):.0f}) | {c:.2f} | {k / c:.2f} |")


if __name__ == "__main__":
    main()
