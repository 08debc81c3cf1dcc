import Foundation
import KGSyntax

/// A knowledge base's terms and facts in a PostgreSQL database: the tables of the SQLite file
/// (see `KGStore.Store`), created in the schema the connection's search path names first.
///
/// Tables (schema version 3 of this store; the history of changes is in `PostgresStore+History.swift`):
/// - `kglog_meta(key, value)`: `application` = `kglog` and `schema_version`; a database whose
///   schema holds other tables but not this one is refused, so kglog never writes into tables
///   it did not make.
/// - `terms(id, kind, lexical)`: the dictionary (ids from the sequence `terms_id_seq`; inline
///   values are not in it, as in the SQLite file). Interning is `INSERT ... ON CONFLICT DO
///   NOTHING`, committed at once on a connection of its own, so several writers at once get
///   one id for one term and never wait on each other's terms.
/// - `quads(p, s, o, g)` with primary key (p, s, o, g) and an index on the source;
///   `quads_pos(p, o, s)` and `quads_osp(o, s, p)` the distinct facts in the other orders.
/// - `tuples(p, args, g)`: facts of other arities, the argument ids packed little-endian in `bytea`.
/// - `predicates(id, arity)`, `rules(id, text)`, `prefixes(name, iri)`, `declarations(id, text)`
///   (`functional held-in/2.`; a database made before them gets the table at its first one).
///
/// Terms and facts in bulk (imports, long texts) go through binary COPY into a staging table,
/// then one `INSERT ... SELECT ... ON CONFLICT DO NOTHING` a table; binary facts of a predicate
/// with no rows yet are copied straight into the tables.
public final class PostgresStore {
    public static let schemaVersion = 4
    public let connection: PostgresConnection
    /// A second connection, outside the writer's transaction, on which new terms are added and
    /// committed at once: two writers that add the same terms in different orders then never
    /// wait on each other's uncommitted terms (which could deadlock). A term whose facts are
    /// rolled back stays unused in the dictionary until `compact`.
    private var termWriter: PostgresConnection?
    /// The largest id `copyNewTerms` gave: while the dictionary's largest id is still this one,
    /// no other writer has added a term since, and the next batch of new terms can be copied too.
    private var lastCopiedTermID: Int64 = 0
    /// The connection string, its password hidden.
    public var path: String { connection.target }
    /// Opened to read only: every transaction is read-only on the server, so no change can
    /// slip through, and an empty schema is an error rather than a new knowledge base.
    public let isReadOnly: Bool
    private let connectionString: String
    /// For a knowledge base opened to read only: a connection whose transactions may create
    /// temporary tables, on which evaluation in the database runs (opened when first needed).
    private var evaluator: PostgresConnection?
    /// Whether the tables of periods exist (`hasPeriods`), once asked.
    var periodTablesExist: Bool?
    /// What the next write transaction is, as its change will say in the history.
    public var changeDescription = "statements"
    /// Who the next change is by: the operating-system user, unless the writer knows better.
    public var changeAuthor = ChangeStamp.userName
    /// The change the open transaction records, with the connection's transaction serial and
    /// rollback count when it was made (see `changeID`).
    var currentChange: (id: Int64, serial: Int, rollbacks: Int)?

    /// Connects and makes sure the schema is kglog's: created when the schema is empty,
    /// checked (application and version) otherwise.
    public init(_ connectionString: String, readOnly: Bool = false) throws {
        connection = try PostgresConnection(connectionString)
        self.connectionString = connectionString
        isReadOnly = readOnly
        if readOnly { try connection.execute("SET default_transaction_read_only = on") }
        try checkOrCreateSchema()
        termWriter = readOnly ? nil : try PostgresConnection(connectionString)
    }

    public func close() {
        connection.close()
        termWriter?.close()
        evaluator?.close()
    }

    /// The connection on which to evaluate a program as SQL, in a transaction that is rolled
    /// back: the writer's own (so it sees what the current transaction has written), or, for a
    /// knowledge base opened to read only (whose transactions cannot create the temporary
    /// tables), a second one that is never used to change anything.
    public func evaluationConnection() throws -> PostgresConnection {
        guard isReadOnly else { return connection }
        if let evaluator { return evaluator }
        let opened = try PostgresConnection(connectionString)
        evaluator = opened
        return opened
    }

