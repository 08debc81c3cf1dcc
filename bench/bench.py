#!/usr/bin/env python3
"""Side-by-side benchmark of kglog and peer engines on the workloads of DESIGN section 7.

Usage: bench.py [--reps N] [--workloads tc,tcbound,sg] [--engines sqlite,duckdb,...] [--kglog PATH]

For each repetition and workload it runs kglog (the release binary, exactly as a user would:
`kglog query --db DB --count --timer QUERY`) and then each peer through the shared peers.py,
alternating A B A B. It reports medians: kglog's whole-process time, its in-process time (reading
the stored facts from the file and evaluating, as `--timer` prints it) and peak memory; each
peer's in-process query time (the peers' load into memory is not counted, kglog's reading from
its file is); the ratios kglog / peer; and it checks that every engine gives the same answer size.
"""
import argparse, os, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("KGLOG_SHARED_BENCH", os.path.join(ROOT, "..", "shared", "bench"))
DATA = os.path.join(HERE, "data")

WORKLOADS = {
    # name: (generator arguments, peers.py workload, kglog query, expected answer size)
    "tc": (["random", "1000", "5000", "1"], "tc", "reach(X, Y)", 983070),
    "tcbound": (["random", "100000", "300000", "1"], "tcfrom", "reach(n0, Y)", 94076),
    "sg": (["tree", "4095", "0", "1"], "sg", "sg(X, Y)", 5588310),
    # The growth curve (bench/answers.py --workloads growth): answer sizes checked against DuckDB.
    "tc2000": (["random", "2000", "10000", "1"], "tc", "reach(X, Y)", None),
    "tc4000": (["random", "4000", "20000", "1"], "tc", "reach(X, Y)", None),
    "sg11": (["tree", "2047", "0", "1"], "sg", "sg(X, Y)", None),
    "sg13": (["tree", "8191", "0", "1"], "sg", "sg(X, Y)", None),
}
RULES = """
reach(X, Y) :- edge(X, Y).
reach(X, Y) :- reach(X, Z), edge(Z, Y).
sg(X, Y) :- edge(P, X), edge(P, Y), X != Y.
sg(X, Y) :- edge(A, X), sg(A, B), edge(B, Y).
reach-count(count(X)) :- reach(X, Y).
from-n0(count(Y)) :- reach(n0, Y).
sg-count(count(X)) :- sg(X, Y).
"""
PEERS = {"tc": ["duckdb", "oxigraph", "sqlite", "clingo", "cozo-mem", "cozo-sqlite"],
         # clingo grounds the whole closure here and runs out of memory (bad_alloc at 12 GiB),
         # taking minutes to do so: ask for it with --engines.
         "tcbound": ["duckdb", "oxigraph", "sqlite"],
         "sg": ["duckdb", "sqlite", "clingo", "cozo-mem"]}
# Peers that compute a whole closure can exhaust memory; they run under this address-space limit.
PEER_MEMORY_LIMIT = 12 << 30
PEER_TIMEOUT = 300


def prepare(name, kglog):
    """Writes the edge file with gen.py (once) and builds the kglog knowledge base from it with
    the kglog being measured (every run: a file an older build wrote may lack what a newer one
    keeps, such as the packed blobs of large predicates)."""
    gen_args, _, _, _ = WORKLOADS[name]
    os.makedirs(DATA, exist_ok=True)
    tsv = os.path.join(DATA, f"{name}.tsv")
    db = os.path.join(DATA, f"{name}.kglog")
    if not os.path.exists(tsv):
        subprocess.run([sys.executable, os.path.join(SHARED, "gen.py"), *gen_args[:4], tsv], check=True)
    for stale in (db, db + "-wal", db + "-shm"):
        if os.path.exists(stale):
            os.remove(stale)
    source = os.path.join(DATA, f"{name}.kgl")
    with open(tsv) as f, open(source, "w") as out:
        for line in f:
            a, b = line.split()
            out.write(f"edge({a}, {b}).\n")
        out.write(RULES)
    started = time.perf_counter()
    subprocess.run([kglog, "run", "--db", db, source], check=True, stdout=subprocess.DEVNULL)
    print(f"# built {db} in {time.perf_counter() - started:.1f}s", flush=True)
    return tsv, db


