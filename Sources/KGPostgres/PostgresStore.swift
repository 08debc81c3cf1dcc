import Foundation
import KGSyntax

/// A knowledge base's terms and facts in a PostgreSQL database: the tables of the SQLite file
/// (see `KGStore.Store`), created in the schema the connection's search path names first.
///
/// Tables (schema version 1 of this store):
/// - `kglog_meta(key, value)`: `application` = `kglog` and `schema_version`; a database whose
///   schema holds other tables but not this one is refused, so kglog never writes into tables
///   it did not make.
/// - `terms(id, kind, lexical)`: the dictionary (ids from the sequence `terms_id_seq`; inline
///   values are not in it, as in the SQLite file). Interning is `INSERT ... ON CONFLICT DO
///   NOTHING`, so several writers at once get one id for one term.
/// - `quads(p, s, o, g)` with primary key (p, s, o, g) and an index on the source;
///   `quads_pos(p, o, s)` and `quads_osp(o, s, p)` the distinct facts in the other orders.
/// - `tuples(p, args, g)`: facts of other arities, the argument ids packed little-endian in `bytea`.
/// - `predicates(id, arity)`, `rules(id, text)`, `prefixes(name, iri)`.
///
/// This is the store's reading and writing of facts; the knowledge base does not use it yet.
public final class PostgresStore {
    public static let schemaVersion = 1
    public let connection: PostgresConnection

    /// Connects and makes sure the schema is kglog's: created when the schema is empty,
    /// checked (application and version) otherwise.
    public init(_ connectionString: String) throws {
        connection = try PostgresConnection(connectionString)
        try checkOrCreateSchema()
    }

    public func close() {
        connection.close()
    }

    private func checkOrCreateSchema() throws {
        let schema = try connection.execute("SELECT current_schema()").rows.first?.first ?? nil
        guard let schema else { throw PostgresStoreError.noSchema(target: connection.target) }
        let tables = try connection.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [.text(schema)])
            .rows.compactMap { $0.first ?? nil }
        if tables.isEmpty {
            try connection.transaction {
                for statement in PostgresStore.schemaStatements { try connection.execute(statement) }
                try connection.execute("INSERT INTO kglog_meta(key, value) VALUES ('application', 'kglog'), ('schema_version', $1)",
                                       [.integer(Int64(PostgresStore.schemaVersion))])
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
    ]

    // MARK: - Terms

    /// The id of a value: inline, or the dictionary's; nil when the dictionary does not have it.
    public func termID(for value: Value) throws -> Int64? {
        if let inline = TermCode.inlineID(value) { return inline }
        let (kind, text) = TermCode.dictionaryKey(of: value)
        return try connection.execute("SELECT id FROM terms WHERE kind = $1 AND lexical = $2", [.integer(Int64(kind)), .text(text)])
            .rows.first.flatMap { $0.first ?? nil }.flatMap { Int64($0) }
    }

    /// The id of a value, adding it to the dictionary when it is new (and not inline).
    public func intern(_ value: Value) throws -> Int64 {
        if let inline = TermCode.inlineID(value) { return inline }
        let (kind, text) = TermCode.dictionaryKey(of: value)
        let parameters: [PostgresValue?] = [.integer(Int64(kind)), .text(text)]
        // Another writer may add the same term at the same moment: then this insert does
        // nothing and the select finds its id.
        let inserted = try connection.execute("INSERT INTO terms(kind, lexical) VALUES ($1, $2) ON CONFLICT (kind, lexical) DO NOTHING RETURNING id", parameters)
        if let id = inserted.rows.first?.first.flatMap({ $0 }).flatMap({ Int64($0) }) { return id }
        guard let id = try termID(for: value) else { throw PostgresStoreError.missingTerm(id: 0) }
        return id
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
        let list = "{" + stored.map(String.init).joined(separator: ",") + "}"
        for row in try connection.execute("SELECT id, kind, lexical FROM terms WHERE id = ANY($1::bigint[]) ORDER BY id", [.text(list)]).rows {
            guard let id = row[0].flatMap({ Int64($0) }), let kind = row[1].flatMap({ Int($0) }), let text = row[2] else { continue }
            try body(id, kind, text)
        }
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
            return try connection.execute(sql, parameters).rows.flatMap { row in row.map { Int64($0 ?? "") ?? 0 } }
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

    /// The number of stored rows (facts with their sources) of a predicate.
    public func factCount(predicate: Int64, arity: Int) throws -> Int {
        let table = arity == 2 ? "quads" : "tuples"
        return Int(try connection.execute("SELECT count(*) FROM \(table) WHERE p = $1", [.integer(predicate)]).rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }

    /// The sources a stored fact was asserted by (`TermCode.noTerm` for a statement without one).
    public func sources(ofFact predicate: Int64, arguments: [Int64]) throws -> [Int64] {
        let result = arguments.count == 2
            ? try connection.execute("SELECT g FROM quads WHERE p = $1 AND s = $2 AND o = $3 ORDER BY g",
                                     [.integer(predicate), .integer(arguments[0]), .integer(arguments[1])])
            : try connection.execute("SELECT g FROM tuples WHERE p = $1 AND args = $2::bytea ORDER BY g",
                                     [.integer(predicate), .text(PostgresStore.packed(arguments))])
        return result.rows.compactMap { $0.first.flatMap { $0 }.flatMap { Int64($0) } }
    }

    // MARK: - Packed arguments

    /// Argument ids as `bytea` input: `\x` and each id's 8 little-endian bytes in hex.
    static func packed(_ arguments: [Int64]) -> String {
        var text = "\\x"
        for id in arguments {
            var bits = UInt64(bitPattern: id).littleEndian
            withUnsafeBytes(of: &bits) { for byte in $0 { text += String(format: "%02x", byte) } }
        }
        return text
    }

    /// The ids of `bytea` output (`\x` and hex), which must hold `arity` of them.
    static func unpacked(_ text: String, arity: Int) throws -> [Int64] {
        let hex = Array(text.utf8.dropFirst(2))
        guard text.hasPrefix("\\x"), hex.count == arity * 16 else { throw PostgresStoreError.damagedArguments(arity: arity, text: text) }
        func nibble(_ c: UInt8) -> UInt64 { UInt64(c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : c - UInt8(ascii: "a") + 10) }
        return (0..<arity).map { index in
            var bits: UInt64 = 0
            for byte in 0..<8 {
                let at = index * 16 + byte * 2
                bits |= (nibble(hex[at]) << 4 | nibble(hex[at + 1])) << (8 * UInt64(byte))
            }
            return Int64(bitPattern: bits)
        }
    }
}

/// What is wrong with a database as a kglog knowledge base.
public enum PostgresStoreError: Error, Equatable, CustomStringConvertible {
    case noSchema(target: String)
    case notAKnowledgeBase(target: String, schema: String)
    case newerSchema(target: String, found: Int, supported: Int)
    case missingTerm(id: Int64)
    case damagedArguments(arity: Int, text: String)

    public var description: String {
        switch self {
        case .noSchema(let target):
            return "'\(target)' names no schema to keep a knowledge base in (the search path is empty)"
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
