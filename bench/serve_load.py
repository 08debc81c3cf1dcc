"""A bounded load test of `kglog serve` on 127.0.0.1: CLIENTS clients query for SECONDS seconds
while another client imports FACTS facts in batches. Every answer is checked (its status and its
rows), and at the end every imported fact must be there. Prints the throughput and the p50 and
p99 latencies of the queries and of the import batches, and the server's peak memory.

    python3 bench/serve_load.py PATH-TO-KGLOG [--clients 32] [--seconds 20] [--facts 100000] [--batch 10000]

It stops by itself; the server is started on a free port and stopped at the end.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "load-test"

# Queries of the sample, each with the number of rows it must give, whatever the import adds.
QUERIES = [
    ("?- member-of(X, csto).", 7),
    ("?- ally(armenia, Y).", 8),
    ("?- member-of(X, csto), member-of(X, cis).", 7),
    ("?- held-in(E, P) @ S.", 5),
    ("?- member-of(X, O), N = count(X).", 2),
]


def post(address, path, body, token=None):
    request = urllib.request.Request(address + path, data=body, method="POST")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.read().decode()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def peak_memory_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kglog")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "kb.kglog")
        subprocess.run([options.kglog, "run", "--db", database, os.path.join(ROOT, "samples", "csto.kgl")],
                       check=True, stdout=subprocess.DEVNULL)
        server = subprocess.Popen([options.kglog, "serve", "--db", database, "--port", "0", "--token", TOKEN],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        address = server.stdout.readline().strip().split(" at ")[-1]
        stop = time.monotonic() + options.seconds
        latencies, failures, lock = [], [], threading.Lock()

        def client(number):
            i = number
            while time.monotonic() < stop:
                text, rows = QUERIES[i % len(QUERIES)]
                i += 1
                started = time.monotonic()
                try:
                    status, body = post(address, "/api/query", text.encode())
                    answer = json.loads(body)
                    if status != 200 or len(answer["rows"]) != rows:
                        raise AssertionError("%s: %d rows" % (text, len(answer.get("rows", []))))
                except Exception as error:  # noqa: BLE001 - every failure is counted and shown
                    with lock:
                        failures.append("%s: %s" % (text, error))
                    continue
                with lock:
                    latencies.append(time.monotonic() - started)

        batches = []

        def importer():
            for first in range(0, options.facts, options.batch):
                lines = "".join("<http://e/n%d> <http://e/p> <http://e/o%d> .\n" % (n, n)
                                for n in range(first, min(options.facts, first + options.batch)))
                started = time.monotonic()
                try:
                    status, body = post(address, "/api/import?format=nt", lines.encode(), TOKEN)
                    if status != 200 or json.loads(body)["added"] != min(options.batch, options.facts - first):
                        raise AssertionError(body)
                except Exception as error:  # noqa: BLE001
                    with lock:
                        failures.append("import: %s" % error)
                batches.append(time.monotonic() - started)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(options.clients)]
        threads.append(threading.Thread(target=importer))
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        status, body = post(address, "/api/query", b"?- <http://e/p>(X, _), N = count(X).")
        imported = json.loads(body)["rows"][0][0]["value"]
        memory = peak_memory_mib(server.pid)
        server.terminate()
        server.wait(timeout=30)

    print("clients %d, %.1f s: %d queries answered, %.0f a second; p50 %.1f ms, p99 %.1f ms"
          % (options.clients, elapsed, len(latencies), len(latencies) / elapsed,
             percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000))
    print("import of %d facts in %d batches: p50 %.2f s, p99 %.2f s a batch; %s facts there at the end"
          % (options.facts, len(batches), percentile(batches, 0.5), percentile(batches, 0.99), imported))
    print("server peak memory: %.0f MiB; failures: %d" % (memory, len(failures)))
    for failure in failures[:10]:
        print("  " + failure)
    if failures or imported != options.facts:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