def run_kglog(kglog, db, query):
    """Whole-process seconds, in-process seconds (reading the file and evaluating, as `--timer`
    reports), peak resident KiB and answer size of one `kglog query --count` process."""
    started = time.perf_counter()
    process = subprocess.Popen([kglog, "query", "--db", db, "--count", "--timer", query],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = process.stdout.read()
    errors = process.stderr.read()   # one short line: it cannot fill the pipe while stdout is read
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = status
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"kglog failed on {query!r} with status {status}: {errors.decode()}")
    inside = float(errors.decode().split("time:")[1].split()[0])
    return elapsed, inside, usage.ru_maxrss, int(output.strip())


def run_peer(python, workload, tsv, engine):
    """In-process query seconds and answer size reported by peers.py, or an error text."""
    def limit():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (PEER_MEMORY_LIMIT, PEER_MEMORY_LIMIT))
    try:
        result = subprocess.run([python, os.path.join(SHARED, "peers.py"), workload, tsv, engine],
                                capture_output=True, text=True, timeout=PEER_TIMEOUT, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return None, f"timeout {PEER_TIMEOUT}s"
    fields = result.stdout.strip().split("\t")
    if len(fields) >= 5 and fields[3].startswith("query"):
        return float(fields[3].split()[1].rstrip("s")), int(fields[4].split()[1])
    text = (result.stdout.strip() or result.stderr.strip().splitlines()[-1:] or ["no output"])
    return None, text if isinstance(text, str) else text[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workloads", default="tc,tcbound,sg")
    parser.add_argument("--engines", default=None, help="comma-separated peers (default: all that apply)")
    parser.add_argument("--kglog", default=os.path.join(ROOT, ".build", "release", "kglog"))
    parser.add_argument("--python", default=os.path.join(HERE, ".venv", "bin", "python"))
    args = parser.parse_args()
    workloads = args.workloads.split(",")
    prepared = {w: prepare(w, args.kglog) for w in workloads}
    kglog_times = {w: [] for w in workloads}
    kglog_inside = {w: [] for w in workloads}
    kglog_memory = {w: [] for w in workloads}
    peer_times = {w: {} for w in workloads}
    answers = {w: {} for w in workloads}
    notes = {w: {} for w in workloads}
    for rep in range(args.reps):
        for w in workloads:
            tsv, db = prepared[w]
            _, peer_workload, query, _ = WORKLOADS[w]
            engines = args.engines.split(",") if args.engines else PEERS[w]
            for engine in ["kglog"] + engines:
                if engine == "kglog":
                    seconds, inside, memory, answer = run_kglog(args.kglog, db, query)
                    kglog_times[w].append(seconds)
                    kglog_inside[w].append(inside)
                    kglog_memory[w].append(memory)
                else:
                    seconds, answer = run_peer(args.python, peer_workload, tsv, engine)
                    if seconds is None:
                        notes[w][engine] = answer
                        continue
                    peer_times[w].setdefault(engine, []).append(seconds)
                answers[w].setdefault(engine, set()).add(answer)
                print(f"# rep {rep + 1} {w} {engine}: {seconds:.3f}s answer {answer}", flush=True)

    ok = True
    print()
    print("| workload | kglog process s | kglog in-process s | kglog peak MiB | peer | peer query s | process / peer | in-process / peer |")
    print("|---|---|---|---|---|---|---|---|")
    for w in workloads:
        expected = WORKLOADS[w][3]
        k = statistics.median(kglog_times[w])
        inside = statistics.median(kglog_inside[w])
        memory = max(kglog_memory[w]) / 1024
        for engine, got in answers[w].items():
            if got != {expected}:
                ok = False
                print(f"ANSWER MISMATCH: {w} {engine} gave {sorted(got)}, expected {expected}")
        for i, engine in enumerate(args.engines.split(",") if args.engines else PEERS[w]):
            lead = f"| {w} | {k:.3f} | {inside:.3f} | {memory:.0f} |" if i == 0 else "| | | | |"
            if engine in peer_times[w]:
                p = statistics.median(peer_times[w][engine])
                print(f"{lead} {engine} | {p:.3f} | {k / p:.2f} | {inside / p:.2f} |")
            else:
                print(f"{lead} {engine} | {notes[w].get(engine, 'n/a')} | - | - |")
    print()
    print(f"medians of {args.reps} runs; answers {'agree' if ok else 'DISAGREE'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
