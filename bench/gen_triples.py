#!/usr/bin/env python3
"""Writes a deterministic N-Triples file for the load benchmark, and optionally the same triples
as Turtle, as a person or a tool would write it: prefixes, each subject once with its predicates
after `;` and their objects after `,`, integers bare.
Usage: gen_triples.py N OUT.nt [OUT.ttl]   (N triples over N/10 subjects, 20 predicates, mixed objects)"""
import random, sys
n, out = int(sys.argv[1]), sys.argv[2]
turtle = sys.argv[3] if len(sys.argv) > 3 else None
rng = random.Random(1)
subjects = max(1, n // 10)
triples = []
with open(out, "w") as f:
    for i in range(n):
        s = rng.randrange(subjects)
        p = rng.randrange(20)
        kind = i % 4
        if kind == 0:
            o = ("entity", rng.randrange(subjects))
        elif kind == 1:
            o = ("label", rng.randrange(n))
        elif kind == 2:
            o = ("integer", rng.randrange(100000))
        else:
            o = ("name", rng.randrange(1000))
        text = {"entity": lambda v: f"<http://example.org/entity/{v}>", "label": lambda v: f'"label {v}"',
                "integer": lambda v: f'"{v}"^^<http://www.w3.org/2001/XMLSchema#integer>', "name": lambda v: f'"name {v}"@en'}[o[0]](o[1])
        f.write(f"<http://example.org/entity/{s}> <http://example.org/property/{p}> {text} .\n")
        if turtle:
            triples.append((s, p, o))
if turtle:
    grouped = {}
    for s, p, o in triples:
        grouped.setdefault(s, {}).setdefault(p, [])
        if o not in grouped[s][p]:
            grouped[s][p].append(o)
    short = {"entity": lambda v: f"e:{v}", "label": lambda v: f'"label {v}"', "integer": lambda v: str(v), "name": lambda v: f'"name {v}"@en'}
    with open(turtle, "w") as f:
        f.write("@prefix e: <http://example.org/entity/> .\n@prefix p: <http://example.org/property/> .\n\n")
        for s, predicates in grouped.items():
            f.write(f"e:{s} " + " ;\n    ".join(f"p:{p} " + ", ".join(short[k](v) for k, v in objects) for p, objects in predicates.items()) + " .\n")
