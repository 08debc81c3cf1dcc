import KGSyntax

// MARK: - Periods of facts

/// The periods in which stored facts hold (valid time), in `fact_periods`: one row per fact,
/// source and period, the ends as inline date ids (an open end is 0001-01-01 or 9999-12-31),
/// the arguments packed as in `tuples`. A fact-source row of `quads` or `tuples` with no period
/// rows holds at all times; one with period rows holds over their union. The table is made at
/// the first period, so a file without periods is as before.
extension Store {
    static let periodsTable = """
        CREATE TABLE IF NOT EXISTS fact_periods(p INTEGER NOT NULL, args BLOB NOT NULL, g INTEGER NOT NULL,
            valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL,
            PRIMARY KEY(p, args, g, valid_from, valid_until)) WITHOUT ROWID;
        """

    private func hasPeriods() throws -> Bool {
        try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'fact_periods'") == 1
    }

    /// Records that a stored fact holds, from `source`, in the period `from`..`until` (date ids);
    /// false when that period was recorded already. The fact-source row must exist.
    @discardableResult
    public func addPeriod(predicate: Int64, arguments: [Int64], source: Int64, from: Int64, until: Int64) throws -> Bool {
        try connection.execute(Store.periodsTable)
        let statement = try connection.prepare("INSERT OR IGNORE INTO fact_periods(p, args, g, valid_from, valid_until) VALUES (?1, ?2, ?3, ?4, ?5)")
        statement.bind(1, predicate)
        Store.withPacked(arguments) { statement.bind(2, blob: $0) }
        statement.bind(3, source)
        statement.bind(4, from)
        statement.bind(5, until)
        try statement.run()
        return connection.changes > 0
    }

    /// The periods recorded for a fact from one source (none: it holds at all times).
    public func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)] {
        guard try hasPeriods() else { return [] }
        let statement = try connection.prepare("SELECT valid_from, valid_until FROM fact_periods WHERE p = ?1 AND args = ?2 AND g = ?3 ORDER BY 1, 2")
        defer { statement.reset() }
        statement.bind(1, predicate)
        Store.withPacked(arguments) { statement.bind(2, blob: $0) }
        statement.bind(3, source)
        var result: [(Int64, Int64)] = []
        while try statement.step() { result.append((statement.int64(0), statement.int64(1))) }
        return result
    }

    /// Removes the periods of a fact: from one source or all, one period or all. Returns how
    /// many went.
    @discardableResult
    public func deletePeriods(predicate: Int64, arguments: [Int64], source: Int64?, period: (from: Int64, until: Int64)? = nil) throws -> Int {
        guard try hasPeriods() else { return 0 }
        var sql = "DELETE FROM fact_periods WHERE p = ?1 AND args = ?2"
        if source != nil { sql += " AND g = ?3" }
        if period != nil { sql += " AND valid_from = ?4 AND valid_until = ?5" }
        let statement = try connection.prepare(sql)
        statement.bind(1, predicate)
        Store.withPacked(arguments) { statement.bind(2, blob: $0) }
        if let source { statement.bind(3, source) }
        if let period {
            statement.bind(4, period.from)
            statement.bind(5, period.until)
        }
        try statement.run()
        return connection.changes
    }

    /// Removes the periods of every fact a source asserted.
    func deletePeriods(source: Int64) throws {
        guard try hasPeriods() else { return }
        let statement = try connection.prepare("DELETE FROM fact_periods WHERE g = ?1")
        statement.bind(1, source)
        try statement.run()
    }

    /// The predicates some of whose facts have periods.
    public func predicatesWithPeriods() throws -> Set<Int64> {
        guard try hasPeriods() else { return [] }
        // One index probe a predicate (a skip scan), not a read of every period.
        let statement = try connection.prepare("""
            WITH RECURSIVE ps(p) AS (SELECT min(p) FROM fact_periods
                                     UNION ALL SELECT (SELECT min(p) FROM fact_periods WHERE p > ps.p) FROM ps WHERE ps.p IS NOT NULL)
            SELECT p FROM ps WHERE p IS NOT NULL
            """)
        defer { statement.reset() }
        var result = Set<Int64>()
        while try statement.step() { result.insert(statement.int64(0)) }
        return result
    }

    /// Every period row of a predicate: arguments, source, ends.
    public func periodRows(predicate: Int64, arity: Int) throws -> [(arguments: [Int64], source: Int64, from: Int64, until: Int64)] {
        guard try hasPeriods() else { return [] }
        let statement = try connection.prepare("SELECT args, g, valid_from, valid_until FROM fact_periods WHERE p = ?1")
        defer { statement.reset() }
        statement.bind(1, predicate)
        var result: [(arguments: [Int64], source: Int64, from: Int64, until: Int64)] = []
        while try statement.step() {
            let blob = statement.blob(0)
            let arguments = (0..<(blob.count / 8)).map { Int64(littleEndian: blob.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            result.append((arguments, statement.int64(1), statement.int64(2), statement.int64(3)))
        }
        return result
    }
}
