#!/usr/bin/env python3
"""Writes a deterministic N-Triples file for the load benchmark.
Usage: gen_triples.py N OUT.nt   (N triples over N/10 subjects, 20 predicates, mixed objects)"""
import random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
subjects = max(1, n // 10)
with open(out, "w") as f:
    for i in range(n):
        s = f"<http://example.org/entity/{rng.randrange(subjects)}>"
        p = f"<http://example.org/property/{rng.randrange(20)}>"
        kind = i % 4
        if kind == 0:
            o = f"<http://example.org/entity/{rng.randrange(subjects)}>"
        elif kind == 1:
            o = f'"label {rng.randrange(n)}"'
        elif kind == 2:
            o = f'"{rng.randrange(100000)}"^^<http://www.w3.org/2001/XMLSchema#integer>'
        else:
            o = f'"name {rng.randrange(1000)}"@en'
        f.write(f"{s} {p} {o} .\n")
