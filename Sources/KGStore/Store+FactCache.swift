import CSQLite

// MARK: - The fact cache

/// A large binary predicate's distinct (subject, object) pairs, ordered by subject, packed in
/// one blob: a query that needs all of them reads the blob in one go (a few milliseconds for
/// 300,000 facts) instead of stepping through SQLite row by row (about 30 ms).
///
/// The blob is a cache, never the truth: every write to a predicate's binary facts deletes its
/// blob in the same transaction (so a rolled-back write leaves the blob as it was, and a reader
/// sees blob and facts from the same snapshot), and bulk loads build blobs again at their end.
/// Which predicates have a blob is read again at the start of each write transaction, so a
/// write by another process is seen.
extension Store {
    /// Predicates with fewer facts are read row by row: their blob would save little.
    public static let factCacheMinimumFacts = 10_000

    static let factCacheTable = "CREATE TABLE fact_cache(p INTEGER PRIMARY KEY, rows BLOB NOT NULL);"

    /// Calls `body` with the cached pairs of a predicate as the blob holds them (little-endian
    /// 64-bit ids, subject, object, subject, ...), valid during the call; false when there is no
    /// blob. The evaluator reads relations this way; `facts` always reads the tables.
    public func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        guard hasFactCache else { return false }
        let statement = try connection.prepare("SELECT rows FROM fact_cache WHERE p = ?1")
        defer { statement.reset() }
        statement.bind(1, predicate)
        guard try statement.step() else { return false }
        try body(statement.blob(0))
        return true
    }

    /// Notes that a predicate's binary facts changed: its blob goes.
    func factsChanged(predicate: Int64) throws {
        changedPredicates.insert(predicate)
        // Outside a transaction the set was not read again: delete whatever is there.
        guard cachedPredicates.contains(predicate) || !inTransaction, hasFactCache else { return }
        let statement = try connection.prepare("DELETE FROM fact_cache WHERE p = ?1")
        statement.bind(1, predicate)
        try statement.run()
        cachedPredicates.remove(predicate)
    }

    func readCachedPredicates() throws {
        guard hasFactCache else { return }
        let statement = try connection.prepare("SELECT p FROM fact_cache")
        defer { statement.reset() }
        var predicates = Set<Int64>()
        while try statement.step() { predicates.insert(statement.int64(0)) }
        cachedPredicates = predicates
        // Deleting a blob is what keeps it right; which predicates changed matters only for
        // building blobs, which starts afresh with each transaction.
        changedPredicates = []
    }

    /// Builds the blobs of the large binary predicates whose facts changed in this transaction.
    /// Bulk loads call this at their end, inside their transaction.
    public func refreshFactCaches() throws {
        guard hasFactCache, !isReadOnly else { return }
        for predicate in changedPredicates.sorted() {
            let pairs = try facts(predicate: predicate, arity: 2)
            guard pairs.count / 2 >= Store.factCacheMinimumFacts else { continue }
            let statement = try connection.prepare("INSERT OR REPLACE INTO fact_cache(p, rows) VALUES (?1, ?2)")
            statement.bind(1, predicate)
            pairs.map(\.littleEndian).withUnsafeBytes { statement.bind(2, blob: $0) }
            try statement.run()
            cachedPredicates.insert(predicate)
        }
        changedPredicates = []
    }
}