    private func checkOrCreateSchema() throws {
        let schema = try connection.execute("SELECT current_schema()").rows.first?.first ?? nil
        guard let schema else { throw PostgresStoreError.noSchema(target: connection.target) }
        let tables = try connection.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [.text(schema)])
            .rows.compactMap { $0.first ?? nil }
        if tables.isEmpty {
            if isReadOnly { throw PostgresStoreError.noKnowledgeBase(target: connection.target, schema: schema) }
            try connection.transaction {
                for statement in PostgresStore.schemaStatements { try connection.execute(statement) }
                try connection.execute("INSERT INTO kglog_meta(key, value) VALUES ('application', 'kglog'), ('schema_version', $1)",
                                       [.integer(Int64(PostgresStore.schemaVersion))])
                try addHistory(what: "the knowledge base was created")
                try addTextIndex(on: connection)
            }
            return
        }
        guard tables.contains("kglog_meta"),
              try connection.execute("SELECT value FROM kglog_meta WHERE key = 'application'").rows == [["kglog"]] else {
            throw PostgresStoreError.notAKnowledgeBase(target: connection.target, schema: schema)
        }
        let version = Int(try connection.execute("SELECT value FROM kglog_meta WHERE key = 'schema_version'").rows.first?.first.flatMap { $0 } ?? "") ?? 0
        guard version <= PostgresStore.schemaVersion else {
            throw PostgresStoreError.newerSchema(target: connection.target, found: version, supported: PostgresStore.schemaVersion)
        }
        // Schema 2 keeps declarations and the periods of facts (a kglog before it must not
        // read facts with periods as holding at all times). Read only, schema 1 is read as it is.
        if version < 2 && !isReadOnly {
            try connection.transaction {
                for statement in ["CREATE TABLE IF NOT EXISTS declarations(id bigserial, text text PRIMARY KEY)"] + PostgresStore.periodTables {
                    try connection.execute(statement)
                }
                try connection.execute("UPDATE kglog_meta SET value = '2' WHERE key = 'schema_version'")
            }
        }
        // Schema 3 records every change (see `PostgresStore+History.swift`).
        if version < 3 && !isReadOnly {
            try connection.transaction {
                try addHistory(what: "everything stored before the knowledge base kept history")
                try connection.execute("UPDATE kglog_meta SET value = '3' WHERE key = 'schema_version'")
            }
        }
        // Schema 4 indexes the words of strings and names (see `PostgresStore+TextIndex.swift`).
        if version < 4 && !isReadOnly {
            try connection.transaction {
                try addTextIndex(on: connection)
                try connection.execute("UPDATE kglog_meta SET value = '4' WHERE key = 'schema_version'")
            }
        }
    }

    static let schemaStatements = [
        "CREATE TABLE kglog_meta(key text PRIMARY KEY, value text NOT NULL)",
        "CREATE TABLE terms(id bigserial PRIMARY KEY, kind smallint NOT NULL, lexical text NOT NULL, UNIQUE(kind, lexical))",
        "CREATE TABLE predicates(id bigint PRIMARY KEY, arity integer NOT NULL)",
        "CREATE TABLE quads(p bigint NOT NULL, s bigint NOT NULL, o bigint NOT NULL, g bigint NOT NULL, PRIMARY KEY(p, s, o, g))",
        "CREATE INDEX quads_g ON quads(g) WHERE g <> 0",
        "CREATE TABLE quads_pos(p bigint NOT NULL, o bigint NOT NULL, s bigint NOT NULL, PRIMARY KEY(p, o, s))",
        "CREATE TABLE quads_osp(o bigint NOT NULL, s bigint NOT NULL, p bigint NOT NULL, PRIMARY KEY(o, s, p))",
        "CREATE TABLE tuples(p bigint NOT NULL, args bytea NOT NULL, g bigint NOT NULL, PRIMARY KEY(p, args, g))",
        "CREATE INDEX tuples_g ON tuples(g) WHERE g <> 0",
        "CREATE TABLE rules(id bigserial PRIMARY KEY, text text NOT NULL)",
        "CREATE TABLE prefixes(name text PRIMARY KEY, iri text NOT NULL)",
        "CREATE TABLE declarations(id bigserial, text text PRIMARY KEY)",
    ] + periodTables

    /// Runs `body` in one transaction (a savepoint inside another): all of it or none of it.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try connection.transaction(body)
    }

    // MARK: - Terms

    /// The id of a value: inline, or the dictionary's; nil when the dictionary does not have it.
    public func termID(for value: Value) throws -> Int64? {
        if let inline = TermCode.inlineID(value) { return inline }
        let (kind, text) = TermCode.dictionaryKey(of: value)
        return try connection.execute("SELECT id FROM terms WHERE kind = $1 AND lexical = $2", [.integer(Int64(kind)), .text(text)]).firstInteger
    }

    /// The id of a value, adding it to the dictionary when it is new (and not inline).
    public func intern(_ value: Value) throws -> Int64 {
        if let inline = TermCode.inlineID(value) { return inline }
        let (kind, text) = TermCode.dictionaryKey(of: value)
        return try internTerm(kind: kind, text: text)
    }

    /// The id of a term given as kind and text (a term of an import), adding it when it is new
    /// (committed at once, on the term writer's connection).
    public func internTerm(kind: Int, text: String) throws -> Int64 {
        if let inline = TermCode.inlineID(kind: kind, text: text.utf8) { return inline }
        let parameters: [PostgresValue?] = [.integer(Int64(kind)), .text(text)]
        let select = "SELECT id FROM terms WHERE kind = $1 AND lexical = $2"
        if let id = try connection.execute(select, parameters).firstInteger { return id }
        let termWriter = try writerOfTerms()
        // Another writer may add the same term at the same moment: then this insert does
        // nothing and the select finds its id.
        let added = try termWriter.transaction { () throws -> Int64? in
            guard let id = try termWriter.execute("INSERT INTO terms(kind, lexical) VALUES ($1, $2) ON CONFLICT (kind, lexical) DO NOTHING RETURNING id", parameters).firstInteger else {
                return nil
            }
            try indexTerm(id: id, kind: kind, text: text, on: termWriter)
            return id
        }
        if let added { return added }
        guard let id = try termWriter.execute(select, parameters).firstInteger else { throw PostgresStoreError.missingTerm(id: 0) }
        return id
    }

    /// The ids of many terms given as kinds and texts, in their order, adding the new ones: the
    /// dictionary ones are copied (binary COPY) into a staging table and added in one
    /// statement, committed at once on the term writer's connection.
    ///
    /// With `allNew` the caller promises that the dictionary held none of them and that none is
    /// in the list twice (a batch of an import into an empty knowledge base): they are then
    /// copied straight into the dictionary with ids given here, as psql's `\copy` would, unless
    /// another writer has added terms meanwhile.
    public func internTerms(_ terms: [(kind: Int, text: [UInt8])], allNew: Bool = false) throws -> [Int64] {
        if allNew, let ids = try copyNewTerms(terms) { return ids }
        var ids = [Int64](repeating: 0, count: terms.count)
        var copy = BinaryCopy()
        var staged = 0
        for (index, term) in terms.enumerated() {
            if let inline = TermCode.inlineID(kind: term.kind, text: term.text) {
                ids[index] = inline
                continue
            }
            copy.startRow(fields: 3)
            copy.bigint(Int64(index))
            copy.smallint(Int16(term.kind))
            copy.bytes(term.text)
            staged += 1
        }
        guard staged > 0 else { return ids }
        let termWriter = try writerOfTerms()
        try termWriter.transaction {
            try termWriter.execute(PostgresStore.bulkMemory)
            try PostgresStore.stage(copy, into: "staged_terms", columns: "n bigint, kind smallint, lexical text", on: termWriter)
            // The new terms' words are indexed in the same transaction.
            try index(sql: """
                INSERT INTO terms(kind, lexical) SELECT DISTINCT kind, lexical FROM staged_terms ORDER BY kind, lexical
                ON CONFLICT (kind, lexical) DO NOTHING RETURNING id, kind, lexical
                """, on: termWriter)
            let found = try termWriter.integers("SELECT s.n, t.id FROM staged_terms AS s JOIN terms AS t ON t.kind = s.kind AND t.lexical = s.lexical")
            for row in stride(from: 0, to: found.count, by: 2) { ids[Int(found[row])] = found[row + 1] }
        }
        return ids
    }

    /// Copies terms none of which the dictionary holds into it (binary COPY, with ids from the
    /// largest one on) and indexes their words, in one transaction of the term writer that locks
    /// the dictionary against other writers (readers go on). Returns nil, having changed
    /// nothing, when the dictionary's largest id shows that another writer has added terms
    /// since the last copy (or, the first time, that it is not empty): one of them may be in
    /// this list.
    private func copyNewTerms(_ terms: [(kind: Int, text: [UInt8])]) throws -> [Int64]? {
        let termWriter = try writerOfTerms()
        return try termWriter.transaction { () throws -> [Int64]? in
            try termWriter.execute("LOCK TABLE terms IN SHARE ROW EXCLUSIVE MODE")
            let last = try termWriter.integers("SELECT coalesce(max(id), 0) FROM terms")[0]
            guard last == lastCopiedTermID else { return nil }
            var ids = [Int64](repeating: 0, count: terms.count)
            var copy = BinaryCopy()
            var words: [(id: Int64, kind: Int, text: String)] = []
            var next = last + 1
            for (index, term) in terms.enumerated() {
                if let inline = TermCode.inlineID(kind: term.kind, text: term.text) {
                    ids[index] = inline
                    continue
                }
                ids[index] = next
                copy.startRow(fields: 3)
                copy.bigint(next)
                copy.smallint(Int16(term.kind))
                copy.bytes(term.text)
                words.append((next, term.kind, String(decoding: term.text, as: UTF8.self)))
                next += 1
            }
            guard next > last + 1 else { return ids }
            try termWriter.copy("COPY terms(id, kind, lexical) FROM STDIN (FORMAT binary)", data: copy.finished)
            // The next term another writer adds gets an id after these.
            try termWriter.execute("SELECT setval(pg_get_serial_sequence('terms', 'id'), $1)", [.integer(next - 1)])
            try indexWords(of: words, new: true, on: termWriter)
            lastCopiedTermID = next - 1
            return ids
        }
    }

    /// The connection that adds terms; a knowledge base opened to read only has none.
    private func writerOfTerms() throws -> PostgresConnection {
        guard let termWriter else {
            throw PostgresError.server(sqlState: "25006", message: "cannot add terms to a knowledge base opened to read only", position: nil)
        }
        return termWriter
    }

    /// Empties the temporary table `table` (made with `columns` when the connection has none
    /// yet; emptied again at commit) and fills it with `rows` by binary COPY. Call in a transaction.
    private static func stage(_ rows: BinaryCopy, into table: String, columns: String, on connection: PostgresConnection) throws {
        try connection.execute("CREATE TEMP TABLE IF NOT EXISTS \(table)(\(columns)) ON COMMIT DELETE ROWS")
        try connection.execute("TRUNCATE \(table)")
        let names = columns.split(separator: ",").map { $0.split(separator: " ", omittingEmptySubsequences: true)[0] }.joined(separator: ", ")
        try connection.copy("COPY \(table)(\(names)) FROM STDIN (FORMAT binary)", data: rows.finished)
    }

    /// The id the next new term would get at the least (1 in a new knowledge base).
    public func nextTermID() throws -> Int64 {
        try integer("SELECT coalesce(max(id), 0) + 1 FROM terms")
    }

    /// The texts of the dictionary's terms of one kind that start with `prefix`, in order.
    public func termTexts(kind: Int, startingWith prefix: String, limit: Int) throws -> [String] {
        try connection.execute("SELECT lexical FROM terms WHERE kind = $1 AND starts_with(lexical, $2) ORDER BY lexical COLLATE \"C\" LIMIT $3",
                               [.integer(Int64(kind)), .text(prefix), .integer(Int64(limit))]).rows.compactMap { $0.first ?? nil }
    }

    /// The value of an id (inline, or read from the dictionary).
    public func value(of id: Int64) throws -> Value {
        if let inline = TermCode.inlineValue(id) { return inline }
        let row = try connection.execute("SELECT kind, lexical FROM terms WHERE id = $1", [.integer(id)]).rows.first
        guard let row, let kind = row[0].flatMap({ Int($0) }), let text = row[1], let value = TermCode.value(kind: kind, text: text) else {
            throw PostgresStoreError.missingTerm(id: id)
        }
        return value
    }

    /// The kind and text of each of `ids` (sorted, distinct) in id order, read in one statement;
    /// an id with no term is passed over.
    public func forEachTerm(ids: [Int64], _ body: (Int64, Int, String) throws -> Void) throws {
        for id in ids where !TermCode.isDictionary(id) {
            if let (kind, text) = TermCode.inlineKey(id) { try body(id, kind, text) }
        }
        let stored = ids.filter(TermCode.isDictionary)
        guard !stored.isEmpty else { return }
        for row in try connection.execute("SELECT id, kind, lexical FROM terms WHERE id = ANY($1::bigint[]) ORDER BY id", [PostgresStore.idArray(stored)]).rows {
            guard let id = row[0].flatMap({ Int64($0) }), let kind = row[1].flatMap({ Int($0) }), let text = row[2] else { continue }
            try body(id, kind, text)
        }
    }

    // MARK: - Predicates, rules, prefixes

    public func predicateArities() throws -> [Int64: Int] {
        var arities: [Int64: Int] = [:]
        for row in try connection.execute("SELECT id, arity FROM predicates").rows {
            if let id = row[0].flatMap({ Int64($0) }), let arity = row[1].flatMap({ Int($0) }) { arities[id] = arity }
        }
        return arities
    }

    /// The stored rules, in the order they were added.
    public func rules() throws -> [(id: Int64, text: String)] {
        try connection.execute("SELECT id, text FROM rules ORDER BY id").rows.compactMap { row in
            guard let id = row[0].flatMap({ Int64($0) }), let text = row[1] else { return nil }
            return (id, text)
        }
    }

    @discardableResult
    public func addRule(text: String) throws -> Int64 {
        try changeID()
        return try integer("INSERT INTO rules(text) VALUES ($1) RETURNING id", [.text(text)])
    }

    public func removeRule(id: Int64) throws {
        try changeID()
        try connection.execute("DELETE FROM rules WHERE id = $1", [.integer(id)])
    }

    public func prefixes() throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try connection.execute("SELECT name, iri FROM prefixes").rows {
            if let name = row[0], let iri = row[1] { result[name] = iri }
        }
        return result
    }

    public func setPrefix(_ name: String, iri: String) throws {
        try connection.execute("INSERT INTO prefixes(name, iri) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET iri = excluded.iri",
                               [.text(name), .text(iri)])
    }

    /// The texts of the stored declarations, in the order they came (a database written
    /// before declarations existed has no table for them).
    public func declarations() throws -> [String] {
        guard try connection.execute("SELECT to_regclass('declarations') IS NOT NULL").rows == [["t"]] else { return [] }
        return try connection.execute("SELECT text FROM declarations ORDER BY id").rows.compactMap { $0.first ?? nil }
    }

    public func addDeclaration(_ text: String) throws -> Bool {
        try changeID()
        try connection.execute("CREATE TABLE IF NOT EXISTS declarations(id bigserial, text text PRIMARY KEY)")
        return try connection.execute("INSERT INTO declarations(text) VALUES ($1) ON CONFLICT (text) DO NOTHING RETURNING id",
                                      [.text(text)]).rows.count == 1
    }

    public func removeDeclaration(_ text: String) throws -> Bool {
        guard try !declarations().isEmpty else { return false }
        try changeID()
        return try connection.execute("DELETE FROM declarations WHERE text = $1 RETURNING id", [.text(text)]).rows.count == 1
    }

    // MARK: - Facts

    /// Records a predicate's arity (kept from its first fact or rule).
    public func recordPredicate(_ predicate: Int64, arity: Int) throws {
        try connection.execute("INSERT INTO predicates(id, arity) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                               [.integer(predicate), .integer(Int64(arity))])
    }

    /// Stores a fact from a source (`TermCode.noTerm` for none); false when it was already there
    /// from that source.
    @discardableResult
    public func insertFact(predicate: Int64, arguments: [Int64], source: Int64) throws -> Bool {
        try changeID()
        if arguments.count == 2 {
            let (s, o) = (arguments[0], arguments[1])
            let inserted = try connection.execute("INSERT INTO quads(p, s, o, g) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                                  [.integer(predicate), .integer(s), .integer(o), .integer(source)]).changed == 1
            if inserted {
                try connection.execute("INSERT INTO quads_pos(p, o, s) VALUES ($1, $3, $2) ON CONFLICT DO NOTHING", [.integer(predicate), .integer(s), .integer(o)])
                try connection.execute("INSERT INTO quads_osp(o, s, p) VALUES ($3, $2, $1) ON CONFLICT DO NOTHING", [.integer(predicate), .integer(s), .integer(o)])
            }
            return inserted
        }
        return try connection.execute("INSERT INTO tuples(p, args, g) VALUES ($1, $2::bytea, $3) ON CONFLICT DO NOTHING",
                                      [.integer(predicate), .text(PostgresStore.packed(arguments)), .integer(source)]).changed == 1
    }

    /// The arguments of every stored fact of a predicate, each fact once, packed row after row
    /// (with `withSources`, one more column, the source: a row per source, facts without one
    /// left out); `bound` keeps the facts with these ids at these columns.
    public func facts(predicate: Int64, arity: Int, withSources: Bool = false, bound: [Int: Int64] = [:]) throws -> [Int64] {
        var parameters: [PostgresValue?] = [.integer(predicate)]
        let sql = PostgresStore.readSQL(arity: arity, withSources: withSources, boundColumns: Set(bound.keys))
        if arity == 2 {
            for column in 0..<3 { parameters.append(bound[column].map { .integer($0) }) }
            return try connection.integers(sql, parameters)
        }
        var rows: [Int64] = []
        var last: [Int64]?
        for row in try connection.execute(sql, parameters).rows {
            var ids = try PostgresStore.unpacked(row[0] ?? "", arity: arity)
            if withSources { ids.append(Int64(row[1] ?? "") ?? 0) }
            guard bound.allSatisfy({ ids[$0.key] == $0.value }) else { continue }
            if !withSources, ids == last { continue }
            last = ids
            rows += ids
        }
        return rows
    }

    /// The query `facts` runs: `$1` is the predicate, `$2`, `$3`, `$4` the subject, object and
    /// source when bound (NULL otherwise).
    public static func readSQL(arity: Int, withSources: Bool, boundColumns: Set<Int>) -> String {
        guard arity == 2 else {
            return "SELECT args\(withSources ? ", g" : "") FROM tuples WHERE p = $1\(withSources ? " AND g <> 0" : "") ORDER BY args"
        }
        let subject = boundColumns.contains(0) ? " AND s = $2" : " AND $2::bigint IS NULL"
        let object = boundColumns.contains(1) ? " AND o = $3" : " AND $3::bigint IS NULL"
        let source = withSources && boundColumns.contains(2) ? " AND g = $4" : " AND $4::bigint IS NULL"
        if withSources {
            return "SELECT s, o, g FROM quads WHERE p = $1" + subject + object + source + " AND g <> 0 ORDER BY s, o, g"
        }
        let table = boundColumns == [1] ? "quads_pos" : "quads"
        return "SELECT DISTINCT s, o FROM \(table) WHERE p = $1" + subject + object + source + " ORDER BY s, o"
    }

    /// Set in a transaction that de-duplicates and sorts a batch of staged rows: enough memory
    /// to do it without spilling to disk (the default, 4 MB, holds some 100,000 rows).
    static let bulkMemory = "SET LOCAL work_mem = '256MB'"

    /// Those of `predicates` that have no binary fact stored (in this transaction's view).
    private func predicatesWithoutRows(_ predicates: Set<Int64>) throws -> Set<Int64> {
        let stored = try connection.integers("SELECT p FROM unnest($1::bigint[]) AS t(p) WHERE EXISTS (SELECT 1 FROM quads AS q WHERE q.p = t.p)",
                                             [PostgresStore.idArray(predicates)])
        return predicates.subtracting(stored)
    }

    /// SQLSTATE of a row whose key is stored already.
    static let uniqueViolation = "23505"

    /// Copies the binary facts of predicates that had no rows into the three tables, each in
    /// its order and once (a repeated row is new the first time): binary COPY straight into the
    /// tables, as psql's `\copy` does, with no staging and no conflict to check. Returns the
    /// indexes of the new rows (the first of equal ones).
    private func copyRowsOfNewPredicates(_ rows: inout [(p: Int64, s: Int64, o: Int64, g: Int64, index: Int)]) throws -> [Int] {
        // Sorted by (p, s, o, g, index), column by column (several times quicker than comparing
        // tuples, for a million rows).
        let unsorted = rows
        rows = KeyedSort.order(count: rows.count, by: [{ KeyedSort.key(unsorted[$0].p) }, { KeyedSort.key(unsorted[$0].s) },
                                                        { KeyedSort.key(unsorted[$0].o) }, { KeyedSort.key(unsorted[$0].g) },
                                                        { UInt64(unsorted[$0].index) }]).map { unsorted[$0] }
        var quads = BinaryCopy(), pairs: [(p: Int64, s: Int64, o: Int64)] = []
        var added: [Int] = []
        var last: (p: Int64, s: Int64, o: Int64, g: Int64)?
        for row in rows where last.map({ $0 != (row.p, row.s, row.o, row.g) }) ?? true {
            last = (row.p, row.s, row.o, row.g)
            quads.startRow(fields: 4)
            for id in [row.p, row.s, row.o, row.g] { quads.bigint(id) }
            added.append(row.index)
            if pairs.last.map({ $0 != (row.p, row.s, row.o) }) ?? true { pairs.append((row.p, row.s, row.o)) }
        }
        // The distinct facts in each of the other two orders are sorted and packed on other
        // threads while the server takes the rows with their sources.
        let distinct = pairs
        let others = [("quads_pos(p, o, s)", false), ("quads_osp(o, s, p)", true)].map { table, objectFirst in
            (table, BackgroundWork { PostgresStore.packedPairs(distinct, objectFirst: objectFirst) })
        }
        try connection.copy("COPY quads(p, s, o, g) FROM STDIN (FORMAT binary)", data: quads.finished)
        for (table, packed) in others {
            try connection.copy("COPY \(table) FROM STDIN (FORMAT binary)", data: packed.result())
        }
        return added
    }

    /// Facts packed for binary COPY into `quads_pos` (p, o, s) or, with `objectFirst`,
    /// `quads_osp` (o, s, p), sorted in that order.
    private static func packedPairs(_ pairs: [(p: Int64, s: Int64, o: Int64)], objectFirst: Bool) -> [UInt8] {
        let keys = pairs.map { objectFirst ? ($0.o, $0.s, $0.p) : ($0.p, $0.o, $0.s) }
        var copy = BinaryCopy()
        for index in KeyedSort.order(count: keys.count, by: [{ KeyedSort.key(keys[$0].0) }, { KeyedSort.key(keys[$0].1) },
                                                             { KeyedSort.key(keys[$0].2) }]) {
            copy.startRow(fields: 3)
            copy.bigint(keys[index].0)
            copy.bigint(keys[index].1)
            copy.bigint(keys[index].2)
        }
        return copy.finished
    }

    /// Adds facts in bulk and says, for each in the order given, whether it was new (not stored
    /// before, and the first of equal ones): binary COPY into a staging table, then one insert
    /// into each table.
    public func addFacts(_ facts: [(predicate: Int64, arguments: [Int64], source: Int64)]) throws -> [Bool] {
        var isNew = [Bool](repeating: false, count: facts.count)
        try addFacts(facts, tellingWhichAreNew: true) { isNew[$0] = true }
        return isNew
    }

    /// Adds facts in bulk and returns how many were new (each new one once), without telling
    /// which: one plain insert a table.
    public func addFacts(countingNew facts: [(predicate: Int64, arguments: [Int64], source: Int64)]) throws -> Int {
        try addFacts(facts, tellingWhichAreNew: false) { _ in }
    }

    /// Stages `facts` with binary COPY and inserts them; with `tellingWhichAreNew`, calls
    /// `new` with the index of each new one (the first of equal ones). Returns how many were new.
    @discardableResult
    private func addFacts(_ facts: [(predicate: Int64, arguments: [Int64], source: Int64)], tellingWhichAreNew: Bool,
                          new: (Int) -> Void) throws -> Int {
        guard !facts.isEmpty else { return 0 }
        try changeID()
        var added = 0
        var quads = BinaryCopy(), tuples = BinaryCopy()
        var quadCount = 0, tupleCount = 0
        // Binary facts of predicates that have no rows yet go straight into the tables.
        let binaryPredicates = Set(facts.lazy.filter { $0.arguments.count == 2 }.map(\.predicate))
        let fresh = binaryPredicates.isEmpty ? [] : try predicatesWithoutRows(binaryPredicates)
        var freshRows: [(p: Int64, s: Int64, o: Int64, g: Int64, index: Int)] = []
        /// A binary fact into the staging rows, with its index.
        func stageQuad(_ index: Int, _ p: Int64, _ s: Int64, _ o: Int64, _ g: Int64) {
            quads.startRow(fields: 5)
            for id in [Int64(index), p, s, o, g] { quads.bigint(id) }
            quadCount += 1
        }
        for (index, fact) in facts.enumerated() {
            if fact.arguments.count == 2, fresh.contains(fact.predicate) {
                freshRows.append((fact.predicate, fact.arguments[0], fact.arguments[1], fact.source, index))
            } else if fact.arguments.count == 2 {
                stageQuad(index, fact.predicate, fact.arguments[0], fact.arguments[1], fact.source)
            } else {
                tuples.startRow(fields: 4)
                tuples.bigint(Int64(index))
                tuples.bigint(fact.predicate)
                tuples.bytes(PostgresStore.packedBytes(fact.arguments))
                tuples.bigint(fact.source)
                tupleCount += 1
            }
        }
        func insert(_ into: String, columns: String, from staged: String, matching: String) throws {
            let insert = "INSERT INTO \(into)(\(columns)) SELECT DISTINCT \(columns) FROM \(staged) ORDER BY \(columns) ON CONFLICT DO NOTHING"
            guard tellingWhichAreNew else {
                added += try connection.execute(insert).changed
                return
            }
            let result = try connection.execute("""
                WITH added AS (\(insert) RETURNING \(columns))
                SELECT min(f.n) FROM added JOIN \(staged) AS f ON \(matching) GROUP BY \(columns.split(separator: ",").map { "added." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                """)
            for row in result.rows { if let index = row[0].flatMap({ Int($0) }) { new(index); added += 1 } }
        }
        // In a transaction (a savepoint inside the caller's): the staging tables empty at commit.
        try transaction {
            try connection.execute(PostgresStore.bulkMemory)
            if !freshRows.isEmpty {
                do {
                    // In a savepoint: another writer copying the same rows at the same moment
                    // makes the copy fail (a unique violation once it commits); then these rows
                    // take the staged path below, which passes over rows stored already.
                    let newRows = try transaction { try copyRowsOfNewPredicates(&freshRows) }
                    for index in newRows { new(index) }
                    added += newRows.count
                } catch PostgresError.server(let state, _, _) where state == PostgresStore.uniqueViolation {
                    for row in freshRows { stageQuad(row.index, row.p, row.s, row.o, row.g) }
                }
            }
            if quadCount > 0 {
                try PostgresStore.stage(quads, into: "staged_quads", columns: "n bigint, p bigint, s bigint, o bigint, g bigint", on: connection)
                try insert("quads", columns: "p, s, o, g", from: "staged_quads",
                           matching: "f.p = added.p AND f.s = added.s AND f.o = added.o AND f.g = added.g")
                try connection.execute("INSERT INTO quads_pos(p, o, s) SELECT DISTINCT p, o, s FROM staged_quads ORDER BY p, o, s ON CONFLICT DO NOTHING")
                try connection.execute("INSERT INTO quads_osp(o, s, p) SELECT DISTINCT o, s, p FROM staged_quads ORDER BY o, s, p ON CONFLICT DO NOTHING")
            }
            if tupleCount > 0 {
                try PostgresStore.stage(tuples, into: "staged_tuples", columns: "n bigint, p bigint, args bytea, g bigint", on: connection)
                try insert("tuples", columns: "p, args, g", from: "staged_tuples", matching: "f.p = added.p AND f.args = added.args AND f.g = added.g")
            }
        }
        return added
    }

    /// Removes a fact from one source, or from every source when `source` is nil; returns how
    /// many rows went. Its pair leaves the other two orders when no source holds it any more.
    public func deleteFact(predicate: Int64, arguments: [Int64], source: Int64?) throws -> Int {
        try changeID()
        guard arguments.count == 2 else {
            let removed = try connection.execute("DELETE FROM tuples WHERE p = $1 AND args = $2::bytea AND ($3::bigint IS NULL OR g = $3)",
                                                 [.integer(predicate), .text(PostgresStore.packed(arguments)), source.map { .integer($0) }]).changed
            if removed > 0 { try deletePeriods(predicate: predicate, arguments: arguments, source: source) }
            return removed
        }
        let parameters: [PostgresValue?] = [.integer(predicate), .integer(arguments[0]), .integer(arguments[1])]
        let removed = try connection.execute("DELETE FROM quads WHERE p = $1 AND s = $2 AND o = $3 AND ($4::bigint IS NULL OR g = $4)",
                                             parameters + [source.map { .integer($0) }]).changed
        if removed > 0 {
            try deletePairsNoSourceHolds(from: "(VALUES ($1::bigint, $2::bigint, $3::bigint))", parameters)
            try deletePeriods(predicate: predicate, arguments: arguments, source: source)
        }
        return removed
    }

    /// Removes every fact row a source asserted; returns how many went.
    public func deleteFacts(source: Int64) throws -> Int {
        try changeID()
        let removed = try connection.integers("DELETE FROM quads WHERE g = $1 AND g <> 0 RETURNING p, s, o", [.integer(source)])
        if !removed.isEmpty {
            // The removed rows' p, s and o, as three arrays, in one statement a table.
            let columns: [PostgresValue?] = (0..<3).map { column in
                PostgresStore.idArray(stride(from: column, to: removed.count, by: 3).map { removed[$0] })
            }
            try deletePairsNoSourceHolds(from: "unnest($1::bigint[], $2::bigint[], $3::bigint[])", columns)
        }
        try deletePeriods(source: source)
        return removed.count / 3 + (try connection.execute("DELETE FROM tuples WHERE g = $1 AND g <> 0", [.integer(source)]).changed)
    }

    /// Removes from the other two orders the facts `facts` lists (a FROM item of columns p, s,
    /// o, with `parameters`) that no row of quads holds any more.
    private func deletePairsNoSourceHolds(from facts: String, _ parameters: [PostgresValue?]) throws {
        let removed = "SELECT * FROM \(facts) AS f(p, s, o) WHERE NOT EXISTS (SELECT 1 FROM quads AS q WHERE q.p = f.p AND q.s = f.s AND q.o = f.o)"
        try connection.execute("DELETE FROM quads_pos WHERE (p, s, o) IN (\(removed))", parameters)
        try connection.execute("DELETE FROM quads_osp WHERE (p, s, o) IN (\(removed))", parameters)
    }

    /// Calls `body` with every stored row of a predicate and its source, ordered by arguments
    /// then source (arguments compared as ids, in their order).
    /// Every binary fact, ordered by source (with `bySource`, else each fact once with source
    /// 0), subject, predicate and object, through a cursor 10,000 rows at a time.
    public func forEachBinaryFact(bySource: Bool, _ body: (_ source: Int64, _ subject: Int64, _ predicate: Int64, _ object: Int64) throws -> Void) throws {
        try transaction {
            try connection.execute("DECLARE kglog_binary_facts NO SCROLL CURSOR FOR "
                                   + (bySource ? "SELECT g, s, p, o FROM quads ORDER BY g, s, p, o" : "SELECT DISTINCT 0, s, p, o FROM quads ORDER BY s, p, o"))
            while true {
                let batch = try connection.integers("FETCH 10000 FROM kglog_binary_facts")
                if batch.isEmpty { break }
                for row in stride(from: 0, to: batch.count, by: 4) { try body(batch[row], batch[row + 1], batch[row + 2], batch[row + 3]) }
            }
            try connection.execute("CLOSE kglog_binary_facts")
        }
    }

    public func forEachFactRow(predicate: Int64, arity: Int, _ body: ([Int64], Int64) throws -> Void) throws {
        if arity == 2 {
            // Through a cursor, 10,000 rows at a time: an export of millions of facts holds
            // one batch in memory, not all of them.
            try transaction {
                try connection.execute("DECLARE kglog_fact_rows NO SCROLL CURSOR FOR SELECT s, o, g FROM quads WHERE p = $1 ORDER BY s, o, g",
                                       [.integer(predicate)])
                while true {
                    let batch = try connection.integers("FETCH 10000 FROM kglog_fact_rows")
                    if batch.isEmpty { break }
                    for row in stride(from: 0, to: batch.count, by: 3) { try body([batch[row], batch[row + 1]], batch[row + 2]) }
                }
                try connection.execute("CLOSE kglog_fact_rows")
            }
            return
        }
        var rows: [([Int64], Int64)] = []
        for row in try connection.execute("SELECT args, g FROM tuples WHERE p = $1", [.integer(predicate)]).rows {
            rows.append((try PostgresStore.unpacked(row[0] ?? "", arity: arity), Int64(row[1] ?? "") ?? 0))
        }
        rows.sort { $0.0 != $1.0 ? $0.0.lexicographicallyPrecedes($1.0) : $0.1 < $1.1 }
        for (arguments, source) in rows { try body(arguments, source) }
    }

    /// The number of distinct facts of a predicate (a fact from two sources counts once).
    public func distinctFactCount(predicate: Int64, arity: Int) throws -> Int {
        Int(try integer(arity == 2 ? "SELECT count(*) FROM (SELECT DISTINCT s, o FROM quads WHERE p = $1) AS f"
                                   : "SELECT count(DISTINCT args) FROM tuples WHERE p = $1", [.integer(predicate)]))
    }

    /// Every source with the number of fact rows it asserted, most first, then by id.
    public func sourceCounts() throws -> [(source: Int64, facts: Int)] {
        try connection.execute("""
            SELECT g, count(*) AS n FROM (SELECT g FROM quads WHERE g <> 0 UNION ALL SELECT g FROM tuples WHERE g <> 0) AS f
            GROUP BY g ORDER BY n DESC, g
            """).rows.compactMap { row in
            guard let source = row[0].flatMap({ Int64($0) }), let count = row[1].flatMap({ Int($0) }) else { return nil }
            return (source, count)
        }
    }

    /// Removes the terms no fact, source or predicate uses; returns how many went and the
    /// tables' size in bytes before and after (the server reuses the space).
    public func compact() throws -> (removedTerms: Int, bytesBefore: Int64, bytesAfter: Int64) {
        let before = try tableBytes()
        let removed = try transaction { () throws -> Int in
            var used = Set<Int64>()
            for sql in ["SELECT DISTINCT s FROM quads", "SELECT DISTINCT p FROM quads", "SELECT DISTINCT o FROM quads",
                        "SELECT DISTINCT g FROM quads", "SELECT DISTINCT p FROM tuples", "SELECT DISTINCT g FROM tuples", "SELECT id FROM predicates",
                        // The history keeps the terms of retracted facts: the past can still be asked.
                        "SELECT DISTINCT p FROM retracted_facts", "SELECT DISTINCT g FROM retracted_facts",
                        "SELECT DISTINCT s FROM retracted_facts WHERE s IS NOT NULL", "SELECT DISTINCT o FROM retracted_facts WHERE o IS NOT NULL"] {
                used.formUnion(try connection.integers(sql))
            }
            for row in try connection.execute("SELECT p, args FROM tuples UNION ALL SELECT p, args FROM retracted_facts WHERE args IS NOT NULL").rows {
                let text = row[1] ?? "\\x"
                used.formUnion(try PostgresStore.unpacked(text, arity: (text.utf8.count - 2) / 16))
            }
            let unused = try connection.integers("SELECT id FROM terms").filter { !used.contains($0) }
            guard !unused.isEmpty else { return 0 }
            let removed = try connection.execute("DELETE FROM terms WHERE id = ANY($1::bigint[])", [PostgresStore.idArray(unused)]).changed
            try recountTextTotals(on: connection)
            return removed
        }
        try connection.execute("VACUUM terms")
        return (removed, before, try tableBytes())
    }

    /// Checks that the other two orders hold exactly the distinct facts of `quads`, and that
    /// every dictionary id a fact holds is in the dictionary: "ok", or what is wrong.
    public func integrityCheck() throws -> String {
        let checks = [
            ("facts missing from quads_pos", "SELECT count(*) FROM (SELECT DISTINCT p, s, o FROM quads EXCEPT SELECT p, s, o FROM quads_pos) AS f"),
            ("facts missing from quads_osp", "SELECT count(*) FROM (SELECT DISTINCT p, s, o FROM quads EXCEPT SELECT p, s, o FROM quads_osp) AS f"),
            ("rows of quads_pos with no fact", "SELECT count(*) FROM (SELECT p, s, o FROM quads_pos EXCEPT SELECT p, s, o FROM quads) AS f"),
            ("rows of quads_osp with no fact", "SELECT count(*) FROM (SELECT p, s, o FROM quads_osp EXCEPT SELECT p, s, o FROM quads) AS f"),
            ("ids of facts missing from the dictionary", """
                SELECT count(*) FROM (SELECT s AS id FROM quads UNION SELECT p FROM quads UNION SELECT o FROM quads
                UNION SELECT g FROM quads) AS f WHERE id > 0 AND NOT EXISTS (SELECT 1 FROM terms WHERE terms.id = f.id)
                """),
        ]
        var problems: [String] = []
        for (what, sql) in checks {
            let count = try integer(sql)
            if count > 0 { problems.append("\(count) \(what)") }
        }
        return problems.isEmpty ? "ok" : problems.joined(separator: "\n")
    }

    private func tableBytes() throws -> Int64 {
        try integer("""
            SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'
            """)
    }

    func integer(_ sql: String, _ parameters: [PostgresValue?] = []) throws -> Int64 {
        try connection.execute(sql, parameters).firstInteger ?? 0
    }

    /// The number of stored rows (facts with their sources) of a predicate.
    public func factCount(predicate: Int64, arity: Int) throws -> Int {
        Int(try integer("SELECT count(*) FROM \(arity == 2 ? "quads" : "tuples") WHERE p = $1", [.integer(predicate)]))
    }

    /// The sources a stored fact was asserted by (`TermCode.noTerm` for a statement without one).
    public func sources(ofFact predicate: Int64, arguments: [Int64]) throws -> [Int64] {
        arguments.count == 2
            ? try connection.integers("SELECT g FROM quads WHERE p = $1 AND s = $2 AND o = $3 ORDER BY g",
                                      [.integer(predicate), .integer(arguments[0]), .integer(arguments[1])])
            : try connection.integers("SELECT g FROM tuples WHERE p = $1 AND args = $2::bytea ORDER BY g",
                                      [.integer(predicate), .text(PostgresStore.packed(arguments))])
    }

    /// Ids as one `bigint[]` parameter (`{1,2,3}`).
    static func idArray<Ids: Sequence<Int64>>(_ ids: Ids) -> PostgresValue {
        .text("{" + ids.map(String.init).joined(separator: ",") + "}")
    }

    // MARK: - Packed arguments

    /// Argument ids as the bytes of `bytea`: each id's 8 little-endian bytes.
    static func packedBytes(_ arguments: [Int64]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(arguments.count * 8)
        for id in arguments { withUnsafeBytes(of: UInt64(bitPattern: id).littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    /// Argument ids as `bytea` input: `\x` and the bytes of `packedBytes` in hex.
    static func packed(_ arguments: [Int64]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = Array("\\x".utf8)
        for byte in packedBytes(arguments) { text += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: text, as: UTF8.self)
    }

    /// The ids of `bytea` output (`\x` and hex), which must hold `arity` of them.
    static func unpacked(_ text: String, arity: Int) throws -> [Int64] {
        let damaged = PostgresStoreError.damagedArguments(arity: arity, text: text)
        let hex = Array(text.utf8.dropFirst(2))
        guard text.hasPrefix("\\x"), hex.count == arity * 16 else { throw damaged }
        return try (0..<arity).map { index in
            var bits: UInt64 = 0
            for byte in 0..<8 {
                let at = index * 16 + byte * 2
                guard let high = Hex.digit(hex[at]), let low = Hex.digit(hex[at + 1]) else { throw damaged }
                bits |= UInt64(high << 4 | low) << (8 * UInt64(byte))
            }
            return Int64(bitPattern: bits)
        }
    }
}

/// What is wrong with a database as a kglog knowledge base.
public enum PostgresStoreError: Error, Equatable, CustomStringConvertible {
    case noSchema(target: String)
    case noKnowledgeBase(target: String, schema: String)
    case notAKnowledgeBase(target: String, schema: String)
    case newerSchema(target: String, found: Int, supported: Int)
    case missingTerm(id: Int64)
    case damagedArguments(arity: Int, text: String)

    public var description: String {
        switch self {
        case .noSchema(let target):
            return "'\(target)' names no schema to keep a knowledge base in (the search path is empty)"
        case .noKnowledgeBase(let target, let schema):
            return "the schema '\(schema)' of '\(target)' holds no knowledge base (opened to read only, nothing was created)"
        case .notAKnowledgeBase(let target, let schema):
            return "the schema '\(schema)' of '\(target)' holds tables that are not a kglog knowledge base: name an empty schema (options=-csearch_path=NAME)"
        case .newerSchema(let target, let found, let supported):
            return "'\(target)' has schema version \(found), newer than this kglog's \(supported): upgrade kglog to open it"
        case .missingTerm(let id):
            return "the knowledge base is damaged: term \(id) is missing from the dictionary"
        case .damagedArguments(let arity, let text):
            return "the knowledge base is damaged: a fact of arity \(arity) has the arguments '\(text)'"
        }
    }
}
