#!/usr/bin/env python3
"""DuckDB's side of bench/answers.py: loads the edges (not timed), then times, in-process,
writing every answer row sorted to a TSV file with COPY (the same text kglog writes: names
`n123`, a header line) and counting the answers with count(*).

Usage: duckdb_answers.py WORKLOAD EDGES.tsv OUT.tsv      (WORKLOAD: tc, tcfrom, sg)
Prints: copy_seconds count_seconds count"""
import sys
import time

import duckdb

CTE = {
    "tc": "WITH RECURSIVE path(x, y) AS (SELECT s, d FROM edge UNION SELECT path.x, edge.d FROM path JOIN edge ON path.y = edge.s)",
    "tcfrom": "WITH RECURSIVE path(y) AS (SELECT d FROM edge WHERE s = 0 UNION SELECT edge.d FROM path JOIN edge ON path.y = edge.s)",
    "sg": ("WITH RECURSIVE path(x, y) AS (SELECT a.d, b.d FROM edge a JOIN edge b ON a.s = b.s WHERE a.d <> b.d "
           "UNION SELECT e1.d, e2.d FROM path JOIN edge e1 ON e1.s = path.x JOIN edge e2 ON e2.s = path.y)"),
}
ROWS = {
    "tc": "SELECT 'n' || x AS X, 'n' || y AS Y FROM path ORDER BY X, Y",
    "tcfrom": "SELECT 'n' || y AS Y FROM path ORDER BY Y",
    "sg": "SELECT 'n' || x AS X, 'n' || y AS Y FROM path ORDER BY X, Y",
}


def main():
    workload, edges, out = sys.argv[1:4]
    db = duckdb.connect()
    db.execute("CREATE TABLE edge AS SELECT CAST(substr(column0, 2) AS INTEGER) s, CAST(substr(column1, 2) AS INTEGER) d "
               "FROM read_csv(?, delim='\t', header=false)", [edges])
    started = time.perf_counter()
    db.execute(f"COPY ({CTE[workload]} {ROWS[workload]}) TO '{out}' (HEADER, DELIMITER '\t', QUOTE '')")
    copied = time.perf_counter() - started
    started = time.perf_counter()
    count = db.execute(f"{CTE[workload]} SELECT count(*) FROM path").fetchone()[0]
    counted = time.perf_counter() - started
    print(f"{copied:.4f} {counted:.4f} {count}")


if __name__ == "__main__":
    main()
