import KGSyntax

// MARK: - Periods of facts

/// The periods in which stored facts hold, as the SQLite store keeps them: one row per fact,
/// source and period, the ends as inline date ids; binary facts' periods in `fact_periods` by
/// subject and object (read joined to `quads`), those of other arities in `tuple_periods`, the
/// arguments packed in `bytea`. A fact-source row with no period rows holds at all times. The
/// tables are made at the first period (a database made before periods existed has none).
extension PostgresStore {
    static let periodTables = [
        """
        CREATE TABLE IF NOT EXISTS fact_periods(p bigint NOT NULL, s bigint NOT NULL, o bigint NOT NULL, g bigint NOT NULL,
            valid_from bigint NOT NULL, valid_until bigint NOT NULL, PRIMARY KEY(p, s, o, g, valid_from, valid_until))
        """,
        """
        CREATE TABLE IF NOT EXISTS tuple_periods(p bigint NOT NULL, args bytea NOT NULL, g bigint NOT NULL,
            valid_from bigint NOT NULL, valid_until bigint NOT NULL, PRIMARY KEY(p, args, g, valid_from, valid_until))
        """,
    ]

    /// Whether the period tables exist: always for schema 2 (a writer upgrades schema 1 when it
    /// opens it); a reader of schema 1 finds none. Asked once.
    private func hasPeriods() throws -> Bool {
        if let known = periodTablesExist { return known }
        let exists = try connection.execute("SELECT to_regclass('fact_periods') IS NOT NULL").rows == [["t"]]
        periodTablesExist = exists
        return exists
    }

    /// The table of a fact's periods, the condition on its arguments (`$2`, and `$3`), and the
    /// values of those parameters.
    private static func periodTable(_ arguments: [Int64]) -> (table: String, arguments: String, values: [PostgresValue?]) {
        arguments.count == 2
            ? ("fact_periods", "s = $2 AND o = $3", [.integer(arguments[0]), .integer(arguments[1])])
            : ("tuple_periods", "args = $2::bytea AND $3::bigint IS NULL", [.text(PostgresStore.packed(arguments)), nil])
    }

    /// Records that a stored fact holds, from `source`, in the period `from`..`until`; false when
    /// that period was recorded already.
    @discardableResult
    public func addPeriod(predicate: Int64, arguments: [Int64], source: Int64, from: Int64, until: Int64) throws -> Bool {
        try changeID()
        let tail: [PostgresValue?] = [.integer(source), .integer(from), .integer(until)]
        if arguments.count == 2 {
            return try connection.execute("""
                INSERT INTO fact_periods(p, s, o, g, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                """, [.integer(predicate), .integer(arguments[0]), .integer(arguments[1])] + tail).changed > 0
        }
        return try connection.execute("""
            INSERT INTO tuple_periods(p, args, g, valid_from, valid_until) VALUES ($1, $2::bytea, $3, $4, $5) ON CONFLICT DO NOTHING
            """, [.integer(predicate), .text(PostgresStore.packed(arguments))] + tail).changed > 0
    }

