import CSQLite

// MARK: - The fact cache

/// A large binary predicate's distinct (subject, object) pairs, ordered by subject, packed in
/// one blob: a query that needs all of them reads the blob in one go (a few milliseconds for
/// 300,000 facts) instead of stepping through SQLite row by row (about 30 ms).
///
/// The blob is a cache, never the truth, kept right in the transaction of every write:
/// - a pair added to a predicate with a blob (a new fact whose pair no other source had) goes
///   to `fact_cache_added`, the pairs added since the blob was built, so that adding k facts
///   costs about k lookups whatever the predicate's size; when those reach an eighth of the blob,
///   both go, and the next bulk load builds the blob again;
/// - removing facts of a predicate deletes its blob and added pairs.
/// So a rolled-back write leaves both as they were, and a reader sees them and the facts from
/// the same snapshot. Bulk loads build blobs for large predicates that have none at their end.
/// Which predicates have a blob is read again at the start of each write transaction, so a
/// write by another process is seen.
extension Store {
    /// More rows than this in one write to a predicate with a blob: the blob is built again
    /// rather than each row's pair looked up.
    static let lookupLimit = 1 << 20

    /// Predicates with fewer rows (facts with their sources) are read row by row: their blob
    /// would save little. The count is of rows, not of distinct pairs: a few thousand pairs
    /// restated by hundreds of sources are hundreds of thousands of rows to step through.
    public static let factCacheMinimumRows = 10_000

    static let factCacheTable = "CREATE TABLE fact_cache(p INTEGER PRIMARY KEY, rows BLOB NOT NULL);"
    static let addedPairsTable = """
        CREATE TABLE IF NOT EXISTS fact_cache_added(p INTEGER NOT NULL, s INTEGER NOT NULL, o INTEGER NOT NULL,
                                                    PRIMARY KEY(p, s, o)) WITHOUT ROWID;
        """

