import KGSyntax

// MARK: - Periods of facts

/// The periods in which stored facts hold (valid time): one row per fact, source and period,
/// the ends as inline date ids (an open end is 0001-01-01 or 9999-12-31). Binary facts' periods
/// are in `fact_periods` by subject and object, so that a read joins them to `quads` in SQL;
/// those of other arities in `tuple_periods`, the arguments packed as in `tuples`. A fact-source
/// row with no period rows holds at all times; one with period rows holds over their union. Every
/// file of schema 6 has the tables (older ones get them when upgraded, in memory when read only).
extension Store {
    static let periodTables = """
        CREATE TABLE IF NOT EXISTS fact_periods(p INTEGER NOT NULL, s INTEGER NOT NULL, o INTEGER NOT NULL, g INTEGER NOT NULL,
            valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL,
            PRIMARY KEY(p, s, o, g, valid_from, valid_until)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS tuple_periods(p INTEGER NOT NULL, args BLOB NOT NULL, g INTEGER NOT NULL,
            valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL,
            PRIMARY KEY(p, args, g, valid_from, valid_until)) WITHOUT ROWID;
        """

    /// The table of a fact's periods and the condition on its arguments, as `?2` (and `?3`).
    private static func periodTable(arity: Int) -> (table: String, arguments: String) {
        arity == 2 ? ("fact_periods", "s = ?2 AND o = ?3") : ("tuple_periods", "args = ?2")
    }

    private func bind(_ arguments: [Int64], to statement: SQLiteStatement) {
        if arguments.count == 2 {
            statement.bind(2, arguments[0])
            statement.bind(3, arguments[1])
        } else {
            Store.withPacked(arguments) { statement.bind(2, blob: $0) }
        }
    }

    /// Records that a stored fact holds, from `source`, in the period `from`..`until` (date ids);
    /// false when that period was recorded already. The fact-source row must exist.
    @discardableResult
    public func addPeriod(predicate: Int64, arguments: [Int64], source: Int64, from: Int64, until: Int64) throws -> Bool {
        let (table, _) = Store.periodTable(arity: arguments.count)
        let columns = arguments.count == 2 ? "p, s, o, g, valid_from, valid_until, added_in" : "p, args, g, valid_from, valid_until, added_in"
        let values = arguments.count == 2 ? "?1, ?2, ?3, ?4, ?5, ?6, ?7" : "?1, ?2, ?4, ?5, ?6, ?7"
        let statement = try connection.prepare("INSERT OR IGNORE INTO \(table)(\(columns)) VALUES (\(values))")
        statement.bind(1, predicate)
        bind(arguments, to: statement)
        statement.bind(4, source)
        statement.bind(5, from)
        statement.bind(6, until)
        statement.bind(7, try changeID())
        try statement.run()
        return connection.changes > 0
    }

    /// The periods recorded for a fact from one source (none: it holds at all times).
    public func periods(ofFact predicate: Int64, arguments: [Int64], source: Int64) throws -> [(from: Int64, until: Int64)] {
        let (table, condition) = Store.periodTable(arity: arguments.count)
        let statement = try connection.prepare("SELECT valid_from, valid_until FROM \(table) WHERE p = ?1 AND \(condition) AND g = ?4")
        defer { statement.reset() }
        statement.bind(1, predicate)
        bind(arguments, to: statement)
        statement.bind(4, source)
        var result: [(Int64, Int64)] = []
        while try statement.step() { result.append((statement.int64(0), statement.int64(1))) }
        return result
    }

    /// Removes the periods of a fact: from one source or all, one period or all. Returns how
    /// many went.
    @discardableResult
    public func deletePeriods(predicate: Int64, arguments: [Int64], source: Int64?, period: (from: Int64, until: Int64)? = nil) throws -> Int {
        _ = try changeID()
        let (table, condition) = Store.periodTable(arity: arguments.count)
        var sql = "DELETE FROM \(table) WHERE p = ?1 AND \(condition)"
        if source != nil { sql += " AND g = ?4" }
        if period != nil { sql += " AND valid_from = ?5 AND valid_until = ?6" }
        let statement = try connection.prepare(sql)
        statement.bind(1, predicate)
        bind(arguments, to: statement)
        if let source { statement.bind(4, source) }
        if let period {
            statement.bind(5, period.from)
            statement.bind(6, period.until)
        }
        try statement.run()
        return connection.changes
    }

