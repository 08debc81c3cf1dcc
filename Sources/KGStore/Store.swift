import CSQLite
import Foundation
import KGSyntax

/// One knowledge base in one SQLite file: the term dictionary, facts with their sources, rules.
///
/// Layout of the file (schema version 9):
/// - `terms(id, kind, lexical)`: every constant that is not inline once; facts hold term ids, so
///   joins compare integers. `kind` is `Value.Kind.rawValue`, `lexical` its text (`TermCode.dictionaryKey`).
///   Integers, dates and small decimals are not here: their ids hold them (`TermCode`), and every
///   method that speaks of terms by kind and text returns and accepts those ids too. (Schema 3
///   and older kept every number in this table; such a file is moved to the inline ids the
///   first time it is opened for writing, and a copy in memory is moved when it is only read.)
/// - `quads(s, p, o, g)`: binary facts as (subject, predicate, object, source), the quad store.
///   `g` is the source's term id, or 0 for a fact stated without a source. A view of two tables
///   of the same layout, `quads_main` and `quads_recent` (the rows of recent small writes), each
///   keyed (p, s, o, g) with an index on (g) for facts with a source (see
///   `Store+RecentQuads.swift`); reads use the view, writes choose a table.
/// - `fact_cache(p, rows)`: for a large binary predicate, its distinct (subject, object) pairs
///   packed in one blob, which a query reads in one go instead of row by row (see
///   `Store+FactCache.swift`). Every write to a predicate's facts deletes its blob.
/// - `quads_pos(p, o, s)` and `quads_osp(o, s, p)`: the distinct (subject, predicate, object)
///   facts of `quads` in the two other orders, without sources, as tables of their own (not
///   indexes) so that a bulk load can write each from rows it sorted itself, which is several
///   times faster than SQLite sorting them for `CREATE INDEX`. A source restating known facts
///   (a new edition of a reference work) adds rows to `quads` only; a fact's pair leaves these
///   two when its last source does. (Schema 4 and older kept every source's row in them too,
///   and schema 1 kept them as indexes; such a file gets these tables built again when it is
///   opened for writing, and a copy in memory gets them when it is only read.)
/// - `tuples(p, args, g)`: facts of every other arity (0, 1, 3, ...), `args` packing the argument
///   term ids as little-endian 64-bit integers.
/// - `predicates(id, arity)`: the one arity of every predicate that has facts or rules.
/// - `rules(id, text)`: each rule as its source text, parsed again when the file is opened.
/// - `declarations(text)`, `fact_periods`, `tuple_periods`: see `Store+Periods.swift`.
/// - `changes`, `retracted_facts`, `retracted_texts`, and `added_in` on every row: the history
///   of every change (record time), see `Store+History.swift`.
/// - `term_words` (FTS5) and `term_words_indexed`: the words of every string and name, for
///   `text-match`, see `Store+TextIndex.swift`.
public final class Store {
    /// The schema version this build writes; files with a larger `user_version` are refused.
    public static let schemaVersion: Int32 = 9
    /// `PRAGMA application_id` of a kglog file: "kglg".
    public static let applicationID: Int32 = 0x6B67_6C67
    /// The source id of facts stated without a source.
    public static let noSource: Int64 = TermCode.noTerm

    public let path: String
    private(set) var connection: SQLiteConnection
    private var transactionDepth = 0
    /// What the next write transaction is, as its change will say in the history: the file, the
    /// import or the statements. Set by the writer before it begins.
    public var changeDescription = "statements"
    /// Who the next change is by, as the history will say: the operating-system user, unless
    /// the writer knows better (a server names its client).
    public var changeAuthor = ChangeStamp.userName
    /// The change the open write transaction records, and the depth of the transaction (or
    /// savepoint) that made it: undone with it.
    var currentChange: (id: Int64, depth: Int)?
    var transactionDepthNow: Int { transactionDepth }
    /// The main part of `quads`'s row count, as read (or kept up to date) in the open write
    /// transaction; and whether the transaction added rows to the recent part.
    var mainQuadRowsNow: Int?
    var recentQuadsGrew = false
    /// The recent part of `quads` is folded only when it holds more rows than this.
    var minimumFoldRows = 20_000