    /// Calls `body` with the cached pairs of a predicate (little-endian 64-bit ids, subject,
    /// object, subject, ...): the blob, then (when there are any) the pairs added since, each
    /// buffer valid during its call; false when there is no blob. The evaluator reads relations
    /// this way; `facts` always reads the tables.
    public func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        guard hasFactCache else { return false }
        let statement = try connection.prepare("SELECT rows FROM fact_cache WHERE p = ?1")
        defer { statement.reset() }
        statement.bind(1, predicate)
        guard try statement.step() else { return false }
        try body(statement.blob(0))
        guard hasAddedPairs else { return true }
        let added = try connection.prepare("SELECT s, o FROM fact_cache_added WHERE p = ?1")
        defer { added.reset() }
        added.bind(1, predicate)
        var pairs: [Int64] = []
        while try added.step() {
            pairs.append(added.int64(0).littleEndian)
            pairs.append(added.int64(1).littleEndian)
        }
        if !pairs.isEmpty { try pairs.withUnsafeBytes { try body($0) } }
        return true
    }

    /// The pairs of `rows` that a predicate with a blob holds no fact of yet, by predicate:
    /// call before the rows are written, then `factsAdded` after. A predicate given more than
    /// `lookupLimit` rows is left out: its blob is built again instead (cheaper than so many
    /// lookups). Rows restating known pairs from another source (a new edition) add nothing.
    func pairsNotStored(_ rows: [QuadRow]) throws -> [Int64: Set<PackedPair>] {
        guard hasFactCache, hasAddedPairs, !cachedPredicates.isEmpty else { return [:] }
        var counts: [Int64: Int] = [:]
        for row in rows where cachedPredicates.contains(row.p) { counts[row.p, default: 0] += 1 }
        // A predicate left out was given too many rows: `factsAdded` drops its blob.
        var result: [Int64: Set<PackedPair>] = [:]
        for (predicate, count) in counts where count <= Store.lookupLimit { result[predicate] = [] }
        // The (p, o, s) order holds each stored fact once, in one table (`quads` is two parts).
        let lookup = try connection.prepare("SELECT 1 FROM quads_pos WHERE p = ?1 AND o = ?3 AND s = ?2")
        // Each distinct fact is looked up once: a text restating facts (from many sources)
        // names the same pairs again and again.
        var stored: [Int64: Set<PackedPair>] = [:]
        for row in rows where result[row.p] != nil {
            let pair = PackedPair(s: row.s, o: row.o)
            if result[row.p]!.contains(pair) || stored[row.p]?.contains(pair) == true { continue }
            lookup.bind(1, row.p)
            lookup.bind(2, row.s)
            lookup.bind(3, row.o)
            let found = try lookup.step()
            lookup.reset()
            if found { stored[row.p, default: []].insert(pair) } else { result[row.p]!.insert(pair) }
        }
        return result
    }

    /// Notes that binary facts of these predicates were added: for a predicate with a blob, the
    /// pairs it had no fact of (`pairsNotStored`, found before the write) join its added pairs;
    /// a predicate without one may get one at the end of a bulk load.
    func factsAdded(predicates: Set<Int64>, newPairs: [Int64: Set<PackedPair>]) throws {
        guard hasFactCache else { return }
        for predicate in predicates {
            guard cachedPredicates.contains(predicate), hasAddedPairs, let pairs = newPairs[predicate] else {
                try factsChanged(predicate: predicate)
                continue
            }
            guard !pairs.isEmpty else { continue }
            let insert = try connection.prepare("INSERT OR IGNORE INTO fact_cache_added(p, s, o) VALUES (?1, ?2, ?3)")
            for pair in pairs {
                insert.bind(1, predicate)
                insert.bind(2, pair.s)
                insert.bind(3, pair.o)
                try insert.run()
            }
            // Many added pairs: the blob is built again instead (by the next bulk load).
            let blobPairs = try count("SELECT length(rows) / 16 FROM fact_cache WHERE p = ?1", predicate: predicate)
            let addedPairs = try count("SELECT count(*) FROM fact_cache_added WHERE p = ?1", predicate: predicate)
            if addedPairs * 8 > blobPairs { try factsChanged(predicate: predicate) }
        }
    }

    /// Notes that a predicate's binary facts changed otherwise (removed): its blob and added
    /// pairs go.
    func factsChanged(predicate: Int64) throws {
        changedPredicates.insert(predicate)
        // Outside a transaction the set was not read again: delete whatever is there.
        guard cachedPredicates.contains(predicate) || !inTransaction, hasFactCache else { return }
        let statement = try connection.prepare("DELETE FROM fact_cache WHERE p = ?1")
        statement.bind(1, predicate)
        try statement.run()
        if hasAddedPairs {
            let added = try connection.prepare("DELETE FROM fact_cache_added WHERE p = ?1")
            added.bind(1, predicate)
            try added.run()
        }
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

    /// Builds the blobs of the large binary predicates whose facts changed in this transaction
    /// and have none. Bulk loads call this at their end, inside their transaction.
    public func refreshFactCaches() throws {
        guard hasFactCache, !isReadOnly else { return }
        let enoughRows = try connection.prepare("SELECT count(*) FROM (SELECT 1 FROM quads WHERE p = ?1 LIMIT \(Store.factCacheMinimumRows))")
        for predicate in changedPredicates.sorted() where !cachedPredicates.contains(predicate) {
            enoughRows.bind(1, predicate)
            guard try enoughRows.step(), enoughRows.int64(0) >= Store.factCacheMinimumRows else { enoughRows.reset(); continue }
            enoughRows.reset()
            let pairs = try facts(predicate: predicate, arity: 2)
            let statement = try connection.prepare("INSERT OR REPLACE INTO fact_cache(p, rows) VALUES (?1, ?2)")
            statement.bind(1, predicate)
            var packed = pairs
            for i in packed.indices { packed[i] = packed[i].littleEndian }
            packed.withUnsafeBytes { statement.bind(2, blob: $0) }
            try statement.run()
            cachedPredicates.insert(predicate)
        }
        changedPredicates = []
    }
}

/// A subject and object, for sets of pairs.
struct PackedPair: Hashable {
    let s: Int64
    let o: Int64
}