    /// The periods recorded for a fact from one source (none: it holds at all times).
    public func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)] {
        guard try hasPeriods() else { return [] }
        let (table, condition, values) = PostgresStore.periodTable(arguments)
        let ends = try connection.integers("SELECT valid_from, valid_until FROM \(table) WHERE p = $1 AND \(condition) AND g = $4",
                                           [.integer(predicate)] + values + [.integer(source)])
        return stride(from: 0, to: ends.count, by: 2).map { (ends[$0], ends[$0 + 1]) }
    }

    /// Removes the periods of a fact: from one source or all, one period or all.
    @discardableResult
    public func deletePeriods(predicate: Int64, arguments: [Int64], source: Int64?, period: (from: Int64, until: Int64)? = nil) throws -> Int {
        guard try hasPeriods() else { return 0 }
        try changeID()
        let (table, condition, values) = PostgresStore.periodTable(arguments)
        return try connection.execute("""
            DELETE FROM \(table) WHERE p = $1 AND \(condition) AND ($4::bigint IS NULL OR g = $4)
                AND ($5::bigint IS NULL OR (valid_from = $5 AND valid_until = $6))
            """, [.integer(predicate)] + values + [source.map { .integer($0) }, period.map { .integer($0.from) }, period.map { .integer($0.until) }]).changed
    }

    /// Removes the periods of every fact a source asserted.
    func deletePeriods(source: Int64) throws {
        guard try hasPeriods() else { return }
        try changeID()
        for table in ["fact_periods", "tuple_periods"] {
            try connection.execute("DELETE FROM \(table) WHERE g = $1", [.integer(source)])
        }
    }

    /// The predicates some of whose facts have periods.
    public func predicatesWithPeriods() throws -> Set<Int64> {
        guard try hasPeriods() else { return [] }
        var result = Set<Int64>()
        for table in ["fact_periods", "tuple_periods"] {
            // One index probe a predicate (a skip scan), not a read of every period.
            result.formUnion(try connection.integers("""
                WITH RECURSIVE ps(p) AS (SELECT min(p) FROM \(table)
                                         UNION ALL SELECT (SELECT min(p) FROM \(table) WHERE p > ps.p) FROM ps WHERE ps.p IS NOT NULL)
                SELECT p FROM ps WHERE p IS NOT NULL
                """))
        }
        return result
    }

    /// Every period row of a predicate of `arity`: arguments, source, ends.
    public func periodRows(predicate: Int64, arity: Int) throws -> [(arguments: [Int64], source: Int64, from: Int64, until: Int64)] {
        guard try hasPeriods() else { return [] }
        if arity == 2 {
            let values = try connection.integers("SELECT s, o, g, valid_from, valid_until FROM fact_periods WHERE p = $1", [.integer(predicate)])
            return stride(from: 0, to: values.count, by: 5).map { ([values[$0], values[$0 + 1]], values[$0 + 2], values[$0 + 3], values[$0 + 4]) }
        }
        return try connection.execute("SELECT args, g, valid_from, valid_until FROM tuple_periods WHERE p = $1", [.integer(predicate)]).rows.map { row in
            guard let args = row[0], let g = row[1].flatMap({ Int64($0) }), let from = row[2].flatMap({ Int64($0) }),
                  let until = row[3].flatMap({ Int64($0) }) else { throw PostgresStoreError.damagedArguments(arity: arity, text: "\(row)") }
            return (try PostgresStore.unpacked(args, arity: arity), g, from, until)
        }
    }

    /// A binary predicate's facts with their periods, read in one statement that joins `quads`
    /// to `fact_periods`: subject, object, start, end, and with `withSources` the source.
    /// `bound` keeps the rows with these ids at these columns (0 subject, 1 object, 2 source).
    public func binaryFactsWithPeriods(predicate: Int64, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
        let periods = try hasPeriods()
        let ends = periods ? "coalesce(f.valid_from, \(Period.openStartID)), coalesce(f.valid_until, \(Period.openEndID))"
            : "\(Period.openStartID)::bigint, \(Period.openEndID)::bigint"
        let join = periods ? " LEFT JOIN fact_periods AS f ON f.p = q.p AND f.s = q.s AND f.o = q.o AND f.g = q.g" : ""
        let source = withSources ? " AND q.g <> 0 AND ($4::bigint IS NULL OR q.g = $4)" : " AND $4::bigint IS NULL"
        return try connection.integers("""
            SELECT \(withSources ? "" : "DISTINCT ")q.s, q.o, \(ends)\(withSources ? ", q.g" : "") FROM quads AS q\(join)
            WHERE q.p = $1 AND ($2::bigint IS NULL OR q.s = $2) AND ($3::bigint IS NULL OR q.o = $3)\(source)
            """, [.integer(predicate), bound[0].map { .integer($0) }, bound[1].map { .integer($0) }, withSources ? bound[2].map { .integer($0) } : nil])
    }
}