    /// Removes the periods of every fact a source asserted.
    func deletePeriods(source: Int64) throws {
        _ = try changeID()
        for table in ["fact_periods", "tuple_periods"] {
            let statement = try connection.prepare("DELETE FROM \(table) WHERE g = ?1")
            statement.bind(1, source)
            try statement.run()
        }
    }

    /// The predicates some of whose facts have periods.
    public func predicatesWithPeriods() throws -> Set<Int64> {
        var result = Set<Int64>()
        for table in ["fact_periods", "tuple_periods"] {
            // One index probe a predicate (a skip scan), not a read of every period.
            let statement = try connection.prepare("""
                WITH RECURSIVE ps(p) AS (SELECT min(p) FROM \(table)
                                         UNION ALL SELECT (SELECT min(p) FROM \(table) WHERE p > ps.p) FROM ps WHERE ps.p IS NOT NULL)
                SELECT p FROM ps WHERE p IS NOT NULL
                """)
            defer { statement.reset() }
            while try statement.step() { result.insert(statement.int64(0)) }
        }
        return result
    }

    /// Every period row of a predicate: arguments, source, ends.
    public func periodRows(predicate: Int64, arity: Int) throws -> [(arguments: [Int64], source: Int64, from: Int64, until: Int64)] {
        var result: [(arguments: [Int64], source: Int64, from: Int64, until: Int64)] = []
        if arity == 2 {
            let statement = try connection.prepare("SELECT s, o, g, valid_from, valid_until FROM fact_periods WHERE p = ?1")
            defer { statement.reset() }
            statement.bind(1, predicate)
            while try statement.step() {
                result.append(([statement.int64(0), statement.int64(1)], statement.int64(2), statement.int64(3), statement.int64(4)))
            }
            return result
        }
        let statement = try connection.prepare("SELECT args, g, valid_from, valid_until FROM tuple_periods WHERE p = ?1")
        defer { statement.reset() }
        statement.bind(1, predicate)
        while try statement.step() {
            let blob = statement.blob(0)
            let arguments = (0..<(blob.count / 8)).map { Int64(littleEndian: blob.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            result.append((arguments, statement.int64(1), statement.int64(2), statement.int64(3)))
        }
        return result
    }

    /// A binary predicate's facts with their periods, read in one statement that joins `quads`
    /// to `fact_periods` (a fact-source without periods holds from `Period.openStartID` until
    /// `Period.openEndID`): subject, object, start, end, and with `withSources` the source.
    /// `bound` keeps the rows with these ids at these columns (0 subject, 1 object, 2 source).
    public func binaryFactsWithPeriods(predicate: Int64, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
        var conditions = ["q.p = ?1"]
        if bound[0] != nil { conditions.append("q.s = ?2") }
        if bound[1] != nil { conditions.append("q.o = ?3") }
        if withSources { conditions.append("q.g != 0") }
        if withSources, bound[2] != nil { conditions.append("q.g = ?4") }
        let ends = "coalesce(f.valid_from, \(Period.openStartID)), coalesce(f.valid_until, \(Period.openEndID))"
        let join = " LEFT JOIN fact_periods AS f ON f.p = q.p AND f.s = q.s AND f.o = q.o AND f.g = q.g"
        // Each part of `quads` joined on its own (SQLite does not join through the view's
        // union), then merged in key order; without sources, UNION keeps each row once.
        let sql = [Store.QuadPart.main, .recent].map { part in
            "SELECT q.s, q.o, \(ends)\(withSources ? ", q.g" : "") FROM \(part.rawValue) AS q\(join) WHERE "
                + conditions.joined(separator: " AND ")
        }.joined(separator: withSources ? " UNION ALL " : " UNION ") + (withSources ? " ORDER BY 1, 2, 5, 3, 4" : " ORDER BY 1, 2, 3, 4")
        let statement = try connection.prepare(sql)
        defer { statement.reset() }
        statement.bind(1, predicate)
        for (column, id) in bound where column < 2 || withSources { statement.bind(Int32(column + 2), id) }
        let width = withSources ? 5 : 4
        var rows: [Int64] = []
        while try statement.step() {
            for column in 0..<width { rows.append(statement.int64(Int32(column))) }
        }
        return rows
    }
}
