#!/usr/bin/env python3
"""A LUBM-style benchmark: universities of departments, people, courses, research groups and
publications, generated deterministically, and the 14 LUBM queries written as kglog rules
(with the class and property hierarchy LUBM's queries rely on as rules too) and as DuckDB SQL.

Usage: lubm.py [--universities 1,10,50] [--reps 3]

For each size it writes the facts as a .kgl file and as a TSV file, loads each into kglog
(`kglog run --db`, whole process, peak memory) and DuckDB (`CREATE TABLE ... FROM read_csv`,
in-process), then per query, alternating, times `kglog query --db DB --format tsv QUERY > FILE`
(whole process) and DuckDB's `COPY (query ORDER BY ...) TO FILE`, checks that both wrote the same
set of rows, and prints medians and ratios. Called by bench/lubm.sh.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
KGLOG = os.path.join(ROOT, ".build", "release", "kglog")
PYTHON = os.path.join(HERE, ".venv", "bin", "python")


# MARK: - Data

def generate(universities, kgl_path, tsv_path):
    """Writes every fact `p(s, o)` to both files; returns the number of facts."""
    rng = random.Random(1)
    facts = []

    def fact(p, s, o):
        facts.append((p, s, o))

    for u in range(universities):
        univ = f"u{u}"
        fact("type", univ, "university")
        for d in range(rng.randint(15, 25)):
            dept = f"d{d}-u{u}"
            fact("type", dept, "department")
            fact("sub-organization-of", dept, univ)
            faculty = []
            for kind, count in (("full-professor", rng.randint(7, 10)), ("associate-professor", rng.randint(10, 14)),
                                ("assistant-professor", rng.randint(8, 11)), ("lecturer", rng.randint(5, 7))):
                for i in range(count):
                    person = f"{kind}{i}-{dept}"
                    faculty.append(person)
                    fact("type", person, kind)
                    fact("works-for", person, dept)
                    fact("email", person, f'"{person}@example.org"')
                    fact("telephone", person, f'"tel-{len(facts)}"')
                    fact("undergraduate-degree-from", person, f"u{rng.randrange(max(universities, 1))}")
                    fact("doctoral-degree-from", person, f"u{rng.randrange(max(universities, 1))}")
                    for p in range(rng.randint(0, 5)):
                        fact("publication-author", f"pub{p}-{person}", person)
            professors = [f for f in faculty if "professor" in f]
            fact("head-of", professors[0], dept)
            courses, graduate_courses = [], []
            for i, teacher in enumerate(faculty):
                course = f"course{i}-{dept}"
                courses.append(course)
                fact("type", course, "course")
                fact("teacher-of", teacher, course)
                if "professor" in teacher:
                    graduate = f"graduate-course{i}-{dept}"
                    graduate_courses.append(graduate)
                    fact("type", graduate, "graduate-course")
                    fact("teacher-of", teacher, graduate)
            for i in range(len(faculty) * rng.randint(8, 14)):
                student = f"undergraduate{i}-{dept}"
                fact("type", student, "undergraduate-student")
                fact("member-of", student, dept)
                fact("email", student, f'"{student}@example.org"')
                for course in rng.sample(courses, rng.randint(2, 4)):
                    fact("takes-course", student, course)
                if rng.random() < 0.2:
                    fact("advisor", student, rng.choice(professors))
            for i in range(len(faculty) * rng.randint(3, 4)):
                student = f"graduate{i}-{dept}"
                fact("type", student, "graduate-student")
                fact("member-of", student, dept)
                fact("email", student, f'"{student}@example.org"')
                fact("undergraduate-degree-from", student, f"u{rng.randrange(max(universities, 1))}")
                fact("advisor", student, rng.choice(professors))
                for course in rng.sample(graduate_courses, rng.randint(1, 3)):
                    fact("takes-course", student, course)
            for g in range(rng.randint(10, 20)):
                group = f"group{g}-{dept}"
                fact("type", group, "research-group")
                fact("sub-organization-of", group, dept)
    with open(kgl_path, "w") as kgl, open(tsv_path, "w") as tsv:
        for p, s, o in facts:
            kgl.write(f"{p}({s}, {o}).\n")
            tsv.write(f"{p}\t{s}\t{o.strip(chr(34))}\n")
    return len(facts)


# MARK: - Queries

# The hierarchy LUBM's queries rely on, as rules.
RULES = """
student(X) :- type(X, undergraduate-student).
student(X) :- type(X, graduate-student).
professor(X) :- type(X, full-professor).
professor(X) :- type(X, associate-professor).
professor(X) :- type(X, assistant-professor).
faculty(X) :- professor(X).
faculty(X) :- type(X, lecturer).
member(X, D) :- member-of(X, D).
member(X, D) :- works-for(X, D).
degree-from(X, U) :- undergraduate-degree-from(X, U).
degree-from(X, U) :- doctoral-degree-from(X, U).
part-of(X, Y) :- sub-organization-of(X, Y).
part-of(X, Z) :- part-of(X, Y), sub-organization-of(Y, Z).
"""

# name: (kglog query, DuckDB SQL over the table facts(p, s, o) and the views it defines)
QUERIES = {
    "q1": ("type(X, graduate-student), takes-course(X, graduate-course0-d0-u0)",
           "SELECT a.s AS X FROM facts a JOIN facts b ON b.s = a.s WHERE a.p = 'type' AND a.o = 'graduate-student' "
           "AND b.p = 'takes-course' AND b.o = 'graduate-course0-d0-u0'"),
    "q2": ("type(X, graduate-student), member-of(X, Z), sub-organization-of(Z, Y), type(Y, university), undergraduate-degree-from(X, Y)",
           "SELECT a.s AS X, b.o AS Z, c.o AS Y FROM facts a JOIN facts b ON b.s = a.s AND b.p = 'member-of' "
           "JOIN facts c ON c.s = b.o AND c.p = 'sub-organization-of' JOIN facts d ON d.s = c.o AND d.p = 'type' AND d.o = 'university' "
           "JOIN facts e ON e.s = a.s AND e.p = 'undergraduate-degree-from' AND e.o = c.o WHERE a.p = 'type' AND a.o = 'graduate-student'"),
    "q3": ("publication-author(X, assistant-professor0-d0-u0)",
           "SELECT s AS X FROM facts WHERE p = 'publication-author' AND o = 'assistant-professor0-d0-u0'"),
    "q4": ("professor(X), works-for(X, d0-u0), email(X, E), telephone(X, T)",
           "SELECT a.s AS X, b.o AS E, c.o AS T FROM professor a JOIN facts w ON w.s = a.s AND w.p = 'works-for' AND w.o = 'd0-u0' "
           "JOIN facts b ON b.s = a.s AND b.p = 'email' JOIN facts c ON c.s = a.s AND c.p = 'telephone'"),
    "q5": ("member(X, d0-u0)", "SELECT DISTINCT s AS X FROM member WHERE o = 'd0-u0'"),
    "q6": ("student(X)", "SELECT s AS X FROM student"),
    "q7": ("student(X), takes-course(X, Y), teacher-of(associate-professor0-d0-u0, Y)",
           "SELECT DISTINCT a.s AS X, t.o AS Y FROM student a JOIN facts t ON t.s = a.s AND t.p = 'takes-course' "
           "JOIN facts c ON c.o = t.o AND c.p = 'teacher-of' AND c.s = 'associate-professor0-d0-u0'"),
    "q8": ("student(X), member-of(X, Y), sub-organization-of(Y, u0), email(X, E)",
           "SELECT a.s AS X, m.o AS Y, e.o AS E FROM student a JOIN facts m ON m.s = a.s AND m.p = 'member-of' "
           "JOIN facts o ON o.s = m.o AND o.p = 'sub-organization-of' AND o.o = 'u0' JOIN facts e ON e.s = a.s AND e.p = 'email'"),
    "q9": ("student(X), faculty(Y), advisor(X, Y), teacher-of(Y, Z), takes-course(X, Z)",
           "SELECT DISTINCT a.s AS X, v.o AS Y, t.o AS Z FROM student a JOIN facts v ON v.s = a.s AND v.p = 'advisor' "
           "JOIN faculty f ON f.s = v.o JOIN facts c ON c.s = v.o AND c.p = 'teacher-of' "
           "JOIN facts t ON t.s = a.s AND t.p = 'takes-course' AND t.o = c.o"),
    "q10": ("student(X), takes-course(X, graduate-course0-d0-u0)",
            "SELECT a.s AS X FROM student a JOIN facts t ON t.s = a.s AND t.p = 'takes-course' AND t.o = 'graduate-course0-d0-u0'"),
    "q11": ("type(X, research-group), part-of(X, u0)",
            "SELECT DISTINCT g.s AS X FROM facts g JOIN facts d ON d.s = g.o AND d.p = 'sub-organization-of' AND d.o = 'u0' "
            "WHERE g.p = 'sub-organization-of' AND g.s IN (SELECT s FROM facts WHERE p = 'type' AND o = 'research-group')"),
    "q12": ("professor(X), head-of(X, Y), sub-organization-of(Y, u0)",
            "SELECT a.s AS X, h.o AS Y FROM professor a JOIN facts h ON h.s = a.s AND h.p = 'head-of' "
            "JOIN facts o ON o.s = h.o AND o.p = 'sub-organization-of' AND o.o = 'u0'"),
    "q13": ("degree-from(X, u0)", "SELECT DISTINCT s AS X FROM facts WHERE p IN ('undergraduate-degree-from', 'doctoral-degree-from') AND o = 'u0'"),
    "q14": ("type(X, undergraduate-student)", "SELECT s AS X FROM facts WHERE p = 'type' AND o = 'undergraduate-student'"),
}

VIEWS = """
CREATE VIEW student AS SELECT DISTINCT s FROM facts WHERE p = 'type' AND o IN ('undergraduate-student', 'graduate-student');
CREATE VIEW professor AS SELECT DISTINCT s FROM facts WHERE p = 'type' AND o IN ('full-professor', 'associate-professor', 'assistant-professor');
CREATE VIEW faculty AS SELECT DISTINCT s FROM facts WHERE p = 'type' AND o IN ('full-professor', 'associate-professor', 'assistant-professor', 'lecturer');
CREATE VIEW member AS SELECT s, o FROM facts WHERE p IN ('member-of', 'works-for');
"""

DUCKDB = r'''
import sys, time, duckdb
tsv, queries = sys.argv[1], sys.argv[2:]
db = duckdb.connect()
started = time.perf_counter()
db.execute("CREATE TABLE facts AS SELECT column0 AS p, column1 AS s, column2 AS o FROM read_csv(?, delim='\t', header=false, quote='', all_varchar=true)", [tsv])
print("load", time.perf_counter() - started, flush=True)
db.execute(open(queries[0]).read())
for spec in queries[1:]:
    name, out, sql = spec.split("|", 2)
    started = time.perf_counter()
    db.execute(f"COPY ({sql} ORDER BY ALL) TO '{out}' (HEADER, DELIMITER '\t', QUOTE '')")
    print(name, time.perf_counter() - started, flush=True)
'''


def timed(arguments, stdout=subprocess.DEVNULL):
    started = time.perf_counter()
    process = subprocess.Popen(arguments, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        sys.exit(f"{' '.join(arguments)} failed: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def rows(path):
    with open(path) as f:
        return sorted(f.read().splitlines()[1:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--universities", default="1,10")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    views = os.path.join(DATA, "lubm-views.sql")
    with open(views, "w") as f:
        f.write(VIEWS)
    ok = True
    for universities in [int(n) for n in args.universities.split(",")]:
        name = f"lubm{universities}"
        kgl, tsv, db = (os.path.join(DATA, f"{name}.{ext}") for ext in ("kgl", "tsv", "kglog"))
        count = generate(universities, kgl, tsv)
        with open(kgl, "a") as f:
            f.write(RULES)
        for stale in (db, db + "-wal", db + "-shm"):
            if os.path.exists(stale):
                os.remove(stale)
        load, load_memory = timed([KGLOG, "run", "--db", db, kgl])
        kglog_times = {q: [] for q in QUERIES}
        kglog_memory = {q: 0 for q in QUERIES}
        duck_times = {q: [] for q in QUERIES}
        duck_load = []
        for rep in range(args.reps):
            specs = [views]
            for q, (query, sql) in QUERIES.items():
                out = os.path.join(DATA, f"{name}-{q}.kglog.tsv")
                with open(out, "wb") as f:
                    seconds, memory = timed([KGLOG, "query", "--db", db, "--format", "tsv", query], f)
                kglog_times[q].append(seconds)
                kglog_memory[q] = max(kglog_memory[q], memory)
                specs.append(f"{q}|{os.path.join(DATA, f'{name}-{q}.duckdb.tsv')}|{sql}")
            result = subprocess.run([PYTHON, "-c", DUCKDB, tsv] + specs, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"DuckDB failed: {result.stderr}")
            for line in result.stdout.splitlines():
                key, seconds = line.split()
                (duck_load if key == "load" else duck_times[key]).append(float(seconds))
        print(f"\n{name}: {count:,} facts; kglog load {load:.2f} s ({load_memory:.0f} MiB), DuckDB load {statistics.median(duck_load):.2f} s")
        print("| query | rows | kglog s (peak MiB) | DuckDB s | ratio |")
        print("|---|---|---|---|---|")
        for q in QUERIES:
            ours, theirs = rows(os.path.join(DATA, f"{name}-{q}.kglog.tsv")), rows(os.path.join(DATA, f"{name}-{q}.duckdb.tsv"))
            same = ours == theirs
            ok = ok and same
            k, d = statistics.median(kglog_times[q]), statistics.median(duck_times[q])
            print(f"| {q} | {len(ours):,}{'' if same else f' (DuckDB {len(theirs):,}: DIFFERENT)'} | {k:.3f} ({kglog_memory[q]:.0f}) | {d:.3f} | {k / d:.1f} |")
    print(f"\nmedians of {args.reps} runs; kglog whole process, DuckDB in-process; rows {'agree' if ok else 'DISAGREE'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