    /// Opens (or creates) the knowledge base at `path`; `":memory:"` makes a private in-memory one.
    /// With `readOnly`, or when this process may not write the file, queries work and changes
    /// are refused, and the file is left exactly as it is (no schema upgrade, no journal mode
    /// change); a missing file is then an error instead of a new knowledge base.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        if path != ":memory:" {
            let folder = (path as NSString).deletingLastPathComponent
            if FileManager.default.fileExists(atPath: path) {
                isReadOnly = readOnly || access(path, W_OK) != 0
            } else if readOnly {
                throw StoreError.cannotOpen(path: path, reason: "no such file")
            } else if access(folder.isEmpty ? "." : folder, W_OK) != 0 {
                throw StoreError.cannotOpen(path: path, reason: FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder)
                                            ? "the folder is not writable, so the file cannot be created" : "no such folder")
            }
        }
        connection = try SQLiteConnection(path: path, readOnly: isReadOnly)
        try checkOrCreateSchema()
    }

    /// Opened from a file this process may not write: queries work, changes are refused.
    public private(set) var isReadOnly = false
    /// Whether the file has its text index (schema 8), which each write then keeps up to date.
    var hasTextIndex = false

    public func close() {
        connection.close()
    }

    // MARK: - Schema

    private func checkOrCreateSchema() throws {
        let applicationID: Int64
        let version: Int64
        let objects: Int64
        do {
            applicationID = try connection.scalar("PRAGMA application_id") ?? 0
            version = try connection.scalar("PRAGMA user_version") ?? 0
            objects = try connection.scalar("SELECT count(*) FROM sqlite_master") ?? 0
        } catch StoreError.sqlite(let code, _) where code & 0xFF == SQLITE_NOTADB {
            throw StoreError.notAKnowledgeBase(path: path)
        }
        if objects == 0 && applicationID == 0 {
            try createSchema()
            return
        }
        guard applicationID == Int64(Store.applicationID) else { throw StoreError.notAKnowledgeBase(path: path) }
        guard version <= Int64(Store.schemaVersion) else {
            throw StoreError.newerSchema(path: path, found: Int32(truncatingIfNeeded: version), supported: Store.schemaVersion)
        }
        if version < Int64(Store.schemaVersion) && isReadOnly {
            try copyIntoMemory()
        } else if path != ":memory:" && !isReadOnly {
            try connection.execute("PRAGMA journal_mode=WAL")
        }
        if version < 2 { try upgradeFromSchema1() }
        if version < 3 {
            try transaction {
                try connection.execute("\(Store.factCacheTable) PRAGMA user_version = 3;")
            }
        }
        hasFactCache = try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'fact_cache'") == 1
        if !isReadOnly && hasFactCache { try connection.execute(Store.addedPairsTable) }
        hasAddedPairs = try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'fact_cache_added'") == 1
        if version < 4 { try moveNumbersInline() }
        if version < 5 { try buildPairOrders() }
        // Schema 6 keeps declarations and the periods of facts: a kglog before it would read
        // facts with periods as holding at all times, so it must not open such a file.
        if version < 6 {
            try transaction {
                try connection.execute("\(Store.declarationsTable) \(Store.periodTables) PRAGMA user_version = 6;")
            }
        }
        // Schema 7 records every change (see `Store+History.swift`).
        if version < 7 { try addHistory(what: "everything stored before the file kept history") }
        if version < 8 { try addTextIndex() }
        hasTextIndex = true
        if version < 9 { try splitQuadsInTwo() }
        if isReadOnly && version < Int64(Store.schemaVersion) { try connection.execute("PRAGMA query_only = ON") }
    }

    /// Replaces the connection to a file of an older schema opened read-only by a private copy in
    /// memory, which the upgrades then change, so the file is left exactly as it is.
    private func copyIntoMemory() throws {
        let memory = try SQLiteConnection(path: ":memory:", reportedPath: path)
        try connection.copy(into: memory)
        connection.close()
        connection = memory
    }

    /// Schema 4 keeps integers, dates and small decimals in their ids: each such term of the
    /// dictionary is replaced by its inline id in every fact and source, then removed, in one
    /// transaction. The packed copies of predicates are dropped and built again.
    private func moveNumbersInline() throws {
        try transaction {
            var moved: [(old: Int64, new: Int64)] = []
            let numbers = try connection.prepare("SELECT id, kind, lexical FROM terms WHERE kind IN (\(Store.inlineKinds))")
            while try numbers.step() {
                if let new = TermCode.inlineID(kind: Int(numbers.int64(1)), text: Array(numbers.string(2).utf8)) {
                    moved.append((numbers.int64(0), new))
                }
            }
            numbers.reset()
            if !moved.isEmpty {
                try connection.execute("CREATE TEMP TABLE moved_terms(old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
                defer { try? connection.execute("DROP TABLE temp.moved_terms") }
                let insert = try connection.prepare("INSERT INTO moved_terms(old, new) VALUES (?1, ?2)")
                for (old, new) in moved {
                    insert.bind(1, old)
                    insert.bind(2, new)
                    try insert.run()
                }
                // The new ids are negative, so no row can meet a row it becomes: no key clashes.
                // (The other two orders of `quads` are built again from it next, for schema 5.)
                for table in ["quads", "tuples"] {
                    for column in table == "tuples" ? ["g"] : ["s", "o", "g"] {
                        try connection.execute("""
                            UPDATE \(table) SET \(column) = (SELECT new FROM moved_terms WHERE old = \(column))
                            WHERE \(column) IN (SELECT old FROM moved_terms)
                            """)
                    }
                }
                try moveInlineArguments(Dictionary(uniqueKeysWithValues: moved))
                try connection.execute("DELETE FROM terms WHERE id IN (SELECT old FROM moved_terms)")
                // The packed copies hold the old ids: each is built again (in memory, dropped).
                changedPredicates = cachedPredicates
                try connection.execute("DELETE FROM fact_cache")
                if hasAddedPairs { try connection.execute("DELETE FROM fact_cache_added") }
                cachedPredicates = []
                try refreshFactCaches()
            }
            try connection.execute("PRAGMA user_version = 4")
        }
    }

    /// The kinds whose terms may be inline, as SQL.
    private static let inlineKinds = [Value.Kind.integer, .decimal, .date].map { String($0.rawValue) }.joined(separator: ", ")

    /// Rewrites the packed arguments of facts of other arities that hold a moved term.
    private func moveInlineArguments(_ moved: [Int64: Int64]) throws {
        var changed: [(p: Int64, old: [UInt8], new: [UInt8], g: Int64)] = []
        let rows = try connection.prepare("SELECT p, args, g FROM tuples")
        while try rows.step() {
            let blob = rows.blob(1)
            var arguments = (0..<(blob.count / 8)).map { Int64(littleEndian: blob.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            guard arguments.contains(where: { moved[$0] != nil }) else { continue }
            let old = Array(blob.bindMemory(to: UInt8.self))
            arguments = arguments.map { moved[$0] ?? $0 }
            let new = Store.withPacked(arguments) { Array($0.bindMemory(to: UInt8.self)) }
            changed.append((rows.int64(0), old, new, rows.int64(2)))
        }
        rows.reset()
        let update = try connection.prepare("UPDATE tuples SET args = ?3 WHERE p = ?1 AND args = ?2 AND g = ?4")
        for row in changed {
            update.bind(1, row.p)
            row.old.withUnsafeBytes { update.bind(2, blob: $0) }
            row.new.withUnsafeBytes { update.bind(3, blob: $0) }
            update.bind(4, row.g)
            try update.run()
        }
    }

    /// Whether the file has the fact cache table, and the table of pairs added since.
    private(set) var hasFactCache = false
    private(set) var hasAddedPairs = false
    /// The predicates with a cached blob, as read when the current write transaction began.
    var cachedPredicates = Set<Int64>()
    /// The binary predicates whose facts changed since `refreshFactCaches` last ran.
    var changedPredicates = Set<Int64>()
    var inTransaction: Bool { transactionDepth > 0 }

    /// Schema 1 kept the (p, o, s) and (o, s, p) orders as indexes of `quads`; they go (and are
    /// built as tables by `buildPairOrders`).
    private func upgradeFromSchema1() throws {
        try transaction {
            try connection.execute("""
                DROP INDEX IF EXISTS quads_pos;
                DROP INDEX IF EXISTS quads_osp;
                PRAGMA user_version = 2;
                """)
        }
    }

    /// Schema 5 keeps the distinct facts of `quads`, without sources, in the other two orders:
    /// the tables are built again from `quads`, in one transaction.
    private func buildPairOrders() throws {
        try transaction {
            try connection.execute("""
                DROP TABLE IF EXISTS quads_pos;
                DROP TABLE IF EXISTS quads_osp;
                \(Store.quadOrderTables)
                INSERT INTO quads_pos SELECT DISTINCT p, o, s FROM quads ORDER BY p, o, s;
                INSERT INTO quads_osp SELECT DISTINCT o, s, p FROM quads ORDER BY o, s, p;
                PRAGMA user_version = 5;
                """)
        }
    }

    /// The tables that hold the distinct binary facts in (p, o, s) and (o, s, p) order.
    static let quadOrderTables = """
        CREATE TABLE quads_pos(p INTEGER NOT NULL, o INTEGER NOT NULL, s INTEGER NOT NULL,
                               PRIMARY KEY(p, o, s)) WITHOUT ROWID;
        CREATE TABLE quads_osp(o INTEGER NOT NULL, s INTEGER NOT NULL, p INTEGER NOT NULL,
                               PRIMARY KEY(o, s, p)) WITHOUT ROWID;
        """

    private func createSchema() throws {
        if path != ":memory:" { try connection.execute("PRAGMA journal_mode=WAL") }
        try transaction {
            try connection.execute("""
                PRAGMA application_id = \(Store.applicationID);
                PRAGMA user_version = 6;
                CREATE TABLE terms(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, lexical TEXT NOT NULL, UNIQUE(kind, lexical));
                CREATE TABLE predicates(id INTEGER PRIMARY KEY, arity INTEGER NOT NULL);
                CREATE TABLE quads(s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL, g INTEGER NOT NULL,
                                   PRIMARY KEY(p, s, o, g)) WITHOUT ROWID;
                \(Store.quadOrderTables)
                CREATE INDEX quads_g ON quads(g) WHERE g != 0;
                CREATE TABLE tuples(p INTEGER NOT NULL, args BLOB NOT NULL, g INTEGER NOT NULL,
                                    PRIMARY KEY(p, args, g)) WITHOUT ROWID;
                CREATE INDEX tuples_g ON tuples(g) WHERE g != 0;
                CREATE TABLE rules(id INTEGER PRIMARY KEY, text TEXT NOT NULL);
                CREATE TABLE prefixes(name TEXT PRIMARY KEY, iri TEXT NOT NULL);
                \(Store.declarationsTable)
                \(Store.periodTables)
                \(Store.factCacheTable)
                \(Store.addedPairsTable)
                """)
        }
        try addHistory(what: "the knowledge base was created")
        try addTextIndex()
        try splitQuadsInTwo()
        hasFactCache = true
        hasAddedPairs = true
    }

    /// SQLite's `PRAGMA integrity_check`: "ok", or the problems it found.
    public func integrityCheck() throws -> String {
        let statement = try connection.prepare("PRAGMA integrity_check")
        defer { statement.reset() }
        var lines: [String] = []
        while try statement.step() { lines.append(statement.string(0)) }
        return lines.joined(separator: "\n")
    }

    // MARK: - Transactions

    /// Runs `body` in one transaction: all of it is applied, or (when it throws) none of it.
    /// Nested calls become savepoints, so an inner failure can be undone on its own.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let depth = transactionDepth
        // A read-only store begins a deferred transaction: it only reads (and a copy in memory
        // of an older file refuses IMMEDIATE, being `query_only`).
        try connection.execute(depth > 0 ? "SAVEPOINT s\(depth)" : isReadOnly ? "BEGIN" : "BEGIN IMMEDIATE")
        if depth == 0 { (currentChange, mainQuadRowsNow, recentQuadsGrew) = (nil, nil, false) }
        transactionDepth += 1
        // Another process may have cached facts since: read which, now that this one writes.
        if depth == 0 {
            do { try readCachedPredicates() } catch { transactionDepth -= 1; try? connection.execute("ROLLBACK"); throw error }
        }
        do {
            let result = try body()
            if depth == 0 && !isReadOnly {
                try foldRecentQuadsIfLarge()
                try indexNewTerms()
            }
            transactionDepth -= 1
            try connection.execute(depth == 0 ? "COMMIT" : "RELEASE s\(depth)")
            return result
        } catch {
            transactionDepth -= 1
            // Rolled back with the savepoint that made it, the change is no more.
            if let change = currentChange, change.depth > depth { currentChange = nil }
            mainQuadRowsNow = nil
            if depth == 0 {
                try? connection.execute("ROLLBACK")
            } else {
                try? connection.execute("ROLLBACK TO s\(depth); RELEASE s\(depth)")
            }
            throw error
        }
    }

    // MARK: - Terms

    /// The id of a term, or nil when the dictionary does not hold it. An inline term (a number,
    /// a date) has its id whether or not any fact holds it.
    public func termID(kind: Int, lexical: String) throws -> Int64? {
        if let inline = TermCode.inlineID(kind: kind, text: lexical.utf8) { return inline }
        let statement = try connection.prepare("SELECT id FROM terms WHERE kind = ?1 AND lexical = ?2")
        defer { statement.reset() }
        statement.bind(1, Int64(kind))
        statement.bind(2, lexical)
        return try statement.step() ? statement.int64(0) : nil
    }

    /// The id of a term, adding it to the dictionary when it is new (and not inline).
    public func internTerm(kind: Int, lexical: String) throws -> Int64 {
        if let id = try termID(kind: kind, lexical: lexical) { return id }
        let statement = try connection.prepare("INSERT INTO terms(kind, lexical) VALUES (?1, ?2)")
        statement.bind(1, Int64(kind))
        statement.bind(2, lexical)
        try statement.run()
        return connection.lastInsertRowID
    }

    /// The texts of the dictionary's terms of one kind that start with `prefix`, in order, at
    /// most `limit` of them (the index on terms finds them without reading the others).
    public func termTexts(kind: Int, startingWith prefix: String, limit: Int) throws -> [String] {
        let statement = try connection.prepare("SELECT lexical FROM terms WHERE kind = ?1 AND lexical >= ?2 AND lexical < ?3 ORDER BY lexical LIMIT ?4")
        defer { statement.reset() }
        statement.bind(1, Int64(kind))
        statement.bind(2, prefix)
        statement.bind(3, prefix + "\u{10FFFF}")
        statement.bind(4, Int64(limit))
        var texts: [String] = []
        while try statement.step() { texts.append(statement.string(0)) }
        return texts
    }

    /// The id of a value, or nil when it is neither inline nor in the dictionary.
    public func termID(for value: Value) throws -> Int64? {
        if let inline = TermCode.inlineID(value) { return inline }
        let (kind, text) = TermCode.dictionaryKey(of: value)
        return try termID(kind: kind, lexical: text)
    }

    /// The id of a value, adding it to the dictionary when it is new (and not inline).
    public func intern(_ value: Value) throws -> Int64 {
        if let inline = TermCode.inlineID(value) { return inline }
        let (kind, text) = TermCode.dictionaryKey(of: value)
        return try internTerm(kind: kind, lexical: text)
    }

    /// The value of a term id (inline or in the dictionary).
    public func value(of id: Int64) throws -> Value {
        if let inline = TermCode.inlineValue(id) { return inline }
        guard let (kind, text) = try term(id: id), let value = TermCode.value(kind: kind, text: text) else {
            throw StoreError.danglingTerm(id: id)
        }
        return value
    }

    // MARK: - Bulk loading

    /// Runs a large load: a bigger page cache while it runs, and — when the fact tables are empty
    /// — the indexes by source dropped and built again once at the end, which is much faster than
    /// keeping them up to date row by row. Call inside a transaction: a failure undoes it all.
    /// With `when` false it only runs `body`.
    /// The page cache of a bulk load: it holds the pages that batch after batch of sorted rows
    /// land in, so that none is written out and read back while the load runs.
    static let bulkCacheKiB = 32 << 10
    /// How much of the file a bulk load reads through a memory map.
    static let bulkMapBytes = 1 << 30

    public func bulkLoad<T>(when: Bool = true, _ body: () throws -> T) throws -> T {
        guard when else { return try body() }
        // Pages read while it runs (a new row's place, whether it is there) are read through a
        // memory map rather than a system call each: a load into a large file reads thousands.
        try connection.execute("PRAGMA cache_size = -\(Store.bulkCacheKiB); PRAGMA mmap_size = \(Store.bulkMapBytes)")
        defer { try? connection.execute("PRAGMA cache_size = -8192; PRAGMA mmap_size = 0") }
        let empty = try connection.scalar("SELECT NOT EXISTS (SELECT 1 FROM quads) AND NOT EXISTS (SELECT 1 FROM tuples)") == 1
        if empty {
            try connection.execute("DROP INDEX quads_g; DROP INDEX tuples_g")  // quads_g is on quads_main
        }
        let result = try body()
        if empty {
            try connection.execute("""
                CREATE INDEX quads_g ON quads_main(g) WHERE g != 0;
                CREATE INDEX tuples_g ON tuples(g) WHERE g != 0;
                """)
        }
        return result
    }

    /// Runs a large load into a file with no facts yet under a rollback journal instead of the
    /// write-ahead log: the new pages are then written once, into the file, rather than into the
    /// log and copied again. The load stays atomic (the journal holds the few pages it changes),
    /// and the file returns to WAL mode afterwards. With other connections open, or facts already
    /// there, it runs as it is.
    /// With `when` false it only runs `body`.
    public func withDirectWrites<T>(when: Bool = true, _ body: () throws -> T) throws -> T {
        guard when, path != ":memory:", !isReadOnly, transactionDepth == 0,
              try connection.scalar("SELECT NOT EXISTS (SELECT 1 FROM quads) AND NOT EXISTS (SELECT 1 FROM tuples)") == 1 else {
            return try body()
        }
        let statement = try connection.prepare("PRAGMA journal_mode=DELETE")
        let switched = try statement.step() && statement.string(0) == "delete"
        statement.reset()
        defer {
            if switched { try? connection.execute("PRAGMA journal_mode=WAL") }
        }
        return try body()
    }

    /// The kind and lexical form of a term id (inline or in the dictionary).
    public func term(id: Int64) throws -> (kind: Int, lexical: String)? {
        if let inline = TermCode.inlineKey(id) { return (inline.kind, inline.text) }
        let statement = try connection.prepare("SELECT kind, lexical FROM terms WHERE id = ?1")
        defer { statement.reset() }
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        return (Int(statement.int64(0)), statement.string(1))
    }

    /// The kind and lexical form of each of `ids` (sorted, distinct), handed to `body` in id
    /// order; an id with no term is skipped. Many dictionary ids close together are read in one
    /// range scan instead of a lookup each.
    public func forEachTerm(ids: [Int64], _ body: (Int64, Int, String) throws -> Void) throws {
        let firstStored = ids.firstIndex(where: TermCode.isDictionary) ?? ids.count
        for id in ids[..<firstStored] {
            if let (kind, text) = TermCode.inlineKey(id) { try body(id, kind, text) }
        }
        let ids = ids[firstStored...]
        guard let first = ids.first, let last = ids.last else { return }
        if ids.count < 64 || Int64(ids.count) * 8 < last - first {
            for id in ids {
                if let (kind, lexical) = try term(id: id) { try body(id, kind, lexical) }
            }
            return
        }
        let statement = try connection.prepare("SELECT id, kind, lexical FROM terms WHERE id BETWEEN ?1 AND ?2 ORDER BY id")
        defer { statement.reset() }
        statement.bind(1, first)
        statement.bind(2, last)
        var next = ids.startIndex
        while next < ids.endIndex, try statement.step() {
            let id = statement.int64(0)
            while next < ids.endIndex && ids[next] < id { next += 1 }
            guard next < ids.endIndex, ids[next] == id else { continue }
            try body(id, Int(statement.int64(1)), statement.string(2))
            next += 1
        }
    }

    // MARK: - Predicates

    /// Every predicate with facts or rules, by term id, with its arity.
    public func predicateArities() throws -> [Int64: Int] {
        let statement = try connection.prepare("SELECT id, arity FROM predicates")
        defer { statement.reset() }
        var result: [Int64: Int] = [:]
        while try statement.step() { result[statement.int64(0)] = Int(statement.int64(1)) }
        return result
    }

    /// Records the arity of a predicate (the caller has checked it agrees with any earlier one).
    public func recordPredicate(_ predicate: Int64, arity: Int) throws {
        let statement = try connection.prepare("INSERT OR IGNORE INTO predicates(id, arity) VALUES (?1, ?2)")
        statement.bind(1, predicate)
        statement.bind(2, Int64(arity))
        try statement.run()
    }

    // MARK: - Facts

    /// Stores a fact; false when the same fact from the same source was already there.
    @discardableResult
    public func insertFact(predicate: Int64, arguments: [Int64], source: Int64 = Store.noSource) throws -> Bool {
        if arguments.count == 2 {
            return try insertQuad(subject: arguments[0], predicate: predicate, object: arguments[1], source: source)
        }
        let statement = try connection.prepare("INSERT OR IGNORE INTO tuples(p, args, g, added_in) VALUES (?1, ?2, ?3, ?4)")
        statement.bind(1, predicate)
        Store.withPacked(arguments) { statement.bind(2, blob: $0) }
        statement.bind(3, source)
        statement.bind(4, try changeID())
        try statement.run()
        return connection.changes > 0
    }

    /// Stores a binary fact (a quad) in `quads`, and its pair in the other two orders when no
    /// source had it; false when it was already there from the same source.
    @discardableResult
    public func insertQuad(subject: Int64, predicate: Int64, object: Int64, source: Int64) throws -> Bool {
        let newPairs = try pairsNotStored([QuadRow(s: subject, p: predicate, o: object, g: source)])
        let part = try quadPart(forBatchOf: 1)
        let quad = try connection.prepare(Store.quadInsertSQL(into: part, rows: 1))
        for (index, id) in [predicate, subject, object, source, try changeID()].enumerated() { quad.bind(Int32(index + 1), id) }
        try quad.run()
        guard connection.changes > 0 else { return false }
        try quadRowsAdded(1, to: part)
        for sql in Store.pairInserts {
            let statement = try connection.prepare(sql)
            statement.bind(1, subject)
            statement.bind(2, predicate)
            statement.bind(3, object)
            try statement.run()
        }
        try factsAdded(predicates: [predicate], newPairs: newPairs)
        return true
    }

    /// Inserts of one fact's pair into the other two orders; ?1...?3 are s, p, o.
    static let pairInserts = [
        "INSERT OR IGNORE INTO quads_pos(p, o, s) VALUES (?2, ?3, ?1)",
        "INSERT OR IGNORE INTO quads_osp(o, s, p) VALUES (?3, ?1, ?2)",
    ]

    /// Removes the pairs of the other two orders that no row of `quads` holds any more; ?1...?3
    /// are p, s, o.
    static let pairDeletes = [
        "DELETE FROM quads_pos WHERE p = ?1 AND o = ?3 AND s = ?2 AND NOT EXISTS (SELECT 1 FROM quads WHERE p = ?1 AND s = ?2 AND o = ?3)",
        "DELETE FROM quads_osp WHERE o = ?3 AND s = ?2 AND p = ?1 AND NOT EXISTS (SELECT 1 FROM quads WHERE p = ?1 AND s = ?2 AND o = ?3)",
    ]

    /// Removes a stored fact from one source, or from every source when `source` is nil.
    /// Returns how many rows (fact-source pairs) were removed.
    @discardableResult
    public func deleteFact(predicate: Int64, arguments: [Int64], source: Int64?) throws -> Int {
        _ = try changeID()
        if arguments.count == 2 {
            var removed = 0
            for part in [QuadPart.main, .recent] {
                let statement = try connection.prepare("DELETE FROM \(part.rawValue) WHERE p = ?1 AND s = ?2 AND o = ?3" + (source == nil ? "" : " AND g = ?4"))
                statement.bind(1, predicate)
                statement.bind(2, arguments[0])
                statement.bind(3, arguments[1])
                if let source { statement.bind(4, source) }
                try statement.run()
                removed += connection.changes
            }
            guard removed > 0 else { return 0 }
            try deletePeriods(predicate: predicate, arguments: arguments, source: source)
            try deletePairsNoSourceHolds([(arguments[0], predicate, arguments[1])])
            try factsChanged(predicate: predicate)
            return removed
        }
        let statement = try connection.prepare(source == nil
            ? "DELETE FROM tuples WHERE p = ?1 AND args = ?2"
            : "DELETE FROM tuples WHERE p = ?1 AND args = ?2 AND g = ?3")
        statement.bind(1, predicate)
        Store.withPacked(arguments) { statement.bind(2, blob: $0) }
        if let source { statement.bind(3, source) }
        try statement.run()
        let removed = connection.changes
        if removed > 0 { try deletePeriods(predicate: predicate, arguments: arguments, source: source) }
        return removed
    }

    /// Removes every fact row a source asserted (the same facts from other sources stay).
    @discardableResult
    public func deleteFacts(source: Int64) throws -> Int {
        _ = try changeID()
        // The source's facts, found through the partial index on sources ('g != 0' lets SQLite
        // use it), go from `quads`; then the pairs no other source holds leave the other orders.
        let rows = try connection.prepare("SELECT s, p, o FROM quads WHERE g = ?1 AND g != 0")
        rows.bind(1, source)
        var quads: [(s: Int64, p: Int64, o: Int64)] = []
        do {
            defer { rows.reset() }
            while try rows.step() { quads.append((rows.int64(0), rows.int64(1), rows.int64(2))) }
        }
        var removed = 0
        for table in [QuadPart.main.rawValue, QuadPart.recent.rawValue, "tuples"] {
            let sql = "DELETE FROM \(table) WHERE g = ?1 AND g != 0"
            let statement = try connection.prepare(sql)
            statement.bind(1, source)
            try statement.run()
            removed += connection.changes
        }
        try deletePairsNoSourceHolds(quads)
        try deletePeriods(source: source)
        for predicate in Set(quads.map(\.p)) { try factsChanged(predicate: predicate) }
        return removed
    }

    /// Removes from the other two orders each of `facts` that no row of `quads` holds any more.
    private func deletePairsNoSourceHolds(_ facts: [(s: Int64, p: Int64, o: Int64)]) throws {
        for sql in Store.pairDeletes {
            let statement = try connection.prepare(sql)
            for fact in facts {
                statement.bind(1, fact.p)
                statement.bind(2, fact.s)
                statement.bind(3, fact.o)
                try statement.run()
            }
        }
    }

    /// The sources a stored fact was asserted by (`Store.noSource` for a statement without one).
    public func sources(ofFact predicate: Int64, arguments: [Int64]) throws -> [Int64] {
        let statement: SQLiteStatement
        if arguments.count == 2 {
            statement = try connection.prepare("SELECT g FROM quads WHERE p = ?1 AND s = ?2 AND o = ?3 ORDER BY g")
            statement.bind(2, arguments[0])
            statement.bind(3, arguments[1])
        } else {
            statement = try connection.prepare("SELECT g FROM tuples WHERE p = ?1 AND args = ?2 ORDER BY g")
            Store.withPacked(arguments) { statement.bind(2, blob: $0) }
        }
        defer { statement.reset() }
        statement.bind(1, predicate)
        var result: [Int64] = []
        while try statement.step() { result.append(statement.int64(0)) }
        return result
    }

    /// Calls `body` with every stored fact row of a predicate and its source, ordered by
    /// arguments then source, reading them one at a time (memory stays flat). `body` may read
    /// the store but must not change it.
    public func forEachFactRow(predicate: Int64, arity: Int, _ body: ([Int64], Int64) throws -> Void) throws {
        if arity == 2 {
            let statement = try connection.prepare("SELECT s, o, g FROM quads WHERE p = ?1 ORDER BY s, o, g")
            defer { statement.reset() }
            statement.bind(1, predicate)
            while try statement.step() { try body([statement.int64(0), statement.int64(1)], statement.int64(2)) }
            return
        }
        let statement = try connection.prepare("SELECT args, g FROM tuples WHERE p = ?1 ORDER BY args, g")
        defer { statement.reset() }
        statement.bind(1, predicate)
        while try statement.step() {
            let blob = statement.blob(0)
            let arguments = (0..<(blob.count / 8)).map { Int64(littleEndian: blob.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            try body(arguments, statement.int64(1))
        }
    }

    /// Every binary fact, ordered by source (with `bySource`, else each fact once with source
    /// 0), subject, predicate and object: an export that groups facts by subject reads them
    /// in this order instead of holding them (SQLite sorts them, in temporary files when large).
    public func forEachBinaryFact(bySource: Bool, _ body: (_ source: Int64, _ subject: Int64, _ predicate: Int64, _ object: Int64) throws -> Void) throws {
        let statement = try connection.prepare(bySource ? "SELECT g, s, p, o FROM quads ORDER BY g, s, p, o"
                                                        : "SELECT DISTINCT 0, s, p, o FROM quads ORDER BY s, p, o")
        defer { statement.reset() }
        while try statement.step() { try body(statement.int64(0), statement.int64(1), statement.int64(2), statement.int64(3)) }
    }

    /// Every source with the number of fact rows it asserted, most first.
    public func sourceCounts() throws -> [(source: Int64, facts: Int)] {
        let statement = try connection.prepare("""
            SELECT g, count(*) AS n FROM (SELECT g FROM quads WHERE g != 0 UNION ALL SELECT g FROM tuples WHERE g != 0)
            GROUP BY g ORDER BY n DESC, g
            """)
        defer { statement.reset() }
        var result: [(Int64, Int)] = []
        while try statement.step() { result.append((statement.int64(0), Int(statement.int64(1)))) }
        return result
    }

    /// Calls `row` with the arguments of every stored fact of a predicate, once per source, the
    /// rows of one fact one after the other. With `withSources`, facts without a source are
    /// skipped and the source id is appended to the arguments as one more column.
    public func scanFacts(predicate: Int64, arity: Int, withSources: Bool = false,
                          _ row: (UnsafeBufferPointer<Int64>) throws -> Void) throws {
        var buffer = [Int64](repeating: 0, count: arity + 1)
        let width = withSources ? arity + 1 : arity
        let sql = Store.scanSQL(arity: arity, withSources: withSources)
        if arity == 2 {
            let statement = try connection.prepare(sql)
            defer { statement.reset() }
            statement.bind(1, predicate)
            while try statement.step() {
                buffer[0] = statement.int64(0)
                buffer[1] = statement.int64(1)
                if withSources { buffer[2] = statement.int64(2) }
                try buffer.withUnsafeBufferPointer { try row(UnsafeBufferPointer(rebasing: $0[0..<width])) }
            }
        } else {
            let statement = try connection.prepare(sql)
            defer { statement.reset() }
            statement.bind(1, predicate)
            while try statement.step() {
                let blob = statement.blob(0)
                guard blob.count == arity * 8 else { throw StoreError.sqlite(code: SQLITE_CORRUPT, message: "a fact of arity \(arity) has \(blob.count / 8) arguments") }
                for i in 0..<arity { buffer[i] = Int64(littleEndian: blob.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
                if withSources { buffer[arity] = statement.int64(1) }
                try buffer.withUnsafeBufferPointer { try row(UnsafeBufferPointer(rebasing: $0[0..<width])) }
            }
        }
    }

    /// The arguments of every stored fact of a predicate, each fact once, packed row after row
    /// (`arity` ids a row; with `withSources`, one more: the source, as in `scanFacts`).
    /// `bound` keeps only facts with these ids at these columns (with sources, column `arity` is
    /// the source); for binary facts the store's indexes find them without reading the others.
    public func facts(predicate: Int64, arity: Int, withSources: Bool = false, bound: [Int: Int64] = [:]) throws -> [Int64] {
        var rows: [Int64] = []
        if arity == 2 {
            let statement = try connection.prepare(Store.scanSQL(arity: arity, withSources: withSources, boundColumns: Set(bound.keys)))
            defer { statement.reset() }
            statement.bind(1, predicate)
            if let subject = bound[0] { statement.bind(2, subject) }
            if let object = bound[1] { statement.bind(3, object) }
            if withSources, let source = bound[2] { statement.bind(4, source) }
            // Rows come in index order, so the same fact from several sources comes in a run.
            var (lastSubject, lastObject) = (Int64.min, Int64.min)
            while try statement.step() {
                let (subject, object) = (statement.int64(0), statement.int64(1))
                if withSources {
                    rows.append(subject); rows.append(object); rows.append(statement.int64(2))
                } else if subject != lastSubject || object != lastObject {
                    rows.append(subject); rows.append(object)
                    (lastSubject, lastObject) = (subject, object)
                }
            }
            return rows
        }
        var last: [Int64]?
        try scanFacts(predicate: predicate, arity: arity, withSources: withSources) { row in
            for (column, id) in bound where row[column] != id { return }
            if !withSources {
                if let last, last.elementsEqual(row) { return }
                last = Array(row)
            }
            rows.append(contentsOf: row)
        }
        return rows
    }

    /// The SQL that reads a predicate's facts, for `.explain`: `?1` is the predicate, `?2`,
    /// `?3` and `?4` the subject, object and source when bound. Binary facts come ordered by
    /// subject (the order of the primary key), which keeps later derivations about one subject
    /// together, and a fact's sources in order (SQLite merges the two parts of `quads`).
    public static func scanSQL(arity: Int, withSources: Bool, boundColumns: Set<Int> = []) -> String {
        guard arity == 2 else {
            return "SELECT args\(withSources ? ", g" : "") FROM tuples WHERE p = ?1\(withSources ? " AND g != 0" : "") ORDER BY args"
        }
        let subject = boundColumns.contains(0) ? " AND s = ?2" : ""
        let object = boundColumns.contains(1) ? " AND o = ?3" : ""
        // A bound source reads only that source's rows, through the index on sources.
        let source = withSources && boundColumns.contains(2) ? " AND g = ?4" : ""
        // With only the object bound, the (p, o, s) order holds the facts together; their
        // sources are then looked up in `quads`, fact by fact.
        if boundColumns == [1] {
            return withSources
                ? "SELECT f.s, f.o, q.g FROM quads_pos AS f CROSS JOIN quads AS q ON q.p = f.p AND q.s = f.s AND q.o = f.o"
                    + " WHERE f.p = ?1 AND f.o = ?3 AND q.g != 0 ORDER BY f.s, q.g"
                : "SELECT s, o FROM quads_pos WHERE p = ?1 AND o = ?3 ORDER BY s, o"
        }
        return "SELECT s, o\(withSources ? ", g" : "") FROM quads WHERE p = ?1" + subject + object + source
            + (withSources ? " AND g != 0 ORDER BY s, o, g" : " ORDER BY s, o")
    }

    /// The number of distinct stored facts of a predicate (a fact from two sources counts once).
    public func distinctFactCount(predicate: Int64, arity: Int) throws -> Int {
        try count(arity == 2
            ? "SELECT count(*) FROM quads_pos WHERE p = ?1"
            : "SELECT count(*) FROM (SELECT DISTINCT args FROM tuples WHERE p = ?1)", predicate: predicate)
    }

    /// The number of stored fact rows of a predicate (counting each source).
    public func factCount(predicate: Int64, arity: Int) throws -> Int {
        try count(arity == 2 ? "SELECT count(*) FROM quads WHERE p = ?1" : "SELECT count(*) FROM tuples WHERE p = ?1",
                  predicate: predicate)
    }

    func count(_ sql: String, predicate: Int64) throws -> Int {
        let statement = try connection.prepare(sql)
        defer { statement.reset() }
        statement.bind(1, predicate)
        return try statement.step() ? Int(statement.int64(0)) : 0
    }

    static func withPacked<T>(_ arguments: [Int64], _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let littleEndian = arguments.map(\.littleEndian)
        return littleEndian.withUnsafeBytes(body)
    }

    // MARK: - Compacting

    /// Removes the terms no fact, source or predicate uses any more, in the present or in the
    /// history (retractions kept in the history hold theirs until it is forgotten), builds the
    /// packed copies of large predicates that single writes dropped, moves the recent rows of
    /// `quads` into its main part, then rebuilds the file without its free pages. Term ids do
    /// not change.
    /// Returns how many terms went and the file's size before and after, in bytes.
    public func compact() throws -> (removedTerms: Int, bytesBefore: Int64, bytesAfter: Int64) {
        let before = try fileBytes()
        let removed = try transaction { () throws -> Int in
            try connection.execute("""
                CREATE TEMP TABLE used_terms(id INTEGER PRIMARY KEY);
                INSERT OR IGNORE INTO used_terms SELECT s FROM quads UNION SELECT p FROM quads
                    UNION SELECT o FROM quads UNION SELECT g FROM quads WHERE g != 0;
                INSERT OR IGNORE INTO used_terms SELECT p FROM tuples UNION SELECT g FROM tuples WHERE g != 0;
                INSERT OR IGNORE INTO used_terms SELECT id FROM predicates;
                INSERT OR IGNORE INTO used_terms SELECT p FROM retracted_facts UNION SELECT g FROM retracted_facts WHERE g != 0
                    UNION SELECT s FROM retracted_facts WHERE s IS NOT NULL UNION SELECT o FROM retracted_facts WHERE o IS NOT NULL;
                """)
            defer { try? connection.execute("DROP TABLE temp.used_terms") }
            // The arguments of facts of other arities are packed in blobs.
            // The history keeps the terms of retracted facts: the past can still be asked.
            let rows = try connection.prepare("SELECT args FROM tuples UNION ALL SELECT args FROM retracted_facts WHERE args IS NOT NULL")
            let use = try connection.prepare("INSERT OR IGNORE INTO used_terms(id) VALUES (?1)")
            defer { rows.reset() }
            while try rows.step() {
                let blob = rows.blob(0)
                for i in 0..<(blob.count / 8) {
                    use.bind(1, Int64(littleEndian: blob.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
                    try use.run()
                }
            }
            try connection.execute("DELETE FROM terms WHERE id NOT IN (SELECT id FROM used_terms)")
            // The file is rebuilt next: the recent rows of `quads` go to the main part first.
            try foldRecentQuads()
            let removed = connection.changes
            if removed > 0 { try reindexTerms() }
            // Packed copies that single writes dropped are built again.
            let predicates = try connection.prepare("SELECT DISTINCT p FROM quads")
            defer { predicates.reset() }
            while try predicates.step() {
                let predicate = predicates.int64(0)
                if !cachedPredicates.contains(predicate) { changedPredicates.insert(predicate) }
            }
            // A blob with pairs added since is built again whole.
            if hasAddedPairs {
                let added = try connection.prepare("SELECT DISTINCT p FROM fact_cache_added")
                var folded: [Int64] = []
                while try added.step() { folded.append(added.int64(0)) }
                added.reset()
                for predicate in folded { try factsChanged(predicate: predicate) }
            }
            try refreshFactCaches()
            return removed
        }
        try connection.execute("VACUUM")
        return (removed, before, try fileBytes())
    }

    private func fileBytes() throws -> Int64 {
        try (connection.scalar("PRAGMA page_count") ?? 0) * (connection.scalar("PRAGMA page_size") ?? 0)
    }

    // MARK: - Prefixes

    /// The declared prefixes, by name.
    public func prefixes() throws -> [String: String] {
        guard try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'prefixes'") == 1 else { return [:] }
        let statement = try connection.prepare("SELECT name, iri FROM prefixes")
        defer { statement.reset() }
        var result: [String: String] = [:]
        while try statement.step() { result[statement.string(0)] = statement.string(1) }
        return result
    }

    public func setPrefix(_ name: String, iri: String) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS prefixes(name TEXT PRIMARY KEY, iri TEXT NOT NULL)")
        let statement = try connection.prepare("INSERT OR REPLACE INTO prefixes(name, iri) VALUES (?1, ?2)")
        statement.bind(1, name)
        statement.bind(2, iri)
        try statement.run()
    }

    // MARK: - Declarations

    /// The texts of the stored declarations, in the order they came (a file written before
    /// declarations existed has none).
    public func declarations() throws -> [String] {
        guard try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'declarations'") == 1 else { return [] }
        let statement = try connection.prepare("SELECT text FROM declarations ORDER BY rowid")
        defer { statement.reset() }
        var result: [String] = []
        while try statement.step() { result.append(statement.string(0)) }
        return result
    }

    static let declarationsTable = "CREATE TABLE IF NOT EXISTS declarations(text TEXT PRIMARY KEY);"

    public func addDeclaration(_ text: String) throws -> Bool {
        try connection.execute(Store.declarationsTable)
        let statement = try connection.prepare("INSERT OR IGNORE INTO declarations(text, added_in) VALUES (?1, ?2)")
        statement.bind(1, text)
        statement.bind(2, try changeID())
        try statement.run()
        return connection.changes > 0
    }

    public func removeDeclaration(_ text: String) throws -> Bool {
        guard try !declarations().isEmpty else { return false }
        _ = try changeID()
        let statement = try connection.prepare("DELETE FROM declarations WHERE text = ?1")
        statement.bind(1, text)
        try statement.run()
        return connection.changes > 0
    }

    // MARK: - Rules

    /// The stored rules, in the order they were added.
    public func rules() throws -> [(id: Int64, text: String)] {
        let statement = try connection.prepare("SELECT id, text FROM rules ORDER BY id")
        defer { statement.reset() }
        var result: [(Int64, String)] = []
        while try statement.step() { result.append((statement.int64(0), statement.string(1))) }
        return result
    }

    @discardableResult
    public func addRule(text: String) throws -> Int64 {
        let statement = try connection.prepare("INSERT INTO rules(text, added_in) VALUES (?1, ?2)")
        statement.bind(1, text)
        statement.bind(2, try changeID())
        try statement.run()
        return connection.lastInsertRowID
    }

    public func removeRule(id: Int64) throws {
        _ = try changeID()
        let statement = try connection.prepare("DELETE FROM rules WHERE id = ?1")
        statement.bind(1, id)
        try statement.run()
    }
}
