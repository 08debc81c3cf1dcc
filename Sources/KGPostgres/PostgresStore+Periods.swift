import KGSyntax

// MARK: - Periods of facts

/// The periods in which stored facts hold, in `fact_periods`, as the SQLite store keeps them:
/// one row per fact, source and period, the ends as inline date ids, the arguments packed in
/// `bytea`. A fact-source row with no period rows holds at all times. The table is made at the
/// first period (a database made before periods existed has none).
extension PostgresStore {
    static let periodsTable = """
        CREATE TABLE IF NOT EXISTS fact_periods(p bigint NOT NULL, args bytea NOT NULL, g bigint NOT NULL,
            valid_from bigint NOT NULL, valid_until bigint NOT NULL, PRIMARY KEY(p, args, g, valid_from, valid_until))
        """

    private func hasPeriods() throws -> Bool {
        try connection.execute("SELECT to_regclass('fact_periods') IS NOT NULL").rows == [["t"]]
    }

    /// Records that a stored fact holds, from `source`, in the period `from`..`until`; false when
    /// that period was recorded already.
    @discardableResult
    public func addPeriod(predicate: Int64, arguments: [Int64], source: Int64, from: Int64, until: Int64) throws -> Bool {
        if try !hasPeriods() { try connection.execute(PostgresStore.periodsTable) }
        return try connection.execute("""
            INSERT INTO fact_periods(p, args, g, valid_from, valid_until) VALUES ($1, $2::bytea, $3, $4, $5) ON CONFLICT DO NOTHING
            """, [.integer(predicate), .text(PostgresStore.packed(arguments)), .integer(source), .integer(from), .integer(until)]).changed > 0
    }

    /// The periods recorded for a fact from one source (none: it holds at all times).
    public func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)] {
        guard try hasPeriods() else { return [] }
        let ends = try connection.integers("SELECT valid_from, valid_until FROM fact_periods WHERE p = $1 AND args = $2::bytea AND g = $3 ORDER BY 1, 2",
                                           [.integer(predicate), .text(PostgresStore.packed(arguments)), .integer(source)])
        return stride(from: 0, to: ends.count, by: 2).map { (ends[$0], ends[$0 + 1]) }
    }

    /// Removes the periods of a fact: from one source or all, one period or all.
    @discardableResult
    public func deletePeriods(predicate: Int64, arguments: [Int64], source: Int64?, period: (from: Int64, until: Int64)? = nil) throws -> Int {
        guard try hasPeriods() else { return 0 }
        return try connection.execute("""
            DELETE FROM fact_periods WHERE p = $1 AND args = $2::bytea AND ($3::bigint IS NULL OR g = $3)
                AND ($4::bigint IS NULL OR (valid_from = $4 AND valid_until = $5))
            """, [.integer(predicate), .text(PostgresStore.packed(arguments)), source.map { .integer($0) },
                  period.map { .integer($0.from) }, period.map { .integer($0.until) }]).changed
    }

    /// Removes the periods of every fact a source asserted.
    func deletePeriods(source: Int64) throws {
        guard try hasPeriods() else { return }
        try connection.execute("DELETE FROM fact_periods WHERE g = $1", [.integer(source)])
    }

    /// The predicates some of whose facts have periods.
    public func predicatesWithPeriods() throws -> Set<Int64> {
        guard try hasPeriods() else { return [] }
        // One index probe a predicate (a skip scan), not a read of every period.
        return Set(try connection.integers("""
            WITH RECURSIVE ps(p) AS (SELECT min(p) FROM fact_periods
                                     UNION ALL SELECT (SELECT min(p) FROM fact_periods WHERE p > ps.p) FROM ps WHERE ps.p IS NOT NULL)
            SELECT p FROM ps WHERE p IS NOT NULL
            """))
    }

    /// Every period row of a predicate of `arity`: arguments, source, ends.
    public func periodRows(predicate: Int64, arity: Int) throws -> [(arguments: [Int64], source: Int64, from: Int64, until: Int64)] {
        guard try hasPeriods() else { return [] }
        return try connection.execute("SELECT args, g, valid_from, valid_until FROM fact_periods WHERE p = $1", [.integer(predicate)]).rows.map { row in
            guard let args = row[0], let g = row[1].flatMap({ Int64($0) }), let from = row[2].flatMap({ Int64($0) }),
                  let until = row[3].flatMap({ Int64($0) }) else { throw PostgresStoreError.damagedArguments(arity: arity, text: "\(row)") }
            return (try PostgresStore.unpacked(args, arity: arity), g, from, until)
        }
    }
}
