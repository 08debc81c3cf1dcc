import KGEngine
import KGPostgres
import KGStore
import KGSyntax
import Foundation

/// A knowledge base on a PostgreSQL server is read by the engine as the SQLite file is: its
/// relations are brought into the in-memory engine (evaluation on the client). The server
/// keeps no packed copies of predicates.
extension PostgresStore: StoredFacts {
    public func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        false
    }

    public func factsWithPeriods(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) throws -> [Int64] {
        // Binary facts are joined to their periods in SQL; others are put together here.
        guard arity == 2 else { return try factsWithPeriodRows(predicate: predicate, arity: arity, withSources: withSources, bound: bound) }
        return try binaryFactsWithPeriods(predicate: predicate, withSources: withSources, bound: withSources ? bound : bound.filter { $0.key < 2 })
    }

    public func describeRead(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) -> String {
        let parameters = ["$1 = \(predicate)"] + bound.sorted { $0.key < $1.key }.map { "$\($0.key + 2) = \($0.value)" }
        return PostgresStore.readSQL(arity: arity, withSources: withSources, boundColumns: Set(bound.keys)) + " [\(parameters.joined(separator: ", "))]"
    }
}

/// Evaluation in the database (`--evaluate server`): the engine's SQL reads the fact tables
/// directly, in a transaction that is rolled back.
extension PostgresStore: SQLEvaluatingStore {
    public func sqlFacts(predicate: Int64, arity: Int, withSources: Bool, subjectBound: Bool) -> String {
        let source = withSources ? ", g" : ""
        let withSource = withSources ? " AND g <> 0" : ""
        guard arity == 2 else {
            let columns = arity == 0 ? ["0 AS c0"] : (0..<arity).map { "pg_temp.kglog_argument(args, \($0)) AS c\($0)" }
            return "(SELECT \(columns.joined(separator: ", "))\(source) FROM tuples WHERE p = \(predicate)\(withSource))"
        }
        // quads_pos holds each fact once (without sources) but is ordered by object; facts found
        // by subject are better read from quads, a row for each source and all.
        let table = withSources || subjectBound ? "quads" : "quads_pos"
        return "(SELECT s AS c0, o AS c1\(source) FROM \(table) WHERE p = \(predicate)\(withSource))"
    }

    public func estimatedRows(predicate: Int64, arity: Int) throws -> Int {
        let table = arity == 2 ? "quads" : "tuples"
        let plan = try connection.execute("EXPLAIN SELECT 1 FROM \(table) WHERE p = \(predicate)").rows.first?.first ?? nil
        guard let plan, let range = plan.range(of: #"rows=[0-9]+"#, options: .regularExpression) else { return 0 }
        return Int(plan[range].dropFirst(5)) ?? 0
    }

    public func withDiscardedTransaction<T>(_ body: (SQLSession) throws -> T) throws -> T {
        let connection = try evaluationConnection()
        return try connection.discardingChanges { try body(PostgresSession(connection: connection)) }
    }
}

/// Statements of an evaluation on PostgreSQL; the functions' "computed on the client" errors
/// come back as `ComputedOnClient`.
private struct PostgresSession: SQLSession {
    let connection: PostgresConnection

    func run(_ sql: String, _ parameters: [SQLParameter], checkpoint: (() throws -> Void)?) throws -> Int {
        let values: [PostgresValue?] = parameters.map {
            switch $0 {
            case .integer(let value): return .integer(value)
            case .text(let value): return .text(value)
            }
        }
        return try translatingErrors { try connection.execute(sql, values, checkpoint: checkpoint).changed }
    }

    func integers(_ sql: String, checkpoint: (() throws -> Void)?) throws -> [Int64] {
        try translatingErrors { try connection.integers(sql, checkpoint: checkpoint) }
    }

    private func translatingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch PostgresError.server(let state, let message, _) where state == ComputedOnClient.sqlState {
            throw ComputedOnClient(reason: message)
        }
    }
}

/// The knowledge base's writes on PostgreSQL: bulk ones through binary COPY.
extension PostgresStore: KnowledgeStore {
    public var hasConcurrentWriters: Bool { true }

    public func withDirectWrites<T>(when: Bool, _ body: () throws -> T) throws -> T { try body() }
    public func bulkLoad<T>(when: Bool, _ body: () throws -> T) throws -> T { try body() }
    public func refreshFactCaches() throws {}

    /// Terms' words are indexed as the terms are added.
    public func indexNewTerms() throws {}

    public func addTerms(_ terms: TermList, allNew: Bool) throws -> [Int64] {
        try internTerms((0..<terms.count).map { (Int(terms.kinds[$0]), Array(terms.bytes[terms.textRange($0)])) }, allNew: allNew)
    }

    public func addQuads(_ rows: [QuadRow]) throws -> Int {
        try addFacts(countingNew: rows.map { ($0.p, [$0.s, $0.o], $0.g) })
    }

    public func addQuadsTellingWhichAreNew(_ rows: [QuadRow]) throws -> [Bool] {
        try addFacts(rows.map { ($0.p, [$0.s, $0.o], $0.g) })
    }

    public func addTuples(_ rows: [TupleRow]) throws -> Int {
        try addFacts(countingNew: rows.map { ($0.p, $0.arguments, $0.g) })
    }
}
