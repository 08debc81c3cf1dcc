import KGEngine
import KGPostgres
import KGStore

/// A knowledge base on a PostgreSQL server is read by the engine as the SQLite file is: its
/// relations are brought into the in-memory engine (evaluation on the client). The server
/// keeps no packed copies of predicates.
extension PostgresStore: StoredFacts {
    public func withCachedFacts(predicate: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        false
    }

    public func describeRead(predicate: Int64, arity: Int, withSources: Bool, bound: [Int: Int64]) -> String {
        let parameters = ["$1 = \(predicate)"] + bound.sorted { $0.key < $1.key }.map { "$\($0.key + 2) = \($0.value)" }
        return PostgresStore.readSQL(arity: arity, withSources: withSources, boundColumns: Set(bound.keys)) + " [\(parameters.joined(separator: ", "))]"
    }
}

/// The knowledge base's writes on PostgreSQL: bulk ones through binary COPY.
extension PostgresStore: KnowledgeStore {
    public var hasConcurrentWriters: Bool { true }

    public func withDirectWrites<T>(when: Bool, _ body: () throws -> T) throws -> T { try body() }
    public func bulkLoad<T>(when: Bool, _ body: () throws -> T) throws -> T { try body() }
    public func refreshFactCaches() throws {}

    public func addTerms(_ terms: TermList, allNew: Bool) throws -> [Int64] {
        try internTerms((0..<terms.count).map { (Int(terms.kinds[$0]), Array(terms.bytes[terms.textRange($0)])) })
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
